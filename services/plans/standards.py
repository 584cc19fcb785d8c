"""评审标准: ordered condition groups of ordered categories, the attachments an application
must carry, and eligibility rules as data. Checked here, whole, each error naming its place."""
from __future__ import annotations

import uuid

from services.plans.schemas import StandardIn
from services.plans.validation import Problems, clean
from shared.attachment_kinds import ATTACHMENT_KINDS
from shared.entry_types import EDUCATION_LEVELS, ENTRY_TYPES
from shared.events.catalogue import (
    AttachmentRequirement,
    ConditionGroup,
    Eligibility,
    MinYears,
    ReviewStandard,
    StandardCategory,
)
from shared.vocabulary import EXTRA_SECTIONS, FORMS, LEVELS, SERIES

DEFAULT_GROUPS = ("能力条件", "业绩条件", "教科研条件")
NAME_MAX = 50


def default_hint(min_count: int, max_count: int) -> str:
    """The manual's 温馨提示: how many entries the category takes."""
    if min_count == 0:
        return f"选填，最多{max_count}项"
    if min_count == max_count:
        return f"须填写{min_count}项"
    return f"至少填写{min_count}项，最多{max_count}项"


def build_standard(data: StandardIn, *, series: str, levels: list[str], forms: list[str],
                   problems: Problems) -> ReviewStandard:
    """The standard as stored: ids assigned, names trimmed, empty hints filled in. What is wrong
    goes into ``problems``; the result is meaningful only when there is nothing."""
    groups = _groups(data, series, problems)
    attachments = _attachments(data, problems)
    eligibility = _eligibility(data, levels, forms, problems)
    return ReviewStandard(groups=groups, attachments=attachments, eligibility=eligibility)


def _check_name(problems: Problems, path: str, where: str, name: str, taken: set[str], duplicate: str) -> None:
    """A group's or category's name: given, not too long, not used twice at its level."""
    if not name:
        problems.add(path, f"{where}的名称", "必填")
    elif len(name) > NAME_MAX:
        problems.add(path, f"{where}的名称", f"过长（最多 {NAME_MAX} 个字符）")
    elif name in taken:
        problems.add(path, f"{where}的名称", duplicate)
    taken.add(name)


def _groups(data: StandardIn, series: str, problems: Problems) -> list[ConditionGroup]:
    if not data.groups:
        problems.add("standard.groups", "评审标准", "至少设置一个条件组（如能力条件、业绩条件、教科研条件）")
    seen_ids: set[uuid.UUID] = set()

    def fresh(given: uuid.UUID | None, path: str, label: str) -> uuid.UUID:
        if given is not None and given in seen_ids:
            problems.add(path, label, "编号重复")
        ident = given or uuid.uuid4()
        seen_ids.add(ident)
        return ident

    groups, group_names = [], set()
    for g, group in enumerate(data.groups):
        path, gname = f"standard.groups.{g}", clean(group.name)
        where = f"第{g + 1}个条件组" + (f"「{gname}」" if gname else "")
        _check_name(problems, f"{path}.name", where, gname, group_names, "与其他条件组重名")
        if not group.categories:
            problems.add(f"{path}.categories", where, "至少设置一个申报类别")
        categories, category_names = [], set()
        for c, cat in enumerate(group.categories):
            cpath, cname = f"{path}.categories.{c}", clean(cat.name)
            cwhere = f"{where}第{c + 1}个类别" + (f"「{cname}」" if cname else "")
            _check_name(problems, f"{cpath}.name", cwhere, cname, category_names, "与本组其他类别重名")
            _entry_types(cat.entry_types, series, f"{cpath}.entry_types", f"{cwhere}的可导入业绩类型", problems)
            if cat.max_count < 1:
                problems.add(f"{cpath}.max_count", f"{cwhere}的最多项数", "不能小于 1")
            if cat.min_count > cat.max_count:
                problems.add(f"{cpath}.min_count", f"{cwhere}的最少项数",
                             f"不能大于最多项数（{cat.max_count}）")
            if cat.required and cat.min_count < 1:
                problems.add(f"{cpath}.min_count", f"{cwhere}的最少项数", "必填类别至少应填写 1 项")
            hint = clean(cat.hint)
            if len(hint) > 200:
                problems.add(f"{cpath}.hint", f"{cwhere}的温馨提示", "过长（最多 200 个字符）")
            categories.append(StandardCategory(
                id=fresh(cat.id, f"{cpath}.id", cwhere), name=cname,
                hint=hint or default_hint(cat.min_count, cat.max_count), entry_types=list(dict.fromkeys(cat.entry_types)),
                min_count=cat.min_count, max_count=cat.max_count, required=cat.required))
        groups.append(ConditionGroup(id=fresh(group.id, f"{path}.id", where), name=gname, categories=categories))
    return groups


