"""Demo data of identity: some 闽政通 demo persons already registered, with roles.

    python -m services.identity.seed

Idempotent. 王五 and 吴晓燕 stay unregistered so that a newcomer can try the registration page;
测试坏号 has an invalid identity number and can never register."""
from __future__ import annotations

import asyncio

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from deploy import demo_ids
from services.identity.models import Person, UnitAccount
from services.identity.people import PRODUCER, grant_role
from services.identity.settings import get_settings
from shared.db import Database
from shared.events import record_event
from shared.events.catalogue import PersonRegistered
from shared.idnumbers import mask_id_number, parse_id_number
from simulators.mzt.accounts import LEGAL_ACCOUNTS, PERSONS

REGISTERED = {"zhangsan": "福州市鼓楼区五四路 158 号", "lisi": "厦门市思明区湖滨南路 90 号",
              "chenmeiling": "福州市台江区八一七中路 300 号", "linjianhua": "福州市鼓楼区中山路 5 号",
              "huangzhiqiang": "泉州市丰泽区东海大街 1 号", "zhenglijuan": "三明市梅列区列东街 12 号"}
ROLES = {"linjianhua": ["operator", "plan_admin"], "huangzhiqiang": ["expert"]}


async def seed(db: Database) -> list[str]:
    done = []
    async with db.sessionmaker() as session, session.begin():
        for account in PERSONS:
            if account.username not in REGISTERED:
                continue
            facts = parse_id_number(account.id_number)
            if await session.scalar(sa.select(Person.id).where(Person.id_number == facts.number)) is None:
                person = Person(id=demo_ids.person_id(facts.number), id_number=facts.number, name=account.name, gender=facts.gender,
                                birth_date=facts.birth_date, mobile=account.phone or "13800000000",
                                address=REGISTERED[account.username], email=f"{account.username}@example.com")
                session.add(person)
                await session.flush()
                await record_event(session, PRODUCER, person.id, PersonRegistered(
                    person_id=person.id, name=person.name, gender=person.gender, birth_date=person.birth_date,
                    id_number_masked=mask_id_number(person.id_number), mobile=person.mobile))
                done.append(account.name)
            for role in ROLES.get(account.username, []):
                await grant_role(session, facts.number, role, "seed")
        for account in LEGAL_ACCOUNTS:  # as if each legal person had logged in once
            await session.execute(pg.insert(UnitAccount).values(
                id=demo_ids.unit_account_id(account.credit_code), credit_code=account.credit_code,
                unit_name=account.unit_name, legal_person_name=account.name).on_conflict_do_nothing())
    return done


async def main() -> None:
    db = Database(get_settings().database_url, pool_size=1, max_overflow=0)
    try:
        added = await seed(db)
        print(f"identity: registered demo persons {'、'.join(added) or '（已存在）'}")
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
