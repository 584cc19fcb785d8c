"""Validating an entry's fields against its type (shared/entry_types.py): every message names
the field in Chinese, as the person sees it on the form."""
from __future__ import annotations

import datetime as dt
from typing import Any

from shared import clock
from shared.entry_types import ENTRY_TYPES, EntryType, FieldSpec
from shared.errors import AppError

MAX_LENGTH = {"text": 200, "textarea": 2000}



class FieldErrors(AppError):
    status_code, code, title = 422, "validation_failed", "填写内容有误"

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("；".join(f"{e['label']}：{e['message']}" for e in errors), errors=errors)


def entry_type(code: str) -> EntryType:
    if code not in ENTRY_TYPES:
        raise AppError(f"没有“{code}”这种业绩类型", code="unknown_entry_type", status_code=422,
                       errors=[{"field": "type", "label": "业绩类型", "message": "不存在"}])
    return ENTRY_TYPES[code]


def _one(spec: FieldSpec, raw: Any) -> Any:
    """The cleaned value, or raises ValueError with the Chinese reason."""
    value = raw.strip() if isinstance(raw, str) else raw
    if value in (None, ""):
        if spec.required:
            raise ValueError("必填（不具有时请填“无”）" if spec.type in ("text", "textarea") else "必填")
        return None
    if spec.type in ("text", "textarea"):
        if not isinstance(value, str):
            raise ValueError("应为文字")
        if len(value) > MAX_LENGTH[spec.type]:
            raise ValueError(f"过长（最多 {MAX_LENGTH[spec.type]} 字）")
        return value
    if spec.type == "date":
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValueError("日期格式应为 YYYY-MM-DD") from None
        if not dt.date(1940, 1, 1) <= day <= clock.today() + dt.timedelta(days=3650):
            raise ValueError("日期不在合理范围内")
        return day.isoformat()
    if spec.type in ("year", "int"):
        try:
            number = int(str(value))
        except ValueError:
            raise ValueError("应为整数") from None
        if spec.type == "year" and not 1950 <= number <= clock.today().year + 1:
            raise ValueError("年度不在合理范围内")
        if spec.type == "int" and not 0 < number <= 100_000:
            raise ValueError("应为正整数")
        return number
    if value not in spec.choices:
        raise ValueError(f"请从 {'、'.join(spec.choices)} 中选择")
    return value


def clean_fields(type_code: str, data: dict[str, Any]) -> dict[str, Any]:
    kind = entry_type(type_code)
    cleaned, errors = {}, []
    for spec in kind.fields:
        try:
            cleaned[spec.code] = _one(spec, data.get(spec.code))
        except ValueError as exc:
            errors.append({"field": f"fields.{spec.code}", "label": spec.label, "message": str(exc)})
    unknown = set(data) - {s.code for s in kind.fields}
    errors += [{"field": f"fields.{u}", "label": u, "message": f"不是“{kind.name}”的填报项"} for u in sorted(unknown)]
    start, end = cleaned.get("start_date"), cleaned.get("end_date")
    if not errors and start and end and end < start:
        label = next(s.label for s in kind.fields if s.code == "end_date")
        errors.append({"field": "fields.end_date", "label": label, "message": "不能早于起始时间"})
    if errors:
        raise FieldErrors(errors)
    return cleaned

