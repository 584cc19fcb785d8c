"""Demo data of library (idempotent): entries of the demo persons in every state, so that 个人业绩库,
业绩统计 and the unit's 业绩审核 queue have something to show.

    python -m services.library.seed
"""
from __future__ import annotations

import asyncio

import httpx
import sqlalchemy as sa

from deploy import demo_ids
from services.library import entries, review
from services.library.models import Entry
from services.library.schemas import EntryIn
from services.library.settings import get_settings
from shared.auth import Principal
from shared.db import Database
from shared.idnumbers import mask_id_number
from simulators.mzt.accounts import LEGAL_ACCOUNTS, PERSONS

# username → [(type, fields, final state)]; the unit each person belongs to comes from units' seed.
DEMO = {
    "zhangsan": ("unit-sjy", [
        ("work_experience", {"start_date": "2008-07-01", "unit": "福建省建筑设计研究院有限公司",
                             "position": "结构设计师", "duties": "负责大型公共建筑结构设计与审核", "witness": "刘国栋"},
         "approved"),
        ("education", {"school": "福州大学", "major": "土木工程", "education": "大学本科", "degree": "学士",
                       "study_mode": "全日制", "start_date": "2004-09-01", "end_date": "2008-06-30",
                       "certificate_no": "103861200805001234", "organizer": "福州大学"}, "approved"),
        ("annual_assessment", {"year": 2024, "result": "优秀"}, "approved"),
        ("annual_assessment", {"year": 2025, "result": "合格"}, "submitted"),
        ("paper", {"title": "超高层建筑结构抗震性能分析", "publication": "建筑结构", "issn_cn": "ISSN 1002-848X",
                   "published_on": "2023-05-15", "author_rank": 1}, "submitted"),
        ("achievement", {"name": "福州海峡文化艺术中心结构设计", "role": "专业负责人", "level": "省部级",
                         "date": "2020-12-01", "description": "获省优秀工程勘察设计一等奖"}, "draft"),
    ]),
    "chenmeiling": ("unit-hospital", [
        ("health_surgery", {"name": "腹腔镜胆囊切除术", "grade": "三级", "performed_on": "2025-03-12", "role": "主刀"},
         "approved"),
        ("health_case", {"disease": "急性重症胰腺炎", "treated_on": "2025-06-02", "role": "主治医师",
                         "description": "多学科协作救治成功"}, "submitted"),
    ]),
}


def _person(username: str, unit_username: str) -> Principal:
    person = next(p for p in PERSONS if p.username == username)
    unit = next(a for a in LEGAL_ACCOUNTS if a.username == unit_username)
    return Principal(subject=str(demo_ids.person_id(person.id_number)), kind="person", name=person.name, claims={
        "id_number_masked": mask_id_number(person.id_number), "unit_id": str(demo_ids.unit_id(unit.credit_code))})


def _unit(unit_username: str) -> Principal:
    unit = next(a for a in LEGAL_ACCOUNTS if a.username == unit_username)
    return Principal(subject=str(demo_ids.unit_account_id(unit.credit_code)), kind="unit", name=unit.unit_name,
                     claims={"units": [str(demo_ids.unit_id(unit.credit_code))], "legal_person_name": unit.name})


async def seed(db: Database) -> None:
    # Demo entries carry no attachments, so documents is never called here.
    no_documents = httpx.AsyncClient(base_url="http://documents.invalid")
    async with db.sessionmaker() as session, session.begin():
        if await session.scalar(sa.select(sa.func.count()).select_from(Entry)):
            return
        for username, (unit_username, items) in DEMO.items():
            person, unit = _person(username, unit_username), _unit(unit_username)
            for type_, fields, state in items:
                entry = await entries.create(session, no_documents, person, EntryIn(type=type_, fields=fields))
                if state in ("submitted", "approved"):
                    await entries.submit(session, no_documents, person, entry.id)
                if state == "approved":
                    await review.approve(session, no_documents, unit, entry.id)
    await no_documents.aclose()


async def main() -> None:
    db = Database(get_settings().database_url, pool_size=1, max_overflow=0)
    try:
        await seed(db)
        print("library: demo entries are in place")
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