def _entry_types(codes: list[str], series: str, path: str, label: str, problems: Problems) -> None:
    if not codes:
        problems.add(path, label, "至少选择一种")
    for code in codes:
        entry_type = ENTRY_TYPES.get(code)
        if entry_type is None:
            problems.add(path, label, f"不存在业绩类型“{code}”")
        elif entry_type.series and entry_type.series != series:
            problems.add(path, label, f"“{entry_type.name}”为{SERIES[entry_type.series]}系列专用，"
                                      f"不能用于{SERIES.get(series, series)}系列")


def _attachments(data: StandardIn, problems: Problems) -> list[AttachmentRequirement]:
    out, seen = [], set()
    for i, item in enumerate(data.attachments):
        path = f"standard.attachments.{i}"
        if item.kind not in ATTACHMENT_KINDS:
            problems.add(f"{path}.kind", f"第{i + 1}项附件要求的附件类型", f"不存在附件类型“{item.kind}”")
        elif item.kind in seen:
            problems.add(f"{path}.kind", f"附件要求「{ATTACHMENT_KINDS[item.kind]}」", "重复")
        seen.add(item.kind)
        note = clean(item.note)
        if len(note) > 100:
            problems.add(f"{path}.note", f"附件要求「{ATTACHMENT_KINDS.get(item.kind, item.kind)}」的说明",
                         "过长（最多 100 个字符）")
        out.append(AttachmentRequirement(kind=item.kind, required=item.required, note=note))
    return out


def _eligibility(data: StandardIn, levels: list[str], forms: list[str], problems: Problems) -> Eligibility:
    rules = data.eligibility
    min_years, seen = [], set()
    for i, row in enumerate(rules.min_years):
        path, where = f"standard.eligibility.min_years.{i}", f"现职称最低年限第{i + 1}行"
        if row.form not in forms:
            problems.add(f"{path}.form", f"{where}的申报形式",
                         f"应为本计划允许的申报形式之一（{'、'.join(FORMS[f] for f in forms if f in FORMS) or '未选择'}）")
        if row.level not in levels:
            problems.add(f"{path}.level", f"{where}的评审级别",
                         f"应为本计划的评审级别之一（{'、'.join(LEVELS[x] for x in levels if x in LEVELS) or '未选择'}）")
        if (row.form, row.level) in seen:
            problems.add(f"{path}.level", where, "与前面的行重复（同一申报形式和级别只能设置一次）")
        seen.add((row.form, row.level))
        min_years.append(MinYears(form=row.form, level=row.level, years=row.years))
    if rules.min_education is not None and rules.min_education not in EDUCATION_LEVELS:
        problems.add("standard.eligibility.min_education", "最低学历", "取值不在允许范围内")
    for code in rules.extra_sections:
        if code not in EXTRA_SECTIONS:
            problems.add("standard.eligibility.extra_sections", "系列专用信息", f"不存在“{code}”")
    return Eligibility(min_years=min_years, min_education=rules.min_education,
                       requires_current_title=rules.requires_current_title,
                       extra_sections=list(dict.fromkeys(rules.extra_sections)))
