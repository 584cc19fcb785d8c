"""The revocation list every service consults: by session (ended) and by subject (issued before
the access changed), fed by events and by identity's list, refusing to guess before it is loaded."""
from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest

from shared.errors import AppError
from shared.events import Envelope
from shared.events.catalogue import AccessChanged, SessionEnded
from shared.revocations import KEEP_SECONDS, Revocations


def claims(sub: str, sid: str, iat: float) -> dict:
    return {"sub": sub, "sid": sid, "iat": iat}


async def nothing(since: dt.datetime) -> dict:
    return {"ended_sessions": [], "access_changed": []}


async def test_events_refuse_the_sessions_tokens_and_the_subjects_earlier_tokens():
    revocations = Revocations(nothing)
    person, sid, other_sid = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    now = time.time()
    assert not revocations.refuses(claims(person, sid, now))

    await revocations.on_event(None, Envelope.of("identity", person, SessionEnded(session_id=uuid.UUID(sid))))
    assert revocations.refuses(claims(person, sid, now + 10))  # whenever it was issued
    assert not revocations.refuses(claims(person, other_sid, now))  # their other browser is untouched

    changed = Envelope.of("identity", person, AccessChanged(subject=uuid.UUID(person)))
    await revocations.on_event(None, changed)
    at = changed.occurred_at.timestamp()
    assert revocations.refuses(claims(person, other_sid, at - 0.002))  # issued a moment before the change
    assert not revocations.refuses(claims(person, other_sid, at + 0.002))  # issued after it: carries the change
    assert not revocations.refuses(claims(str(uuid.uuid4()), other_sid, at - 60))  # someone else


async def test_identitys_list_is_loaded_before_the_first_token_and_old_entries_are_forgotten():
    person, sid, old_sid = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    now = dt.datetime.now(dt.UTC)
    asked: list[dt.datetime] = []

    async def identity(since: dt.datetime) -> dict:
        asked.append(since)
        return {"ended_sessions": [{"session_id": sid, "at": now.isoformat()},
                                   {"session_id": old_sid, "at": (now - dt.timedelta(seconds=KEEP_SECONDS + 60))
                                    .isoformat()}],
                "access_changed": [{"subject": person, "at": now.isoformat()}]}

    revocations = Revocations(identity)
    await revocations.ensure_loaded()
    await revocations.ensure_loaded()  # once is enough
    assert len(asked) == 1 and now - asked[0] >= dt.timedelta(seconds=KEEP_SECONDS - 1)
    assert revocations.refuses(claims(str(uuid.uuid4()), sid, time.time()))
    assert revocations.refuses(claims(person, str(uuid.uuid4()), now.timestamp() - 1))
    # Older than any token can live: nothing left to refuse, so it is not kept.
    assert not revocations.refuses(claims(str(uuid.uuid4()), old_sid, time.time()))

    await revocations.reload()  # later rounds ask only for what is new (with a margin)
    assert dt.timedelta(seconds=50) < now - asked[1] < dt.timedelta(seconds=70)


async def test_without_identitys_list_no_token_is_accepted():
    async def unreachable(since: dt.datetime) -> dict:
        raise OSError("connection refused")

    revocations = Revocations(unreachable)
    with pytest.raises(AppError) as refused:
        await revocations.ensure_loaded()
    assert refused.value.status_code == 503
