"""开始检测: every rule an application must meet before it can be submitted, as small named pure
functions over the draft, its plan's standard and the facts applications knows (no I/O here).

Each check returns the problems it found (empty: 符合), each a sentence that says what to fix; the
registry keeps them in page order with the section a person goes to. The same functions run
when the person submits, so a client that never called 开始检测 meets them there."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shared.attachment_kinds import ATTACHMENT_KINDS
from shared.entry_types import EDUCATION_LEVELS
from shared.events.catalogue import PlanSnapshot
from shared.vocabulary import FORMS, LEVELS

EXTRA_FORMS = ("exceptional", "transfer")  # forms with a section of their own (破格申报 / 转评申报)


@dataclass(frozen=True)
class Draft:
    """What the checks read: the application's own data, its items by section, its plan, and the
    facts of the day (unit binding, integrity ban, today in Asia/Shanghai)."""

    form: str
    level: str
    profile: dict[str, Any]
    teacher_profile: dict[str, Any] | None  # None: the plan's series has no 专业信息
    current_titles: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    extra: dict[str, Any]
    items: dict[str, list[dict[str, Any]]]  # section code → items (fields, highest, assessment)
    plan: PlanSnapshot
    bound: bool
    ban_until: dt.date | None
    today: dt.date
    sections: list[tuple[str, str, int, int]] = field(default_factory=list)  # code, name, min, max
    returned: bool = False  # 退回修改: resubmitted after the window closed, as the stage asked


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    section: str  # where the person fixes it
    run: Callable[[Draft], list[str]]


CHECKS: list[Check] = []


def check(code: str, name: str, section: str) -> Callable[[Callable[[Draft], list[str]]], Callable[[Draft], list[str]]]:
    def register(fn: Callable[[Draft], list[str]]) -> Callable[[Draft], list[str]]:
        CHECKS.append(Check(code, name, section, fn))
        return fn
    return register


PROFILE_REQUIRED = {"ethnicity": "民族", "political_status": "政治面貌", "mobile": "手机号码",
                    "work_start_date": "参加工作时间", "years_of_work": "工作年限", "years_in_profession": "专业年限",
                    "profession": "现从事专业"}
TEACHER_REQUIRED = {"teacher_category": "教师类别", "teaching_years": "教龄", "grades": "任教年级",
                    "staffing": "编制类别", "teaching_since": "从教日期", "teacher_qualification": "教师资格"}


def _missing(values: dict[str, Any], required: dict[str, str]) -> list[str]:
    return [label for key, label in required.items() if values.get(key) in (None, "")]


@check("profile", "个人信息填写完整", "basic")
def profile_complete(d: Draft) -> list[str]:
    missing = _missing(d.profile, PROFILE_REQUIRED)
    return [f"个人信息缺少：{'、'.join(missing)}（本人不具有的必填项请填“无”）"] if missing else []


@check("photo", "电子证件照", "basic")
def photo_uploaded(d: Draft) -> list[str]:
    return [] if d.profile.get("photo_file_id") else ["请在个人信息中上传近期免冠正面彩色证件照"]


@check("profession_years", "专业年限不大于工作年限", "basic")
def profession_years(d: Draft) -> list[str]:
    work, profession = d.profile.get("years_of_work"), d.profile.get("years_in_profession")
    if work is not None and profession is not None and profession > work:
        return [f"专业年限（{profession} 年）不能大于工作年限（{work} 年）"]
    return []


@check("teacher_profile", "专业信息（中小学）", "basic")
def teacher_profile_complete(d: Draft) -> list[str]:
    if d.teacher_profile is None:
        return []
    missing = _missing(d.teacher_profile, TEACHER_REQUIRED)
    problems = [f"专业信息缺少：{'、'.join(missing)}"] if missing else []
    if d.teacher_profile.get("principal_training") and not any(a["kind"] == "principal_training"
                                                               for a in d.attachments):
        problems.append("已勾选校（园）长岗位培训，请在附件上传中上传培训证明")
    return problems


@check("current_title", "现有职称", "basic")
def current_title_present(d: Draft) -> list[str]:
    if d.plan.standard.eligibility.requires_current_title and not d.current_titles:
        return ["该计划要求具有现有职称，请在基本信息的“现有职称情况”中新增"]
    return []


def years_between(start: dt.date, end: dt.date) -> int:
    """Whole years from ``start`` to ``end`` (a title obtained on 2020-12-01 has 5 years on 2025-12-01)."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


