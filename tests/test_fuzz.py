"""No traceback, ever: thousands of generated malformed inputs through every entry point
(definition and organisation files, answers through the engine and the command line, answer
links, command-line arguments). Each ends in a clear LofteError (a message that names what and
where) or a non-zero exit, and a refused input writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lofte.cli.main import main
from lofte.definitions.loader import PACKAGED_DIR, load_bundle, parse_definition, parse_organisation
from lofte.kernel.errors import DefinitionError, InvalidToken, LofteError
from lofte.storage.read_model import SqlReadModel
from lofte.workflow.application.answer_links import open_link, submit_with_token
from lofte.workflow.application.app import Application
from tests.harness import Harness, utc


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        derandomize=True,
        database=None,
    )


TEMPLATE = yaml.safe_load((PACKAGED_DIR / "est-mote.yaml").read_text(encoding="utf-8"))
ORGANISATION = yaml.safe_load((PACKAGED_DIR / "organisation.yaml").read_text(encoding="utf-8"))
# A small organisation parses fast, so many more mutations fit in the time.
ORGANISATION["police_areas"][0]["municipalities"] = ORGANISATION["police_areas"][0][
    "municipalities"
][:1]
ORGANISATION["people"] = [
    p for p in ORGANISATION["people"] if set(p["roles"]) <= {"sala", "lpo-norra-vastmanland"}
][:6]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        ["P99999999Y", "-P1D", "P1W", "2027-13-45T25:61", "\x00", "ä" * 500, "{{x}}", "<script>"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=6,
)


def mutate(document: Any, data: st.DataObject) -> Any:
    """Replace, delete or add something at a random place of a parsed document."""
    if isinstance(document, dict) and document:
        key = data.draw(st.sampled_from(sorted(document, key=str)))
        action = data.draw(st.sampled_from(["replace", "delete", "descend", "add"]))
        copy = dict(document)
        if action == "delete":
            del copy[key]
        elif action == "replace":
            copy[key] = data.draw(values)
        elif action == "add":
            copy[data.draw(st.text(max_size=10))] = data.draw(values)
        else:
            copy[key] = mutate(document[key], data)
        return copy
    if isinstance(document, list) and document:
        index = data.draw(st.integers(0, len(document) - 1))
        copy = list(document)
        copy[index] = (
            mutate(document[index], data) if data.draw(st.booleans()) else data.draw(values)
        )
        return copy
    return data.draw(values)


def dump(document: Any) -> str:
    try:
        return yaml.safe_dump(document, allow_unicode=True)
    except yaml.YAMLError:
        return json.dumps(document, default=str)


@fuzz(2000)
@given(st.data())
def test_malformed_definitions_give_definition_errors(data: st.DataObject) -> None:
    mutated = data.draw(st.booleans())
    text = dump(mutate(TEMPLATE, data)) if mutated else data.draw(st.text(max_size=300))
    try:
        parse_definition(text, "fuzz.yaml")
    except DefinitionError as exc:
        assert exc.problems and str(exc)
        assert all(p.file == "fuzz.yaml" and p.message for p in exc.problems)
    else:
        # a changed template may still be a valid definition; 300 characters of text never are
        assert mutated, text


@fuzz(1000)
@given(st.data())
def test_malformed_organisations_give_definition_errors(data: st.DataObject) -> None:
    text = dump(mutate(ORGANISATION, data))
    try:
        parse_organisation(text, "organisation.yaml")
    except DefinitionError as exc:
        assert exc.problems and str(exc)
        assert all(p.file == "organisation.yaml" and p.message for p in exc.problems)


def test_a_whole_malformed_setup_is_refused_as_one_error(tmp_path: Path) -> None:
    (tmp_path / "organisation.yaml").write_text("people: *nowhere\n", encoding="utf-8")
    (tmp_path / "x.yaml").write_bytes(b"\xff\xfe")
    with pytest.raises(DefinitionError) as refused:
        load_bundle([tmp_path])
    assert len(refused.value.problems) == 2


SNAPSHOT = (
    "SELECT (SELECT count(*) FROM audit_events), (SELECT count(*) FROM outbox), "
    "(SELECT coalesce(sum(answer_version), 0) FROM input_requests), "
    "(SELECT count(*) FROM sensitive_values)"
)


def snapshot(h: Harness) -> tuple[int, ...]:
    from sqlalchemy import text

    with h.store.reading() as c:
        return tuple(c.execute(text(SNAPSHOT)).one())


@pytest.fixture
def opened(sqlite_harness: Harness) -> Harness:
    sqlite_harness.run_until(utc(2027, 1, 6, 8, 30))
    return sqlite_harness


@pytest.fixture
def open_requests(opened: Harness) -> list[Any]:
    sala = opened.requests(opened.cycle("est-inventering", "sala", "2027-W01"))
    lolg = opened.requests(opened.cycle("operativ-inriktning", "lpo-norra-vastmanland", "2027-W01"))
    return sala + lolg


@fuzz(2500)
@given(data=st.data())
def test_malformed_answers_are_refused_and_write_nothing(
    opened: Harness, open_requests: list[Any], data: st.DataObject
) -> None:
    h = opened
    request = data.draw(st.sampled_from(open_requests))
    answer = data.draw(
        st.one_of(
            values,
            st.just(
                {
                    "iakttagelser": [
                        {
                            "kategori": "brand",
                            "plats": "x",
                            "omrade": "y",
                            "datum": "2027-01-04",
                            "beskrivning": "z",
                        }
                    ]
                    * 51
                }
            ),
            st.fixed_dictionaries(
                {
                    "iakttagelser": st.lists(
                        st.dictionaries(
                            st.sampled_from(
                                [
                                    "kategori",
                                    "plats",
                                    "omrade",
                                    "datum",
                                    "klockslag",
                                    "dygnsdel",
                                    "beskrivning",
                                    "bedomning",
                                    "x",
                                ]
                            ),
                            values,
                            max_size=7,
                        ),
                        max_size=8,
                    )
                }
            ),
        )
    )
    person = data.draw(st.sampled_from([request.person_id, "lars-berg", "okänd", ""]))
    request_id = data.draw(st.sampled_from([request.id or 0, 0, -1, 10**18]))
    before = snapshot(h)
    # None of these answers is valid (wrong keys, types, counts, person or request), so each
    # must be refused with a message, and nothing of it kept.
    with pytest.raises(LofteError) as refused:
        h.engine.submit(request_id, person, answer)
    assert str(refused.value)
    assert snapshot(h) == before


@fuzz(2500)
@given(
    token=st.one_of(
        st.text(max_size=120),
        st.from_regex(r"[0-9]{1,30}\.[0-9]{1,30}\.[A-Za-z0-9_\-ÅÄÖ]{0,60}", fullmatch=True),
    )
)
def test_malformed_answer_links_are_refused(opened: Harness, token: str) -> None:
    """Nobody without the secret can sign a link: every made-up token is refused as forged
    (never expired, used or closed, which only a genuine signature gets to), and nothing is
    written."""
    app = Application(opened.engine, SqlReadModel(opened.store.engine))
    before = snapshot(opened)
    with pytest.raises(InvalidToken) as refused:
        open_link(app, token)
    assert refused.value.reason == "forged"
    assert str(refused.value).startswith("länken är inte giltig")
    with pytest.raises(InvalidToken):
        submit_with_token(app, token, {"inget_att_rapportera": True})
    assert snapshot(opened) == before


COMMANDS = [
    "init",
    "run",
    "status",
    "submit",
    "simulate",
    "audit",
    "show",
    "outbox",
    "timers",
    "meeting",
    "definitions",
    "example",
    "units",
    "lagesbild",
    "actions",
    "export",
    "report",
    "keys",
    "backup",
    "restore",
]
arguments = st.lists(
    st.one_of(
        st.sampled_from(
            [
                *COMMANDS,
                "--unit",
                "--as",
                "--database",
                "--from",
                "--to",
                "--set",
                "--file",
                "--weeks",
                "verify",
                "head",
                "list",
                "retry",
                "--year",
                "--status",
                "1",
                "sala",
                "-1",
                "x=y",
            ]
        ),
        st.text(max_size=20).filter(lambda s: "\x00" not in s),
    ),
    max_size=6,
)


@fuzz(2000)
@given(argv=arguments)
def test_malformed_command_lines_exit_with_a_message(
    argv: list[str],
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path_factory.mktemp("cli")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("LOFTE_DATABASE_URL", f"sqlite:///{folder}/none.db")
    if (
        argv[:1] in (["run"], ["init"], ["simulate"], ["restore"], ["example"], ["backup"])
        or "export" in argv[:1]
    ):
        argv = ["--help"] if not argv[1:] else [*argv[:1], "--nonsense"]
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    _, err = capsys.readouterr()
    assert "Traceback" not in err and "oväntat fel" not in err, (argv, err)
    assert code in (0, 1, 2)
    if code:
        assert err.strip(), argv
