"""The envelope every event travels in."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, Field

from shared.events.catalogue import EventData, model_for


class Envelope(BaseModel):
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    version: int
    occurred_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    producer: str
    subject: str
    request_id: str | None = None
    # The W3C trace context (traceparent, tracestate) of the request that recorded it, when traced.
    trace: dict[str, str] | None = None
    data: dict[str, Any]

    @classmethod
    def of(cls, producer: str, subject: str | uuid.UUID, data: EventData, request_id: str | None = None,
           trace: dict[str, str] | None = None) -> Envelope:
        type_ = next((t for t, (_, m) in _by_model().items() if m is type(data)), None)
        if type_ is None:
            raise LookupError(f"{type(data).__name__} is not in the event catalogue")
        version, _ = model_for(type_)
        return cls(type=type_, version=version, producer=producer, subject=str(subject),
                   request_id=request_id, trace=trace, data=data.model_dump(mode="json"))

    def payload(self) -> EventData:
        """The typed payload, validated against the catalogue."""
        _, model = model_for(self.type)
        return model.model_validate(self.data)


def _by_model() -> dict[str, tuple[int, type[EventData]]]:
    from shared.events.catalogue import CATALOGUE

    return CATALOGUE
