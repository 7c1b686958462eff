"""Benchmark: the production web server (`lofte web`: gunicorn's threaded workers, or waitress)
on loopback against a simulated year of the national example (290 municipalities; `5`: the
example police area, a quick run). Prints throughput and p50/p95 latency of the answer form
(GET and POST), my tasks and the auditor's dashboard at 10 and 50 concurrent connections; the
last line is `RESULT {json}`.

    .venv/bin/python bench/bench_web.py [--municipalities 290] [--weeks 52] [--requests 300]
        [--server gunicorn|waitress] [--workers N] [--threads N] [--database URL]

`--database` reuses a database `lofte simulate --from 2027-01-04 --weeks W` made (its keys
beside it); the bench first lets `lofte run` catch it up to Monday 10:00 of week W+1.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

START = "2027-01-04T10:00"  # Monday 10:00: the new week's inventory is open at the end
SESSION = "bench-session-" + os.urandom(8).hex()  # new each run: a reused database keeps old ones
AIMS = {"answer_get": 50, "answer_post": 50, "my_tasks": 80, "dashboard": 200}  # p95 ms at 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--municipalities", type=int, default=290, help="5: the example")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--requests", type=int, default=300, help="per page and concurrency")
    parser.add_argument("--server", choices=("gunicorn", "waitress"), default="gunicorn")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's processes")
    parser.add_argument("--threads", type=int, default=2, help="per process (waitress: 4)")
    parser.add_argument("--database", help="a simulated database to reuse (see above)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lofte-bench-web-") as folder:
        env = prepare(Path(folder), args)
        port = 8790
        argv = ["web", "--port", str(port), "--workers", str(args.workers)]
        argv += ["--threads", str(args.threads)]
        if args.server == "waitress":
            env["LOFTE_WEB_SERVER"] = "waitress"
            argv = ["web", "--port", str(port), "--workers", "1", "--threads", "4"]
        log = open(Path(folder) / "web.log", "w")  # noqa: SIM115  (a full pipe would stall it)
        server = subprocess.Popen(
            [sys.executable, "-m", "lofte.cli.main", *argv],
            env=env,
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(port)
            results = run_all(port, env, args.requests)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    what = (
        "waitress, 4 threads"
        if args.server == "waitress"
        else (f"gunicorn gthread, {args.workers} workers x {args.threads} threads")
    )
    print_results(results, args, what)


def wait_for(port: int) -> None:
    for _ in range(1200):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"the web server did not start on port {port}")


def prepare(folder: Path, args: argparse.Namespace) -> dict[str, str]:
    """A simulated year in a SQLite database (or the one given), caught up to Monday 10:00 after
    the year (the new week's inventory open), its clock file there, and two sessions: a
    reporter's and an auditor's (set in `fixtures`)."""
    from datetime import datetime

    from cryptography.fernet import Fernet

    from lofte.kernel.timerules import STOCKHOLM

    env = dict(os.environ, LOFTE_MAIL_DIR=str(folder / "mail"), LOFTE_SECRET_KEY="bench-secret")
    env["LOFTE_DATABASE_URL"] = args.database or f"sqlite:///{folder}/web.db"
    end = datetime.fromisoformat(START).replace(tzinfo=STOCKHOLM) + timedelta(weeks=args.weeks)
    (folder / "clock").write_text(end.isoformat())
    if not args.database:
        env["LOFTE_DATA_KEY"] = Fernet.generate_key().decode()
        simulate(folder, env, args)
    env["LOFTE_CLOCK_FILE"] = str(folder / "clock")
    started = time.perf_counter()
    lofte(env, "run", "--exit-when-idle")  # the openings of Monday 09:00, if still due
    print(f"caught up to {end:%Y-%m-%d %H:%M} in {time.perf_counter() - started:.0f} s")
    return env


def simulate(folder: Path, env: dict[str, str], args: argparse.Namespace) -> None:
    started = time.perf_counter()
    definitions = []
    if args.municipalities != 5:
        lofte(
            env,
            "example",
            "national",
            "--municipalities",
            str(args.municipalities),
            str(folder / "setup"),
        )
        definitions = ["--definitions", str(folder / "setup")]
    lofte(
        env,
        "simulate",
        "--from",
        START,
        "--weeks",
        str(args.weeks),
        "--no-mail",
        "--database",
        env["LOFTE_DATABASE_URL"],
        *definitions,
    )
    print(
        f"simulated {args.weeks} weeks of {args.municipalities} municipalities in "
        f"{time.perf_counter() - started:.0f} s"
    )


def lofte(env: dict[str, str], *argv: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "lofte.cli.main", *argv],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def run_all(port: int, env: dict[str, str], count: int) -> dict[str, dict[str, float]]:
    token, tasks_cookie, audit_cookie = fixtures(env)
    pages = {
        "answer_get": ("GET", f"/svar/{token}", None),
        "answer_post": ("POST", f"/svar/{token}", None),
        "my_tasks": ("GET", "/uppgifter", tasks_cookie),
        "dashboard": ("GET", "/revision", audit_cookie),
    }
    results = {}
    for concurrency in (10, 50):
        for name, (method, path, cookie) in pages.items():
            results[f"{name}@{concurrency}"] = load(port, method, path, cookie, concurrency, count)
    return results


def fixtures(env: dict[str, str]) -> tuple[str, str, str]:
    """An open request's answer token and session cookies for its person and the auditor."""
    os.environ.update(env)
    from lofte.cli.wiring import connect
    from lofte.storage.web_access import SqlWebAccess
    from lofte.workflow.application.sign_in import digest
    from lofte.workflow.application.tasks import my_tasks

    wired = connect(None)
    access = SqlWebAccess(wired.store.engine)
    now = wired.app.now
    reporters = [r for r, _ in wired.app.reads.open_requests() if r.step_id == "rapportering"]
    per_cycle = Counter(r.instance_id for r in reporters)
    # another reporter of its cycle still owes: answering again never completes the step
    reporters = [r for r in reporters if per_cycle[r.instance_id] > 1]
    assert reporters, "the simulated year left no inventory request open"
    person = reporters[0].person_id
    token = next(t.token for t in my_tasks(wired.app, person).open if t.request == reporters[0])
    auditor = wired.app.directory().holders("revisor", "deployment")[0].id
    for who, suffix in ((person, "p"), (auditor, "a")):
        access.add_session(digest(SESSION + suffix), who, now)
    wired.close()
    return token, f"lofte_session={SESSION}p", f"lofte_session={SESSION}a"


def load(
    port: int, method: str, path: str, cookie: str | None, concurrency: int, count: int
) -> dict[str, float]:
    """`concurrency` keep-alive connections, each sending its next request as soon as the last
    answer is read. One asyncio loop drives them all: a load generator of Python threads would
    add its own waits for the GIL to every latency it measures."""
    return asyncio.run(_load(port, method, path, cookie, concurrency, count))


async def _load(
    port: int, method: str, path: str, cookie: str | None, concurrency: int, count: int
) -> dict[str, float]:
    per_connection = max(1, count // concurrency)
    body, headers = (None, {"Cookie": cookie} if cookie else {})
    if method == "POST":
        body, headers = form_for(http.client.HTTPConnection("127.0.0.1", port, timeout=60), path)

    async def connection() -> list[float]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        request = _request_bytes(method, path, headers, body)
        mine = []
        for _ in range(per_connection):
            began = time.perf_counter()
            writer.write(request)
            status, page = await _response(reader)
            if status not in (200, 303):
                errors = re.findall(r'<li><a href="#[^"]+">([^<]+)</a>', page.decode())
                raise SystemExit(f"{method} {path}: HTTP {status} {errors[:3]}")
            mine.append(time.perf_counter() - began)
        writer.close()
        return mine

    began = time.perf_counter()
    parts = await asyncio.gather(*[connection() for _ in range(concurrency)])
    latencies = [t for part in parts for t in part]
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "per_s": round(len(ordered) / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 1),
    }


def _request_bytes(method: str, path: str, headers: dict[str, str], body: str | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    payload = (body or "").encode()
    if body is not None:
        lines.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    sizes = [line.split(":", 1)[1] for line in lines if line.lower().startswith("content-length:")]
    length = int(sizes[0]) if sizes else 0
    return status, await reader.readexactly(length)


def form_for(connection: http.client.HTTPConnection, path: str) -> tuple[str, dict[str, str]]:
    """The answer form's CSRF token and cookie, and a valid "nothing to report" answer."""
    connection.request("GET", path)
    response = connection.getresponse()
    page = response.read().decode()
    cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no form"
    body = urlencode({"csrf_token": match.group(1), "inget_att_rapportera": "ja"})
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    return body, headers


def print_results(
    results: dict[str, dict[str, float]], args: argparse.Namespace, server: str
) -> None:
    from lofte.storage.database import sqlite_synchronous

    print(f"{server}; SQLite WAL, synchronous={sqlite_synchronous()} (LOFTE_SQLITE_SYNCHRONOUS)")
    print(f"{'page@connections':<22}{'requests':>9}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}  aim")
    for name, figures in results.items():
        page, connections = name.split("@")
        aim = AIMS[page] if connections == "50" else None
        verdict = "" if aim is None else f"  < {aim}: {'ok' if figures['p95_ms'] < aim else 'NO'}"
        print(
            f"{name:<22}{figures['requests']:>9}{figures['per_s']:>9}"
            f"{figures['p50_ms']:>9}{figures['p95_ms']:>9}{verdict}"
        )
    print(
        "aims (issue 23, a national year, 2 cores): p95 at 50 connections: answer form GET and "
        "POST < 50 ms, my tasks < 80 ms, dashboard < 200 ms"
    )
    figures = {"municipalities": args.municipalities, "weeks": args.weeks, "server": server}
    print("RESULT " + json.dumps({**figures, **results}))


if __name__ == "__main__":
    main()
