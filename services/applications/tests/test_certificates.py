"""Results and certificates: the 评委会's decision is the result (评审通过 / 未通过, one by one or
from its decision list in a batch); passing the last stage issues one 电子职称证书 whose number is
never issued twice; 我的职称 shows a person their own only; anyone may verify a number and learns
nothing beyond the listed fields; a new application takes its 现有职称情况 from the certificates."""
from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from services.applications import certificates
from services.applications.models import Application, Certificate, Person
from services.applications.tests.test_review import assign, decide, submitted, version_of, waiting
from services.applications.tests.world import World, certify, request, started
from services.plans.tests.people import Actor, person
from shared import certificate_numbers
from shared.certificate_numbers import ALPHABET, check_symbol, new_number, normalise
from shared.clock import today
from shared.db import Database, upgrade_to_head
from shared.testing.events import capture_events
from shared.testing.fixtures import eventually
from shared.testing.infra import drop_database, recreate_database, run_database

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
COMMITTEE = "福建省工程系列高级职称评审委员会"  # the plan factory's committee and its 评委会 stage's body
PUBLIC_FIELDS = {"genuine", "name", "title", "major", "level", "obtained_on", "committee"}


# --- the number, without I/O ------------------------------------------------------------------
def test_numbers_are_random_well_formed_and_check_themselves():
    numbers = {new_number(2026) for _ in range(20_000)}
    assert len(numbers) == 20_000  # 50 random bits: no two alike in a year's worth
    for number in list(numbers)[:500]:
        assert len(number) == certificate_numbers.LENGTH == 19 and number.startswith("FJZC2026")
        assert normalise(number) == number
    # Not in sequence: in 2,000 numbers drawn one after another every random position takes every
    # symbol (a counter, or a clock, would leave most of them unused).
    drawn = [new_number(2026) for _ in range(2_000)]
    for position in range(8, 18):
        assert {n[position] for n in drawn} == set(ALPHABET), position
    number = next(iter(numbers))
    # Read as people type it: lower case, hyphens, spaces, O for 0 and I / L for 1.
    assert normalise(f" {number[:8].lower()}-{number[8:13]} {number[13:]} ") == number
    assert normalise(number.replace("0", "O").replace("1", "I")) == number
    # Every single wrong symbol and every swap of two different neighbours is caught by the check symbol.
    for i in range(8, 19):
        for wrong in ALPHABET:
            if wrong != number[i]:
                assert normalise(number[:i] + wrong + number[i + 1:]) is None, (i, wrong)
    for i in range(8, 18):
        if number[i] != number[i + 1]:
            assert normalise(number[:i] + number[i + 1] + number[i] + number[i + 2:]) is None, i
    for malformed in ("", "FJZC", "FJZC2026", number[:-1], number + "0", "ABCD" + number[4:], "\x00" + number):
        assert normalise(malformed) is None, malformed
    assert check_symbol("20260000000000") in ALPHABET


def test_the_database_never_issues_a_number_twice(pg_server, monkeypatch):
    """The unique constraint decides, and a collision draws again (the generator forced to repeat)."""
    name = run_database("applications_certificates")
    taken, fresh = new_number(2026), new_number(2026)
    draws = iter([taken, taken, fresh])
    monkeypatch.setattr(certificates, "new_number", lambda year: next(draws))
    plan = SimpleNamespace(committee=COMMITTEE, organizer_name="福建省人力资源和社会保障厅")

    async def scenario(url: str) -> None:
        db = Database(url, pool_size=1, max_overflow=0)
        try:
            async with db.sessionmaker() as session:
                person_id = uuid.uuid4()
                session.add(Person(id=person_id, name="编号测试", gender="male", birth_date=dt.date(1985, 3, 12),
                                   id_number_masked="3501**********0317", mobile="13800000000",
                                   changed_at=dt.datetime.now(dt.UTC)))
                apps = [_application(person_id, year) for year in (2024, 2025, 2026)]  # one a year
                session.add_all(apps)
                await session.flush()
                one = await certificates.issue(session, apps[0], plan)
                two = await certificates.issue(session, apps[1], plan)
                assert (one.number, two.number) == (taken, fresh)  # the second drew again after the collision
                await session.commit()
                # The constraint itself: the same number for another application is refused…
                with pytest.raises(IntegrityError, match="uq_certificates_number"):
                    async with session.begin_nested():
                        session.add(Certificate(number=taken, application_id=apps[2].id, person_id=person_id,
                                                name="编号测试", id_number_masked="", series="engineering", title="",
                                                major="", level="senior_associate", obtained_on=today(),
                                                committee="", organizer_name=""))
                        await session.flush()
                # …and so is a second certificate for one application (not retried: it is not a collision).
                monkeypatch.setattr(certificates, "new_number", new_number)
                with pytest.raises(IntegrityError, match="uq_certificates_application_id"):
                    await certificates.issue(session, apps[0], plan)
                await session.rollback()
                numbers = (await session.scalars(sa.select(Certificate.number))).all()
                events = (await session.execute(sa.text(
                    "SELECT count(*) FROM outbox WHERE type = 'applications.certificate.issued'"))).scalar()
                assert sorted(numbers) == sorted([taken, fresh]) and events == 2
        finally:
            await db.dispose()

    def in_a_database() -> None:
        url = asyncio.run(recreate_database(pg_server, name))
        try:
            upgrade_to_head(MIGRATIONS, url)
            asyncio.run(scenario(url))
        finally:
            asyncio.run(drop_database(pg_server, name))

    # In a thread of its own: Playwright's sync API (browser tests of the same session) may keep an
    # event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(in_a_database).result()


