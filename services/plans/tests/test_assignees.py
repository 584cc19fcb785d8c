"""Who decides at a plan's stages: the plan's administrators name registered persons at its
职称管理部门 / 评委会组建单位 / 评委会 stages, never at a unit's or a department's; others are refused;
every change is an event; an edit that drops a stage drops its assignees. Also where a returned
application starts again (resubmit_from), and the migration of plans stored before the renames."""
from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import asyncpg
import httpx
from alembic import command
from sqlalchemy.engine import make_url

from services.plans.tests.factories import plan
from services.plans.tests.people import call
from shared.db import alembic_config
from shared.events.catalogue import PlanSnapshot
from shared.testing.events import capture_events
from shared.testing.fixtures import eventually
from shared.testing.infra import drop_database, recreate_database, run_database

STAGES = [{"name": "用人单位审核", "party": "unit"}, {"name": "主管部门审核", "party": "department"},
          {"name": "职称管理部门审核", "party": "title_office", "party_name": "省人社厅专技处"},
          {"name": "评委会评审", "party": "committee", "party_name": "福建省工程系列高级职称评审委员会"}]


def made(stack, cast, *, publish: bool = False, **changes) -> dict:
    body = call(stack, cast.operator, "POST", "/plans", json=plan(stages=STAGES, **changes))
    assert body.status_code == 201, body.text
    if publish:
        body = call(stack, cast.operator, "POST", f"/plans/{body.json()['id']}/publish")
    return body.json()


def stage(p: dict, party: str) -> str:
    return next(s["id"] for s in p["stages"] if s["party"] == party)


def assignees(p: dict, party: str) -> str:
    return f"/plans/{p['id']}/stages/{stage(p, party)}/assignees"


def assign(stack, actor, p: dict, party: str, person_id: str):
    """Once plans has heard of the person (identity's event), the administrator can name them."""
    return eventually(lambda: (r := call(stack, actor, "POST", assignees(p, party), json={"person_id": person_id}))
                      .status_code != 422 and r)


def test_the_administrator_names_and_removes_deciders_and_each_change_is_an_event(stack, cast, amqp_url):
    p = made(stack, cast, publish=True)
    expert = cast.applicant.person_id

    def scenario() -> list:
        first = assign(stack, cast.operator, p, "committee", expert)
        office = assign(stack, cast.operator, p, "title_office", expert)
        again = call(stack, cast.operator, "POST", assignees(p, "committee"), json={"person_id": expert})
        listed = call(stack, cast.operator, "GET", assignees(p, "committee"))
        mine = call(stack, cast.applicant, "GET", "/assignments/mine")
        removed = call(stack, cast.operator, "DELETE", f"{assignees(p, 'title_office')}/{expert}")
        twice = call(stack, cast.operator, "DELETE", f"{assignees(p, 'title_office')}/{expert}")
        return [first, office, again, listed, mine, removed, twice]

    answers, seen = capture_events(amqp_url, "plans.stage.*", scenario,
                                   until=lambda s: sum(e.body["subject"] == p["id"] for e in s) == 3)
    first, office, again, listed, mine, removed, twice = answers
    assert (first.status_code, office.status_code) == (201, 201), first.text
    assert first.json()["name"] == "申报人员" and "*" in first.json()["id_number_masked"]
    assert first.json()["assigned_by"] == cast.operator.person_id
    assert again.status_code == 409 and again.json()["code"] == "assignee_exists" and "已是该环节" in again.json()["detail"]
    assert [a["person_id"] for a in listed.json()] == [expert]
    found = [(a["plan_id"], a["stage_name"], a["stage_index"]) for a in mine.json() if a["plan_id"] == p["id"]]
    assert found == [(p["id"], "职称管理部门审核", 2), (p["id"], "评委会评审", 3)]
    assert removed.status_code == 204 and twice.status_code == 404
    assert call(stack, cast.operator, "GET", assignees(p, "title_office")).json() == []

    events = sorted((e.body["type"], e.body["data"]["stage_id"], e.body["data"]) for e in seen
                    if e.body["subject"] == p["id"])
    assert [(kind, data) for kind, _, data in events] == sorted([
        ("plans.stage.assignee_added", {"plan_id": p["id"], "stage_id": stage(p, "committee"), "person_id": expert}),
        ("plans.stage.assignee_added", {"plan_id": p["id"], "stage_id": stage(p, "title_office"), "person_id": expert}),
        ("plans.stage.assignee_removed", {"plan_id": p["id"], "stage_id": stage(p, "title_office"), "person_id": expert})],
        key=lambda e: (e[0], e[1]["stage_id"]))
    assert all(e.persistent and e.body["producer"] == "plans" for e in seen)


