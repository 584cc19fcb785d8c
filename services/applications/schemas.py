"""Request and response shapes of applications.

A draft saves incomplete: every field may be empty until 开始检测 says what is missing, but what
is given must be well-formed. Required text a person does not have takes "无" (the manual)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, StringConstraints

from shared.errors import register_labels

register_labels({
    "application_id": "申报", "item_id": "导入记录", "If-Match": "版本号", "if_match": "版本号",
    "plan_id": "评审计划", "form": "申报形式", "major": "申报专业", "title": "申报职称", "confirmed": "确认无误",
    "pledged": "诚信承诺书", "section": "申报栏目", "entry_ids": "业绩", "direction": "排序方向",
    "highest": "最高学历", "assessment": "考核结果",
    "ethnicity": "民族", "political_status": "政治面貌", "mobile": "手机号码", "work_start_date": "参加工作时间",
    "years_of_work": "工作年限", "years_in_profession": "专业年限", "profession": "现从事专业",
    "position": "行政职务", "photo_file_id": "证件照",
    "teacher_category": "教师类别", "teaching_years": "教龄", "grades": "任教年级", "staffing": "编制类别",
    "rural_teaching_years": "农村教龄", "teaching_since": "从教日期", "teacher_qualification": "教师资格",
    "principal_training": "校（园）长岗位培训",
    "series": "系列", "title_name": "职称名称", "level": "级别", "obtained_on": "取得时间",
    "certificate_no": "证书编号", "approver": "审批单位", "file_ids": "证明材料", "unit": "聘任单位",
    "start_date": "起始时间", "end_date": "截止时间", "kind": "附件类型", "file_id": "附件", "name": "名称",
    "rows": "列表", "items": "附件", "reason": "理由", "summary": "说明",
    "stage": "审核环节", "outcome": "审核意见", "view": "列表", "applications": "申报",
    "person_name": "申报人姓名", "version": "版本号",
    "granted": "审批意见", "application_ids": "申报", "starts_at": "面试时间", "place": "面试地点", "status": "状态",
    "certificate_id": "职称证书", "certificate_ids": "职称证书", "number": "证书编号",
    "workdays": "公示期（工作日）", "unit_id": "单位", "entry_id": "公示对象", "sustained": "处理结果", "note": "处理意见",
    "notice_id": "公示", "objection_id": "异议",
})

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Years = Annotated[int, Field(ge=0, le=60)]

POLITICAL_STATUSES = ("中共党员", "中共预备党员", "共青团员", "民主党派", "无党派人士", "群众")
TEACHER_CATEGORIES = ("幼儿园教师", "小学教师", "初级中学教师", "高级中学教师", "中等职业学校文化课教师")
STAFFING = ("在编", "非在编")


class ApplicationIn(BaseModel):
    """申报职称选择 and the pledge: the draft exists only once both are confirmed."""

    plan_id: uuid.UUID
    form: str = Field(max_length=20)
    major: str = Field(max_length=100)
    title: str = Field(max_length=100)
    confirmed: bool  # 确认无误
    pledged: bool  # 我已阅读并承诺


class MajorIn(BaseModel):
    major: str = Field(max_length=100)


class ProfileIn(BaseModel):
    """个人信息 (姓名, 身份证号码, 性别, 出生年月 come from identity and are not part of it)."""

    ethnicity: Text | None = None
    political_status: Literal[POLITICAL_STATUSES] | None = None  # type: ignore[valid-type]
    mobile: Annotated[str, StringConstraints(pattern=r"^1\d{10}$")] | None = None
    work_start_date: dt.date | None = None
    years_of_work: Years | None = None
    years_in_profession: Years | None = None
    profession: Text | None = None
    position: Text | None = None
    photo_file_id: uuid.UUID | None = None


class TeacherProfileIn(BaseModel):
    """专业信息 of the 中小学 series."""

    teacher_category: Literal[TEACHER_CATEGORIES] | None = None  # type: ignore[valid-type]
    teaching_years: Years | None = None
    grades: Text | None = None
    staffing: Literal[STAFFING] | None = None  # type: ignore[valid-type]
    rural_teaching_years: Years | None = None
    teaching_since: dt.date | None = None
    teacher_qualification: Text | None = None
    principal_training: bool = False


class CurrentTitleIn(BaseModel):
    """现有职称情况: one title the person holds, with its documents."""

    series: Text = ""
    title_name: Text = ""
    level: Text = ""
    major: Text = ""
    obtained_on: dt.date | None = None
    certificate_no: Text = ""
    approver: Text = ""
    file_ids: list[uuid.UUID] = Field(default_factory=list, max_length=10)


class CurrentAppointmentIn(BaseModel):
    """现有职称评聘情况: where and since when the person is appointed to a title."""

    title_name: Text = ""
    unit: Text = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    file_ids: list[uuid.UUID] = Field(default_factory=list, max_length=10)


class AttachmentIn(BaseModel):
    kind: str = Field(max_length=40)
    file_id: uuid.UUID
    name: Text = ""


class ExtraIn(BaseModel):
    """破格申报 / 转评申报: why the person applies in that form (the forms are generated later)."""

    reason: LongText = ""
    summary: LongText = ""


T = TypeVar("T")


class RowsIn(BaseModel, Generic[T]):
    rows: list[T] = Field(max_length=20)


class AttachmentsIn(BaseModel):
    items: list[AttachmentIn] = Field(max_length=60)


class ImportIn(BaseModel):
    section: str = Field(max_length=40)
    entry_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)


class ItemChange(BaseModel):
    highest: bool | None = None
    assessment: Literal["合格", "不合格"] | None = None


class MoveIn(BaseModel):
    direction: Literal["up", "down"]


class ItemOut(BaseModel):
    id: uuid.UUID
    section: str
    position: int
    entry_id: uuid.UUID
    entry_version: int
    type: str
    type_name: str
    title: str
    fields: dict[str, Any]
    attachment_ids: list[uuid.UUID]
    approved_at: dt.datetime
    highest: bool
    assessment: str | None


class SectionOut(BaseModel):
    """A section that imports library entries: a fixed one (工作经历 …) or a category of a
    condition group of the plan's standard, with its 温馨提示 and limits."""

    code: str
    name: str
    group: str | None  # the condition group (能力条件 …); None for the personal sections
    hint: str
    entry_types: list[str]
    min_count: int
    max_count: int
    required: bool
    items: list[ItemOut]