def _application(person_id: uuid.UUID, year: int) -> Application:
    return Application(id=uuid.uuid4(), person_id=person_id, plan_id=uuid.uuid4(), plan_year=year, plan_name="测试计划",
                       series="engineering", form="regular", major="建筑工程", title="高级工程师",
                       level="senior_associate", status="approved", unit_id=uuid.uuid4(), unit_name="测试单位",
                       pledged_at=dt.datetime.now(dt.UTC), profile={}, teacher_profile={}, current_titles=[],
                       current_appointments=[], attachments=[], extra={}, claimed_files=[])


# --- over HTTP through the gateway ---------------------------------------------------------------
@dataclass
class Certified:
    actor: Actor
    plan: dict
    application_id: str
    events: list[dict]  # the envelopes published while the committee passed it
    certificate: dict  # as 我的职称 lists it


def _of(app_id: str):
    return lambda e: e.body["subject"] == app_id or e.body["data"].get("application_id") == app_id


@pytest.fixture(scope="module")
def certified(stack, world: World, amqp_url) -> Certified:
    """An applicant passed by the unit and then by the 评委会 (the plan's last stage), and certified
    after the 评审结果公示."""
    plan = world.plan()
    committee = person(stack, "评委会证书秘书")
    assign(stack, world, plan, "评委会评审", committee)
    actor = world.applicant("证书持有人")
    app_id = submitted(stack, world, actor, plan)["id"]
    assert decide(stack, world.unit, app_id, version_of(stack, actor, app_id)).status_code == 200
    assert eventually(lambda: app_id in waiting(stack, committee), timeout=20)
    version = version_of(stack, actor, app_id)

    def committee_passes():
        return decide(stack, committee, app_id, version)

    def recorded(seen) -> bool:
        return any(e.body["type"] == "applications.result.recorded" and _of(app_id)(e) for e in seen)

    passed, seen = capture_events(amqp_url, "applications.#", committee_passes, until=recorded, timeout=15)
    assert passed.status_code == 200 and passed.json()["status"] == "approved", passed.text
    # A second click on the same page: refused. No certificate before the 评审结果公示 has ended.
    assert decide(stack, committee, app_id, version).status_code == 409
    assert request(stack, actor.browser, "GET", "/applications/certificates").json() == []

    def issued(seen) -> bool:
        return any(e.body["type"] == "applications.certificate.issued" and _of(app_id)(e) for e in seen)

    answer, later = capture_events(amqp_url, "applications.#", lambda: certify(stack, world.admin.browser, plan),
                                   until=issued, timeout=15)
    assert answer.status_code == 200 and answer.json() == {"done": [app_id], "failed": {}}, answer.text
    seen = [*seen, *later]
    mine = request(stack, actor.browser, "GET", "/applications/certificates")
    assert mine.status_code == 200, mine.text
    assert len(mine.json()) == 1
    return Certified(actor, plan, app_id, [e.body for e in seen if _of(app_id)(e)], mine.json()[0])


def test_the_committee_passing_the_last_stage_records_the_result_and_issues_one_certificate(certified):
    types = [e["type"] for e in certified.events]
    assert types.count("applications.result.recorded") == 1 and types.count("applications.certificate.issued") == 1
    result = next(e["data"] for e in certified.events if e["type"] == "applications.result.recorded")
    assert result["passed"] is True and result["committee"] == COMMITTEE and result["decided_by"] == "评委会证书秘书"
    assert result["status"] == "approved"
    issued = next(e["data"] for e in certified.events if e["type"] == "applications.certificate.issued")
    c = certified.certificate
    assert issued["number"] == c["number"] and issued["certificate_id"] == c["id"]
    assert normalise(c["number"]) == c["number"] and c["number"].startswith(f"FJZC{today().year}")
    assert (c["name"], c["title"], c["major"], c["level"], c["level_name"], c["series_name"]) == (
        "证书持有人", "高级工程师", "建筑工程", "senior_associate", "副高级", "工程")
    assert c["obtained_on"] == str(today()) and c["committee"] == COMMITTEE
    assert c["organizer_name"] == certified.plan["organizer_name"] and c["application_id"] == certified.application_id
    assert "*" in c["id_number_masked"] and issued["id_number_masked"] == c["id_number_masked"]


