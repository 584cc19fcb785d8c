"""The review stages over HTTP through the gateway: each party decides only where and over whom it
should, a decision is made once, 退回修改 goes back to the applicant and round again, 不通过 is
final, a batch decides each application on its own, and the applicant sees every step."""
from __future__ import annotations

import datetime as dt

from services.applications.tests.world import World, complete, publish_notice, request, started
from services.plans.tests.people import Actor, person
from shared.testing.events import capture_events
from shared.testing.fixtures import eventually

FOUR_STAGES = [{"name": "用人单位审核", "party": "unit"},
               {"name": "主管部门审核", "party": "department"},
               {"name": "职称管理部门审核", "party": "title_office", "party_name": "福建省职称办"},
               {"name": "评委会评审", "party": "committee", "party_name": "福建省工程系列高级职称评审委员会"}]


def submitted(stack, world: World, actor: Actor, plan: dict, *, notice: bool = True) -> dict:
    """Filled and submitted; ``notice``: with its 单位申报公示 (ended long ago), so the unit may pass it."""
    draft = started(stack, actor, plan)
    complete(stack, world, actor, plan, draft)
    app = submit(stack, actor, draft["id"])
    if notice:
        publish_notice(stack, world.unit, plan)
    return app


def submit(stack, actor: Actor, application_id: str) -> dict:
    base = f"/applications/applications/{application_id}"
    version = request(stack, actor.browser, "GET", base).json()["version"]
    answer = request(stack, actor.browser, "POST", base + "/submit", version=version)
    assert answer.status_code == 200, answer.text
    return answer.json()


def decide(stack, who, application_id: str, version: int, outcome: str = "pass", reason: str = ""):
    """A decision on the version the decider saw."""
    browser = who.browser if isinstance(who, Actor) else who
    return request(stack, browser, "POST", f"/applications/reviews/{application_id}/decision",
                   json={"version": version, "outcome": outcome, "reason": reason})


def version_of(stack, actor: Actor, application_id: str) -> int:
    return request(stack, actor.browser, "GET", f"/applications/applications/{application_id}").json()["version"]


def waiting(stack, who) -> list[str]:
    browser = who.browser if isinstance(who, Actor) else who
    answer = request(stack, browser, "GET", "/applications/reviews", params={"view": "waiting", "page_size": 100})
    assert answer.status_code == 200, answer.text
    return [i["id"] for i in answer.json()["items"]]


def assign(stack, world: World, plan: dict, stage_name: str, actor: Actor) -> None:
    """Once plans heard of the person (registered a moment ago)."""
    stage = next(s for s in plan["stages"] if s["name"] == stage_name)
    path = f"/plans/plans/{plan['id']}/stages/{stage['id']}/assignees"
    assert eventually(lambda: request(stack, world.admin.browser, "POST", path, json={"person_id": actor.person_id})
                      .status_code == 201, timeout=20)