def test_unit_and_department_stages_unknown_stages_and_persons_are_refused(stack, cast):
    p = made(stack, cast)
    for party, why in (("unit", "经办人"), ("department", "主管部门的工作人员")):
        refused = call(stack, cast.operator, "POST", assignees(p, party), json={"person_id": cast.applicant.person_id})
        assert refused.status_code == 409 and refused.json()["code"] == "stage_not_assignable", refused.text
        assert why in refused.json()["detail"] and "不能为其指定审核人员" in refused.json()["detail"]
    elsewhere = f"/plans/{p['id']}/stages/{uuid.uuid4()}/assignees"
    for method in ("GET", "POST"):
        missing = call(stack, cast.operator, method, elsewhere, json={"person_id": cast.applicant.person_id})
        assert missing.status_code == 404 and missing.json()["code"] == "stage_not_found"
    nobody = call(stack, cast.operator, "POST", assignees(p, "committee"), json={"person_id": str(uuid.uuid4())})
    assert nobody.status_code == 422 and nobody.json()["errors"][0]["field"] == "person_id"
    assert nobody.json()["detail"].startswith("人员：未找到该注册人员")
    assert call(stack, cast.operator, "GET", assignees(p, "committee")).json() == []


def test_only_the_plans_organisers_administrators_name_deciders(stack, cast):
    published, draft = made(stack, cast, publish=True), made(stack, cast)
    assert assign(stack, cast.operator, published, "committee", cast.applicant.person_id).status_code == 201
    assert assign(stack, cast.operator, draft, "committee", cast.applicant.person_id).status_code == 201
    body = {"person_id": cast.admin_b.person_id}
    for p, status in ((published, 403), (draft, 404)):  # another organiser's draft does not exist for them
        path = assignees(p, "committee")
        for method, where in (("GET", path), ("POST", path), ("DELETE", f"{path}/{cast.applicant.person_id}")):
            by_b = call(stack, cast.admin_b, method, where, json=body if method == "POST" else None)
            assert by_b.status_code == status, (method, by_b.text)
            by_applicant = call(stack, cast.applicant, method, where, json=body if method == "POST" else None)
            assert by_applicant.status_code == 403 and by_applicant.json()["code"] == "role_required"
        assert [a["person_id"] for a in call(stack, cast.operator, "GET", path).json()] == [cast.applicant.person_id]
    # The assignee sees the published plan's stage, never the draft's.
    mine = call(stack, cast.applicant, "GET", "/assignments/mine").json()
    assert published["id"] in {a["plan_id"] for a in mine} and draft["id"] not in {a["plan_id"] for a in mine}
    assert call(stack, cast.admin_b, "GET", "/assignments/mine").json() == []
    assert httpx.get(f"{stack.gateway}/api/plans/assignments/mine").status_code == 401


