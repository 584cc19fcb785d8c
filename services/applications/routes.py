"""applications' HTTP API: /api/applications/*.

Every change names the version it was made on (If-Match: the ETag of the last read) and answers
the whole application with its new ETag, so a page always shows what was saved."""
from __future__ import annotations

import json
import uuid
from typing import Annotated, Literal

import httpx
from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from services.applications import (
    certificates,
    drafts,
    experts,
    files,
    imports,
    interviews,
    notices,
    panels,
    review,
    sections,
    votes,
)
from services.applications.deps import DbSession, Documents, Identity, IfMatch, Page, ReadSession
from services.applications.models import Application
from services.applications.schemas import (
    AdmissionOut,
    ApplicationIn,
    ApplicationOut,
    ApplicationSummary,
    AttachmentsIn,
    BatchDecisionIn,
    CertificateOut,
    ChecksOut,
    CommitteeOut,
    CurrentAppointmentIn,
    CurrentTitleIn,
    DecisionIn,
    DeskOut,
    DrawIn,
    ExemptionDecisionIn,
    ExemptionIn,
    ExemptionItem,
    ExemptionStateOut,
    ExpertChange,
    ExpertImportOut,
    ExpertOut,
    ExtraIn,
    FileLinkOut,
    FromCertificatesIn,
    GeneratedDocumentOut,
    GeneratedDocumentsOut,
    HomeOut,
    ImportableOut,
    ImportIn,
    InterviewItem,
    InterviewsIn,
    ItemChange,
    MajorIn,
    ManagedNoticeOut,
    MoveIn,
    NoticeIn,
    NoticesDeskOut,
    ObjectionIn,
    ObjectionOut,
    ProfileIn,
    PublicNoticeOut,
    RenderProgressOut,
    ResolutionIn,
    ReviewItem,
    ReviewOut,
    RowsIn,
    TeacherProfileIn,
    VerificationOut,
    VoteIn,
    VoteItem,
    VoteSheetOut,
)
from shared import documents as shared_documents
from shared.auth import CurrentPerson, CurrentPrincipal
from shared.errors import problem
from shared.schemas import BatchResult, Paged

api = APIRouter(prefix="/api/applications", tags=["applications"])
ById = "/applications/{application_id}"


async def _answer(db: AsyncSession, documents: httpx.AsyncClient, app: Application, *, status_code: int = 200,
                  notices: list[str] | None = None) -> JSONResponse:
    await files.sync(db, documents, app)
    body = await drafts.full(db, app, notices)
    return _with_etag(body, app, status_code)


def _with_etag(body: ApplicationOut, app: Application, status_code: int = 200) -> Response:
    # Straight to JSON bytes (pydantic-core): a draft with its items is the largest answer pages read.
    return Response(body.model_dump_json(), status_code=status_code, media_type="application/json",
                    headers={"ETag": drafts.etag(app)})


@api.get("/home", summary="个人首页：我的申报、我的职称、我的审核工作台与待我表决（一次取齐）")
async def home(person: CurrentPerson, db: ReadSession) -> HomeOut:
    # One call instead of four: on deadline day every call costs the service more than its queries.
    return HomeOut(applications=await interviews.annotate(db, await drafts.list_own(db, person)),
                   certificates=await certificates.list_own(db, person), desks=await review.desks(db, person),
                   votes=await votes.assignments(db, person))


@api.get("/applications", summary="我的申报（当前申报记录与历史记录）")
async def list_mine(person: CurrentPerson, db: ReadSession) -> list[ApplicationSummary]:
    return await interviews.annotate(db, await drafts.list_own(db, person))


@api.post("/applications", status_code=201, summary="马上申报：选择申报形式、专业、职称并签署诚信承诺书",
          response_model=ApplicationOut)
async def start(data: ApplicationIn, person: CurrentPerson, db: DbSession, documents: Documents) -> JSONResponse:
    app = await drafts.start(db, person, data)
    return await _answer(db, documents, app, status_code=201)


@api.get(ById, summary="申报详情（申报一览表）", response_model=ApplicationOut)
async def get(application_id: uuid.UUID, person: CurrentPerson, db: ReadSession) -> JSONResponse:
    app = await drafts.owned(db, person, application_id)
    return _with_etag(await drafts.full(db, app), app)


