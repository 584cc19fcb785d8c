"""identity's read model of units' facts, fed the facts out of order as a busy consumer may:
an older fact never overwrites a newer one."""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import sqlalchemy as sa

from services.identity.handlers import on_units_event
from services.identity.models import Session as SessionRow
from services.identity.sessions import subject_of
from shared.db import Database
from shared.events import Envelope
from shared.events.catalogue import BindingApproved, BindingEnded, ReviewerAdded, ReviewerRemoved


def _at(envelope: Envelope, minutes: int) -> Envelope:
    return envelope.model_copy(update={"occurred_at": dt.datetime(2026, 11, 1, 9, minutes, tzinfo=dt.UTC)})


def _apply(stack, person_id: str, events: list[Envelope]) -> dict:
    async def run() -> dict:
        db = Database(stack.identity_db, pool_size=1, max_overflow=0)
        try:
            for envelope in events:
                async with db.sessionmaker() as session, session.begin():
                    await on_units_event(session, envelope)
            async with db.sessionmaker() as session:  # what a token minted now would say
                row = SessionRow(kind="person", person_id=uuid.UUID(person_id), token_hash="x",
                                 expires_at=dt.datetime.now(dt.UTC))
                return (await subject_of(session, row)).extra
        finally:
            await db.dispose()

    return asyncio.run(run())


def test_an_end_handled_before_its_approval_still_ends_the_membership(stack):
    browser, _ = stack.person_browser("乱序测试")
    person_id = browser.get(f"{stack.gateway}/api/identity/me").json()["id"]
    unit_a, unit_b, binding_a, binding_b = (uuid.uuid4() for _ in range(4))

    def env(data, minute):
        return _at(Envelope.of("units", data.binding_id, data), minute)

    facts = dict(binding_id=binding_a, person_id=uuid.UUID(person_id), unit_id=unit_a, unit_name="甲单位")
    approved_a = env(BindingApproved(**facts, decided_by="法人"), 1)
    ended_a = env(BindingEnded(**facts, reason="变更单位"), 5)
    approved_b = env(BindingApproved(binding_id=binding_b, person_id=uuid.UUID(person_id), unit_id=unit_b,
                                     unit_name="乙单位", decided_by="法人"), 6)
    # Delivered: B's approval, then A's end, then A's approval (redelivered after a failure).
    assert _apply(stack, person_id, [approved_b, ended_a, approved_a])["unit_id"] == str(unit_b)

    ended_b = env(BindingEnded(binding_id=binding_b, person_id=uuid.UUID(person_id), unit_id=unit_b,
                               unit_name="乙单位", reason="调离"), 9)
    assert _apply(stack, person_id, [ended_b, approved_b])["unit_id"] is None  # the end came first, and wins


def test_a_removal_handled_before_its_addition_keeps_the_reviewer_removed(stack):
    browser, _ = stack.person_browser("经办乱序")
    person_id = uuid.UUID(browser.get(f"{stack.gateway}/api/identity/me").json()["id"])
    unit = uuid.uuid4()
    added = _at(Envelope.of("units", unit, ReviewerAdded(unit_id=unit, person_id=person_id)), 1)
    removed = _at(Envelope.of("units", unit, ReviewerRemoved(unit_id=unit, person_id=person_id)), 2)
    assert _apply(stack, str(person_id), [removed, added])["units"] == []
    again = _at(Envelope.of("units", unit, ReviewerAdded(unit_id=unit, person_id=person_id)), 3)
    assert _apply(stack, str(person_id), [again])["units"] == [str(unit)]  # named again later: a newer fact


def _announced(stack, person_id: str) -> int:
    async def run() -> int:
        db = Database(stack.identity_db, pool_size=1, max_overflow=0)
        try:
            async with db.engine.connect() as conn:
                return await conn.scalar(sa.text(
                    "SELECT count(*) FROM outbox WHERE type = 'identity.access.changed' "
                    "AND envelope->>'subject' = :subject"), {"subject": person_id})
        finally:
            await db.dispose()

    return asyncio.run(run())


def test_a_history_replayed_after_the_inbox_forgot_it_changes_and_announces_nothing(stack):
    browser, _ = stack.person_browser("重放测试")
    person_id = browser.get(f"{stack.gateway}/api/identity/me").json()["id"]
    unit, binding = uuid.uuid4(), uuid.uuid4()
    history = [_at(Envelope.of("units", binding, BindingApproved(
                   binding_id=binding, person_id=uuid.UUID(person_id), unit_id=unit, unit_name="重放单位",
                   decided_by="法人")), 1),
               _at(Envelope.of("units", unit, ReviewerAdded(unit_id=unit, person_id=uuid.UUID(person_id))), 2)]
    first = _apply(stack, person_id, history)
    assert first["unit_id"] == str(unit) and first["units"] == [str(unit)]
    assert _announced(stack, person_id) == 2
    # republish: the same events again, handled without the inbox (pruned after 14 days)
    assert _apply(stack, person_id, history) == first
    assert _announced(stack, person_id) == 2
