"""Plans over real HTTP through the gateway: drafts and publication, who may do what, validation,
corrections of published plans, search and paging, the window, and the events."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import secrets
import subprocess
import sys

import aio_pika
import httpx

from services.plans.tests.factories import category, plan
from services.plans.tests.people import call
from services.plans.window import today_in_shanghai
from shared.events.catalogue import PlanSnapshot
from shared.testing.processes import ROOT


def created(stack, cast, data: dict | None = None, *, publish: bool = False) -> dict:
    response = call(stack, cast.operator, "POST", "/plans", json=data or plan())
    assert response.status_code == 201, response.text
    body = response.json()
    if publish:
        body = call(stack, cast.operator, "POST", f"/plans/{body['id']}/publish").json()
    return body


def public(stack, path: str, **params) -> httpx.Response:
    return httpx.get(f"{stack.gateway}/api/plans{path}", params=params)


def test_a_draft_is_seen_only_by_its_organisers_admins_until_published(stack, cast):
    draft = created(stack, cast)
    assert (draft["status"], draft["window"], draft["open"], draft["revision"]) == ("draft", "draft", False, 1)
    assert draft["organizer_name"] == cast.organizer_a["name"]
    assert category(draft)["hint"] == "至少填写1项，最多5项"  # 温馨提示 filled in from the counts

    for who in (cast.applicant, cast.admin_b):
        assert call(stack, who, "GET", f"/plans/{draft['id']}").status_code == 404
    assert public(stack, f"/plans/{draft['id']}").status_code == 404
    assert public(stack, "/plans", name=draft["name"]).json()["total"] == 0
    mine = call(stack, cast.operator, "GET", "/plans", params={"mine": "true", "name": draft["name"]}).json()
    assert [p["status"] for p in mine["items"]] == ["draft"]
    assert call(stack, cast.applicant, "GET", "/plans", params={"mine": "true"}).status_code == 403

    published = call(stack, cast.operator, "POST", f"/plans/{draft['id']}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert published.json()["open"] is True and published.json()["published_at"]
    seen = call(stack, cast.applicant, "GET", f"/plans/{draft['id']}").json()
    assert seen["standard"] == published.json()["standard"] and seen["revision"] == 2
    assert call(stack, cast.operator, "POST", f"/plans/{draft['id']}/publish").status_code == 409


def test_an_applicant_can_neither_create_nor_change_plans(stack, cast):
    target = created(stack, cast, publish=True)
    attempts = [("POST", "/plans", plan()), ("PUT", f"/plans/{target['id']}", plan()),
                ("POST", f"/plans/{target['id']}/publish", None), ("POST", f"/plans/{target['id']}/close", None),
                ("DELETE", f"/plans/{target['id']}", None), ("POST", "/organizers", {"name": "冒名组建单位"})]
    for method, path, body in attempts:
        response = call(stack, cast.applicant, method, path, json=body)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["code"] == "role_required"
    assert httpx.post(f"{stack.gateway}/api/plans/plans", json=plan()).status_code == 401
    assert call(stack, cast.applicant, "GET", f"/plans/{target['id']}").json()["revision"] == target["revision"]


def test_an_admin_of_another_organiser_cannot_touch_the_plan(stack, cast):
    published = created(stack, cast, publish=True)
    draft = created(stack, cast)
    b = cast.admin_b
    changed = {**plan(), "name": "乙方篡改的计划名称"}
    assert call(stack, b, "PUT", f"/plans/{published['id']}", json=changed).status_code == 403
    assert call(stack, b, "POST", f"/plans/{published['id']}/close").json()["code"] == "not_organizer_admin"
    for method, path in (("PUT", ""), ("POST", "/publish"), ("DELETE", "")):  # a foreign draft does not exist
        response = call(stack, b, method, f"/plans/{draft['id']}{path}", json=changed if method == "PUT" else None)
        assert response.status_code == 404, (method, path)
    # Nor can they create a plan for organiser A.
    foreign = call(stack, b, "POST", "/plans", json={**plan(), "organizer_id": cast.organizer_a["id"]})
    assert foreign.status_code == 403

    after = call(stack, cast.operator, "GET", f"/plans/{published['id']}").json()
    assert (after["name"], after["status"], after["revision"]) == (published["name"], "published", published["revision"])
    assert call(stack, cast.operator, "GET", f"/plans/{draft['id']}").json()["status"] == "draft"


def test_validation_errors_name_the_field_in_chinese(stack, cast):
    data = plan(start_date="2026-05-01", end_date="2026-04-30")
    category(data, 1, 0).update(min_count=6, max_count=3)
    category(data, 2, 0).update(entry_types=["paper", "no_such_type"])
    data["standard"]["groups"][0]["categories"] = []
    response = call(stack, cast.operator, "POST", "/plans", json=data)
    assert response.status_code == 422
    body = response.json()
    errors = {e["field"]: e for e in body["errors"]}
    assert errors["end_date"]["label"] == "申报截止日期"
    assert errors["standard.groups.1.categories.0.min_count"]["label"].endswith("「取得业绩」的最少项数")
    assert "no_such_type" in errors["standard.groups.2.categories.0.entry_types"]["message"]
    assert errors["standard.groups.0.categories"]["message"] == "至少设置一个申报类别"
    for words in ("申报截止日期：不能早于申报开始日期", "最少项数", "可导入业绩类型", "「能力条件」"):
        assert words in body["detail"]
    # A malformed value is named too, by FastAPI's validation in Chinese.
    wrong_type = call(stack, cast.operator, "POST", "/plans", json={**plan(), "year": "明年"}).json()
    assert wrong_type["errors"][0]["field"] == "year" and "评审年度" in wrong_type["detail"]
    assert call(stack, cast.operator, "GET", "/plans", params={"mine": "true", "name": data["name"]}).json()["total"] == 0


def test_a_published_plan_takes_corrections_but_nothing_that_invalidates_applications(stack, cast):
    original = created(stack, cast, publish=True)
    path = f"/plans/{original['id']}"
    later_end = str(dt.date.fromisoformat(original["end_date"]) + dt.timedelta(days=10))
    corrected = {**original, "end_date": later_end, "majors": [*original["majors"], "机械工程"],
                 "content": "# 更正\n延长申报时间"}
    category(corrected)["hint"] = "更正后的温馨提示"
    ok = call(stack, cast.operator, "PUT", path, json=corrected)
    assert ok.status_code == 200, ok.text
    assert (ok.json()["end_date"], ok.json()["revision"]) == (later_end, original["revision"] + 1)
    assert category(ok.json())["id"] == category(original)["id"]  # ids survive a correction

    current = ok.json()
    refused = {**current, "end_date": original["end_date"], "levels": ["senior_full", "senior_associate"],
               "titles": [*current["titles"], {"level": "senior_full", "name": "正高级工程师"}],
               "majors": current["majors"][1:], "stages": current["stages"][:1]}
    category(refused, 1, 0)["max_count"] = 4
    response = call(stack, cast.operator, "PUT", path, json=refused)
    assert response.status_code == 409 and response.json()["code"] == "published_plan_locked"
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"end_date", "levels", "majors", "stages", "standard"}
    assert "申报截止日期：计划已发布，只能延后" in response.json()["detail"]
    assert call(stack, cast.operator, "GET", path).json()["revision"] == current["revision"]  # nothing changed

    assert call(stack, cast.operator, "POST", f"{path}/close").json()["status"] == "closed"
    closed = call(stack, cast.operator, "PUT", path, json=current)
    assert closed.status_code == 409 and closed.json()["detail"] == "计划已结束，不能修改"
    assert call(stack, cast.operator, "DELETE", path).status_code == 409


def test_search_by_each_filter_pages_in_a_stable_order(stack, cast):
    marker = f"检索{secrets.token_hex(3)}"
    specs = [(2026, ["senior_associate"], "review", "engineering"), (2026, ["senior_full"], "special", "engineering"),
             (2025, ["intermediate"], "review", "health"), (2024, ["junior"], "recognition", "school_teacher"),
             (2026, ["senior_full", "senior_associate"], "review", "engineering")]
    ids = []
    for i, (year, levels, plan_type, series) in enumerate(specs):
        data = plan(name=f"{year}年度{marker}计划{i}", year=year, levels=levels, plan_type=plan_type, series=series,
                    titles=[{"level": lv, "name": f"职称{lv}"} for lv in levels],
                    forms=["regular"], standard={**plan()["standard"], "eligibility": {}})
        ids.append(created(stack, cast, data, publish=True)["id"])
    created(stack, cast, plan(name=f"{marker}草稿"))  # never listed for applicants

    def names(**params) -> list[str]:
        body = call(stack, cast.applicant, "GET", "/plans", params={"name": marker, **params}).json()
        assert body["total"] == len(body["items"])
        return [p["name"].removeprefix(f"{p['year']}年度{marker}") for p in body["items"]]

    assert names() == ["计划0", "计划1", "计划4", "计划2", "计划3"]  # newest year first
    assert sorted(names(year=2026)) == ["计划0", "计划1", "计划4"]
    assert sorted(names(level="senior_full")) == ["计划1", "计划4"]
    assert names(plan_type="recognition") == ["计划3"]
    assert names(series="health") == ["计划2"]
    assert names(year=2026, level="senior_associate", plan_type="review") == ["计划0", "计划4"]
    assert names(name="没有这样的计划") == []

    pages = [call(stack, cast.applicant, "GET", "/plans",
                  params={"name": marker, "page": n, "page_size": 2}).json() for n in (1, 2, 3)]
    assert [len(p["items"]) for p in pages] == [2, 2, 1] and {p["total"] for p in pages} == {5}
    assert [p["id"] for page in pages for p in page["items"]] == [ids[i] for i in (0, 1, 4, 2, 3)]
    assert call(stack, cast.applicant, "GET", "/plans", params={"page_size": 101}).status_code == 422


def test_the_window_opens_on_its_first_and_closes_after_its_last_day_in_shanghai(stack, cast):
    today = today_in_shanghai()
    marker = f"窗口{secrets.token_hex(3)}"
    day = dt.timedelta(days=1)
    windows = {"today_only": (today, today), "from_tomorrow": (today + day, today + 30 * day),
               "until_yesterday": (today - 30 * day, today - day), "until_today": (today - day, today)}
    plans = {key: created(stack, cast, plan(name=f"{marker}{key}", start_date=str(a), end_date=str(b)), publish=True)
             for key, (a, b) in windows.items()}
    assert {k: (p["window"], p["open"]) for k, p in plans.items()} == {
        "today_only": ("open", True), "from_tomorrow": ("not_started", False),
        "until_yesterday": ("ended", False), "until_today": ("open", True)}
    open_now = public(stack, "/plans", name=marker, open="true").json()
    assert sorted(p["name"] for p in open_now["items"]) == [f"{marker}today_only", f"{marker}until_today"]
    not_open = public(stack, "/plans", name=marker, open="false").json()
    assert sorted(p["window"] for p in not_open["items"]) == ["ended", "not_started"]


def test_the_published_event_carries_the_whole_plan_and_a_consumer_rebuilds_it(stack, cast, amqp_url):
    async def scenario() -> list[dict]:
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            exchange = await channel.declare_exchange("zc.events", aio_pika.ExchangeType.TOPIC, durable=True)
            queue = await channel.declare_queue(exclusive=True)
            await queue.bind(exchange, "plans.plan.*")
            draft = await asyncio.to_thread(created, stack, cast)
            await asyncio.to_thread(call, stack, cast.operator, "POST", f"/plans/{draft['id']}/publish")
            corrected = {**draft, "end_date": str(dt.date.fromisoformat(draft["end_date"]) + dt.timedelta(days=1))}
            await asyncio.to_thread(call, stack, cast.operator, "PUT", f"/plans/{draft['id']}", json=corrected)
            await asyncio.to_thread(call, stack, cast.operator, "POST", f"/plans/{draft['id']}/close")
            got = []
            async with queue.iterator(timeout=15) as messages:
                async for message in messages:
                    await message.ack()
                    body = json.loads(message.body)
                    if body["subject"] == draft["id"]:
                        got.append({**body, "persistent": message.delivery_mode == 2})
                    if len(got) == 3:
                        return got
        raise AssertionError("missing events")

    published, updated, closed = asyncio.run(scenario())
    assert [e["type"] for e in (published, updated, closed)] == ["plans.plan.published", "plans.plan.updated",
                                                                 "plans.plan.closed"]
    assert published["persistent"] and published["producer"] == "plans"
    # A consumer rebuilds the plan from the event alone, exactly as the API shows it.
    rebuilt = PlanSnapshot.model_validate(published["data"])
    assert len(rebuilt.standard.groups) == 3 and rebuilt.standard.eligibility.min_education == "bachelor"
    final = call(stack, cast.operator, "GET", f"/plans/{published['subject']}").json()
    assert PlanSnapshot.model_validate(closed["data"]) == PlanSnapshot.model_validate(
        {k: final[k] for k in PlanSnapshot.model_fields})
    assert rebuilt.model_dump(mode="json") == {**closed["data"], "status": "published", "revision": 2,
                                               "end_date": published["data"]["end_date"], "closed_at": None}
    assert [e["data"]["revision"] for e in (published, updated, closed)] == [2, 3, 4]


def test_operators_assign_administrators_of_registered_persons_only(stack, cast):
    path = f"/organizers/{cast.organizer_b['id']}/admins"
    listed = call(stack, cast.operator, "GET", path).json()
    assert [(a["name"], a["person_id"]) for a in listed] == [("乙方管理", cast.admin_b.person_id)]
    assert "*" in listed[0]["id_number_masked"]
    unknown = call(stack, cast.operator, "POST", path, json={"person_id": "00000000-0000-0000-0000-000000000001"})
    assert unknown.status_code == 422 and "人员" in unknown.json()["detail"]
    assert call(stack, cast.admin_b, "POST", path, json={"person_id": cast.admin_b.person_id}).status_code == 403
    found = call(stack, cast.operator, "GET", "/persons", params={"name": "申报人员"}).json()
    assert cast.applicant.person_id in [p["id"] for p in found]
    assert call(stack, cast.applicant, "GET", "/persons", params={"name": "申报人员"}).status_code == 403
    mine = call(stack, cast.admin_b, "GET", "/organizers", params={"mine": "true"}).json()
    assert [o["name"] for o in mine] == [cast.organizer_b["name"]]


def test_cli_adds_an_administrator(stack, cast):
    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "services.plans.cli", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=60, env={**os.environ, "PLANS_DATABASE_URL": stack.urls.databases["plans"]})

    admins = f"/organizers/{cast.organizer_b['id']}/admins"
    ok = cli("add-admin", "--organizer", cast.organizer_b["name"], "--person-id", cast.applicant.person_id)
    assert ok.returncode == 0, ok.stderr
    assert "申报人员" in [a["name"] for a in call(stack, cast.operator, "GET", admins).json()]
    assert call(stack, cast.operator, "DELETE", f"{admins}/{cast.applicant.person_id}").status_code == 204
    missing = cli("add-admin", "--organizer", "不存在的组建单位", "--person-id", cast.applicant.person_id)
    assert missing.returncode != 0 and "未找到组建单位" in missing.stderr
