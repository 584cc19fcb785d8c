"""Render the event catalogue into docs/events.md: `python -m shared.events.docs`."""
from __future__ import annotations

from pathlib import Path

from shared.events.catalogue import CATALOGUE

OUT = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def render() -> str:
    lines = ["# Event catalogue", "",
             "Generated from `shared/events/catalogue.py` by `python -m shared.events.docs`; do not edit by hand.",
             "Every event travels in the envelope `id, type, version, occurred_at, producer, subject, request_id,"
             " data` on the durable topic exchange `zc.events`, routing key = type.", ""]
    for type_, (version, model) in sorted(CATALOGUE.items()):
        if type_.startswith("test."):
            continue
        lines += [f"## `{type_}` (v{version})", "", (model.__doc__ or "").strip(), "",
                  "| field | type | required |", "|---|---|---|"]
        for name, field in model.model_fields.items():
            annotation = getattr(field.annotation, "__name__", None) or str(field.annotation).replace("typing.", "")
            lines.append(f"| `{name}` | `{annotation}` | {'yes' if field.is_required() else 'no'} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