@check("years_in_title", "任现职称年限", "basic")
def years_in_current_title(d: Draft) -> list[str]:
    rule = next((r for r in d.plan.standard.eligibility.min_years if r.form == d.form and r.level == d.level), None)
    if rule is None or rule.years == 0:
        return []
    if not d.current_titles and d.plan.standard.eligibility.requires_current_title:
        return []  # 现有职称 says what is missing
    dates = [dt.date.fromisoformat(t["obtained_on"]) for t in d.current_titles if t.get("obtained_on")]
    if not dates:
        return [f"{FORMS.get(d.form, d.form)}{LEVELS.get(d.level, d.level)}须取得现职称满 {rule.years} 年，"
                "请在现有职称情况中填写取得时间"]
    held = years_between(max(dates), d.today)
    if held < rule.years:
        return [f"{FORMS.get(d.form, d.form)}{LEVELS.get(d.level, d.level)}须取得现职称满 {rule.years} 年，"
                f"您的现职称取得于 {max(dates)}，至今 {held} 年"]
    return []


@check("highest_education", "最高学历", "education")
def one_highest_education(d: Draft) -> list[str]:
    chosen = [i for i in d.items.get("education", []) if i.get("highest")]
    if len(chosen) != 1:
        return ["请在学历教育中勾选一条（且只能一条）最高学历"]
    return []


@check("min_education", "最低学历要求", "education")
def minimum_education(d: Draft) -> list[str]:
    required = d.plan.standard.eligibility.min_education
    if not required:
        return []
    order = list(EDUCATION_LEVELS)
    by_name = {name: code for code, name in EDUCATION_LEVELS.items()}
    chosen = [i for i in d.items.get("education", []) if i.get("highest")]
    if len(chosen) != 1:
        return []  # 最高学历 says what is missing
    highest = chosen[0]
    have = by_name.get(str(highest.get("fields", {}).get("education", "")))
    if have is None or order.index(have) < order.index(required):
        return [f"该计划要求最高学历不低于{EDUCATION_LEVELS[required]}"
                + (f"，您的最高学历为{EDUCATION_LEVELS[have]}" if have else "")]
    return []


@check("assessments", "年度考核结果", "annual_assessment")
def assessments_chosen(d: Draft) -> list[str]:
    open_ = [i for i in d.items.get("annual_assessment", []) if not i.get("assessment")]
    if open_:
        years = "、".join(str(i.get("fields", {}).get("year", "")) for i in open_)
        return [f"请为年度考核（{years}）选择考核结果“合格”或“不合格”"]
    return []


@check("attachments", "必传附件", "attachments")
def required_attachments(d: Draft) -> list[str]:
    have = {a["kind"] for a in d.attachments}
    missing = [ATTACHMENT_KINDS.get(r.kind, r.kind) for r in d.plan.standard.attachments
               if r.required and r.kind not in have]
    return [f"请在附件上传中上传：{'、'.join(missing)}"] if missing else []


@check("extra", "破格 / 转评说明", "extra")
def extra_section(d: Draft) -> list[str]:
    if d.form in EXTRA_FORMS and not (d.extra.get("reason") or "").strip():
        return [f"请填写{FORMS[d.form]}理由"]
    return []


@check("unit", "工作单位绑定", "")
def unit_bound(d: Draft) -> list[str]:
    return [] if d.bound else ["您的工作单位绑定已解除或未审核通过，请在个人中心绑定单位并待单位审核通过"]


@check("integrity", "诚信档案", "")
def no_integrity_ban(d: Draft) -> list[str]:
    return [f"您在诚信档案中处于禁止申报期（至 {d.ban_until}），不能提交"] if d.ban_until else []


@check("window", "申报时间", "")
def plan_window(d: Draft) -> list[str]:
    """A first submission within the window; one returned for changes whenever the plan is still open."""
    p = d.plan
    if p.status == "published" and d.returned:
        return []
    if p.status != "published" or not p.start_date <= d.today <= p.end_date:
        return [f"该评审计划的申报时间为 {p.start_date} 至 {p.end_date}，当前不能提交"]
    return []


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    section: str
    ok: bool
    problems: list[str]


def section_count(n: int, name: str, lo: int, hi: int) -> list[str]:
    if n < lo:
        return [f"「{name}」至少需要 {lo} 项，当前 {n} 项"]
    if n > hi:
        return [f"「{name}」最多 {hi} 项，当前 {n} 项，请移除多余的记录"]
    return []


def run_checks(d: Draft) -> list[Finding]:
    """Every check, in page order (符合 when it found nothing), then each section's count."""
    findings = [Finding(c.code, c.name, c.section, not (problems := c.run(d)), problems) for c in CHECKS]
    for code, name, lo, hi in d.sections:
        problems = section_count(len(d.items.get(code, [])), name, lo, hi)
        findings.append(Finding(f"count:{code}", f"「{name}」数量", code, not problems, problems))
    return findings