def test_an_edit_that_drops_a_stage_drops_its_assignees_and_says_so(stack, cast, amqp_url):
    p = made(stack, cast)
    person = cast.applicant.person_id
    for party in ("title_office", "committee"):
        assert assign(stack, cast.operator, p, party, person).status_code == 201
    office, committee = stage(p, "title_office"), stage(p, "committee")
    kept = [s for s in p["stages"] if s["party"] != "title_office"]
    edited = {**plan(stages=kept), "name": p["name"]}

    def edit() -> int:
        return call(stack, cast.operator, "PUT", f"/plans/{p['id']}", json=edited).status_code

    def removed(seen: list) -> list[str]:  # the additions may still be on their way
        return [e.body["data"]["stage_id"] for e in seen
                if e.body["subject"] == p["id"] and e.body["type"] == "plans.stage.assignee_removed"]

    status, seen = capture_events(amqp_url, "plans.stage.assignee_removed", edit, until=removed, timeout=5)
    assert status == 200 and removed(seen) == [office]
    assert call(stack, cast.operator, "GET", f"/plans/{p['id']}/stages/{office}/assignees").status_code == 404
    assert [a["person_id"] for a in call(stack, cast.operator, "GET", assignees(p, "committee")).json()] == [person]

    # Deleting the draft lets go of the rest, each with its event.
    deleted, seen = capture_events(amqp_url, "plans.stage.assignee_removed",
                                   lambda: call(stack, cast.operator, "DELETE", f"/plans/{p['id']}").status_code,
                                   until=removed, timeout=5)
    assert deleted == 204 and removed(seen) == [committee]


def test_where_a_resubmitted_application_starts_is_chosen_stored_and_published(stack, cast, amqp_url):
    default = made(stack, cast)
    assert default["resubmit_from"] == "first"
    wrong = call(stack, cast.operator, "POST", "/plans", json=plan(resubmit_from="somewhere"))
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0] == {"field": "resubmit_from", "label": "退回修改后重新提交，从哪个环节开始审核",
                                         "message": "取值不在允许范围内"}

    draft = made(stack, cast, resubmit_from="returning")

    def publish() -> dict:
        return call(stack, cast.operator, "POST", f"/plans/{draft['id']}/publish").json()

    published, seen = capture_events(amqp_url, "plans.plan.published", publish,
                                     until=lambda s: any(e.body["subject"] == draft["id"] for e in s))
    assert published["resubmit_from"] == "returning"
    [event] = [e.body for e in seen if e.body["subject"] == draft["id"]]
    assert PlanSnapshot.model_validate(event["data"]).resubmit_from == "returning"
    assert [s["party"] for s in event["data"]["stages"]] == ["unit", "department", "title_office", "committee"]
    # Part of the review flow: a published plan keeps it.
    back = {**plan(stages=published["stages"]), "name": published["name"], "resubmit_from": "first",
            "start_date": published["start_date"], "end_date": published["end_date"]}
    refused = call(stack, cast.operator, "PUT", f"/plans/{draft['id']}", json=back)
    assert refused.status_code == 409 and "退回修改后重新提交" in refused.json()["detail"]
    assert "从退回的环节" in refused.json()["detail"]


MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def test_the_migration_renames_the_stage_keys_of_stored_plans(pg_server):
    """Plans stored before a stage's ``reviewer`` became its ``party`` read the same afterwards."""
    name = run_database("plans_migration")
    url = asyncio.run(recreate_database(pg_server, name))
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    old = [{"id": str(uuid.uuid4()), "name": "用人单位审核", "reviewer": "unit", "reviewer_name": ""},
           {"id": str(uuid.uuid4()), "name": "评委会评审", "reviewer": "committee", "reviewer_name": "评委会"}]

    async def sql(query: str, *args):
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()

    try:
        config = alembic_config(MIGRATIONS, url)
        command.upgrade(config, "0001")
        organizer = uuid.uuid4()
        asyncio.run(sql("INSERT INTO organizers (id, name, created_at) VALUES ($1, '旧组建单位', now())", organizer))
        for plan_id, stages in ((uuid.uuid4(), old), (uuid.uuid4(), [])):
            asyncio.run(sql(
                "INSERT INTO plans (id, organizer_id, year, name, committee, levels, plan_type, series, start_date,"
                " end_date, has_interview, scope, content, majors, titles, forms, stages, attachments, standard, status,"
                " revision, created_at, updated_at) VALUES ($1, $2, 2025, $3, '评委会', '{intermediate}', 'review',"
                " 'engineering', '2025-01-01', '2025-02-01', false, '', '', '[]', '[]', '{regular}', $4::jsonb, '[]',"
                " '{}', 'published', 2, now(), now())", plan_id, organizer, f"旧计划{len(stages)}", json.dumps(stages)))
        command.upgrade(config, "head")
        rows = {r["name"]: (json.loads(r["stages"]), r["resubmit_from"])
                for r in asyncio.run(sql("SELECT name, stages, resubmit_from FROM plans"))}
        assert rows["旧计划2"] == ([{"id": old[0]["id"], "name": "用人单位审核", "party": "unit", "party_name": ""},
                                  {"id": old[1]["id"], "name": "评委会评审", "party": "committee", "party_name": "评委会"}],
                                 "first")
        assert rows["旧计划0"] == ([], "first")
        command.downgrade(config, "0001")
        [back] = asyncio.run(sql("SELECT stages FROM plans WHERE name = '旧计划2'"))
        assert json.loads(back["stages"]) == old
    finally:
        asyncio.run(drop_database(pg_server, name))