@api.delete(ById, status_code=204, summary="删除填报中的申报")
async def delete(application_id: uuid.UUID, person: CurrentPerson, db: DbSession, documents: Documents,
                 if_match: IfMatch = None) -> Response:
    app = await drafts.delete(db, person, application_id, if_match)
    await files.release(documents, app)
    return Response(status_code=204)


@api.put(f"{ById}/major", summary="修改专业（同一评审计划内）", response_model=ApplicationOut)
async def change_major(application_id: uuid.UUID, data: MajorIn, person: CurrentPerson, db: DbSession,
                       documents: Documents, if_match: IfMatch = None) -> JSONResponse:
    app = await drafts.change_major(db, person, application_id, if_match, data.major)
    return await _answer(db, documents, app)


@api.put(f"{ById}/profile", summary="个人信息", response_model=ApplicationOut)
async def save_profile(application_id: uuid.UUID, data: ProfileIn, person: CurrentPerson, db: DbSession,
                       documents: Documents, if_match: IfMatch = None) -> JSONResponse:
    app, notices = await sections.save_profile(db, person, application_id, if_match, data)
    return await _answer(db, documents, app, notices=notices)


@api.put(f"{ById}/teacher-profile", summary="专业信息（中小学教师系列）", response_model=ApplicationOut)
async def save_teacher_profile(application_id: uuid.UUID, data: TeacherProfileIn, person: CurrentPerson,
                               db: DbSession, documents: Documents, if_match: IfMatch = None) -> JSONResponse:
    app = await sections.save_teacher_profile(db, person, application_id, if_match, data)
    return await _answer(db, documents, app)


@api.put(f"{ById}/current-titles", summary="现有职称情况（按给定顺序）", response_model=ApplicationOut)
async def save_current_titles(application_id: uuid.UUID, data: RowsIn[CurrentTitleIn], person: CurrentPerson,
                              db: DbSession, documents: Documents, if_match: IfMatch = None) -> JSONResponse:
    app = await sections.save_current_titles(db, person, application_id, if_match, data.rows)
    return await _answer(db, documents, app)


@api.put(f"{ById}/current-appointments", summary="现有职称评聘情况（按给定顺序）", response_model=ApplicationOut)
async def save_current_appointments(application_id: uuid.UUID, data: RowsIn[CurrentAppointmentIn],
                                    person: CurrentPerson, db: DbSession, documents: Documents,
                                    if_match: IfMatch = None) -> JSONResponse:
    app = await sections.save_current_appointments(db, person, application_id, if_match, data.rows)
    return await _answer(db, documents, app)


@api.put(f"{ById}/attachments", summary="附件上传", response_model=ApplicationOut)
async def save_attachments(application_id: uuid.UUID, data: AttachmentsIn, person: CurrentPerson, db: DbSession,
                           documents: Documents, if_match: IfMatch = None) -> JSONResponse:
    app = await sections.save_attachments(db, person, application_id, if_match, data.items)
    return await _answer(db, documents, app)


@api.put(f"{ById}/extra", summary="破格申报 / 转评申报", response_model=ApplicationOut)
async def save_extra(application_id: uuid.UUID, data: ExtraIn, person: CurrentPerson, db: DbSession,
                     documents: Documents, if_match: IfMatch = None) -> JSONResponse:
    app = await sections.save_extra(db, person, application_id, if_match, data)
    return await _answer(db, documents, app)


@api.post(f"{ById}/checks", summary="开始检测：逐项检查是否符合提交条件")
async def run_checks(application_id: uuid.UUID, person: CurrentPerson, db: DbSession) -> ChecksOut:
    return await drafts.checked(db, person, application_id)


@api.post(f"{ById}/submit", summary="提交审核（再次检测，全部符合方可提交）", response_model=ApplicationOut)
async def submit(application_id: uuid.UUID, person: CurrentPerson, db: DbSession, documents: Documents,
                 if_match: IfMatch = None) -> JSONResponse:
    app = await drafts.submit(db, person, application_id, if_match)
    return await _answer(db, documents, app)


