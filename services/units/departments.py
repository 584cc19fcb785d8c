"""主管部门: the competent departments a unit chooses from. Reference data kept here and
written into the database at every start (new ones added, names updated)."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.units.models import Department

DEPARTMENTS: list[tuple[str, str]] = [
    ("FJ-RSW", "福建省人力资源和社会保障厅"),
    ("FJ-ZJT", "福建省住房和城乡建设厅"),
    ("FJ-WJW", "福建省卫生健康委员会"),
    ("FJ-JYT", "福建省教育厅"),
    ("FJ-GXT", "福建省工业和信息化厅"),
    ("FJ-JTT", "福建省交通运输厅"),
    ("FJ-SLT", "福建省水利厅"),
    ("FJ-NYT", "福建省农业农村厅"),
    ("FJ-KJT", "福建省科学技术厅"),
    ("FJ-GZW", "福建省人民政府国有资产监督管理委员会"),
    ("FZ-RSJ", "福州市人力资源和社会保障局"),
    ("XM-RSJ", "厦门市人力资源和社会保障局"),
    ("QZ-RSJ", "泉州市人力资源和社会保障局"),
    ("ZZ-RSJ", "漳州市人力资源和社会保障局"),
    ("PT-RSJ", "莆田市人力资源和社会保障局"),
    ("SM-RSJ", "三明市人力资源和社会保障局"),
    ("NP-RSJ", "南平市人力资源和社会保障局"),
    ("LY-RSJ", "龙岩市人力资源和社会保障局"),
    ("ND-RSJ", "宁德市人力资源和社会保障局"),
    ("PTSY-RSJ", "平潭综合实验区社会事业局"),
]


async def sync_departments(session: AsyncSession) -> None:
    rows = [{"code": c, "name": n, "position": i} for i, (c, n) in enumerate(DEPARTMENTS)]
    insert = pg.insert(Department).values(rows)
    await session.execute(insert.on_conflict_do_update(
        index_elements=[Department.code], set_={"name": insert.excluded.name, "position": insert.excluded.position}))
