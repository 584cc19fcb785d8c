"""Demo data of units (idempotent): three of the simulator's legal accounts have registered
their units, demo persons are bound to them (one request still waits for review), 黄志强 is a
经办人 of 福州市第一医院 and 工作人员 of 福建省住房和城乡建设厅 (the 主管部门 of 张三's institute), and a few
hundred other units make the search realistic.
泉州市鲤城区智造科技有限公司 stays unregistered so that a newcomer can try unit registration.

    python -m services.units.seed
"""
from __future__ import annotations

import asyncio
import datetime as dt
import random
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from deploy import demo_ids
from services.units import bindings
from services.units.departments import DEPARTMENTS, sync_departments
from services.units.models import Binding, DepartmentStaff, Person, Reviewer, Unit
from services.units.registration import PRODUCER
from services.units.schemas import BindingIn
from services.units.settings import get_settings
from shared.auth import Principal
from shared.db import Database
from shared.events import record_event
from shared.events.catalogue import DepartmentStaffAdded, ReviewerAdded, UnitRegistered
from shared.idnumbers import credit_code_check_char, mask_id_number
from simulators.mzt.accounts import LEGAL_ACCOUNTS, PERSONS

REGISTERED = {
    "unit-sjy": ("福州市鼓楼区通湖路 188 号", "FJ-ZJT", "刘国栋", "0591-87654321"),
    "unit-hospital": ("福州市台江区达道路 190 号", "FJ-WJW", "郭振宇", "0591-83357896"),
    "unit-school": ("厦门市思明区体育路 9 号", "FJ-JYT", "苏雅琴", "0592-2212345"),
}
# username → (unit username, status): who is bound where in the demo.
MEMBERS = {"zhangsan": ("unit-sjy", "approved"), "lisi": ("unit-sjy", "pending"),
           "chenmeiling": ("unit-hospital", "approved"), "huangzhiqiang": ("unit-hospital", "approved"),
           "zhenglijuan": ("unit-school", "approved")}
REVIEWERS = {"huangzhiqiang": "unit-hospital"}
# username → 主管部门: who decides at the 主管部门 stage over the applications of its units.
DEPARTMENT_STAFF = {"huangzhiqiang": "FJ-ZJT"}

CITIES = ["福州", "厦门", "泉州", "漳州", "莆田", "三明", "南平", "龙岩", "宁德", "福清", "晋江", "石狮", "长乐"]
KINDS = ["建筑工程有限公司", "市政工程有限公司", "人民医院", "中医院", "妇幼保健院", "第一中学", "实验小学",
         "电子科技有限公司", "机械制造有限公司", "化工有限公司", "水利水电勘测设计院", "交通规划设计院",
         "农业科学研究所", "信息技术有限公司", "测绘院", "环境监测站", "疾病预防控制中心", "职业技术学院"]


def _principal_of_unit(account) -> Principal:
    return Principal(subject=str(demo_ids.unit_account_id(account.credit_code)), kind="unit",
                     claims={"credit_code": account.credit_code, "legal_person_name": account.name})


def filler_units(count: int, seed: int = 7) -> list[dict]:
    """Plausible units for search: 城市 + 字号 + 类别, each with a valid 统一社会信用代码."""
    rng = random.Random(seed)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    units, names = [], set()
    while len(units) < count:
        name = f"{rng.choice(CITIES)}市{rng.choice('华闽海榕鹭泉兴安建宏新鑫达源')}{rng.choice('盛通信诚泰恒明瑞丰')}{rng.choice(KINDS)}"
        if name in names:
            name = f"{name[:-4]}第{len(units)}分{name[-4:]}"
        names.add(name)
        first17 = "9135" + "".join(rng.choice("0123456789") for _ in range(4)) + "".join(
            rng.choice(alphabet) for _ in range(9))
        units.append({"id": uuid.UUID(int=rng.getrandbits(128), version=4), "name": name,
                      "credit_code": first17 + credit_code_check_char(first17),
                      "address": f"{name[:2]}市{rng.choice(['鼓楼区', '思明区', '丰泽区', '芗城区'])}{rng.randint(1, 300)} 号",
                      "contact_name": "办公室", "contact_phone": f"0591-{rng.randint(20000000, 89999999)}",
                      "department_code": rng.choice(DEPARTMENTS)[0], "legal_account_id": uuid.uuid4(),
                      "legal_person_name": "法定代表人"})
    return units


