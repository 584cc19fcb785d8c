"""Every event type of the platform, its version and its payload model: the one catalogue.

Events are facts in the past tense. A payload model changes only compatibly (new optional
fields); anything else is a new version. ``docs/events.md`` is rendered from this module
(``python -m shared.events.docs``).
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict


class EventData(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- identity --------------------------------------------------------------------------------
class PersonRegistered(EventData):
    """A person finished registration after their first 闽政通 login."""

    person_id: uuid.UUID
    name: str
    gender: Literal["male", "female"]
    birth_date: dt.date
    # Only the masked number travels: other services never need the whole identity number.
    id_number_masked: str
    mobile: str


class PersonUpdated(EventData):
    """A person changed what they may change (contact details)."""

    person_id: uuid.UUID
    mobile: str
    address: str
    email: str | None = None


class IntegrityRecorded(EventData):
    """An operator recorded an integrity (诚信档案) entry with a ban on applying."""

    record_id: uuid.UUID
    person_id: uuid.UUID
    reason: str
    ban_from: dt.date
    ban_until: dt.date


class IntegrityRevoked(EventData):
    """An operator withdrew an integrity record; its ban no longer applies."""

    record_id: uuid.UUID
    person_id: uuid.UUID


# --- units ------------------------------------------------------------------------------------
class UnitRegistered(EventData):
    """A unit's legal person registered the unit on the platform."""

    unit_id: uuid.UUID
    name: str
    credit_code: str
    department_code: str
    legal_account_id: uuid.UUID


class BindingFacts(EventData):
    binding_id: uuid.UUID
    person_id: uuid.UUID
    unit_id: uuid.UUID
    unit_name: str


class BindingRequested(BindingFacts):
    """A person asked to be bound to a unit (申请说明 in ``note``)."""

    note: str


class BindingApproved(BindingFacts):
    """The unit approved: from now on the person belongs to this unit."""

    decided_by: str


class BindingRejected(BindingFacts):
    """The unit refused the request, with its reason."""

    reason: str
    decided_by: str


class BindingEnded(BindingFacts):
    """A membership ended: the unit ended it, or the person moved to another unit."""

    reason: str


class ReviewerAdded(EventData):
    """The legal person named a registered person as a reviewer (经办人) of the unit."""

    unit_id: uuid.UUID
    person_id: uuid.UUID


class ReviewerRemoved(EventData):
    """A reviewer (经办人) no longer acts for the unit."""

    unit_id: uuid.UUID
    person_id: uuid.UUID


CATALOGUE: dict[str, tuple[int, type[EventData]]] = {
    "identity.person.registered": (1, PersonRegistered),
    "identity.person.updated": (1, PersonUpdated),
    "identity.integrity.recorded": (1, IntegrityRecorded),
    "identity.integrity.revoked": (1, IntegrityRevoked),
    "units.unit.registered": (1, UnitRegistered),
    "units.binding.requested": (1, BindingRequested),
    "units.binding.approved": (1, BindingApproved),
    "units.binding.rejected": (1, BindingRejected),
    "units.binding.ended": (1, BindingEnded),
    "units.reviewer.added": (1, ReviewerAdded),
    "units.reviewer.removed": (1, ReviewerRemoved),
}


def register_test_event(type_: str, model: type[EventData], version: int = 1) -> None:
    """Tests of the bus itself use event types of their own."""
    CATALOGUE[type_] = (version, model)


def model_for(type_: str) -> tuple[int, type[EventData]]:
    try:
        return CATALOGUE[type_]
    except KeyError:
        raise LookupError(f"event type {type_!r} is not in the catalogue") from None
