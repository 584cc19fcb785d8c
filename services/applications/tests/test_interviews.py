"""免面试 and interviews over HTTP through the gateway: the organiser's administrators (as plans
names them, by event) decide the requests and schedule interviews, nobody else does; the
applicant asks, sees the decision and the admission details; 准考证号 are unique within a plan
even when many batches run at once."""
from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import re
import secrets
import uuid

import sqlalchemy as sa

from services.applications.tests.test_review import submitted
from services.applications.tests.world import World, request, started, upload
from services.plans.tests.people import Actor, add_admin, person
from shared.clock import SHANGHAI
from shared.db import Database
from shared.testing.events import capture_events
from shared.testing.fixtures import eventually

TICKET = re.compile(r"^(\d{4})(\d{4})(\d{5})$")


def tomorrow(hour: int = 9) -> str:
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)
    return f"{day.isoformat()}T{hour:02d}:00:00"  # no zone: Asia/Shanghai


def another_organizer(stack, world: World, name: str) -> Actor:
    """The administrator of another organiser (once applications heard of them)."""
    admin = person(stack, name, "plan_admin")
    organizer = request(stack, world.admin.browser, "POST", "/plans/organizers",
                        json={"name": f"别的组建单位{secrets.token_hex(3)}"}).json()
    assert add_admin(stack, world.admin, organizer["id"], admin.person_id)
    return admin


def exemption(stack, actor: Actor, app_id: str):
    return request(stack, actor.browser, "GET", f"/applications/applications/{app_id}/exemption")


def ask(stack, actor: Actor, app_id: str, reason: str, file_ids: list[str] | None = None):
    return request(stack, actor.browser, "POST", f"/applications/applications/{app_id}/exemption",
                   json={"reason": reason, "file_ids": file_ids or []})


def decide(stack, who: Actor, app_id: str, granted: bool, reason: str = ""):
    return request(stack, who.browser, "POST", f"/applications/exemptions/{app_id}/decision",
                   json={"granted": granted, "reason": reason})


def schedule(stack, who: Actor, ids: list[str], starts_at: str | None = None, place: str = "福州市鼓楼区考试中心 301 室"):
    return request(stack, who.browser, "POST", "/applications/interviews",
                   json={"application_ids": ids, "starts_at": starts_at or tomorrow(), "place": place})