@api.get(f"{ById}/importable", summary="可导入的已通过业绩（导入对话框）")
async def importable(application_id: uuid.UUID, person: CurrentPerson, db: ReadSession,
                     section: str = "work_experience") -> list[ImportableOut]:
    return await imports.importable(db, person, application_id, section)


@api.post(f"{ById}/items", summary="导入业绩", response_model=ApplicationOut)
async def import_entries(application_id: uuid.UUID, data: ImportIn, person: CurrentPerson, db: DbSession,
                         documents: Documents, if_match: IfMatch = None) -> JSONResponse:
    app = await imports.import_entries(db, person, application_id, if_match, data.section,
                                                               data.entry_ids)
    return await _answer(db, documents, app)


@api.patch(f"{ById}/items/{{item_id}}", summary="设置最高学历 / 年度考核结果", response_model=ApplicationOut)
async def change_item(application_id: uuid.UUID, item_id: uuid.UUID, data: ItemChange, person: CurrentPerson,
                      db: DbSession, documents: Documents, if_match: IfMatch = None) -> JSONResponse:
    app = await imports.change(db, person, application_id, if_match, item_id, data)
    return await _answer(db, documents, app)


@api.post(f"{ById}/items/{{item_id}}/move", summary="上移 / 下移", response_model=ApplicationOut)
async def move_item(application_id: uuid.UUID, item_id: uuid.UUID, data: MoveIn, person: CurrentPerson,
                    db: DbSession, documents: Documents, if_match: IfMatch = None) -> JSONResponse:
    app = await imports.move(db, person, application_id, if_match, item_id, data.direction)
    return await _answer(db, documents, app)


@api.delete(f"{ById}/items/{{item_id}}", summary="移除导入的业绩（不删除业绩库数据）", response_model=ApplicationOut)
async def remove_item(application_id: uuid.UUID, item_id: uuid.UUID, person: CurrentPerson, db: DbSession,
                      documents: Documents, if_match: IfMatch = None) -> JSONResponse:
    app = await imports.remove(db, person, application_id, if_match, item_id)
    return await _answer(db, documents, app)


# --- deciders (review.py) ----------------------------------------------------------------------
@api.get("/reviews/desks", summary="我的审核工作台：各审核范围及待审核数量")
async def review_desks(principal: CurrentPrincipal, db: ReadSession) -> list[DeskOut]:
    return await review.desks(db, principal)


@api.get("/reviews", summary="待我审核的申报（waiting）/ 我审核过的申报（decided）")
async def review_queue(principal: CurrentPrincipal, db: DbSession, page: Page,
                       view: Literal["waiting", "decided"] = "waiting", plan_id: uuid.UUID | None = None,
                       person_name: Annotated[str | None, Query(max_length=50)] = None) -> Paged[ReviewItem]:
    return await review.queue(db, principal, view=view, plan_id=plan_id, name=person_name or None,
                              offset=page.offset,
                              limit=page.page_size, page=page.page)


@api.post("/reviews/decisions", summary="批量审核（逐条处理，互不影响）")
async def decide_batch(data: BatchDecisionIn, principal: CurrentPrincipal, db: DbSession) -> BatchResult:
    return await review.decide_batch(db, principal, data)


@api.get("/reviews/{application_id}", summary="审核查看申报（申报一览表，只读）")
async def review_read(application_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession) -> ReviewOut:
    return await review.read(db, principal, application_id)


async def _generated(documents: Documents, app: Application) -> GeneratedDocumentsOut:
    found = await shared_documents.generated(documents, app.id)
    items = [GeneratedDocumentOut(**d) for d in found["items"]]
    form = next((d for d in items if d.kind == "review_form"), None)
    preparing = app.submitted_at is not None and (form is None or form.created_at < app.submitted_at)
    progress = next((RenderProgressOut(**r) for r in found["rendering"] if r["kind"] == "review_form"), None)
    return GeneratedDocumentsOut(items=items, preparing=preparing, progress=progress if preparing else None)


