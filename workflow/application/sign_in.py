"""Sign-in without passwords, through the organisation's identity provider, and the sessions
they start.

A person types their address; whatever it is, the reply is the same neutral text. If it is a
person's address and the rate limits allow, a link with a single-use nonce goes out through
the outbox, valid `LINK_VALIDITY`. Opening the link only shows a "Logga in" button (mail
scanners open links); that POST uses the nonce up and starts a server-side session with an
idle and an absolute timeout. Only hashes of nonces, addresses, clients and session ids are
stored.

Through an identity provider (OpenID Connect, `web.oidc`), the provider's verified claim is
matched to a person of the organisation (`by_claim`); roles still come from the organisation.
A sign-in, by link or by provider, always starts a session with a new id and ends the session
the browser had before. Sessions end after `idle` without a request and `absolute` after
sign-in, whichever comes first (defaults 30 minutes and 10 hours).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from lofte.kernel.errors import InvalidToken, SignInRefused
from lofte.workflow.application.app import Application

log = logging.getLogger("lofte.sign_in")
LINK_VALIDITY = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=10)
LIMIT_WINDOW = timedelta(minutes=15)
PER_ADDRESS = 3
PER_CLIENT = 10
MAX_ADDRESS = 254


class WebAccess(Protocol):
    """What sign-in and sessions store (implemented by `storage.web_access`)."""

    def add_sign_in(
        self,
        nonce_hash: str,
        person_id: str | None,
        address_hash: str,
        client_hash: str,
        now: datetime,
        valid_until: datetime,
        method: str = "link",
    ) -> None:
        """Record a sign-in link asked for (`method` "link"), or a sign-in through identity
        provider KEY ("oidc:KEY")."""
        ...

    def count_sign_ins(
        self, since: datetime, *, address_hash: str = "", client_hash: str = ""
    ) -> int: ...

    def sign_in_open(self, nonce_hash: str, now: datetime) -> bool: ...

    def use_sign_in(self, nonce_hash: str, now: datetime) -> str | None:
        """The person, if the nonce was valid and unused; it is used up at once."""
        ...

    def add_session(self, id_hash: str, person_id: str, now: datetime) -> None: ...

    def session_person(
        self, id_hash: str, now: datetime, idle: timedelta, absolute: timedelta
    ) -> str | None: ...

    def end_session(self, id_hash: str, now: datetime) -> None: ...


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class SignIn:
    app: Application
    access: WebAccess
    idle: timedelta = IDLE_TIMEOUT
    absolute: timedelta = ABSOLUTE_TIMEOUT

    def request_link(self, address: str, client: str, base_url: str) -> bool:
        """Queue a sign-in link if `address` is a person's and the limits allow. The caller
        shows the same reply whatever this returns (True: a link was queued)."""
        now = self.app.now
        address = address.strip().lower()[:MAX_ADDRESS]
        address_hash, client_hash = digest(address), digest(client)
        since = now - LIMIT_WINDOW
        if (
            self.access.count_sign_ins(since, address_hash=address_hash) >= PER_ADDRESS
            or self.access.count_sign_ins(since, client_hash=client_hash) >= PER_CLIENT
        ):
            log.warning("sign-in rate limit reached (address %s…)", address_hash[:8])
            return False
        person = next(
            (p for p in self.app.directory().people.values() if p.email.lower() == address),
            None,
        )
        nonce = secrets.token_urlsafe(32)
        valid_until = now + LINK_VALIDITY
        self.access.add_sign_in(
            digest(nonce),
            person.id if person else None,
            address_hash,
            client_hash,
            now,
            valid_until,
        )
        if person is None:
            return False
        link = f"{base_url}/logga-in/{nonce}"
        self.app.engine.send_sign_in(person.id, link, valid_until, digest(nonce)[:16])
        return True

    def link_is_open(self, nonce: str) -> bool:
        return len(nonce) <= 100 and self.access.sign_in_open(digest(nonce), self.app.now)

    def complete(self, nonce: str, previous: str = "") -> str:
        """Use the link up and start a session; the session id for the cookie. `previous`:
        the session id the browser had (it ends: a sign-in never keeps an old id)."""
        person_id = (
            self.access.use_sign_in(digest(nonce), self.app.now) if len(nonce) <= 100 else None
        )
        if person_id is None or self.app.directory().find(person_id) is None:
            raise InvalidToken("used", "inloggningslänken är redan använd eller har gått ut")
        return self._start(person_id, previous)

    def by_claim(
        self, provider: str, claim: str, value: str, client: str, previous: str = ""
    ) -> str:
        """Sign in the person whose address is `value` (the claim an identity provider vouched
        for, already validated); the new session id. Recorded like a link that was used at
        once (`provider` and the claim's hash, never its value). SignInRefused("unknown") if
        no person of the organisation has it."""
        now = self.app.now
        wanted = value.strip().lower()
        person = next(
            (p for p in self.app.directory().people.values() if p.email.lower() == wanted),
            None,
        )
        record = digest(f"oidc:{provider}:{secrets.token_urlsafe(32)}")
        self.access.add_sign_in(
            record,
            person.id if person else None,
            digest(f"oidc:{provider}:{claim}:{wanted}"),
            digest(client),
            now,
            now,
            f"oidc:{provider}",
        )
        if person is None:
            log.warning(
                "sign-in refused: provider %s vouched for a %s (%s…) that is no person's",
                provider,
                claim,
                digest(wanted)[:8],
            )
            raise SignInRefused("unknown", "kontot är ingen person i Löfte")
        self.access.use_sign_in(record, now)  # used at once, as a link is when followed
        log.info("signed in through provider %s", provider)
        return self._start(person.id, previous)

    def _start(self, person_id: str, previous: str) -> str:
        self.sign_out(previous)
        session_id = secrets.token_urlsafe(32)
        self.access.add_session(digest(session_id), person_id, self.app.now)
        return session_id

    def person_of(self, session_id: str) -> str | None:
        if not session_id or len(session_id) > 100:
            return None
        return self.access.session_person(
            digest(session_id), self.app.now, self.idle, self.absolute
        )

    def sign_out(self, session_id: str) -> None:
        if session_id and len(session_id) <= 100:
            self.access.end_session(digest(session_id), self.app.now)