def test_every_stage_decides_in_turn_over_its_own_scope(stack, world, amqp_url):
    plan = world.plan(stages=FOUR_STAGES)
    department = person(stack, "主管部门科员")
    office, committee = person(stack, "职称办审核员"), person(stack, "评委会秘书")
    operator = person(stack, "运维人员", "operator")
    assert eventually(lambda: request(stack, operator.browser, "POST", "/units/departments/FJ-RSW/staff",
                                      json={"person_id": department.person_id}).status_code == 201, timeout=20)
    assign(stack, world, plan, "职称管理部门审核", office)
    assign(stack, world, plan, "评委会评审", committee)
    other_unit, _ = stack.unit_browser("别的测试单位")

    actor = world.applicant("逐级审核")
    app = submitted(stack, world, actor, plan)
    app_id = app["id"]

    # 用人单位: the applicant's unit sees it waiting; another unit does not even find it.
    assert app_id in waiting(stack, world.unit)
    assert app_id not in waiting(stack, other_unit)
    assert request(stack, other_unit, "GET", f"/applications/reviews/{app_id}").status_code == 404
    version = app["version"]
    assert decide(stack, other_unit, app_id, version).status_code == 404
    # The applicant cannot decide; the department cannot decide before its turn.
    assert decide(stack, actor, app_id, version).status_code == 404
    assert eventually(lambda: request(stack, department.browser, "GET", "/applications/reviews/desks").json(),
                      timeout=20)
    early = decide(stack, department, app_id, version)
    assert early.status_code == 403 and early.json()["code"] == "not_stage_decider", early.text

    seen = request(stack, world.unit, "GET", f"/applications/reviews/{app_id}").json()
    assert seen["can_decide"] and seen["person"]["name"] == "逐级审核" and seen["sections"]

    def unit_passes():
        return decide(stack, world.unit, app_id, version)

    passed, events = capture_events(amqp_url, "applications.application.stage_passed", unit_passes,
                                    until=lambda seen: any(e.body["subject"] == app_id for e in seen), timeout=10)
    assert passed.status_code == 200, passed.text
    assert passed.json()["status_label"] == "审核中（主管部门审核）" and not passed.json()["can_decide"]
    fact = next(e.body["data"] for e in events if e.body["subject"] == app_id)
    assert fact["next_stage_name"] == "主管部门审核" and fact["decided_for"].startswith("申报测试单位")
    # Made once: the same decision again (a double click, another 经办人) is refused.
    again = decide(stack, world.unit, app_id, version)
    assert again.status_code == 409 and again.json()["code"] == "already_decided"

    # 主管部门 → 职称管理部门 → 评委会, each by its own people only.
    assert app_id in waiting(stack, department) and app_id not in waiting(stack, office)
    assert decide(stack, world.unit, app_id, version + 1).json()["code"] == "not_stage_decider"
    assert decide(stack, department, app_id, version + 1).status_code == 200
    assert eventually(lambda: app_id in waiting(stack, office), timeout=10)
    refused = decide(stack, committee, app_id, version + 2)  # the plan's, but not its turn
    assert refused.status_code == 403 and refused.json()["code"] == "not_stage_decider"
    assert decide(stack, office, app_id, version + 2).status_code == 200

    def committee_passes():
        return decide(stack, committee, app_id, version + 3)

    last, events = capture_events(amqp_url, "applications.application.approved", committee_passes,
                                  until=lambda seen: any(e.body["subject"] == app_id for e in seen), timeout=10)
    assert last.status_code == 200 and last.json()["status"] == "approved", last.text

    # The applicant's timeline: who decided, for whom, at which stage.
    mine = request(stack, actor.browser, "GET", f"/applications/applications/{app_id}").json()
    assert mine["status_label"] == "审核通过"
    assert [(s["kind"], s["stage_name"]) for s in mine["steps"]] == [
        ("submitted", "用人单位审核"), ("passed", "用人单位审核"), ("passed", "主管部门审核"),
        ("passed", "职称管理部门审核"), ("passed", "评委会评审")]
    assert [s["actor_name"] for s in mine["steps"][2:]] == ["主管部门科员", "职称办审核员", "评委会秘书"]
    assert mine["steps"][2]["acted_for"] == "福建省人力资源和社会保障厅"
    assert mine["steps"][4]["acted_for"] == "福建省工程系列高级职称评审委员会"
    # What they decided stays in each decider's record.
    decided = request(stack, office.browser, "GET", "/applications/reviews", params={"view": "decided"}).json()
    assert [i["id"] for i in decided["items"]] == [app_id]


def test_returned_for_changes_the_applicant_edits_and_submits_again(stack, world, amqp_url):
    plan = world.plan()  # 用人单位审核 → 评委会评审; resubmitted applications start again at the first
    actor = world.applicant("退回修改")
    app_id = submitted(stack, world, actor, plan)["id"]

    no_reason = decide(stack, world.unit, app_id, version_of(stack, actor, app_id), "return")
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"

    def unit_returns():
        return decide(stack, world.unit, app_id, version_of(stack, actor, app_id), "return", "个人信息中的现从事专业填写有误")

    returned, events = capture_events(amqp_url, "applications.application.returned", unit_returns,
                                      until=lambda seen: any(e.body["subject"] == app_id for e in seen), timeout=10)
    assert returned.status_code == 200, returned.text
    assert next(e.body["data"]["reason"] for e in events if e.body["subject"] == app_id) == "个人信息中的现从事专业填写有误"

    base = f"/applications/applications/{app_id}"
    mine = request(stack, actor.browser, "GET", base).json()
    assert mine["status_label"] == "退回修改（用人单位审核）" and {"edit", "submit"} <= set(mine["actions"])
    assert "delete" not in mine["actions"]
    assert mine["steps"][-1]["reason"] == "个人信息中的现从事专业填写有误"
    assert app_id not in waiting(stack, world.unit)

    # Edit, re-check, resubmit: at the first stage again, the unit decides again.
    fixed = request(stack, actor.browser, "PUT", base + "/profile", version=mine["version"],
                    json={**mine["profile"], "profession": "桥梁结构设计"})
    assert fixed.status_code == 200, fixed.text
    assert request(stack, actor.browser, "POST", base + "/checks").json()["ok"]
    again = submit(stack, actor, app_id)
    assert again["status_label"] == "审核中（用人单位审核）"
    assert [s["kind"] for s in again["steps"]] == ["submitted", "returned", "submitted"]
    assert app_id in waiting(stack, world.unit)
    # A page opened before the return is refused, not applied to the resubmitted application.
    stale = decide(stack, world.unit, app_id, mine["version"] - 1)
    assert stale.status_code == 409 and stale.json()["code"] == "already_decided"
    # The notice listed the submission before the return: the resubmitted one needs a new notice.
    unnoticed = decide(stack, world.unit, app_id, again["version"])
    assert unnoticed.status_code == 409 and unnoticed.json()["code"] == "notice_required", unnoticed.text
    assert publish_notice(stack, world.unit, plan)["count"] == 1  # 2025-09-26 through 10-09
    with stack.on(dt.date(2025, 10, 9)):
        early = decide(stack, world.unit, app_id, again["version"])
        assert early.status_code == 409 and early.json()["code"] == "notice_running", early.text
    assert decide(stack, world.unit, app_id, again["version"]).status_code == 200