@api.get(f"{ById}/documents", summary="导出申报信息：系统生成的评审表等 PDF（短期下载链接）")
async def documents_mine(application_id: uuid.UUID, person: CurrentPerson, db: DbSession,
                         documents: Documents) -> GeneratedDocumentsOut:
    return await _generated(documents, await drafts.owned(db, person, application_id))


@api.get("/reviews/{application_id}/documents", summary="审核查看系统生成的评审表等 PDF（短期下载链接）")
async def review_documents(application_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession,
                           documents: Documents) -> GeneratedDocumentsOut:
    app, _ = await review.visible(db, principal, application_id)
    return await _generated(documents, app)


@api.get("/reviews/{application_id}/files", summary="审核查看附件（附件一览表，短期链接）")
async def review_files(application_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession,
                       documents: Documents) -> list[FileLinkOut]:
    return await review.file_links(db, principal, application_id, client=documents)


@api.post("/reviews/{application_id}/decision", summary="审核：通过 / 退回修改 / 不通过")
async def decide(application_id: uuid.UUID, data: DecisionIn, principal: CurrentPrincipal,
                 db: DbSession) -> ReviewOut:
    await review.decide(db, principal, application_id, data)
    return await review.read(db, principal, application_id)


# --- 免面试 and interviews (interviews.py) ------------------------------------------------------
@api.get(f"{ById}/exemption", summary="免面试：我的申请与审批结果，以及现在能否申请")
async def my_exemption(application_id: uuid.UUID, person: CurrentPerson, db: DbSession) -> ExemptionStateOut:
    return await interviews.exemption_state(db, person, application_id)


@api.post(f"{ById}/exemption", status_code=201, summary="申请免面试（理由与证明材料；不同意后可再次申请）")
async def request_exemption(application_id: uuid.UUID, data: ExemptionIn, person: CurrentPerson, db: DbSession,
                            documents: Documents) -> ExemptionStateOut:
    return await interviews.request_exemption(db, person, application_id, data, client=documents)


@api.get(f"{ById}/interview", summary="准考证：面试安排（准考证号、时间、地点）")
async def my_interview(application_id: uuid.UUID, person: CurrentPerson, db: DbSession) -> AdmissionOut:
    return await interviews.admission(db, person, application_id)


@api.get("/exemptions", summary="免面试申请（组建单位的计划管理员）")
async def exemption_list(principal: CurrentPrincipal, db: DbSession, page: Page, plan_id: uuid.UUID | None = None,
                         status: Literal["requested", "granted", "refused"] | None = None) -> Paged[ExemptionItem]:
    return await interviews.exemptions(db, principal, plan_id=plan_id, status=status, offset=page.offset,
                                       limit=page.page_size, page=page.page)


@api.get("/exemptions/{application_id}", summary="免面试申请详情（组建单位的计划管理员）")
async def exemption_read(application_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession) -> ExemptionItem:
    return await interviews.exemption(db, principal, application_id)


@api.get("/exemptions/{application_id}/files", summary="免面试证明材料（短期链接）")
async def exemption_files(application_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession,
                          documents: Documents) -> list[FileLinkOut]:
    return await interviews.exemption_files(db, principal, application_id, client=documents)


@api.post("/exemptions/{application_id}/decision", summary="审批免面试：同意 / 不同意（须填写理由）")
async def exemption_decide(application_id: uuid.UUID, data: ExemptionDecisionIn, principal: CurrentPrincipal,
                           db: DbSession) -> ExemptionItem:
    return await interviews.decide_exemption(db, principal, application_id, data)


@api.get("/interviews", summary="面试安排：计划中需要、已安排或免面试的申报（组建单位的计划管理员）")
async def interview_list(plan_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession, page: Page,
                         status: Literal["needed", "exemption_requested", "exempted", "scheduled"] | None = None,
                         ) -> Paged[InterviewItem]:
    return await interviews.interviews(db, principal, plan_id=plan_id, status=status, offset=page.offset,
                                       limit=page.page_size, page=page.page)


@api.post("/interviews", summary="安排面试（单个或批量，逐条处理，互不影响；生成准考证号）")
async def schedule_interviews(data: InterviewsIn, principal: CurrentPrincipal, db: DbSession) -> BatchResult:
    return await interviews.schedule(db, principal, data)


