"""What a published plan may still change. People have applied on its terms, so a correction
may widen what the plan offers but never take away or alter what an application relies on.

Allowed: the name and committee (typos), an earlier start or later end, the texts 评审范围对象
and 计划内容, more majors, titles or forms, the downloadable attachments, and 温馨提示 texts.
Refused, each with its reason: the year, organiser, levels, series, plan type, interview, a
narrower window, removing a major, title or form, any change of the review stages or of where a
resubmitted application starts again (resubmit_from), and any change of the standard other than 温馨提示 (groups, categories, counts, attachments, eligibility).
"""
from __future__ import annotations

from shared.events.catalogue import PlanSnapshot
from shared.vocabulary import FORMS, LEVELS, PLAN_TYPES, RESUBMIT_FROM, SERIES

FIXED = {  # field → (label, how to show a value)
    "year": ("评审年度", str),
    "organizer_id": ("组建单位", lambda _: ""),
    "plan_type": ("计划类型", lambda v: PLAN_TYPES.get(v, v)),
    "series": ("系列", lambda v: SERIES.get(v, v)),
    "has_interview": ("有无面试", lambda v: "有" if v else "无"),
    # Part of the review flow, like the stages: applications under review follow it.
    "resubmit_from": ("退回修改后重新提交，从哪个环节开始审核", lambda v: RESUBMIT_FROM.get(v, v)),
}


def refused_changes(old: PlanSnapshot, new: PlanSnapshot) -> list[dict[str, str]]:
    """Field errors for every change a published plan may not take; empty when all are allowed."""
    errors: list[dict[str, str]] = []

    def refuse(field: str, label: str, message: str) -> None:
        errors.append({"field": field, "label": label, "message": message})

    for field, (label, show) in FIXED.items():
        before, after = getattr(old, field), getattr(new, field)
        if before != after:
            was = show(before)
            refuse(field, label, "计划已发布，不能修改" + (f"（原为 {was}）" if was else ""))
    if sorted(old.levels) != sorted(new.levels):
        refuse("levels", "评审级别", f"计划已发布，不能修改（原为 {'、'.join(LEVELS.get(x, x) for x in old.levels)}）")
    if new.start_date > old.start_date:
        refuse("start_date", "申报开始日期", f"计划已发布，只能提前，不能推迟（原为 {old.start_date}）")
    if new.end_date < old.end_date:
        refuse("end_date", "申报截止日期", f"计划已发布，只能延后，不能提前（原为 {old.end_date}）")
    if removed := [m for m in old.majors if m not in new.majors]:
        refuse("majors", "可评审专业", f"计划已发布，只能增加，不能删除或改名：{'、'.join(removed)}")
    old_titles, new_titles = {(t.level, t.name) for t in old.titles}, {(t.level, t.name) for t in new.titles}
    if removed := sorted(old_titles - new_titles):
        refuse("titles", "可申报职称", f"计划已发布，只能增加，不能删除或改名：{'、'.join(n for _, n in removed)}")
    if removed := [f for f in old.forms if f not in new.forms]:
        refuse("forms", "申报形式", f"计划已发布，不能取消：{'、'.join(FORMS.get(f, f) for f in removed)}")
    if old.stages != new.stages:
        refuse("stages", "评审环节", "计划已发布，已提交的申报正按这些环节审核，不能修改")
    if _without_hints(old) != _without_hints(new):
        refuse("standard", "评审标准", "计划已发布，已有申报按此标准填报和检测，"
                                     "不能修改条件组、申报类别、项数、附件要求或申报资格（温馨提示可以修改）")
    return errors


def _without_hints(plan: PlanSnapshot) -> dict:
    standard = plan.standard.model_dump(mode="json")
    for group in standard["groups"]:
        for category in group["categories"]:
            category.pop("hint")
    return standard