def test_a_plan_administrator_finds_persons_by_name_to_name_them(stack, cast):
    found = call(stack, cast.admin_b, "GET", "/persons", params={"name": "申报人员"})  # plan_admin, not operator
    assert found.status_code == 200 and cast.applicant.person_id in [p["id"] for p in found.json()]
    assert call(stack, cast.applicant, "GET", "/persons", params={"name": "申报人员"}).status_code == 403


def test_the_demo_seed_names_its_expert_at_the_office_and_committee_stages_once(pg_server):
    from deploy import demo_ids
    from services.plans.seed import seed
    from shared.db import Database, upgrade_to_head
    from simulators.mzt.accounts import PERSONS

    name = run_database("plans_seed")
    url = asyncio.run(recreate_database(pg_server, name))
    expert = next(demo_ids.person_id(a.id_number) for a in PERSONS if a.username == "huangzhiqiang")

    async def seeded_twice() -> tuple[list, list, int]:
        db = Database(url, pool_size=1, max_overflow=0)
        try:
            await seed(db)
            await seed(db)
            async with db.engine.connect() as conn:
                stages = (await conn.exec_driver_sql("SELECT stages, id FROM plans")).all()
                named = (await conn.exec_driver_sql("SELECT plan_id, stage_id, person_id FROM stage_assignees")).all()
                events = await conn.exec_driver_sql("SELECT count(*) FROM outbox WHERE type = 'plans.stage.assignee_added'")
                return stages, named, events.scalar()
        finally:
            await db.dispose()

    try:
        upgrade_to_head(MIGRATIONS, url)
        stages, named, events = asyncio.run(seeded_twice())
        expected = {(plan_id, uuid.UUID(s["id"]), expert) for plan_stages, plan_id in stages for s in plan_stages
                    if s["party"] in ("title_office", "committee")}
        assert len(expected) > len(stages)  # the 高级 plans have both stages, the 中级 ones a 评委会
        assert set(named) == expected and len(named) == events == len(expected)  # once, each with its event
    finally:
        asyncio.run(drop_database(pg_server, name))


def test_the_demo_seed_records_its_organiser_administrator_once_also_on_an_older_database(pg_server):
    from services.plans.seed import ADMINS, seed
    from shared.db import Database, upgrade_to_head

    name = run_database("plans_seed_admins")
    url = asyncio.run(recreate_database(pg_server, name))
    count = "SELECT count(*) FROM outbox WHERE type = 'plans.organizer.admin_added'"

    async def seeded() -> tuple[int, int]:
        db = Database(url, pool_size=1, max_overflow=0)
        try:
            await seed(db)
            await seed(db)
            async with db.engine.begin() as conn:
                twice = (await conn.exec_driver_sql(count)).scalar()
                # A database seeded before the event existed: the administrator without its event.
                await conn.exec_driver_sql("DELETE FROM outbox WHERE type = 'plans.organizer.admin_added'")
            await seed(db)
            await seed(db)
            async with db.engine.connect() as conn:
                return twice, (await conn.exec_driver_sql(count)).scalar()
        finally:
            await db.dispose()

    try:
        upgrade_to_head(MIGRATIONS, url)
        assert asyncio.run(seeded()) == (len(ADMINS), len(ADMINS))
    finally:
        asyncio.run(drop_database(pg_server, name))
