"""The types of entries of the personal achievement library (个人业绩库), as data in one place.

The library stores entries of these types, a review standard's categories name which types may
be imported into them, and an application shows the imported snapshots with these labels. A
type with a ``series`` is that series' own (卫生系列的行业专用); the others are common to all.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal["text", "textarea", "date", "year", "int", "choice"]

# 学历, lowest first: eligibility rules compare an applicant's highest education with a minimum.
EDUCATION_LEVELS: dict[str, str] = {
    "secondary": "中专",
    "college": "大专",
    "bachelor": "大学本科",
    "master": "硕士研究生",
    "doctor": "博士研究生",
}
AWARD_LEVELS = ("国家级", "省部级", "市厅级", "县处级", "单位")


@dataclass(frozen=True)
class FieldSpec:
    code: str
    label: str
    type: FieldType = "text"
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntryType:
    code: str
    name: str
    fields: tuple[FieldSpec, ...]
    series: str | None = None  # only applications of this series use it (see shared.vocabulary.SERIES)


def _f(code: str, label: str, type_: FieldType = "text", *, required: bool = True,
       choices: tuple[str, ...] = ()) -> FieldSpec:
    return FieldSpec(code, label, type_, required, choices)


ENTRY_TYPES: dict[str, EntryType] = {t.code: t for t in (
    EntryType("work_experience", "工作经历", (
        _f("start_date", "起始时间", "date"),
        _f("end_date", "截止时间（空为至今）", "date", required=False),
        _f("unit", "工作单位"),
        _f("position", "岗位/职务"),
        _f("duties", "工作内容", "textarea"),
        _f("witness", "证明人", required=False),
    )),
    EntryType("education", "学历教育", (
        _f("school", "学校"),
        _f("major", "专业"),
        _f("education", "学历", "choice", choices=tuple(EDUCATION_LEVELS.values())),
        _f("degree", "学位", "choice", required=False, choices=("学士", "硕士", "博士")),
        _f("study_mode", "学习形式", "choice", choices=("全日制", "非全日制")),
        _f("start_date", "入学时间", "date"),
        _f("end_date", "毕业时间", "date"),
        _f("certificate_no", "证书编号"),
        _f("organizer", "组织单位", required=False),
        _f("study_notes", "学习情况", "textarea", required=False),
    )),
    EntryType("continuing_education", "继续教育", (
        _f("project", "项目名称"),
        _f("hours", "学时", "int"),
        _f("host", "主办单位"),
        _f("year", "年度", "year"),
    )),
    EntryType("annual_assessment", "年度考核", (
        _f("year", "年度", "year"),
        _f("result", "考核结果", "choice", choices=("优秀", "合格", "基本合格", "不合格")),
    )),
    EntryType("honor", "获得荣誉", (
        _f("name", "荣誉名称"),
        _f("level", "级别", "choice", choices=AWARD_LEVELS),
        _f("grantor", "授予单位"),
        _f("date", "获得时间", "date"),
    )),
    EntryType("achievement", "取得业绩", (
        _f("name", "项目/成果名称"),
        _f("role", "本人角色"),
        _f("level", "级别", "choice", choices=AWARD_LEVELS),
        _f("date", "完成时间", "date"),
        _f("description", "说明", "textarea"),
    )),
    EntryType("paper", "发表论文/著作", (
        _f("title", "题目"),
        _f("publication", "刊物/出版社"),
        _f("issn_cn", "ISSN/CN 刊号", required=False),
        _f("published_on", "发表时间", "date"),
        _f("author_rank", "作者排名", "int"),
    )),
    EntryType("patent", "专利", (
        _f("name", "专利名称"),
        _f("number", "专利号"),
        _f("kind", "专利类型", "choice", choices=("发明", "实用新型", "外观设计")),
        _f("granted_on", "授权时间", "date"),
        _f("rank", "排名", "int"),
    )),
    EntryType("health_case", "病例", (
        _f("disease", "病种"),
        _f("treated_on", "诊疗时间", "date"),
        _f("role", "本人角色"),
        _f("description", "说明", "textarea"),
    ), series="health"),
    EntryType("health_surgery", "手术", (
        _f("name", "手术名称"),
        _f("grade", "手术级别", "choice", choices=("一级", "二级", "三级", "四级")),
        _f("performed_on", "手术时间", "date"),
        _f("role", "本人角色", "choice", choices=("主刀", "第一助手", "第二助手", "其他")),
    ), series="health"),
    EntryType("health_new_tech", "新技术新项目", (
        _f("name", "名称"),
        _f("started_on", "开展时间", "date"),
        _f("level", "级别", "choice", choices=("国内领先", "省内领先", "市内领先", "院内新开展")),
        _f("description", "说明", "textarea"),
    ), series="health"),
)}


def entry_type_name(code: str) -> str:
    return ENTRY_TYPES[code].name if code in ENTRY_TYPES else code


def title_of(type_code: str, fields: dict[str, object]) -> str:
    """A one-line name of an entry for lists: its first text field (工作单位, 学校, 题目…)."""
    kind = ENTRY_TYPES.get(type_code)
    if kind is None:
        return type_code
    first = next((fields.get(s.code) for s in kind.fields if s.type == "text" and fields.get(s.code)), None)
    year = fields.get("year")
    return str(first or (f"{year} 年度" if year else kind.name))