def listing(stack, who: Actor, plan_id: str, **params) -> dict:
    answer = request(stack, who.browser, "GET", "/applications/interviews", params={"plan_id": plan_id, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_exemption_is_asked_refused_asked_again_and_granted(stack, world, amqp_url):
    plan = world.plan()
    other_admin = another_organizer(stack, world, "别家计划管理员")
    actor = world.applicant("申请免面试")
    app_id = submitted(stack, world, actor, plan)["id"]
    state = exemption(stack, actor, app_id).json()
    assert state["can_request"] and state["current"] is None

    no_reason = ask(stack, actor, app_id, "  ")
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason", no_reason.text
    evidence = upload(stack, actor, "other")

    def asks():
        return ask(stack, actor, app_id, "已取得正高级职称资格，按文件规定可免面试", [evidence])

    asked, events = capture_events(amqp_url, "applications.exemption.requested", asks,
                                   until=lambda seen: any(e.body["subject"] == app_id for e in seen))
    assert asked.status_code == 201, asked.text
    assert asked.json()["current"]["status"] == "requested" and not asked.json()["can_request"]
    fact = next(e.body["data"] for e in events if e.body["subject"] == app_id)
    assert fact["file_ids"] == [evidence] and fact["plan_id"] == plan["id"]
    again = ask(stack, actor, app_id, "再申请一次")
    assert again.status_code == 409 and "等待组建单位审批" in again.json()["detail"]
    # The evidence is claimed with the application: the applicant can no longer delete it.
    assert request(stack, actor.browser, "DELETE", f"/documents/files/{evidence}").status_code == 409

    # The organiser's administrator sees it (with the evidence); nobody else finds it.
    assert eventually(lambda: app_id in [i["application_id"] for i in request(
        stack, world.admin.browser, "GET", "/applications/exemptions",
        params={"plan_id": plan["id"], "status": "requested"}).json()["items"]], timeout=20)
    seen = request(stack, world.admin.browser, "GET", f"/applications/exemptions/{app_id}").json()
    assert seen["person_name"] == "申请免面试" and seen["reason"].startswith("已取得正高级")
    links = request(stack, world.admin.browser, "GET", f"/applications/exemptions/{app_id}/files").json()
    assert [f["file_id"] for f in links] == [evidence] and links[0]["url"]
    for intruder in (other_admin, actor):
        assert request(stack, intruder.browser, "GET", f"/applications/exemptions/{app_id}").status_code == 404
        assert request(stack, intruder.browser, "GET", f"/applications/exemptions/{app_id}/files").status_code == 404
        assert decide(stack, intruder, app_id, True).status_code == 404
    assert request(stack, other_admin.browser, "GET", "/applications/exemptions",
                   params={"plan_id": plan["id"]}).status_code == 404
    assert app_id not in [i["application_id"] for i in request(stack, other_admin.browser, "GET",
                                                                "/applications/exemptions").json()["items"]]

    # 不同意 needs a reason; then the applicant sees it and may ask again.
    unexplained = decide(stack, world.admin, app_id, False)
    assert unexplained.status_code == 422 and unexplained.json()["errors"][0]["field"] == "reason"

    def refuses():
        return decide(stack, world.admin, app_id, False, "证明材料不全，请补充职称证书")

    refused, events = capture_events(amqp_url, "applications.exemption.decided", refuses,
                                     until=lambda seen: any(e.body["subject"] == app_id for e in seen))
    assert refused.status_code == 200 and refused.json()["status"] == "refused", refused.text
    fact = next(e.body["data"] for e in events if e.body["subject"] == app_id)
    assert fact["granted"] is False and fact["decided_by"] == "申报计划管理"
    state = exemption(stack, actor, app_id).json()
    assert state["can_request"] and state["current"]["decision_reason"] == "证明材料不全，请补充职称证书"
    assert ask(stack, actor, app_id, "补充了职称证书", [evidence, upload(stack, actor, "other")]).status_code == 201

    # 同意: once. The applicant cannot ask again, and no interview is scheduled for them.
    granted = decide(stack, world.admin, app_id, True)
    assert granted.status_code == 200 and granted.json()["earlier_refusals"] == 1, granted.text
    twice = decide(stack, world.admin, app_id, False, "改主意了")
    assert twice.status_code == 409 and twice.json()["code"] == "already_decided"
    state = exemption(stack, actor, app_id).json()
    assert state["current"]["status"] == "granted" and not state["can_request"]
    assert [p["decision_reason"] for p in state["previous"]] == ["证明材料不全，请补充职称证书"]
    assert ask(stack, actor, app_id, "再来").status_code == 409
    result = schedule(stack, world.admin, [app_id]).json()
    assert result["done"] == [] and "已同意免面试" in result["failed"][app_id]
    mine = request(stack, actor.browser, "GET", "/applications/applications").json()
    assert next(a for a in mine if a["id"] == app_id)["exemption"]["status_label"] == "同意免面试"


def test_no_exemption_where_there_is_no_interview_or_before_submission(stack, world):
    actor = world.applicant("无面试计划")
    draft = started(stack, actor, world.plan(has_interview=False))
    state = exemption(stack, actor, draft["id"]).json()
    assert not state["can_request"] and "无面试" in state["why_not"]
    refused = ask(stack, actor, draft["id"], "理由")
    assert refused.status_code == 409 and refused.json()["code"] == "exemption_not_possible"
    another = world.applicant("尚未提交")
    draft = started(stack, another, world.plan())
    assert "提交审核后" in exemption(stack, another, draft["id"]).json()["why_not"]
    assert request(stack, another.browser, "GET", f"/applications/applications/{draft['id']}/interview").status_code == 404


def test_interviews_are_scheduled_by_the_organisers_admins_only(stack, world, amqp_url):
    plan = world.plan()
    other_admin = another_organizer(stack, world, "别家面试安排")
    actor, waiting = world.applicant("参加面试"), world.applicant("等待免面试")
    app_id = submitted(stack, world, actor, plan)["id"]
    pending_id = submitted(stack, world, waiting, plan)["id"]
    assert ask(stack, waiting, pending_id, "理由").status_code == 201
    mine = f"/applications/applications/{app_id}/interview"
    assert request(stack, actor.browser, "GET", mine).status_code == 404  # not yet

    rows = {i["application_id"]: i for i in listing(stack, world.admin, plan["id"])["items"]}
    assert rows[app_id]["interview_status"] == "needed" and rows[app_id]["can_schedule"]
    assert rows[pending_id]["interview_status"] == "exemption_requested" and not rows[pending_id]["can_schedule"]
    assert [i["application_id"] for i in listing(stack, world.admin, plan["id"], status="needed")["items"]] == [app_id]

    # Refused: a time in the past, no place; another organiser's admin and the applicant find nothing.
    past = schedule(stack, world.admin, [app_id], starts_at="2020-01-01T09:00:00")
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "starts_at"
    nowhere = schedule(stack, world.admin, [app_id], place=" ")
    assert nowhere.status_code == 422 and nowhere.json()["errors"][0]["field"] == "place"
    for intruder in (other_admin, actor):
        result = schedule(stack, intruder, [app_id]).json()
        assert result["done"] == [] and "未找到" in result["failed"][app_id]
        assert request(stack, intruder.browser, "GET", "/applications/interviews",
                       params={"plan_id": plan["id"]}).status_code == 404

    def schedules():
        return schedule(stack, world.admin, [app_id, pending_id], starts_at=tomorrow(14))

    answer, events = capture_events(amqp_url, "applications.interview.scheduled", schedules,
                                    until=lambda seen: any(e.body["subject"] == app_id for e in seen))
    assert answer.status_code == 200, answer.text
    assert answer.json()["done"] == [app_id] and "尚未审批" in answer.json()["failed"][pending_id]
    fact = next(e.body["data"] for e in events if e.body["subject"] == app_id)
    ticket = TICKET.match(fact["ticket_no"])
    assert ticket and ticket.group(1) == str(plan["year"]) and ticket.group(3) == "00001", fact["ticket_no"]

    admission = request(stack, actor.browser, "GET", mine).json()
    assert admission["ticket_no"] == fact["ticket_no"] and admission["place"] == "福州市鼓楼区考试中心 301 室"
    assert dt.datetime.fromisoformat(admission["starts_at"]).astimezone(SHANGHAI).hour == 14
    assert admission["person_name"] == "参加面试" and admission["photo_file_id"] and admission["title"] == "高级工程师"
    assert request(stack, waiting.browser, "GET", mine).status_code == 404  # another person's
    summary = next(a for a in request(stack, actor.browser, "GET", "/applications/applications").json()
                   if a["id"] == app_id)
    assert summary["interview"]["ticket_no"] == fact["ticket_no"]
    again = schedule(stack, world.admin, [app_id]).json()
    assert again["done"] == [] and "已安排面试" in again["failed"][app_id]
    scheduled = listing(stack, world.admin, plan["id"], status="scheduled")["items"]
    assert [(i["application_id"], i["ticket_no"]) for i in scheduled] == [(app_id, fact["ticket_no"])]


def test_an_administrator_removed_by_the_operator_loses_access_at_once(stack, world, amqp_url):
    plan = world.plan()
    helper = person(stack, "临时计划管理员", "plan_admin")

    def added():
        return add_admin(stack, world.admin, world.organizer_id, helper.person_id)

    assert capture_events(amqp_url, "plans.organizer.admin_added", added,
                          until=lambda seen: any(e.body["data"]["person_id"] == helper.person_id for e in seen))[0]
    assert eventually(lambda: request(stack, helper.browser, "GET", "/applications/interviews",
                                      params={"plan_id": plan["id"]}).status_code == 200, timeout=20)
    removed = request(stack, world.admin.browser, "DELETE",
                      f"/plans/organizers/{world.organizer_id}/admins/{helper.person_id}")
    assert removed.status_code == 204, removed.text
    assert eventually(lambda: request(stack, helper.browser, "GET", "/applications/interviews",
                                      params={"plan_id": plan["id"]}).status_code == 404, timeout=20)


def _clone(stack, app_id: str, count: int) -> list[str]:
    """``count`` more applications in review to the same plan, copies of ``app_id`` for persons of
    their own (filling twenty through the pages would be slow and tests nothing new here)."""
    async def run() -> list[str]:
        db = Database(stack.urls.databases["applications"], pool_size=1, max_overflow=0)
        try:
            async with db.sessionmaker() as session, session.begin():
                columns = [f'"{c}"' for c in (await session.execute(sa.text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'applications'"))).scalars()
                    if c not in ("id", "person_id")]
                ids = [str(uuid.uuid4()) for _ in range(count)]
                for new_id in ids:
                    await session.execute(sa.text(
                        f"INSERT INTO applications (id, person_id, {', '.join(columns)}) "
                        f"SELECT :id, :person, {', '.join(columns)} FROM applications WHERE id = :source"),
                        {"id": new_id, "person": str(uuid.uuid4()), "source": app_id})
                return ids
        finally:
            await db.dispose()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def test_twenty_concurrent_schedules_of_one_plan_get_distinct_tickets(stack, world):
    plan = world.plan()
    actor = world.applicant("并发面试")
    first = submitted(stack, world, actor, plan)["id"]
    ids = [first, *_clone(stack, first, 19)]
    assert eventually(lambda: len(listing(stack, world.admin, plan["id"], status="needed")["items"]) == 20,
                      timeout=20)
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda i: schedule(stack, world.admin, [i]), ids))
    assert all(a.status_code == 200 and len(a.json()["done"]) == 1 for a in answers), [a.text for a in answers]
    tickets = [i["ticket_no"] for i in listing(stack, world.admin, plan["id"], status="scheduled",
                                                page_size=100)["items"]]
    assert len(tickets) == 20 and len(set(tickets)) == 20
    assert sorted(int(TICKET.match(t).group(3)) for t in tickets) == list(range(1, 21))
    assert len({TICKET.match(t).group(2) for t in tickets}) == 1  # one plan, one plan number
