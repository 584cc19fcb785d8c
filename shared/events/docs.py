"""Render the event catalogue into docs/events.md: `python -m shared.events.docs`."""
from __future__ import annotations

import re
import typing
from pathlib import Path

from pydantic import BaseModel

from shared.events.catalogue import CATALOGUE

OUT = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def render() -> str:
    lines = ["# Event catalogue", "",
             "Generated from `shared/events/catalogue.py` by `python -m shared.events.docs`; do not edit by hand.",
             "Every event travels in the envelope `id, type, version, occurred_at, producer, subject, request_id,"
             " data` on the durable topic exchange `zc.events`, routing key = type.", ""]
    parts: dict[str, type[BaseModel]] = {}
    for type_, (version, model) in sorted(CATALOGUE.items()):
        if type_.startswith("test."):
            continue
        lines += [f"## `{type_}` (v{version})", "", (model.__doc__ or "").strip(), ""]
        lines += _fields(model, parts)
    # Models nested in payloads (a plan's stages, its standard, …), each documented once.
    if parts:
        lines += ["## Payload parts", ""]
    seen: set[str] = set()
    while pending := [n for n in parts if n not in seen]:
        for name in pending:
            seen.add(name)
            doc = (parts[name].__doc__ or "").strip()
            lines += [f"### `{name}`", "", *([doc, ""] if doc else []), *_fields(parts[name], parts)]
    return "\n".join(lines)


def _fields(model: type[BaseModel], parts: dict[str, type[BaseModel]]) -> list[str]:
    lines = ["| field | type | required |", "|---|---|---|"]
    for name, field in model.model_fields.items():
        for arg in _models_in(field.annotation):
            parts.setdefault(arg.__name__, arg)
        lines.append(f"| `{name}` | `{_type_name(field.annotation)}` | {'yes' if field.is_required() else 'no'} |")
    return [*lines, ""]


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _type_name(annotation: object) -> str:
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    return re.sub(r"\b(?:[a-z_]+\.)+(?=[A-Za-z_])", "", str(annotation))


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
