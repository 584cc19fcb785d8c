"""主管部门工作人员 over real HTTP through the gateway: an operator finds registered persons by
name (units' own read model of identity's registrations), names them staff of a department and
removes them; the staff see their departments; nobody else may do any of it; every change and
every save of a unit's details is published."""
from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import uuid

import sqlalchemy as sa

from services.plans.tests.people import Actor, person
from services.units.handlers import on_person_registered
from services.units.models import Person
from shared.db import Database
from shared.events import Envelope
from shared.events.catalogue import PersonRegistered
from shared.testing.events import capture_events
from shared.testing.fixtures import csrf_header, eventually


def call(stack, actor: Actor, method: str, path: str, **kwargs):
    return actor.browser.request(method, f"{stack.gateway}/api/units{path}",
                                 headers=csrf_header(actor.browser, stack.gateway), **kwargs)


def found(stack, operator: Actor, who: Actor) -> bool:
    """units has heard of the person's registration (an event), so the operator finds them."""
    people = call(stack, operator, "GET", "/persons", params={"name": who.account["name"]}).json()
    return any(p["id"] == who.person_id for p in people)


def test_an_operator_names_and_removes_the_staff_of_a_department(stack, amqp_url):
    operator, staffer = person(stack, "部门运维", "operator"), person(stack, "科技厅干部")
    assert eventually(lambda: found(stack, operator, staffer), timeout=15)
    [match] = [p for p in call(stack, operator, "GET", "/persons", params={"name": " 科技厅干部 "}).json()
               if p["id"] == staffer.person_id]
    assert "*" in match["id_number_masked"]  # the operator sees a masked number only
    assert call(stack, staffer, "GET", "/departments/mine").json() == []
    path = "/departments/FJ-KJT/staff"

    added, seen = capture_events(
        amqp_url, "units.department.staff_added",
        lambda: call(stack, operator, "POST", path, json={"person_id": staffer.person_id}),
        until=lambda seen: any(e.body["data"]["person_id"] == staffer.person_id for e in seen))
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "科技厅干部" and added.json()["added_by"] == "部门运维"
    assert [e.body["data"] for e in seen if e.body["data"]["person_id"] == staffer.person_id] == [
        {"department_code": "FJ-KJT", "department_name": "福建省科学技术厅", "person_id": staffer.person_id}]
    assert [s["person_id"] for s in call(stack, operator, "GET", path).json()] == [staffer.person_id]
    assert staffer.person_id in [s["person_id"] for s in call(stack, operator, "GET", "/departments/staff").json()]
    assert call(stack, staffer, "GET", "/departments/mine").json() == [{"code": "FJ-KJT", "name": "福建省科学技术厅"}]

    twice = call(stack, operator, "POST", path, json={"person_id": staffer.person_id})
    assert twice.status_code == 409 and "已是福建省科学技术厅的工作人员" in twice.json()["detail"]
    unknown = call(stack, operator, "POST", path, json={"person_id": str(uuid.uuid4())})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "person_id"
    assert "注册" in unknown.json()["detail"]
    nowhere = call(stack, operator, "POST", "/departments/NOPE/staff", json={"person_id": staffer.person_id})
    assert nowhere.status_code == 404 and "主管部门" in nowhere.json()["detail"]

    removed, seen = capture_events(
        amqp_url, "units.department.staff_removed",
        lambda: call(stack, operator, "DELETE", f"{path}/{staffer.person_id}"),
        until=lambda seen: any(e.body["data"]["person_id"] == staffer.person_id for e in seen))
    assert removed.status_code == 204
    assert [e.body["data"] for e in seen if e.body["data"]["person_id"] == staffer.person_id] == [
        {"department_code": "FJ-KJT", "person_id": staffer.person_id}]
    assert call(stack, operator, "GET", path).json() == []
    assert call(stack, staffer, "GET", "/departments/mine").json() == []
    again = call(stack, operator, "DELETE", f"{path}/{staffer.person_id}")
    assert again.status_code == 404 and "不是此主管部门的工作人员" in again.json()["detail"]


