"""An application's states and the moves between them: the one table every route goes through,
so that an illegal move is impossible rather than checked in many places."""
from __future__ import annotations

from dataclasses import dataclass

from shared.errors import Conflict

STATUS_LABELS: dict[str, str] = {
    "draft": "填报中",
    "in_review": "审核中",  # at the plan's stage ``Application.stage`` (its name in ``stage_name``)
    "returned": "退回修改",  # by the stage ``Application.stage``; the applicant edits and submits again
    "rejected": "未通过",
    "approved": "审核通过",  # every stage passed
    "stopped": "异议成立",  # a sustained objection to a 公示 stopped it (final; ``reason`` says why)
}

# A row of the timeline (models.Step.kind).
STEP_LABELS: dict[str, str] = {
    "submitted": "提交审核",
    "passed": "通过",
    "returned": "退回修改",
    "rejected": "审核不通过",
    "stopped": "异议成立，终止申报",
}

# action → the states it may start from, and the state it leaves the application in (None: unchanged).
@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None
    label: str


EDITABLE = frozenset({"draft", "returned"})

MOVES: dict[str, Move] = {
    # the applicant's
    "edit": Move(EDITABLE, None, "修改"),
    "delete": Move(frozenset({"draft"}), None, "删除"),
    "change_major": Move(frozenset({"draft"}), None, "修改专业"),  # a stage reviewed it for this major
    "submit": Move(EDITABLE, "in_review", "提交审核"),
    # a decider's at the stage where the application waits
    "pass": Move(frozenset({"in_review"}), "in_review", "审核通过"),  # to the next stage
    "approve": Move(frozenset({"in_review"}), "approved", "审核通过"),  # 通过 at the last stage
    "return": Move(frozenset({"in_review"}), "returned", "退回修改"),
    "reject": Move(frozenset({"in_review"}), "rejected", "审核不通过"),
    # whoever resolves an objection to a 公示 listing it (notices.py): 异议成立
    "stop": Move(frozenset({"in_review", "returned", "approved"}), "stopped", "终止"),
}
APPLICANT_ACTIONS = ("edit", "delete", "change_major", "submit")
# The timeline's row for a decider's move.
STEP_OF = {"pass": "passed", "approve": "passed", "return": "returned", "reject": "rejected"}


def move(action: str, status: str) -> str:
    """The state after ``action``, or a 409 saying why it is not possible now."""
    m = MOVES[action]
    if status not in m.sources:
        raise Conflict(f"该申报当前状态为「{STATUS_LABELS.get(status, status)}」，不能{m.label}",
                       code="wrong_status")
    return m.target or status


def actions(status: str) -> list[str]:
    """What the applicant may do now (the buttons a page shows)."""
    return [a for a in APPLICANT_ACTIONS if status in MOVES[a].sources]
