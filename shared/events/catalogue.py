"""Every event type of the platform, its version and its payload model: the one catalogue.

Events are facts in the past tense. A payload model changes only compatibly (new optional
fields); anything else is a new version. ``docs/events.md`` is rendered from this module
(``python -m shared.events.docs``).
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field


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


class AccessChanged(EventData):
    """What a person's or unit account's access tokens carry changed (their unit, the units they
    review for): a token cached before now is out of date."""

    subject: uuid.UUID


class SessionEnded(EventData):
    """A session ended before it expired (logout): tokens issued for it must no longer be accepted.
    The envelope's subject is the person or unit account (the session itself while pending)."""

    session_id: uuid.UUID


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


class BindingWithdrawn(BindingFacts):
    """The person took their request back before the unit decided."""


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


class UnitUpdated(UnitRegistered):
    """The legal person changed the unit's information (its 主管部门 among it)."""


class DepartmentStaffAdded(EventData):
    """An operator named a person staff (工作人员) of a 主管部门: they decide at the 主管部门 stage
    over the applications of the department's units."""

    department_code: str
    department_name: str
    person_id: uuid.UUID


class DepartmentStaffRemoved(EventData):
    department_code: str
    person_id: uuid.UUID


# --- plans ------------------------------------------------------------------------------------
class PlanPart(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanTitle(PlanPart):
    level: str  # shared.vocabulary.LEVELS
    name: str  # e.g. 高级工程师


class ReviewStage(PlanPart):
    """One step of the review an application passes after submission, in order."""

    id: uuid.UUID
    name: str
    # Who decides at this stage (shared.vocabulary.PARTIES), and the body's name as the plan gives it.
    # Plans published before the field was renamed said ``reviewer``/``reviewer_name``.
    party: str = Field(validation_alias=AliasChoices("party", "reviewer"))
    party_name: str = Field(validation_alias=AliasChoices("party_name", "reviewer_name"))


class PlanAttachment(PlanPart):
    file_id: uuid.UUID  # a file of the documents service
    name: str


class StandardCategory(PlanPart):
    """申报类别: which library entry types may be imported, and how many (温馨提示 in ``hint``)."""

    id: uuid.UUID
    name: str
    hint: str
    entry_types: list[str]  # shared.entry_types.ENTRY_TYPES
    min_count: int
    max_count: int
    required: bool


class ConditionGroup(PlanPart):
    id: uuid.UUID
    name: str  # 能力条件 / 业绩条件 / 教科研条件 by default
    categories: list[StandardCategory]


class AttachmentRequirement(PlanPart):
    kind: str  # shared.attachment_kinds.ATTACHMENT_KINDS
    required: bool
    note: str


class MinYears(PlanPart):
    """Years in the current title an applicant needs for a form and level."""

    form: str
    level: str
    years: int


class Eligibility(PlanPart):
    min_years: list[MinYears]
    min_education: str | None  # shared.entry_types.EDUCATION_LEVELS
    requires_current_title: bool
    extra_sections: list[str]  # shared.vocabulary.EXTRA_SECTIONS


class ReviewStandard(PlanPart):
    """评审标准: what an application to the plan must contain and what 开始检测 checks."""

    groups: list[ConditionGroup]
    attachments: list[AttachmentRequirement]
    eligibility: Eligibility


class PlanSnapshot(EventData):
    """The whole plan with its standard, as applicants see it; ``revision`` grows with each change."""

    id: uuid.UUID
    revision: int
    status: Literal["draft", "published", "closed"]
    organizer_id: uuid.UUID
    organizer_name: str
    year: int
    name: str
    committee: str
    levels: list[str]
    plan_type: str
    series: str
    start_date: dt.date
    end_date: dt.date
    has_interview: bool
    scope: str
    content: str
    majors: list[str]
    titles: list[PlanTitle]
    forms: list[str]
    stages: list[ReviewStage]
    # Where an application returned for changes (退回修改) starts again once resubmitted: at the
    # plan's first stage, or at the stage that returned it.
    resubmit_from: Literal["first", "returning"] = "first"
    attachments: list[PlanAttachment]
    standard: ReviewStandard
    published_at: dt.datetime | None
    closed_at: dt.datetime | None


class PlanPublished(PlanSnapshot):
    """An organiser published a review plan: applicants can find it and apply in its window."""


class PlanUpdated(PlanSnapshot):
    """A published plan was corrected in a way that keeps existing applications valid."""


class PlanClosed(PlanSnapshot):
    """An organiser closed a plan: no more applications."""


class StageAssigneeAdded(EventData):
    """A plan administrator assigned a person to decide at one stage of their plan (the stages
    whose party is 职称管理部门, 评委会组建单位 or 评委会)."""

    plan_id: uuid.UUID
    stage_id: uuid.UUID
    person_id: uuid.UUID


class StageAssigneeRemoved(EventData):
    plan_id: uuid.UUID
    stage_id: uuid.UUID
    person_id: uuid.UUID


class OrganizerAdminAdded(EventData):
    """An operator made a person an administrator of an organiser's plans: they decide 免面试
    requests and schedule interviews for the applications to those plans."""

    organizer_id: uuid.UUID
    person_id: uuid.UUID


class OrganizerAdminRemoved(EventData):
    organizer_id: uuid.UUID
    person_id: uuid.UUID


# --- library -----------------------------------------------------------------------------------
class EntrySnapshot(EventData):
    """An entry as its unit approved it: everything an application needs to import it."""

    entry_id: uuid.UUID
    owner_id: uuid.UUID
    type: str
    version: int
    fields: dict[str, str | int | None]
    attachment_ids: list[uuid.UUID]
    unit_id: uuid.UUID
    approved_at: dt.datetime
    approved_by: str


class EntrySubmitted(EventData):
    """A person submitted an entry (or a new version of one) for their unit's review."""

    entry_id: uuid.UUID
    owner_id: uuid.UUID
    type: str
    version: int
    unit_id: uuid.UUID


class EntryApproved(EventData):
    """The unit approved an entry; the snapshot is complete, so nobody needs to ask library."""

    snapshot: EntrySnapshot


class EntryRejected(EventData):
    """The unit returned an entry with its reason (退回)."""

    entry_id: uuid.UUID
    owner_id: uuid.UUID
    version: int
    unit_id: uuid.UUID
    reason: str
    decided_by: str


class EntryWithdrawn(EventData):
    """The person took a submitted entry back before the unit decided."""

    entry_id: uuid.UUID
    owner_id: uuid.UUID
    version: int


# --- applications ------------------------------------------------------------------------------
class ApplicationFacts(EventData):
    application_id: uuid.UUID
    person_id: uuid.UUID
    plan_id: uuid.UUID
    plan_year: int
    form: str  # shared.vocabulary.FORMS
    major: str
    title: str
    level: str  # shared.vocabulary.LEVELS
    unit_id: uuid.UUID
    status: str
    version: int


class ApplicationCreated(ApplicationFacts):
    """A person chose a plan, form, major and title and signed the pledge: a draft exists."""


class ApplicationUpdated(ApplicationFacts):
    """The applicant saved a change to a draft (``version`` grows with each save)."""


class ApplicationDeleted(ApplicationFacts):
    """The applicant deleted a draft (to apply to another plan, say)."""


class ApplicationSubmitted(ApplicationFacts):
    """The applicant submitted (every check 符合): the application as submitted, whole — everything
    entered and imported, as its 申报一览表 shows it — for the review form and the first stage."""

    stage: int
    stage_name: str
    application: dict[str, Any]


class ApplicationDecided(ApplicationFacts):
    """A decider at ``stage`` decided: who (``decider_id``, ``decided_by`` as shown), in whose name
    (``decided_for``: the unit, department or body), and why (``reason``: empty on 通过)."""

    decision_id: uuid.UUID
    stage: int
    stage_name: str
    decider_id: uuid.UUID
    decided_by: str
    decided_for: str
    reason: str


class ApplicationStagePassed(ApplicationDecided):
    """通过 at a stage that is not the last: the application now waits at ``next_stage``."""

    next_stage: int
    next_stage_name: str


class ApplicationReturned(ApplicationDecided):
    """退回修改: back to the applicant, who edits, re-checks and submits again."""


class ApplicationRejected(ApplicationDecided):
    """不通过: final."""


class ApplicationApproved(ApplicationDecided):
    """通过 at the plan's last stage: the review is complete."""


class ExemptionRequested(ApplicationFacts):
    """The applicant asked for 免面试, with a reason and evidence (files of documents)."""

    reason: str
    file_ids: list[uuid.UUID]


class ExemptionDecided(ApplicationFacts):
    """The organiser's administrator granted (``granted``) or refused the 免面试 request."""

    granted: bool
    reason: str
    decided_by: str


class InterviewScheduled(ApplicationFacts):
    """An interview was scheduled: 准考证号 (unique within the plan), when and where."""

    ticket_no: str
    starts_at: dt.datetime
    place: str
    scheduled_by: str


class ResultRecorded(ApplicationFacts):
    """The 评委会 stage recorded the result: 评审通过 (``passed``) or 未通过."""

    passed: bool
    committee: str
    decided_by: str
    reason: str


class CertificateIssued(EventData):
    """An 电子职称证书 for a passing application: ``number`` (证书编号) is unique across the platform."""

    certificate_id: uuid.UUID
    number: str
    application_id: uuid.UUID
    person_id: uuid.UUID
    name: str
    id_number_masked: str
    series: str
    title: str
    major: str
    level: str  # shared.vocabulary.LEVELS
    obtained_on: dt.date
    committee: str
    organizer_name: str


class NoticePublished(EventData):
    """A 公示 was published: 单位申报公示 (``kind`` unit, of ``unit_id``'s applicants) or 评审结果公示
    (``result``), listing ``application_ids`` from ``start_date`` through ``end_date`` (``workdays``
    working days)."""

    notice_id: uuid.UUID
    kind: str
    plan_id: uuid.UUID
    unit_id: uuid.UUID | None
    start_date: dt.date
    end_date: dt.date
    workdays: int
    application_ids: list[uuid.UUID]
    published_by: str


class ObjectionFiled(ApplicationFacts):
    """Someone objected (异议) to the application during a 公示 that lists it."""

    objection_id: uuid.UUID
    notice_id: uuid.UUID
    notice_kind: str
    objector_id: uuid.UUID


class ObjectionResolved(ApplicationFacts):
    """The unit or the organiser resolved an objection: ``sustained`` (异议成立: the application is
    stopped, ``status`` says so) or not (不成立), with ``note``."""

    objection_id: uuid.UUID
    notice_id: uuid.UUID
    sustained: bool
    note: str
    resolved_by: str


class PdfGenerated(EventData):
    """documents rendered a PDF for an application (``kind``: review_form, exceptional_form,
    transfer_form, admission_ticket, certificate) from the event ``source_event_id``."""

    document_id: uuid.UUID
    kind: str
    application_id: uuid.UUID
    person_id: uuid.UUID
    source_event_id: uuid.UUID
    pages: int
    size: int


CATALOGUE: dict[str, tuple[int, type[EventData]]] = {
    "identity.person.registered": (1, PersonRegistered),
    "identity.person.updated": (1, PersonUpdated),
    "identity.integrity.recorded": (1, IntegrityRecorded),
    "identity.integrity.revoked": (1, IntegrityRevoked),
    "identity.access.changed": (1, AccessChanged),
    "identity.session.ended": (1, SessionEnded),
    "units.unit.registered": (1, UnitRegistered),
    "units.binding.requested": (1, BindingRequested),
    "units.binding.approved": (1, BindingApproved),
    "units.binding.rejected": (1, BindingRejected),
    "units.binding.ended": (1, BindingEnded),
    "units.binding.withdrawn": (1, BindingWithdrawn),
    "units.reviewer.added": (1, ReviewerAdded),
    "units.reviewer.removed": (1, ReviewerRemoved),
    "units.unit.updated": (1, UnitUpdated),
    "units.department.staff_added": (1, DepartmentStaffAdded),
    "units.department.staff_removed": (1, DepartmentStaffRemoved),
    "library.entry.submitted": (1, EntrySubmitted),
    "library.entry.approved": (1, EntryApproved),
    "library.entry.rejected": (1, EntryRejected),
    "library.entry.withdrawn": (1, EntryWithdrawn),
    "plans.plan.published": (1, PlanPublished),
    "plans.plan.updated": (1, PlanUpdated),
    "plans.plan.closed": (1, PlanClosed),
    "plans.stage.assignee_added": (1, StageAssigneeAdded),
    "plans.stage.assignee_removed": (1, StageAssigneeRemoved),
    "plans.organizer.admin_added": (1, OrganizerAdminAdded),
    "plans.organizer.admin_removed": (1, OrganizerAdminRemoved),
    "applications.application.created": (1, ApplicationCreated),
    "applications.application.updated": (1, ApplicationUpdated),
    "applications.application.deleted": (1, ApplicationDeleted),
    "applications.application.submitted": (1, ApplicationSubmitted),
    "applications.application.stage_passed": (1, ApplicationStagePassed),
    "applications.application.returned": (1, ApplicationReturned),
    "applications.application.rejected": (1, ApplicationRejected),
    "applications.application.approved": (1, ApplicationApproved),
    "applications.exemption.requested": (1, ExemptionRequested),
    "applications.exemption.decided": (1, ExemptionDecided),
    "applications.interview.scheduled": (1, InterviewScheduled),
    "applications.result.recorded": (1, ResultRecorded),
    "applications.certificate.issued": (1, CertificateIssued),
    "applications.notice.published": (1, NoticePublished),
    "applications.objection.filed": (1, ObjectionFiled),
    "applications.objection.resolved": (1, ObjectionResolved),
    "documents.pdf.generated": (1, PdfGenerated),
}


def register_test_event(type_: str, model: type[EventData], version: int = 1) -> None:
    """Tests of the bus itself use event types of their own."""
    CATALOGUE[type_] = (version, model)


def model_for(type_: str) -> tuple[int, type[EventData]]:
    try:
        return CATALOGUE[type_]
    except KeyError:
        raise LookupError(f"event type {type_!r} is not in the catalogue") from None