def test_only_operators_manage_department_staff(stack):
    operator, staffer = person(stack, "部门运维乙", "operator"), person(stack, "交通厅干部")
    plan_admin = person(stack, "计划管理员丙", "plan_admin")
    assert eventually(lambda: found(stack, operator, staffer), timeout=15)
    path = "/departments/FJ-JTT/staff"
    assert call(stack, operator, "POST", path, json={"person_id": staffer.person_id}).status_code == 201
    unit, _ = stack.unit_browser("福建省测试部门人员单位")
    others = [staffer, plan_admin, Actor(unit, {}, "")]
    for other in others:
        for method, route, body in [("GET", path, None), ("POST", path, {"person_id": other.person_id or staffer.person_id}),
                                    ("DELETE", f"{path}/{staffer.person_id}", None), ("GET", "/departments/staff", None)]:
            refused = call(stack, other, method, route, json=body)
            assert refused.status_code == 403 and refused.json()["detail"] == "您没有进行此操作的权限", (method, route)
        listed = call(stack, other, "GET", "/persons", params={"name": "交通厅干部"})
        assert listed.status_code == 403
    assert call(stack, Actor(unit, {}, ""), "GET", "/departments/mine").json() == []
    # Nothing changed: the staffer is still the one member, and still sees the department.
    assert [s["person_id"] for s in call(stack, operator, "GET", path).json()] == [staffer.person_id]
    assert call(stack, staffer, "GET", "/departments/mine").json() == [{"code": "FJ-JTT", "name": "福建省交通运输厅"}]
    call(stack, operator, "DELETE", f"{path}/{staffer.person_id}")


def test_every_save_of_a_unit_is_published_with_its_department(stack, amqp_url):
    unit, account = stack.unit_browser("福建省测试改主管部门单位")
    body = {"address": "福州市鼓楼区测试路 2 号", "contact_name": "王经办", "contact_phone": "0591-88888888",
            "department_code": "FJ-SLT"}
    saved, seen = capture_events(
        amqp_url, "units.unit.updated",
        lambda: unit.request("PUT", f"{stack.gateway}/api/units/units/{account['unit_id']}",
                             headers=csrf_header(unit, stack.gateway), json=body),
        until=lambda seen: any(e.body["subject"] == account["unit_id"] for e in seen))
    assert saved.status_code == 200 and saved.json()["department_name"] == "福建省水利厅"
    [event] = [e.body for e in seen if e.body["subject"] == account["unit_id"]]
    assert event["producer"] == "units" and event["data"]["unit_id"] == account["unit_id"]
    assert event["data"]["department_code"] == "FJ-SLT" and event["data"]["name"] == "福建省测试改主管部门单位"
    assert event["data"]["credit_code"] == account["credit_code"]
    # A refused save publishes nothing.
    refused, seen = capture_events(
        amqp_url, "units.unit.updated",
        lambda: unit.request("PUT", f"{stack.gateway}/api/units/units/{account['unit_id']}",
                             headers=csrf_header(unit, stack.gateway), json={**body, "department_code": "NOPE"}),
        timeout=2)
    assert refused.status_code == 422 and not [e for e in seen if e.body["subject"] == account["unit_id"]]


def test_a_replayed_registration_changes_nothing(stack):
    person_id = uuid.uuid4()
    envelope = Envelope.of("identity", person_id, PersonRegistered(
        person_id=person_id, name="重放人员", gender="male", birth_date=dt.date(1980, 1, 2),
        id_number_masked="3501**********0011", mobile="13800000000"))

    async def apply_twice() -> list[tuple]:
        db = Database(stack.urls.databases["units"], pool_size=1, max_overflow=0)
        try:
            rows = []
            for _ in range(2):
                async with db.sessionmaker() as session, session.begin():
                    await on_person_registered(session, envelope.payload(), envelope)
                async with db.sessionmaker() as session:
                    rows.append(tuple((await session.execute(
                        sa.select(Person.name, Person.id_number_masked, Person.registered_at)
                        .where(Person.id == person_id))).all()))
            return rows
        finally:
            await db.dispose()

    # In a thread of its own: Playwright's sync API (browser tests of the same session) keeps an
    # event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        first, again = pool.submit(asyncio.run, apply_twice()).result()
    assert first == again == (("重放人员", "3501**********0011", envelope.occurred_at),)