def test_a_person_sees_only_their_own_certificates(stack, world, certified):
    path = f"/applications/certificates/{certified.certificate['id']}"
    own = request(stack, certified.actor.browser, "GET", path)
    assert own.status_code == 200 and own.json() == certified.certificate
    other = person(stack, "别人的证书")
    refused = request(stack, other.browser, "GET", path)
    assert refused.status_code == 404 and refused.json()["detail"] == "未找到该职称证书"
    assert request(stack, other.browser, "GET", "/applications/certificates").json() == []
    assert request(stack, world.unit, "GET", path).status_code in (403, 404)
    assert httpx.get(f"{stack.gateway}/api{path}").status_code == 401
    assert request(stack, certified.actor.browser, "GET", f"/applications/certificates/{uuid.uuid4()}").status_code == 404


def test_anyone_verifies_a_number_and_learns_only_the_listed_fields(stack, certified):
    number = certified.certificate["number"]
    verified = httpx.get(f"{stack.gateway}/api/applications/verify/{number}")  # no login
    assert verified.status_code == 200, verified.text
    assert verified.json() == {"genuine": True, "name": "证书持有人", "title": "高级工程师", "major": "建筑工程",
                               "level": "副高级", "obtained_on": str(today()), "committee": COMMITTEE}
    assert set(verified.json()) == PUBLIC_FIELDS
    text = verified.text
    for secret in (certified.certificate["id_number_masked"], certified.certificate["id"],
                   certified.application_id, certified.actor.person_id, certified.actor.account["id_number"]):
        assert secret not in text
    typed = f"{number[:8].lower()}-{number[8:]}"  # as a person may type it
    assert httpx.get(f"{stack.gateway}/api/applications/verify/{typed}").json()["genuine"] is True
    wrong_check = number[:-1] + next(s for s in ALPHABET if s != number[-1])
    for unknown in (wrong_check, new_number(today().year), "FJZC", "x" * 40):
        answer = httpx.get(f"{stack.gateway}/api/applications/verify/{unknown}")
        assert answer.status_code == 404 and answer.json()["genuine"] is False, (unknown, answer.text)
        assert "证书持有人" not in answer.text
    # The pages: the answer, anonymous, with nothing of the 身份证号; the QR code of the address.
    page = httpx.get(f"{stack.gateway}/verify/{number}", headers={"accept": "text/html"})
    assert page.status_code == 200 and "证书真实有效" in page.text and "证书持有人" in page.text
    assert certified.certificate["id_number_masked"] not in page.text
    form = httpx.get(f"{stack.gateway}/verify", params={"number": typed}, follow_redirects=False)
    assert form.status_code == 303 and form.headers["location"] == f"/verify/{number}"
    missing = httpx.get(f"{stack.gateway}/verify/{new_number(2026)}", headers={"accept": "text/html"})
    assert missing.status_code == 404 and "未查到" in missing.text
    qr = httpx.get(f"{stack.gateway}/verify/{number}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert qr.text.startswith("<svg") and "<script" not in qr.text
    assert httpx.get(f"{stack.gateway}/verify/FJZC-not-a-number/qr.svg").status_code == 404


def test_my_titles_the_certificate_page_and_the_home_page(stack, certified):
    browser, c = certified.actor.browser, certified.certificate
    titles = browser.get(f"{stack.gateway}/me/titles").text
    assert c["number"] in titles and f'href="/me/titles/{c["id"]}"' in titles
    page = browser.get(f"{stack.gateway}/me/titles/{c['id']}").text
    for shown in ("证书持有人", c["id_number_masked"], "高级工程师", "建筑工程", "副高级", str(today()), COMMITTEE,
                  c["organizer_name"], c["number"], f'src="/verify/{c["number"]}/qr.svg"'):
        assert shown in page, shown
    other = person(stack, "看别人证书")
    refused = other.browser.get(f"{stack.gateway}/me/titles/{c['id']}", headers={"accept": "text/html"})
    assert refused.status_code == 404 and c["number"] not in refused.text
    home = browser.get(f"{stack.gateway}/home").text
    assert "现有职称" in home and "高级工程师（副高级" in home


def test_a_new_application_takes_its_current_titles_from_the_certificates(stack, world, certified):
    plan = world.plan(year=certified.plan["year"] + 1)  # one application per year
    draft = started(stack, certified.actor, plan)
    base = f"/applications/applications/{draft['id']}"
    body = {"certificate_ids": [certified.certificate["id"]]}
    tail = "/current-titles/from-certificates"
    assert request(stack, certified.actor.browser, "POST", base + tail, json=body).status_code == 428
    taken = request(stack, certified.actor.browser, "POST", base + tail, version=draft["version"], json=body)
    assert taken.status_code == 200, taken.text
    assert taken.json()["current_titles"] == [{
        "series": "工程", "title_name": "高级工程师", "level": "副高级", "major": "建筑工程",
        "obtained_on": str(today()), "certificate_no": certified.certificate["number"], "approver": COMMITTEE,
        "file_ids": []}]
    again = request(stack, certified.actor.browser, "POST", base + tail, version=taken.json()["version"], json=body)
    assert again.status_code == 409 and again.json()["code"] == "certificate_already_listed"
    # Another person's certificate is not found for them, and changes nothing.
    other = world.applicant("借用证书")
    theirs = started(stack, other, plan)
    refused = request(stack, other.browser, "POST", f"/applications/applications/{theirs['id']}{tail}",
                      version=theirs["version"], json=body)
    assert refused.status_code == 404 and refused.json()["code"] == "certificate_not_found"
    # The page offers it, already imported.
    page = certified.actor.browser.get(f"{stack.gateway}/apply/{draft['id']}?section=basic").text
    assert "从我的职称证书导入" in page and "已导入" in page


def test_the_committee_not_passing_records_the_result_without_a_certificate(stack, world, amqp_url):
    plan = world.plan()
    committee = person(stack, "评委会未通过")
    assign(stack, world, plan, "评委会评审", committee)
    actor = world.applicant("评审未通过")
    app_id = submitted(stack, world, actor, plan)["id"]
    assert decide(stack, world.unit, app_id, version_of(stack, actor, app_id)).status_code == 200
    assert eventually(lambda: app_id in waiting(stack, committee), timeout=20)

    def committee_rejects():
        return decide(stack, committee, app_id, version_of(stack, actor, app_id), "reject", "评审投票未过半数")

    rejected, seen = capture_events(amqp_url, "applications.#", committee_rejects, timeout=4,
                                    until=lambda s: any(e.body["type"] == "applications.result.recorded"
                                                        and _of(app_id)(e) for e in s))
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected", rejected.text
    mine = [e.body for e in seen if _of(app_id)(e)]
    result = next(e["data"] for e in mine if e["type"] == "applications.result.recorded")
    assert result["passed"] is False and result["reason"] == "评审投票未过半数" and result["committee"] == COMMITTEE
    assert not [e for e in mine if e["type"] == "applications.certificate.issued"]
    assert request(stack, actor.browser, "GET", "/applications/certificates").json() == []


def test_a_batch_not_passed_only_from_the_committees_decision_list(stack, world, amqp_url):
    plan = world.plan()
    committee = person(stack, "评委会批量")
    assign(stack, world, plan, "评委会评审", committee)
    actors = [world.applicant("批量未通过一"), world.applicant("批量未通过二")]
    ids = [submitted(stack, world, a, plan)["id"] for a in actors]

    def batch(who, outcome: str, reason: str = ""):
        items = [{"application_id": i, "version": version_of(stack, a, i)} for a, i in zip(actors, ids, strict=True)]
        return request(stack, who, "POST", "/applications/reviews/decisions",
                       json={"applications": items, "outcome": outcome, "reason": reason})

    # At the unit's stage a batch 不通过 is refused application by application; nothing changes.
    at_unit = batch(world.unit, "reject", "材料不全")
    assert at_unit.status_code == 200 and at_unit.json()["done"] == [], at_unit.text
    assert all("批量不通过只适用于评委会评审环节" in at_unit.json()["failed"][i] for i in ids)
    assert set(ids) <= set(waiting(stack, world.unit))
    assert batch(world.unit, "pass").json()["done"] == sorted(ids)
    assert eventually(lambda: set(ids) <= set(waiting(stack, committee)), timeout=20)
    # The committee's decision list: 未通过 needs a reason, then each gets its result.
    no_reason = batch(committee.browser, "reject")
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"

    def committee_rejects():
        return batch(committee.browser, "reject", "评审投票未过半数")

    done, seen = capture_events(amqp_url, "applications.result.recorded", committee_rejects, timeout=10,
                                until=lambda s: {e.body["subject"] for e in s} >= set(ids))
    assert done.status_code == 200 and sorted(done.json()["done"]) == sorted(ids) and not done.json()["failed"]
    assert {e.body["subject"]: e.body["data"]["passed"] for e in seen if e.body["subject"] in ids} == {
        i: False for i in ids}
    for a, i in zip(actors, ids, strict=True):
        mine = request(stack, a.browser, "GET", f"/applications/applications/{i}").json()
        assert mine["status_label"] == "未通过（评委会评审）" and mine["reason"] == "评审投票未过半数"