async def seed(db: Database, fillers: int = 300) -> None:
    accounts = {a.username: a for a in LEGAL_ACCOUNTS}
    persons = {p.username: p for p in PERSONS}
    async with db.sessionmaker() as session, session.begin():
        await sync_departments(session)
        await _seed_department_staff(session, persons)
        if await session.scalar(sa.select(sa.func.count()).select_from(Unit)):
            return
        units = {}
        for username, (address, department, contact, phone) in REGISTERED.items():
            account = accounts[username]
            unit = Unit(id=demo_ids.unit_id(account.credit_code), name=account.unit_name,
                        credit_code=account.credit_code, address=address, contact_name=contact, contact_phone=phone,
                        department_code=department, legal_account_id=demo_ids.unit_account_id(account.credit_code),
                        legal_person_name=account.name)
            session.add(unit)
            await session.flush()
            await record_event(session, PRODUCER, unit.id, UnitRegistered(
                unit_id=unit.id, name=unit.name, credit_code=unit.credit_code, department_code=unit.department_code,
                legal_account_id=unit.legal_account_id))
            units[username] = unit
        for username, (unit_username, status) in MEMBERS.items():
            person = persons[username]
            who = Principal(subject=str(demo_ids.person_id(person.id_number)), kind="person", name=person.name,
                            claims={"id_number_masked": mask_id_number(person.id_number)})
            binding, _ = await bindings.request(session, who, BindingIn(
                unit_id=units[unit_username].id, note=f"本人为{units[unit_username].name}在职专业技术人员，申请绑定。"))
            if status == "approved":
                await bindings.approve(session, _principal_of_unit(accounts[unit_username]), binding.id)
        for username, unit_username in REVIEWERS.items():
            person, unit = persons[username], units[unit_username]
            reviewer = Reviewer(unit_id=unit.id, person_id=demo_ids.person_id(person.id_number), name=person.name,
                                id_number_masked=mask_id_number(person.id_number))
            session.add(reviewer)
            await session.flush()
            await record_event(session, PRODUCER, unit.id, ReviewerAdded(unit_id=unit.id, person_id=reviewer.person_id))
        await session.execute(sa.insert(Unit), filler_units(fillers))
        assert await session.scalar(sa.select(sa.func.count()).select_from(Binding)) == len(MEMBERS)


async def _seed_department_staff(session, persons: dict) -> None:
    """Also on a database seeded before department staff existed (each step skips what is there)."""
    names = dict(DEPARTMENTS)
    for username, code in DEPARTMENT_STAFF.items():
        person = persons[username]
        person_id = demo_ids.person_id(person.id_number)  # identity's seed registers them under this id
        # Units' read model may not have heard of the registration yet (identity seeds first).
        await session.execute(pg.insert(Person).values(
            id=person_id, name=person.name, id_number_masked=mask_id_number(person.id_number),
            registered_at=dt.datetime.now(dt.UTC)).on_conflict_do_nothing())
        added = await session.scalar(pg.insert(DepartmentStaff).values(
            department_code=code, person_id=person_id, person_name=person.name, added_by="seed")
            .on_conflict_do_nothing().returning(DepartmentStaff.person_id))
        if added is not None:
            await record_event(session, PRODUCER, code, DepartmentStaffAdded(
                department_code=code, department_name=names[code], person_id=person_id))


async def main() -> None:
    db = Database(get_settings().database_url, pool_size=1, max_overflow=0)
    try:
        await seed(db)
        print("units: demo units, bindings, reviewers and department staff are in place")
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
