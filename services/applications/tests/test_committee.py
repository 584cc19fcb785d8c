"""The committee online over HTTP through the gateway: an organiser's administrators import their
pool of experts (row errors in Chinese), draw a plan's panel (recorded, reproducible, 回避), the
drawn experts vote on the applications assigned to them, and the close decides each by two thirds
through the review's own path."""
from __future__ import annotations

import asyncio
import concurrent.futures
import io
import secrets
import uuid

import openpyxl
import sqlalchemy as sa

from services.applications.panels import draw
from services.applications.tests.test_interviews import another_organizer, tomorrow
from services.applications.tests.test_review import assign, decide, submitted, version_of
from services.applications.tests.world import World, certify, make_world, request, start
from services.plans.tests.people import Actor, person
from shared.db import Database
from shared.testing.fixtures import eventually

HEADER = ["姓名", "身份证号", "系列", "专业", "职称级别", "工作单位"]


def sql(stack, statement: str, **params) -> None:
    """A change the API cannot make (time passing), straight in applications' database."""
    async def run() -> None:
        db = Database(stack.urls.databases["applications"], pool_size=1, max_overflow=0)
        try:
            async with db.sessionmaker() as session, session.begin():
                await session.execute(sa.text(statement), params)
        finally:
            await db.dispose()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def csv_of(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in [HEADER, *rows]).encode("utf-8-sig")


