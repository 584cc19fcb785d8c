"""Access tokens refused before they expire: those of a session that ended (logout) and those
issued before what their subject may do changed (a 经办人 removed, a binding ended, a role revoked).

Every process that verifies tokens keeps this list in memory. identity's events feed it at once
(``identity.session.ended``, ``identity.access.changed``, on a private listener queue); it is
also loaded from identity (``GET /internal/revocations``) before the first token is accepted and
then every ``refresh_seconds``, which covers a restart and events missed while the broker was
away. An entry is kept ``KEEP_SECONDS``, longer than any access token lives.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from shared.errors import AppError
from shared.events import Envelope
from shared.events.catalogue import AccessChanged, SessionEnded
from shared.events.consumer import Consumer
from shared.http import internal_client
from shared.settings import PlatformSettings

log = logging.getLogger(__name__)

# identity refuses to issue tokens that live longer (IdentitySettings.access_token_seconds).
KEEP_SECONDS = 3600
ROUTING_KEYS = ["identity.session.ended", "identity.access.changed"]

# since → {"ended_sessions": [{"session_id", "at"}], "access_changed": [{"subject", "at"}]} (times ISO 8601)
RevocationsLoader = Callable[[dt.datetime], Awaitable[dict[str, Any]]]


def http_revocations_loader(identity_url: str, platform: PlatformSettings) -> RevocationsLoader:
    async def load(since: dt.datetime) -> dict[str, Any]:
        async with internal_client(identity_url, platform) as client:
            response = await client.get("/internal/revocations", params={"since": since.isoformat()})
            response.raise_for_status()
            return response.json()

    return load


def _epoch(value: str | dt.datetime) -> float:
    return (value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)).timestamp()


class Revocations:
    def __init__(self, load: RevocationsLoader, *, refresh_seconds: float = 15) -> None:
        self._load = load
        self.refresh_seconds = refresh_seconds
        self._sessions: dict[str, float] = {}  # session id → when it ended
        self._subjects: dict[str, float] = {}  # subject → tokens issued before this (epoch seconds) are refused
        self._loaded_until: float | None = None
        self._lock = asyncio.Lock()

    def session_ended(self, session_id: str, at: float) -> None:
        self._sessions[session_id] = at

    def access_changed(self, subject: str, at: float) -> None:
        self._subjects[subject] = max(at, self._subjects.get(subject, at))

    def refuses(self, claims: dict[str, Any]) -> bool:
        if str(claims.get("sid")) in self._sessions:
            return True
        return float(claims["iat"]) < self._subjects.get(str(claims["sub"]), float("-inf"))

    async def ensure_loaded(self) -> None:
        """Before the first token is accepted the list must be known: refuse to guess."""
        if self._loaded_until is None:
            async with self._lock:
                if self._loaded_until is None:
                    try:
                        await self.reload()
                    except Exception as exc:
                        log.warning("cannot load the revoked sessions from identity", exc_info=True)
                        raise AppError("身份服务暂时不可用，请稍后再试", code="identity_unavailable",
                                       status_code=503) from exc

    async def reload(self) -> None:
        started = time.time()
        # Rows commit out of the order of their times: look a minute further back than last time.
        since = started - KEEP_SECONDS if self._loaded_until is None else self._loaded_until - 60
        data = await self._load(dt.datetime.fromtimestamp(since, dt.UTC))
        for row in data.get("ended_sessions", []):
            self.session_ended(str(row["session_id"]), _epoch(row["at"]))
        for row in data.get("access_changed", []):
            self.access_changed(str(row["subject"]), _epoch(row["at"]))
        self._forget_before(started - KEEP_SECONDS)
        self._loaded_until = started

    def _forget_before(self, cutoff: float) -> None:
        self._sessions = {k: v for k, v in self._sessions.items() if v >= cutoff}
        self._subjects = {k: v for k, v in self._subjects.items() if v >= cutoff}

    async def on_event(self, _: object, envelope: Envelope) -> None:
        at = envelope.occurred_at.timestamp()
        match envelope.payload():
            case SessionEnded(session_id=session_id):
                self.session_ended(str(session_id), at)
            case AccessChanged(subject=subject):
                self.access_changed(str(subject), at)

    async def run(self, stop: asyncio.Event, platform: PlatformSettings, name: str) -> None:
        """Listen to identity's events and reload now and then, until ``stop``."""
        listener = Consumer(queue=f"{name}.revocations", routing_keys=ROUTING_KEYS, handler=self.on_event,
                            sessionmaker=None, amqp_url=platform.amqp_url, exchange=platform.events_exchange)
        listening = asyncio.create_task(listener.run(stop))
        try:
            while not stop.is_set():
                try:
                    await self.reload()
                except Exception:
                    log.warning("cannot reload the revoked sessions from identity; trying again", exc_info=True)
                try:
                    await asyncio.wait_for(stop.wait(), timeout=self.refresh_seconds)
                except TimeoutError:
                    pass
        finally:
            await listening
