"""Request and response shapes of plans.

Inputs are deliberately loose about codes and empty values: plans.py and standards.py check
them with messages that say which group, category or row is wrong, which a type error on a
nested model could not. What leaves the service is the catalogue's ``PlanSnapshot``, so the API
and the events never drift apart."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, Field

from shared.events.catalogue import PlanSnapshot

Window = Literal["draft", "not_started", "open", "ended", "closed"]


class TitleIn(BaseModel):
    level: str
    name: str = ""


class StageIn(BaseModel):
    id: uuid.UUID | None = None
    name: str = ""
    party: str  # who decides at the stage (审核方, shared.vocabulary.PARTIES)
    party_name: str = ""  # the body's name as the plan gives it (审核单位)


class AttachmentIn(BaseModel):
    file_id: uuid.UUID
    name: str = Field("", max_length=200)


class CategoryIn(BaseModel):
    id: uuid.UUID | None = None
    name: str = ""
    hint: str = ""
    entry_types: list[str] = []
    min_count: int = Field(0, ge=0, le=99)
    max_count: int = Field(1, ge=0, le=99)
    required: bool = False


class GroupIn(BaseModel):
    id: uuid.UUID | None = None
    name: str = ""
    categories: list[CategoryIn] = []


class AttachmentRequirementIn(BaseModel):
    kind: str
    required: bool = True
    note: str = ""


class MinYearsIn(BaseModel):
    form: str
    level: str
    years: int = Field(ge=0, le=50)


class EligibilityIn(BaseModel):
    min_years: list[MinYearsIn] = []
    min_education: str | None = None
    requires_current_title: bool = True
    extra_sections: list[str] = []


class StandardIn(BaseModel):
    groups: list[GroupIn] = []
    attachments: list[AttachmentRequirementIn] = []
    eligibility: EligibilityIn = EligibilityIn()


class PlanIn(BaseModel):
    # Missing values are named by plans.py together with every other problem, not one by one.
    organizer_id: uuid.UUID | None = None  # needed only by an administrator of several organisers
    year: int | None = Field(None, ge=2000, le=2100)
    name: str = ""
    committee: str = ""
    levels: list[str] = []
    plan_type: str = ""
    series: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    has_interview: bool = False
    scope: str = ""
    content: str = ""
    majors: list[str] = []
    titles: list[TitleIn] = []
    forms: list[str] = []
    stages: list[StageIn] = []
    resubmit_from: str = "first"  # shared.vocabulary.RESUBMIT_FROM
    standard: StandardIn = StandardIn()
    # Attachments are not part of it: they are added and removed one by one (documents claims).


class PlanOut(PlanSnapshot):
    window: Window  # draft, not_started, open, ended (published, window over) or closed
    open: bool  # applications are accepted today (Asia/Shanghai)


class PlanSummary(BaseModel):
    id: uuid.UUID
    year: int
    name: str
    committee: str
    organizer_id: uuid.UUID
    organizer_name: str
    levels: list[str]
    plan_type: str
    series: str
    start_date: dt.date
    end_date: dt.date
    has_interview: bool
    status: str
    window: Window
    open: bool


class OrganizerIn(BaseModel):
    name: str = Field(min_length=2, max_length=100)


class OrganizerOut(BaseModel):
    id: uuid.UUID
    name: str


class AdminIn(BaseModel):
    person_id: uuid.UUID


class AdminOut(BaseModel):
    organizer_id: uuid.UUID
    person_id: uuid.UUID
    name: str
    id_number_masked: str
    assigned_by: str
    assigned_at: dt.datetime


class PersonOut(BaseModel):
    id: uuid.UUID
    name: str
    id_number_masked: str


class AssigneeIn(BaseModel):
    person_id: uuid.UUID


class AssigneeOut(BaseModel):
    """A person who decides at one stage of a plan (named by its administrators)."""

    plan_id: uuid.UUID
    stage_id: uuid.UUID
    person_id: uuid.UUID
    name: str
    id_number_masked: str
    assigned_by: str
    assigned_at: dt.datetime


class AssignmentOut(BaseModel):
    """A stage of a plan at which the caller decides."""

    plan_id: uuid.UUID
    plan_name: str
    plan_year: int
    plan_status: str
    organizer_name: str
    stage_id: uuid.UUID
    stage_name: str
    stage_index: int  # the stage's place in the plan's flow, from 0
    party: str
    party_name: str
    assigned_at: dt.datetime


class Term(BaseModel):
    code: str
    name: str


class EntryTypeOut(Term):
    series: str | None


class Vocabulary(BaseModel):
    """The code lists a client needs to build a plan form."""

    levels: list[Term]
    forms: list[Term]
    plan_types: list[Term]
    series: list[Term]
    parties: list[Term]
    resubmit_from: list[Term]
    extra_sections: list[Term]
    education_levels: list[Term]
    entry_types: list[EntryTypeOut]
    attachment_kinds: list[Term]