# --- 我的职称 and public verification (certificates.py) -------------------------------------------
@api.post(f"{ById}/current-titles/from-certificates", summary="现有职称情况：从我的职称证书导入",
          response_model=ApplicationOut)
async def titles_from_certificates(application_id: uuid.UUID, data: FromCertificatesIn, person: CurrentPerson,
                                   db: DbSession, documents: Documents, if_match: IfMatch = None) -> JSONResponse:
    app = await certificates.into_current_titles(db, person, application_id, if_match, data.certificate_ids)
    return await _answer(db, documents, app)


@api.get("/certificates", summary="我的职称：本人的电子职称证书")
async def my_certificates(person: CurrentPerson, db: ReadSession) -> list[CertificateOut]:
    return await certificates.list_own(db, person)


@api.get("/certificates/{certificate_id}", summary="电子职称证书（本人的）")
async def my_certificate(certificate_id: uuid.UUID, person: CurrentPerson, db: DbSession) -> CertificateOut:
    return await certificates.own(db, person, certificate_id)


@api.get("/verify/{number}", summary="证书查验（公开，无需登录）：证书编号是否真实", response_model=VerificationOut,
         responses={404: {"description": "不是本平台发放的证书编号（genuine: false）"}})
async def verify(number: Annotated[str, Path(max_length=40)], db: DbSession) -> VerificationOut | JSONResponse:
    # No principal on purpose: anyone may check a number. The gateway limits how often.
    found = await certificates.verify(db, number)
    if found is not None:
        return found
    answer = problem(404, "certificate_not_genuine", "未查到该证书",
                     "未查到该证书编号：请核对证书编号是否填写正确（证书编号以 FJZC 开头，共 19 位）")
    return JSONResponse({**json.loads(answer.body), "genuine": False}, status_code=404, media_type=answer.media_type)


# --- the committee online: 评委专家库, 专家遴选, 评审表决 (experts.py, panels.py, votes.py) ----------
@api.get("/organizers/{organizer_id}/experts", summary="评委专家库（组建单位的计划管理员）")
async def expert_pool(organizer_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession) -> list[ExpertOut]:
    return await experts.pool(db, principal, organizer_id)


@api.post("/organizers/{organizer_id}/experts/import", summary="导入专家名单（Excel .xlsx 或 CSV；逐行报告错误）")
async def expert_import(organizer_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession, identity: Identity,
                        file: Annotated[UploadFile, File(description="专家名单：姓名、身份证号、系列、专业、职称级别、工作单位")],
                        ) -> ExpertImportOut:
    content = await file.read(experts.MAX_BYTES + 1)
    return await experts.import_list(db, principal, organizer_id, content, identity=identity)


@api.patch("/organizers/{organizer_id}/experts/{expert_id}", summary="启用 / 停用专家")
async def expert_change(organizer_id: uuid.UUID, expert_id: uuid.UUID, data: ExpertChange,
                        principal: CurrentPrincipal, db: DbSession) -> ExpertOut:
    return await experts.change(db, principal, organizer_id, expert_id, data.active)


@api.get("/committees/{plan_id}", summary="专家遴选：抽取记录、分配与表决进度、表决结果（组建单位的计划管理员）")
async def committee_read(plan_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession) -> CommitteeOut:
    return await votes.committee_view(db, principal, plan_id)


@api.post("/committees/{plan_id}/draw", status_code=201, summary="专家遴选：设定评委人数、候补人数、表决截止时间并随机抽取")
async def committee_draw(plan_id: uuid.UUID, data: DrawIn, principal: CurrentPrincipal, db: DbSession) -> CommitteeOut:
    await panels.make(db, principal, plan_id, data)
    return await votes.committee_view(db, principal, plan_id)


@api.post("/committees/{plan_id}/close", summary="结束表决：按三分之二规则计票，结果进入审核结果")
async def committee_close(plan_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession) -> CommitteeOut:
    return await votes.close(db, principal, plan_id)


@api.get("/votes", summary="评审表决：分配给我评审的申报")
async def vote_list(person: CurrentPerson, db: ReadSession) -> list[VoteItem]:
    return await votes.assignments(db, person)