class PersonOut(BaseModel):
    name: str
    id_number_masked: str
    gender: str | None
    birth_date: dt.date | None


class AttachmentKindOut(BaseModel):
    kind: str
    name: str
    required: bool
    note: str


class ExemptionBrief(BaseModel):
    """Where the application's 免面试 request stands (interviews.py)."""

    status: str  # requested / granted / refused
    status_label: str
    decision_reason: str
    decided_at: dt.datetime | None


class InterviewBrief(BaseModel):
    ticket_no: str  # 准考证号
    starts_at: dt.datetime
    place: str


class ApplicationSummary(BaseModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    plan_year: int
    plan_name: str
    series: str
    form: str
    form_name: str
    major: str
    title: str
    level: str
    level_name: str
    has_interview: bool
    start_date: dt.date | None  # None only while the plan's read model is being filled
    end_date: dt.date | None
    status: str
    status_label: str
    version: int
    actions: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    stage: int | None = None  # the plan's stage where it waits (or that returned it)
    stage_name: str | None = None
    reason: str = ""  # why it was returned or not passed (the latest decision's reason)
    exemption: ExemptionBrief | None = None  # 免面试 request (in the list of one's applications)
    interview: InterviewBrief | None = None  # the interview scheduled (打印准考证)


class StepOut(BaseModel):
    kind: str  # states.STEP_LABELS
    kind_label: str
    stage: int
    stage_name: str
    party: str | None
    party_label: str  # 申报人, 用人单位, 主管部门 …
    actor_name: str
    acted_for: str
    reason: str
    at: dt.datetime


class ApplicationOut(ApplicationSummary):
    unit_id: uuid.UUID
    unit_name: str
    person: PersonOut
    majors: list[str]  # what 修改专业 may choose
    profile: dict[str, Any]
    teacher_profile: dict[str, Any] | None  # None: the plan's series has no 专业信息
    current_titles: list[dict[str, Any]]
    current_appointments: list[dict[str, Any]]
    attachment_kinds: list[AttachmentKindOut]
    attachments: list[dict[str, Any]]
    extra_sections: list[str]  # "exceptional" / "transfer" when that form was chosen
    extra: dict[str, Any]
    sections: list[SectionOut]
    steps: list[StepOut]  # the timeline: each submission and decision
    notices: list[str] = []  # what the last save adjusted (专业年限 set to 工作年限 …)


class ImportableOut(BaseModel):
    entry_id: uuid.UUID
    version: int
    type: str
    type_name: str
    title: str
    fields: dict[str, Any]
    attachment_ids: list[uuid.UUID]
    approved_at: dt.datetime
    imported: bool  # already in the application (remove it first to import it again)


class FindingOut(BaseModel):
    code: str
    name: str
    section: str  # where to fix it ("" for facts outside the application)
    ok: bool
    problems: list[str]


class ChecksOut(BaseModel):
    ok: bool  # every item 符合: the application may be submitted
    findings: list[FindingOut]


# --- deciders ---------------------------------------------------------------------------------
class DeskOut(BaseModel):
    """Where the caller decides: a party over a scope (a unit, a department, a plan's stage)."""

    party: str
    party_label: str
    scope: str  # the unit's or department's name, or 计划名称 · 环节
    waiting: int


class ReviewItem(BaseModel):
    """A row of a decider's queue."""

    id: uuid.UUID
    person_name: str
    id_number_masked: str
    unit_name: str
    plan_id: uuid.UUID
    plan_name: str
    plan_year: int
    form_name: str
    major: str
    title: str
    level_name: str
    status: str
    status_label: str
    stage: int | None
    stage_name: str | None
    version: int
    submitted_at: dt.datetime | None
    can_decide: bool


class ReviewOut(ApplicationOut):
    """The whole application as a decider sees it (申报一览表), and whether they decide it now."""

    can_decide: bool


class DecisionIn(BaseModel):
    """``version``: the application's version the decider saw (a decision made on an older page —
    decided meanwhile, or returned and resubmitted since — is refused, not applied)."""

    version: int = Field(ge=1)
    outcome: Literal["pass", "return", "reject"]
    reason: LongText = ""  # required for 退回修改 and 不通过; with 通过 an optional opinion


class BatchItemIn(BaseModel):
    application_id: uuid.UUID
    version: int = Field(ge=1)


class BatchDecisionIn(BaseModel):
    """批量通过 / 批量退回修改; 批量未通过 only at a 评委会 stage (its decision list: the result of a
    meeting). Elsewhere 不通过 is final and made one by one, after reading the application."""

    applications: list[BatchItemIn] = Field(min_length=1, max_length=200)
    outcome: Literal["pass", "return", "reject"]
    reason: LongText = ""


class GeneratedDocumentOut(BaseModel):
    """A PDF documents generated for the application (专业技术资格评审表, 准考证 …): a short-lived link."""

    kind: str
    kind_label: str
    url: str
    pages: int
    created_at: dt.datetime


class RenderProgressOut(BaseModel):
    """A PDF being made right now: ``label`` says where (正在排版第 7 页)."""

    kind_label: str
    label: str
    page: int | None
    started_at: dt.datetime


class GeneratedDocumentsOut(BaseModel):
    items: list[GeneratedDocumentOut]
    # Submitted, but the review form of this submission is not there yet: ask again shortly.
    preparing: bool
    # Its render, once a worker has taken it (until then it waits in the queue).
    progress: RenderProgressOut | None = None


class FileLinkOut(BaseModel):
    file_id: uuid.UUID
    name: str
    kind_label: str
    content_type: str
    url: str
    thumbnail_url: str | None
    expires_at: dt.datetime


# --- 免面试 and interviews (interviews.py) ------------------------------------------------------
class ExemptionIn(BaseModel):
    """申请免面试: why (required), with evidence (the applicant's files)."""

    reason: LongText = ""
    file_ids: list[uuid.UUID] = Field(default_factory=list, max_length=10)


class ExemptionOut(BaseModel):
    status: str  # requested / granted / refused
    status_label: str
    reason: str
    file_ids: list[uuid.UUID]
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: str
    decision_reason: str


class ExemptionStateOut(BaseModel):
    """The applicant's view: the request (or none), earlier refused ones, and whether one may be made now."""

    application_id: uuid.UUID
    can_request: bool
    why_not: str  # when it may not (no interview, not in review, pending, granted, scheduled)
    current: ExemptionOut | None
    previous: list[ExemptionOut]


class ExemptionItem(ExemptionOut):
    """A 免面试 request as the organiser's administrators see it."""

    application_id: uuid.UUID
    plan_id: uuid.UUID
    plan_name: str
    person_name: str
    id_number_masked: str
    unit_name: str
    title: str
    major: str
    level_name: str
    application_status_label: str
    earlier_refusals: int


class ExemptionDecisionIn(BaseModel):
    granted: bool  # 同意免面试 / 不同意
    reason: LongText = ""  # required when refused


class InterviewsIn(BaseModel):
    """安排面试 for one application or a batch: the same time and place for all."""

    application_ids: list[uuid.UUID] = Field(min_length=1, max_length=200)
    starts_at: dt.datetime  # without a zone: Asia/Shanghai
    place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class InterviewItem(BaseModel):
    """An application of the plan that needs, has, or is exempted from an interview."""

    application_id: uuid.UUID
    person_name: str
    id_number_masked: str
    unit_name: str
    title: str
    major: str
    level_name: str
    status_label: str  # the application's
    interview_status: str  # needed / exemption_requested / exempted / scheduled
    interview_status_label: str
    can_schedule: bool
    ticket_no: str | None
    starts_at: dt.datetime | None
    place: str | None


class AdmissionOut(BaseModel):
    """准考证: what the applicant prints and brings to the interview."""

    application_id: uuid.UUID
    ticket_no: str
    starts_at: dt.datetime
    place: str
    person_name: str
    gender: str | None
    id_number_masked: str
    photo_file_id: uuid.UUID | None
    unit_name: str
    plan_name: str
    plan_year: int
    title: str
    major: str
    level_name: str
    committee: str
    organizer_name: str
    scheduled_at: dt.datetime


# --- results and certificates (certificates.py) -------------------------------------------------
class CertificateOut(BaseModel):
    """电子职称证书 as its holder sees it."""

    id: uuid.UUID
    number: str  # 证书编号
    application_id: uuid.UUID
    name: str
    id_number_masked: str
    series: str
    series_name: str
    title: str
    major: str
    level: str
    level_name: str
    obtained_on: dt.date
    committee: str
    organizer_name: str
    issued_at: dt.datetime


class VerificationOut(BaseModel):
    """What anyone may learn of a genuine 证书编号, and nothing more (no 身份证号, no ids)."""

    genuine: bool
    name: str
    title: str
    major: str
    level: str  # 正高级 / 副高级 / 中级 / 初级
    obtained_on: dt.date
    committee: str


class FromCertificatesIn(BaseModel):
    certificate_ids: list[uuid.UUID] = Field(min_length=1, max_length=20)


# --- the committee online: expert pool, panel draw, votes -----------------------------------------
register_labels({"organizer_id": "组建单位", "expert_id": "专家", "panel_size": "评委人数", "reserve_count": "候补人数", "deadline": "表决截止时间",
                 "choice": "表决意见", "opinion": "评审意见", "file": "专家名单文件", "active": "状态"})


class ExpertOut(BaseModel):
    """A row of an organiser's 评委专家库."""

    id: uuid.UUID
    person_id: uuid.UUID
    name: str
    id_number_masked: str
    series: str
    series_name: str
    majors: list[str]
    level: str
    level_name: str
    unit_id: uuid.UUID
    unit_name: str
    active: bool
    updated_at: dt.datetime


class ExpertChange(BaseModel):
    active: bool  # 启用 / 停用


class ExpertImportOut(BaseModel):
    """导入专家名单: the rows added or updated, and each refused row with why (第N行：…)."""

    added: int
    updated: int
    errors: list[str]


class DrawIn(BaseModel):
    """专家遴选: how many experts sit on the panel (odd), how many reserves, and until when they vote."""

    panel_size: int = Field(ge=1, le=99)
    reserve_count: int = Field(ge=0, le=50)
    deadline: dt.datetime  # without a zone: Asia/Shanghai


class PanelMember(BaseModel):
    person_id: uuid.UUID
    name: str
    unit_name: str
    reserve: bool


class Exclusion(BaseModel):
    person_id: uuid.UUID
    name: str
    reason: str  # 本计划申报人 / 同单位
    application_id: uuid.UUID | None
    applicant: str  # the applicant and unit, for 同单位


class CastVote(BaseModel):
    """An expert's vote as the record shows it once the vote closed."""

    expert_name: str
    choice: str
    choice_label: str
    opinion: str
    voted_at: dt.datetime


class TallyOut(BaseModel):
    agree: int
    disagree: int
    abstain: int
    participants: int
    passed: bool | None  # None: nobody voted
    text: str  # 同意 5 票，不同意 1 票，弃权 1 票（参加表决 7 人）：通过


class PanelApplication(BaseModel):
    """An application at the 评委会 stage on the organiser's page: who reviews it, how many voted
    (not how, before the close), and after the close the tally and each vote."""

    application_id: uuid.UUID
    person_name: str
    unit_name: str
    major: str
    title: str
    status_label: str
    assigned: list[str]
    voted: int
    tally: TallyOut | None
    votes: list[CastVote]


class CommitteeOut(BaseModel):
    """专家遴选 of a plan as its organiser's administrators see it."""

    plan_id: uuid.UUID
    plan_name: str
    series_name: str
    majors: list[str]
    stage_name: str
    matching: int  # active experts of the pool matching the plan's series and majors
    drawn: bool
    panel_size: int | None
    reserve_count: int | None
    deadline: dt.datetime | None
    seed: str | None
    drawn_at: dt.datetime | None
    drawn_by: str | None
    candidates: list[dict[str, Any]]
    exclusions: list[Exclusion]
    members: list[PanelMember]
    closed_at: dt.datetime | None
    closed_by: str
    can_close: bool
    why_not_close: str
    applications: list[PanelApplication]


class VoteIn(BaseModel):
    choice: Literal["agree", "disagree", "abstain"]  # 同意 / 不同意 / 弃权
    opinion: LongText = ""


class VoteItem(BaseModel):
    """A row of an expert's 评审表决 list."""

    application_id: uuid.UUID
    plan_id: uuid.UUID
    plan_name: str
    person_name: str
    unit_name: str
    major: str
    title: str
    level_name: str
    deadline: dt.datetime
    closed: bool
    can_vote: bool
    my_choice: str | None
    my_choice_label: str | None
    tally: TallyOut | None


class VoteSheetOut(BaseModel):
    """One application for an expert: read-only (申报一览表), their own vote, and — only once the
    vote closed — the tally and everybody's votes."""

    application: ApplicationOut
    item: VoteItem
    opinion: str
    votes: list[CastVote]
# --- 公示 and 异议 (notices.py) ---------------------------------------------------------------------
class NoticeIn(BaseModel):
    """发布公示: 单位申报公示 of the unit's applications waiting at its stage of the plan, or 评审结果公示
    of the plan's approved applications; ``workdays`` at least the platform's minimum."""

    kind: Literal["unit", "result"]
    plan_id: uuid.UUID
    unit_id: uuid.UUID | None = None  # a unit notice: which of the caller's units (none: their only one)
    workdays: int = Field(ge=1, le=30)


class PublicEntryOut(BaseModel):
    """An applicant as a notice shows them in public: never an ID number, a phone or an id of theirs."""

    id: uuid.UUID  # the notice's row (an objection names it)
    name: str
    unit_name: str
    title: str
    level_name: str
    major: str


class PublicNoticeOut(BaseModel):
    id: uuid.UUID
    kind: str  # unit / result
    kind_label: str
    plan_name: str
    publisher_name: str
    start_date: dt.date
    end_date: dt.date
    workdays: int
    published_at: dt.datetime
    state: str  # running / ended
    state_label: str
    count: int
    entries: list[PublicEntryOut] = Field(default_factory=list)


class ManagedNoticeOut(PublicNoticeOut):
    """A notice as the unit or the organiser who published it sees it."""

    plan_id: uuid.UUID
    objections_pending: int
    objections_total: int
    certificates_issued: int


class NoticeCandidateOut(BaseModel):
    """What the caller may put in a new notice: a plan (and unit) with applications not yet in one."""

    kind: str
    kind_label: str
    plan_id: uuid.UUID
    plan_name: str
    unit_id: uuid.UUID | None
    publisher_name: str
    waiting: int


class NoticesDeskOut(BaseModel):
    min_workdays: int
    candidates: list[NoticeCandidateOut]
    notices: list[ManagedNoticeOut]


class ObjectionIn(BaseModel):
    """提出异议 to one applicant of a notice (``entry_id``: its row), with a reason and evidence."""

    entry_id: uuid.UUID
    reason: LongText = ""
    file_ids: list[uuid.UUID] = Field(default_factory=list, max_length=10)


class ResolutionIn(BaseModel):
    """处理异议: 成立 (``sustained``: the application is stopped) or 不成立, with a note (required)."""

    sustained: bool
    note: LongText = ""


class ObjectionOut(BaseModel):
    id: uuid.UUID
    notice_id: uuid.UUID
    notice_kind_label: str
    plan_name: str
    entry_id: uuid.UUID
    person_name: str  # the applicant objected to, as the notice lists them
    unit_name: str
    title: str
    major: str
    objector_name: str
    reason: str
    file_ids: list[uuid.UUID]
    filed_at: dt.datetime
    status: str  # pending / sustained / dismissed
    status_label: str
    resolved_at: dt.datetime | None
    resolved_by: str
    note: str


class HomeOut(BaseModel):
    """个人首页 in one answer: 我的申报, 我的职称, and what waits for the person's decision or vote."""

    applications: list[ApplicationSummary]
    certificates: list[CertificateOut]
    desks: list[DeskOut]
    votes: list[VoteItem]