def xlsx_of(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    for row in [HEADER, *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_list(stack, who: Actor, organizer_id: str, content: bytes, name: str = "专家名单.csv"):
    return request(stack, who.browser, "POST", f"/applications/organizers/{organizer_id}/experts/import",
                   files={"file": (name, content, "application/octet-stream")})


def vote(stack, who: Actor, app_id: str, choice: str, opinion: str = ""):
    return request(stack, who.browser, "PUT", f"/applications/votes/{app_id}", json={"choice": choice,
                                                                                       "opinion": opinion})


def row(actor: Actor, unit: str = "", *, series: str = "工程", majors: str = "建筑工程、结构工程") -> list[str]:
    return [actor.account["name"], actor.account["id_number"], series, majors, "正高级", unit]


def at_committee(stack, world: World, plan: dict, name: str) -> tuple[Actor, str]:
    """An applicant of the world's unit whose application waits at the plan's 评委会 stage."""
    actor = world.applicant(name)
    app_id = submitted(stack, world, actor, plan)["id"]
    assert decide(stack, world.unit, app_id, version_of(stack, actor, app_id)).status_code == 200
    return actor, app_id


def test_the_pool_the_draw_the_vote_and_the_close(stack):
    # A world of its own: the shared one's organiser lists its plans ten to a page for other tests.
    world = make_world(stack)
    plan = world.plan()
    first, one = at_committee(stack, world, plan, "表决甲")
    second, two = at_committee(stack, world, plan, "表决乙")
    elsewhere, elsewhere_account = stack.unit_browser(f"评委所在单位{secrets.token_hex(3)}")
    experts = [person(stack, f"评委{n}") for n in range(8)]
    secretary = person(stack, "评委会秘书")
    assign(stack, world, plan, "评委会评审", secretary)
    same_unit = experts[0]  # of the applicants' unit: reviews neither (同单位)
    rows = [row(same_unit, world.unit_account["unit_name"])] + [row(e, elsewhere_account["unit_name"])
                                                                  for e in experts[1:]]
    rows.append(row(first))  # an applicant of the plan (unit: their binding): never drawn
    pool_path = f"/applications/organizers/{world.organizer_id}/experts"

    # Applications learns of the units by events: once it has, every good row is in.
    def imported():
        answer = import_list(stack, world.admin, world.organizer_id, csv_of(rows))
        return answer.status_code == 200 and not answer.json()["errors"] and answer
    assert eventually(imported, timeout=20), import_list(stack, world.admin, world.organizer_id, csv_of(rows)).text
    stranger = stack.new_person("未注册专家")
    broken = first.account["id_number"][:17] + ("0" if first.account["id_number"][17] != "0" else "1")
    bad = import_list(stack, world.admin, world.organizer_id, xlsx_of([
        row(experts[1], elsewhere_account["unit_name"]),  # again: updated
        ["坏号专家", broken, "工程", "建筑工程", "正高级", ""],
        ["天文专家", experts[2].account["id_number"], "天文", "建筑工程", "正高级", ""],
        [stranger["name"], stranger["id_number"], "工程", "建筑工程", "副高级", elsewhere_account["unit_name"]],
        ["别人的名字", experts[3].account["id_number"], "工程", "建筑工程", "特级", "不存在的单位"],
        ["", "", "", "", "", ""],  # a blank line is skipped
        [experts[4].account["name"], experts[4].account["id_number"], "工程", "建筑工程", "中级", "不存在的单位"],
    ]), "专家名单.xlsx")
    assert bad.status_code == 200, bad.text
    assert bad.json() == {"added": 0, "updated": 1, "errors": [
        "第3行：身份证号校验位不正确，请核对号码",
        "第4行：系列「天文」不在平台代码表中",
        "第5行：该人员尚未在本平台注册，请其先使用闽政通个人账号登录注册",
        "第6行：职称级别「特级」应为正高级、副高级、中级或初级",
        "第8行：工作单位「不存在的单位」未在平台注册"]}
    missing_column = import_list(stack, world.admin, world.organizer_id, "姓名,身份证号\n张三,1\n".encode())
    assert missing_column.status_code == 422 and "缺少列：系列、专业、职称级别" in missing_column.text
    pool = request(stack, world.admin.browser, "GET", pool_path).json()
    assert len(pool) == 9 and all(e["active"] for e in pool)
    mine = next(e for e in pool if e["person_id"] == first.person_id)
    assert mine["unit_id"] == world.unit_account["unit_id"] and mine["majors"] == ["建筑工程", "结构工程"]

    # Only the organiser's administrators see and change the pool.
    other_admin = another_organizer(stack, world, "别的计划管理员")
    for who in (other_admin, experts[1], first):
        assert request(stack, who.browser, "GET", pool_path).status_code == 404
        assert import_list(stack, who, world.organizer_id, csv_of(rows)).status_code == 404
        assert request(stack, who.browser, "GET", f"/applications/committees/{plan['id']}").status_code == 404
        assert request(stack, who.browser, "POST", f"/applications/committees/{plan['id']}/draw",
                       json={"panel_size": 7, "reserve_count": 1, "deadline": tomorrow()}).status_code == 404

    # Deactivated experts are not drawn.
    expert_path = f"{pool_path}/{pool[0]['id']}"
    assert request(stack, world.admin.browser, "PATCH", expert_path, json={"active": False}).json()["active"] is False
    committee_path = f"/applications/committees/{plan['id']}"
    assert request(stack, world.admin.browser, "GET", committee_path).json()["matching"] == 8
    assert request(stack, world.admin.browser, "PATCH", expert_path, json={"active": True}).json()["active"] is True

    def draw_(panel_size: int, reserves: int, deadline: str | None = None):
        return request(stack, world.admin.browser, "POST", f"{committee_path}/draw",
                       json={"panel_size": panel_size, "reserve_count": reserves, "deadline": deadline or tomorrow()})

    even = draw_(6, 1)
    assert even.status_code == 422 and "奇数" in even.text
    past = draw_(7, 1, "2020-01-01T09:00:00")
    assert past.status_code == 422 and "表决截止时间应晚于当前时间" in past.text
    too_small = draw_(7, 3)  # 8 candidates (the applicant is not one), 10 needed
    assert too_small.status_code == 409, too_small.text
    assert too_small.json()["detail"].startswith("符合条件的在库专家不足：需要 10 名（评委 7 名、候补 3 名），现有 8 名，还差 2 名")

    drawn = draw_(7, 1)
    assert drawn.status_code == 201, drawn.text
    record = drawn.json()
    assert draw_(7, 1).json()["code"] == "already_drawn"
    # The record reproduces the draw.
    panel, reserves = draw([c["person_id"] for c in record["candidates"]], record["seed"], 7, 1)
    assert [m["person_id"] for m in record["members"]] == panel + reserves
    assert [m["reserve"] for m in record["members"]] == [False] * 7 + [True]
    assert {c["person_id"] for c in record["candidates"]} == {e.person_id for e in experts}
    assert {(e["person_id"], e["reason"], e["application_id"]) for e in record["exclusions"]} == {
        (first.person_id, "本计划申报人", None), (same_unit.person_id, "同单位", one),
        (same_unit.person_id, "同单位", two)}
    # Each application: seven reviewers, none of the applicants' unit (a reserve stands in if needed).
    by_name = {e.account["name"]: e for e in experts}
    reviewers = {a["application_id"]: [by_name[n] for n in a["assigned"]] for a in record["applications"]}
    assert set(reviewers) == {one, two}
    assert all(len(r) == 7 and same_unit not in r for r in reviewers.values())

    # Who is assigned votes; nobody else, not even the panel's member of the applicants' unit.
    assert vote(stack, same_unit, one, "agree").status_code == 404
    assert vote(stack, first, two, "agree").status_code == 404
    assert request(stack, same_unit.browser, "GET", f"/applications/votes/{one}").status_code == 404
    assert request(stack, first.browser, "GET", "/applications/votes").json() == []
    for who, choice in zip(reviewers[one], ["agree"] * 5 + ["disagree"] * 2, strict=True):
        assert vote(stack, who, one, "disagree" if choice == "agree" else "agree").status_code == 200
        changed = vote(stack, who, one, choice, "业绩突出" if choice == "agree" else "论文不足")
        assert changed.status_code == 200 and changed.json()["item"]["my_choice"] == choice
    for who, choice in zip(reviewers[two], ["agree"] * 4 + ["disagree"] + ["abstain"] * 2, strict=True):
        assert vote(stack, who, two, choice).status_code == 200
    # Nobody sees how others voted before the close; the administrators see how many voted.
    sheet = request(stack, reviewers[one][0].browser, "GET", f"/applications/votes/{one}").json()
    assert sheet["votes"] == [] and sheet["item"]["tally"] is None and sheet["application"]["id"] == one
    assert sheet["opinion"] in ("业绩突出", "论文不足")
    files = request(stack, reviewers[one][0].browser, "GET", f"/applications/votes/{one}/files")
    assert files.status_code == 200 and len(files.json()) >= 4
    progress = request(stack, world.admin.browser, "GET", committee_path).json()
    assert {a["application_id"]: a["voted"] for a in progress["applications"]} == {one: 7, two: 7}
    assert all(a["votes"] == [] and a["tally"] is None for a in progress["applications"])
    assert progress["can_close"] is False

    # The stage's own decider cannot decide by hand while the experts vote (it would void their votes).
    by_hand = decide(stack, secretary, one, version_of(stack, first, one), "reject", "手工不通过")
    assert by_hand.status_code == 409 and by_hand.json()["code"] == "committee_voting"

    early = request(stack, world.admin.browser, "POST", f"{committee_path}/close")
    assert early.status_code == 409 and early.json()["code"] == "vote_still_open"
    sql(stack, "UPDATE committees SET deadline = now() - interval '1 second' WHERE plan_id = :plan",
        plan=uuid.UUID(plan["id"]))
    late = vote(stack, reviewers[one][0], one, "abstain")
    assert late.status_code == 409 and late.json()["code"] == "vote_deadline_passed"

    closed = request(stack, world.admin.browser, "POST", f"{committee_path}/close")
    assert closed.status_code == 200, closed.text
    results = {a["application_id"]: a for a in closed.json()["applications"]}
    assert results[one]["tally"]["passed"] is True and results[two]["tally"]["passed"] is False
    assert (results[two]["tally"]["agree"], results[two]["tally"]["abstain"]) == (4, 2)
    assert sorted(v["choice_label"] for v in results[one]["votes"]) == ["不同意"] * 2 + ["同意"] * 5
    assert request(stack, world.admin.browser, "POST", f"{committee_path}/close").json()["code"] == "vote_closed"
    after = vote(stack, reviewers[two][0], two, "agree")
    assert after.status_code == 409 and after.json()["code"] == "vote_closed"

    # The results took the review's path: 5 of 7 passed the last stage, 4 of 7 (2 abstaining) failed.
    passed = request(stack, first.browser, "GET", f"/applications/applications/{one}").json()
    failed = request(stack, second.browser, "GET", f"/applications/applications/{two}").json()
    assert passed["status"] == "approved" and failed["status"] == "rejected"
    assert passed["steps"][-1]["reason"].startswith("评委会表决：同意 5 票，不同意 2 票，弃权 0 票（参加表决 7 人")
    assert failed["steps"][-1]["reason"].startswith("评委会表决：同意 4 票，不同意 1 票，弃权 2 票")
    assert failed["reason"] == failed["steps"][-1]["reason"]
    # Applicants never learn who sat on the panel.
    for text in (request(stack, first.browser, "GET", f"/applications/applications/{one}").text,
                 request(stack, first.browser, "GET", "/applications/applications").text):
        assert not any(e.account["name"] in text for e in experts)
    # Once closed, every assigned expert sees the tally and each vote.
    sheet = request(stack, reviewers[two][0].browser, "GET", f"/applications/votes/{two}").json()
    assert len(sheet["votes"]) == 7 and sheet["item"]["tally"]["passed"] is False
    assert sheet["item"]["can_vote"] is False
    listing = request(stack, reviewers[one][0].browser, "GET", "/applications/votes").json()
    assert {i["application_id"] for i in listing} >= {one} and all(i["closed"] for i in listing)


def test_an_unreadable_list_is_a_clear_error_and_an_id_number_kept_as_a_number_is_refused(stack, world):
    unclosed = "\n".join([",".join(HEADER), '张三,"' + "x" * 200_000]).encode()
    # Applications learns of the organiser's administrators by events.
    broken = eventually(lambda: (r := import_list(stack, world.admin, world.organizer_id, unclosed)).status_code
                        != 404 and r, timeout=20)
    assert broken.status_code == 422 and broken.json()["errors"][0]["field"] == "file", broken.text
    assert broken.json()["errors"][0]["message"].startswith("无法读取专家名单文件：CSV 格式有误")
    whole = xlsx_of([["张三", "350102199001011234", "工程", "建筑工程", "正高级", ""]])
    for cut in (whole[:len(whole) // 2], whole[:-30]):
        truncated = import_list(stack, world.admin, world.organizer_id, cut, "专家名单.xlsx")
        assert truncated.status_code == 422, truncated.text
        assert truncated.json()["errors"][0]["message"].startswith("无法读取专家名单文件：")
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(["张三", 350102199001011234, "工程", "建筑工程", "正高级", ""])
    out = io.BytesIO()
    book.save(out)
    numeric = import_list(stack, world.admin, world.organizer_id, out.getvalue(), "专家名单.xlsx")
    assert numeric.status_code == 200 and numeric.json()["errors"] == ["第2行：身份证号请设为文本格式"], numeric.text


def test_avoidance_the_drawn_experts_and_an_administrator_who_applied(stack):
    """A plan administrator who applied to their own organiser's plan: the draw refuses a panel that
    回避 would leave short; a drawn expert cannot apply to the plan; the administrator sees neither
    their own application nor its reviewers, and cannot certify it."""
    world = make_world(stack)
    plan = world.plan()
    admin = world.admin
    binding = request(stack, admin.browser, "POST", "/units/bindings",
                      json={"unit_id": world.unit_account["unit_id"], "note": "计划管理员本人申报"}).json()
    assert request(stack, world.unit, "POST", f"/units/bindings/{binding['id']}/approve").status_code == 200
    assert eventually(lambda: admin.browser.get(f"{stack.gateway}/api/identity/me").json().get("unit_id"), timeout=20)
    own = submitted(stack, world, admin, plan)["id"]
    assert decide(stack, world.unit, own, version_of(stack, admin, own)).status_code == 200
    elsewhere, elsewhere_account = stack.unit_browser(f"回避评委单位{secrets.token_hex(3)}")
    experts = [person(stack, f"回避评委{n}") for n in range(4)]
    rows = [row(experts[0], world.unit_account["unit_name"])] + [row(e, elsewhere_account["unit_name"])
                                                                   for e in experts[1:3]]

    def imported(rows=rows):
        answer = import_list(stack, admin, world.organizer_id, csv_of(rows))
        return answer.status_code == 200 and not answer.json()["errors"] and answer
    assert eventually(imported, timeout=20)
    committee_path = f"/applications/committees/{plan['id']}"

    def draw_(reserves: int):
        return request(stack, admin.browser, "POST", f"{committee_path}/draw",
                       json={"panel_size": 3, "reserve_count": reserves, "deadline": tomorrow()})

    # All three drawn, one of the applicant's unit: the application would keep two reviewers.
    short = draw_(0)
    assert short.status_code == 409 and short.json()["code"] == "panel_short_after_avoidance", short.text
    assert "还需要 1 名其他单位的候补专家" in short.json()["detail"]
    assert request(stack, admin.browser, "GET", committee_path).json()["drawn"] is False  # nothing kept
    assert eventually(lambda: imported([row(experts[3], elsewhere_account["unit_name"])]), timeout=20)
    drawn = draw_(1)
    assert drawn.status_code == 201, drawn.text
    # The administrator sees the panel, not their own application, its reviewers or its 回避 record.
    assert drawn.json()["applications"] == [] and drawn.json()["exclusions"] == []
    assert len(drawn.json()["members"]) == 4

    # A drawn expert (panel or reserve) cannot apply to the plan.
    refused = start(stack, experts[0], plan)
    assert refused.status_code == 409 and refused.json()["code"] == "drawn_expert", refused.text
    assert refused.json()["detail"] == "您已被抽取为本计划评委会专家，不能申报本计划"

    for expert in experts[1:]:
        assert vote(stack, expert, own, "agree").status_code == 200
    sql(stack, "UPDATE committees SET deadline = now() - interval '1 second' WHERE plan_id = :plan",
        plan=uuid.UUID(plan["id"]))
    assert request(stack, admin.browser, "POST", f"{committee_path}/close").status_code == 200
    assert request(stack, admin.browser, "GET", f"/applications/applications/{own}").json()["status"] == "approved"
    issued = certify(stack, admin.browser, plan)
    assert issued.status_code == 200 and issued.json()["done"] == [], issued.text
    assert "不能为本人的申报发放证书" in issued.json()["failed"][own]