def test_a_batch_decides_each_on_its_own_and_a_rejection_is_final(stack, world):
    plan = world.plan()
    first, second = world.applicant("批量一"), world.applicant("批量二")
    one, two = submitted(stack, world, first, plan)["id"], submitted(stack, world, second, plan)["id"]
    # Someone else already passed the second one: the batch passes the first and says why not the second.
    # 申报审核 finds an applicant by name.
    found = world.unit.get(f"{stack.gateway}/reviews", params={"q": "批量一"}, headers={"accept": "text/html"}).text
    assert f"review-{one}" in found and f"review-{two}" not in found
    versions = {one: version_of(stack, first, one), two: version_of(stack, second, two)}
    assert decide(stack, world.unit, two, versions[two]).status_code == 200
    batch = request(stack, world.unit, "POST", "/applications/reviews/decisions",
                    json={"applications": [{"application_id": two, "version": versions[two]},
                                           {"application_id": one, "version": versions[one]}],
                          "outcome": "pass"})
    assert batch.status_code == 200, batch.text
    assert batch.json()["done"] == [one] and batch.json()["failed"][two].startswith("批量二：该申报在您打开之后已有变化")

    # 不通过 needs a reason, and is final: the applicant can no longer change or resubmit it.
    committee = person(stack, "评委会不通过")
    assign(stack, world, plan, "评委会评审", committee)
    assert eventually(lambda: one in waiting(stack, committee), timeout=20)
    rejected = decide(stack, committee, one, versions[one] + 1, "reject", "业绩条件不满足评审标准")
    assert rejected.status_code == 200 and rejected.json()["status_label"] == "未通过（评委会评审）", rejected.text
    mine = request(stack, first.browser, "GET", f"/applications/applications/{one}").json()
    assert mine["actions"] == [] and mine["steps"][-1]["reason"] == "业绩条件不满足评审标准"
    resubmit = request(stack, first.browser, "POST", f"/applications/applications/{one}/submit",
                       version=mine["version"])
    assert resubmit.status_code == 409 and resubmit.json()["code"] == "wrong_status"


def test_a_plan_may_resume_at_the_stage_that_returned_it(stack, world):
    plan = world.plan(resubmit_from="returning")
    committee = person(stack, "评委会退回")
    assign(stack, world, plan, "评委会评审", committee)
    actor = world.applicant("从退回环节继续")
    app_id = submitted(stack, world, actor, plan)["id"]
    assert decide(stack, world.unit, app_id, version_of(stack, actor, app_id)).status_code == 200
    assert eventually(lambda: app_id in waiting(stack, committee), timeout=20)
    assert decide(stack, committee, app_id, version_of(stack, actor, app_id), "return", "请补充业绩证明材料").status_code == 200
    again = submit(stack, actor, app_id)
    assert again["status_label"] == "审核中（评委会评审）"
    assert app_id in waiting(stack, committee) and app_id not in waiting(stack, world.unit)


def test_a_unit_reviewer_never_decides_their_own_application(stack, world):
    plan = world.plan()
    actor = world.applicant("经办人本人申报")
    named = request(stack, world.unit, "POST", f"/units/units/{world.unit_account['unit_id']}/reviewers",
                    json={"id_number": actor.account["id_number"]})
    assert named.status_code == 201, named.text
    app = submitted(stack, world, actor, plan)

    def a_unit_desk() -> bool:
        stack.relogin(actor.browser, actor.account)  # the token names the units a person reviews for
        return bool(request(stack, actor.browser, "GET", "/applications/reviews/desks").json())

    assert eventually(a_unit_desk, timeout=20)
    assert app["id"] not in waiting(stack, actor)  # not even listed as waiting for them
    own = decide(stack, actor, app["id"], app["version"])
    assert own.status_code == 403 and own.json()["code"] == "own_application"