@api.get("/votes/{application_id}", summary="评审表决：申报一览表（只读）与我的表决")
async def vote_sheet(application_id: uuid.UUID, person: CurrentPerson, db: DbSession) -> VoteSheetOut:
    return await votes.sheet(db, person, application_id)


@api.get("/votes/{application_id}/files", summary="评审表决：附件一览表（短期链接）")
async def vote_files(application_id: uuid.UUID, person: CurrentPerson, db: DbSession,
                     documents: Documents) -> list[FileLinkOut]:
    return await votes.sheet_files(db, person, application_id, client=documents)


@api.put("/votes/{application_id}", summary="表决：同意 / 不同意 / 弃权，并填写评审意见（截止前可修改）")
async def vote_cast(application_id: uuid.UUID, data: VoteIn, person: CurrentPerson, db: DbSession) -> VoteSheetOut:
    return await votes.vote(db, person, application_id, data)
# --- 公示 and 异议 (notices.py) ---------------------------------------------------------------------
@api.get("/public/notices", summary="公示（公开，无需登录）：公示中与近期结束的公示")
async def public_notices(db: DbSession, page: Page) -> Paged[PublicNoticeOut]:
    # No principal on purpose: a 公示 is public. It shows only name, unit, title and major; the
    # gateway limits how often, as for 证书查验.
    return await notices.public_list(db, offset=page.offset, limit=page.page_size, page=page.page)


@api.get("/public/notices/{notice_id}", summary="公示详情（公开，无需登录）：公示对象与公示期")
async def public_notice(notice_id: uuid.UUID, db: DbSession) -> PublicNoticeOut:
    return await notices.public_read(db, notice_id)


@api.get("/notices/desk", summary="公示管理：可发布的公示与我发布的公示（单位经办人 / 组建单位的计划管理员）")
async def notices_desk(principal: CurrentPrincipal, db: DbSession) -> NoticesDeskOut:
    return await notices.desk(db, principal)


@api.post("/notices", status_code=201, summary="发布公示：单位申报公示 / 评审结果公示（N 个工作日）")
async def publish_notice(data: NoticeIn, principal: CurrentPrincipal, db: DbSession) -> ManagedNoticeOut:
    return await notices.publish(db, principal, data)


@api.get("/notices/{notice_id}", summary="我发布的公示（含公示对象与异议数）")
async def managed_notice(notice_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession) -> ManagedNoticeOut:
    return await notices.managed(db, principal, notice_id)


@api.get("/notices/{notice_id}/objections", summary="对我发布的公示提出的异议")
async def notice_objections(notice_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession) -> list[ObjectionOut]:
    return await notices.objections(db, principal, notice_id)


@api.post("/notices/{notice_id}/objections", status_code=201, summary="提出异议（公示期内，须填写理由并附证明材料）")
async def object_to(notice_id: uuid.UUID, data: ObjectionIn, person: CurrentPerson, db: DbSession,
                    documents: Documents) -> ObjectionOut:
    return await notices.object_to(db, person, notice_id, data, client=documents)


@api.post("/notices/{notice_id}/certificates", summary="发放证书：评审结果公示期满后，为无异议成立的申报发放电子职称证书")
async def issue_certificates(notice_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession) -> BatchResult:
    return await notices.issue_certificates(db, principal, notice_id)


@api.get("/objections", summary="我提出的异议")
async def my_objections(person: CurrentPerson, db: DbSession, notice_id: uuid.UUID | None = None) -> list[ObjectionOut]:
    return await notices.mine(db, person, notice_id)


@api.get("/objections/{objection_id}/files", summary="异议的证明材料（短期链接；处理异议的单位或组建单位）")
async def objection_files(objection_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession,
                          documents: Documents) -> list[FileLinkOut]:
    return await notices.evidence(db, principal, objection_id, client=documents)


@api.post("/objections/{objection_id}/resolution", summary="处理异议：成立（终止该申报）/ 不成立，须填写处理意见")
async def resolve_objection(objection_id: uuid.UUID, data: ResolutionIn, principal: CurrentPrincipal,
                            db: DbSession) -> ObjectionOut:
    return await notices.resolve(db, principal, objection_id, data)
