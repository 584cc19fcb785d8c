"""An application's states and the moves between them: the one table every route goes through,
so that an illegal move is impossible rather than checked in many places."""
from __future__ import annotations

from dataclasses import dataclass

from shared.errors import Conflict

STATUS_LABELS: dict[str, str] = {
    "draft": "填报中",
    "in_review": "审核中",  # at the plan's stage ``Application.stage`` (its name in ``stage_name``)
}

# action → the states it may start from, and the state it leaves the application in (None: unchanged).
@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None
    label: str


MOVES: dict[str, Move] = {
    "edit": Move(frozenset({"draft"}), None, "修改"),
    "delete": Move(frozenset({"draft"}), None, "删除"),
    "submit": Move(frozenset({"draft"}), "in_review", "提交审核"),
}


def move(action: str, status: str) -> str:
    """The state after ``action``, or a 409 saying why it is not possible now."""
    m = MOVES[action]
    if status not in m.sources:
        raise Conflict(f"该申报当前状态为「{STATUS_LABELS.get(status, status)}」，不能{m.label}",
                       code="wrong_status")
    return m.target or status


def actions(status: str) -> list[str]:
    """What the applicant may do now (the buttons a page shows)."""
    return [a for a, m in MOVES.items() if status in m.sources]
