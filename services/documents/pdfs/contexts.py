"""What each template gets: plain data (it crosses to a worker process), built from the events'
payloads and the stored application data."""
from __future__ import annotations

import datetime as dt
from typing import Any

from shared.entry_types import ENTRY_TYPES
from shared.vocabulary import LEVELS, SERIES

# The five parties that sign and stamp the paper form (the manual, 评审表导出).
PARTIES = ("用人单位", "业务主管部门", "职称管理部门", "评委会组建单位", "评委会")
NUMBERS = "四五六七八九十"
TEACHER_LABELS = {"teacher_category": "教师类别", "teaching_years": "教龄", "grades": "任教年级",
                  "staffing": "编制类别", "rural_teaching_years": "农村教龄", "teaching_since": "从教日期",
                  "teacher_qualification": "教师资格", "principal_training": "校（园）长岗位培训"}
WIDE = {"textarea"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _section_table(section: dict[str, Any]) -> dict[str, Any]:
    """One type: its fields as columns. Several types (a condition group's category): 类别, 名称, 内容."""
    types = {i["type"] for i in section["items"]} or set(section.get("entry_types") or [])
    if len(types) == 1 and (kind := ENTRY_TYPES.get(next(iter(types)))):
        weights = [3 if f.type in WIDE else 1.5 if f.type == "date" else 1 for f in kind.fields]
        columns = [{"label": f.label.split("（")[0], "width": round(94 * w / sum(weights), 1)}
                   for f, w in zip(kind.fields, weights, strict=True)]
        rows = [[_text(i["fields"].get(f.code)) for f in kind.fields] for i in section["items"]]
        return {"name": section["name"], "columns": columns, "rows": rows}
    columns = [{"label": "类别", "width": 14}, {"label": "名称", "width": 28}, {"label": "主要内容", "width": 52}]
    rows = []
    for i in section["items"]:
        kind = ENTRY_TYPES.get(i["type"])
        labels = {f.code: f.label.split("（")[0] for f in kind.fields} if kind else {}
        detail = "；".join(f"{labels.get(k, k)}：{_text(v)}" for k, v in i["fields"].items() if v not in (None, ""))
        rows.append([i.get("type_name", i["type"]), i.get("title", ""), detail])
    return {"name": section["name"], "columns": columns, "rows": rows}


def review(app: dict[str, Any], photo: str | None, generated_at: dt.datetime) -> dict[str, Any]:
    groups: list[dict[str, Any]] = []
    for section in app["sections"]:
        name = section.get("group") or section["name"]
        if not groups or groups[-1]["name"] != name or not section.get("group"):
            groups.append({"name": name, "sections": []})
        groups[-1]["sections"].append(_section_table(section))
    for n, g in enumerate(groups):
        g["number"] = NUMBERS[n] if n < len(NUMBERS) else str(n + 4)
    teacher = [(label, _text((app.get("teacher_profile") or {}).get(code))) for code, label in TEACHER_LABELS.items()] \
        if app.get("teacher_profile") is not None else []
    n = len(groups)
    return {"app": app, "photo": photo, "generated_at": generated_at, "groups": groups, "teacher": teacher,
            "signatures_number": NUMBERS[n] if n < len(NUMBERS) else str(n + 4), "parties": PARTIES}


def extra(app: dict[str, Any], photo: str | None, generated_at: dt.datetime) -> dict[str, Any]:
    return {"app": app, "photo": photo, "generated_at": generated_at, "parties": PARTIES}


def admission(ticket: dict[str, Any], app: dict[str, Any], photo: str | None,
              generated_at: dt.datetime) -> dict[str, Any]:
    return {**ticket, "name": app["person"]["name"], "id_number_masked": app["person"]["id_number_masked"],
            "unit_name": app.get("unit_name", ""), "level_name": LEVELS.get(ticket["level"], ticket["level"]),
            "photo": photo, "generated_at": generated_at}


def certificate(cert: dict[str, Any], verify_url: str, generated_at: dt.datetime) -> dict[str, Any]:
    return {**cert, "series": SERIES.get(cert["series"], cert["series"]),
            "level_name": LEVELS.get(cert["level"], cert["level"]), "verify_url": verify_url,
            "generated_at": generated_at}
