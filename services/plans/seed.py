"""Demo data of plans (idempotent): the three organisers, 林建华 as plan administrator of
福建省人力资源和社会保障厅, and plans with realistic standards — the 2026 工程系列 高级 plan
(open until 2026-12-31), the 2026 卫生系列 and 中小学教师 plans, a closed 2025 plan, a 2027
plan that has not opened yet, and a draft. 黄志强 (评审专家) decides at the 职称管理部门 and
评委会 stages of every one of them.

    python -m services.plans.seed
"""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from deploy import demo_ids
from services.plans import assignees, plans
from services.plans.models import Organizer, OrganizerAdmin, Person, Plan, StageAssignee
from services.plans.schemas import PlanIn
from services.plans.settings import get_settings
from shared.db import Database
from shared.events import record_event
from shared.events.catalogue import OrganizerAdminAdded
from shared.events.outbox import outbox
from shared.idnumbers import mask_id_number
from simulators.mzt.accounts import PERSONS

HRSS, HEALTH, EDUCATION = "福建省人力资源和社会保障厅", "福建省卫生健康委员会", "福建省教育厅"
ADMINS = {"linjianhua": HRSS}
# Who decides at the stages of the demo plans whose deciders a plan names (person, parties).
DECIDERS = {"huangzhiqiang": ("title_office", "committee")}

ENGINEERING_MAJORS = ["建筑工程", "市政工程", "电子信息", "计算机与软件", "机械工程", "电气工程", "化学工程",
                      "水利水电工程", "交通运输工程", "环境工程"]
ENGINEERING_SCOPE = ("全省各类企事业单位中从事工程技术工作、符合申报条件的在职专业技术人员；"
                     "非公有制经济组织、社会组织专业技术人员及自由职业专业技术人员按属地原则申报。"
                     "公务员（含参照公务员法管理人员）、离退休人员不得申报。")


def _stages(committee: str, office: str) -> list[dict]:
    return [{"name": "用人单位审核", "party": "unit", "party_name": "申报人所在单位（公示不少于5个工作日）"},
            {"name": "主管部门审核", "party": "department", "party_name": "各设区市人社局、省直主管部门"},
            {"name": "职称管理部门审核", "party": "title_office", "party_name": office},
            {"name": "评委会评审", "party": "committee", "party_name": committee}]


def _category(name: str, entry_types: list[str], min_count: int, max_count: int, hint: str = "") -> dict:
    return {"name": name, "entry_types": entry_types, "min_count": min_count, "max_count": max_count,
            "required": min_count > 0, "hint": hint}


ID_CARDS = [{"kind": "id_card_front", "required": True}, {"kind": "id_card_back", "required": True},
            {"kind": "photo", "required": True, "note": "近期免冠正面彩色证件照"},
            {"kind": "diploma", "required": True, "note": "最高学历证书"},
            {"kind": "pledge", "required": True, "note": "须有本人手写签名"}]


def _years(forms: dict[str, int], levels: list[str]) -> list[dict]:
    return [{"form": f, "level": lv, "years": y} for f, y in forms.items() for lv in levels]


def engineering_senior() -> PlanIn:
    committee = "福建省工程系列高级职称评审委员会"
    return PlanIn.model_validate({
        "year": 2026, "name": "2026年度福建省工程系列高级职称评审计划", "committee": committee,
        "levels": ["senior_full", "senior_associate"], "plan_type": "review", "series": "engineering",
        "start_date": "2026-06-01", "end_date": "2026-12-31", "has_interview": True, "scope": ENGINEERING_SCOPE,
        "content": "# 一、申报条件\n"
                   "申报人应遵守国家法律法规，具有良好的职业道德，近五年年度考核均为合格及以上。\n\n"
                   "- 申报高级工程师：取得工程师职称后从事本专业技术工作满5年；\n"
                   "- 申报正高级工程师：取得高级工程师职称后从事本专业技术工作满5年；\n"
                   "- 业绩特别突出的，可按破格条件申报。\n\n"
                   "# 二、申报程序\n"
                   "申报人在个人业绩库录入业绩并经单位审核后，于申报时间内在线提交申报材料，"
                   "经用人单位、主管部门、职称管理部门逐级审核后提交评委会评审。\n\n"
                   "# 三、面试答辩\n"
                   "正高级工程师申报人须参加面试答辩，时间地点另行通知，请留意准考证打印。",
        "majors": ENGINEERING_MAJORS,
        "titles": [{"level": "senior_full", "name": "正高级工程师"}, {"level": "senior_associate", "name": "高级工程师"}],
        "forms": ["regular", "exceptional", "transfer"],
        "stages": _stages(committee, "福建省人力资源和社会保障厅专业技术人员管理处"),
        "standard": {
            "groups": [
                {"name": "能力条件", "categories": [
                    _category("工作经历", ["work_experience"], 1, 10, "至少填写1项，最多10项，须覆盖取得现职称以来的工作经历"),
                    _category("继续教育", ["continuing_education"], 1, 10),
                    _category("年度考核", ["annual_assessment"], 1, 5, "至少填写1项，最多5项，填写近五年年度考核结果")]},
                {"name": "业绩条件", "categories": [
                    _category("取得业绩", ["achievement"], 1, 5),
                    _category("获得荣誉", ["honor"], 0, 5),
                    _category("专利", ["patent"], 0, 5)]},
                {"name": "教科研条件", "categories": [
                    _category("发表论文/著作", ["paper"], 1, 5)]}],
            "attachments": [*ID_CARDS, {"kind": "professional_certificate", "required": False,
                                        "note": "取得注册建造师等职业资格的上传"}],
            "eligibility": {"min_years": [*_years({"regular": 5, "exceptional": 3}, ["senior_full", "senior_associate"]),
                                          {"form": "transfer", "level": "senior_associate", "years": 1}],
                            "min_education": "bachelor", "requires_current_title": True, "extra_sections": []}},
    })


def health_senior() -> PlanIn:
    committee = "福建省卫生系列高级专业技术职务评审委员会"
    return PlanIn.model_validate({
        "year": 2026, "name": "2026年度福建省卫生系列高级职称评审计划", "committee": committee,
        "levels": ["senior_full", "senior_associate"], "plan_type": "review", "series": "health",
        "start_date": "2026-09-15", "end_date": "2026-12-15", "has_interview": True,
        "scope": "全省各级各类医疗卫生机构中从事医疗、护理、药学、技术等工作的在职卫生专业技术人员。"
                 "申报人应取得相应执业资格并按规定注册。",
        "content": "# 一、评审重点\n"
                   "突出临床工作数量和质量，以病案、手术、新技术新项目等业绩作为主要评价依据，"
                   "论文不作为申报的必要条件。\n\n"
                   "# 二、申报要求\n"
                   "- 病例、手术等行业专用业绩须先录入个人业绩库并经单位审核；\n"
                   "- 申报主任医师须从事本专业临床工作，近五年平均每年出门诊不少于40个半天；\n"
                   "- 基层卫生专业技术人员可按基层条件申报。",
        "majors": ["内科学", "外科学", "妇产科学", "儿科学", "全科医学", "护理学", "药学", "医学检验技术",
                   "医学影像学", "中医内科学"],
        "titles": [{"level": "senior_full", "name": n} for n in ("主任医师", "主任护师", "主任药师", "主任技师")]
                  + [{"level": "senior_associate", "name": n} for n in ("副主任医师", "副主任护师", "副主任药师", "副主任技师")],
        "forms": ["regular", "exceptional"],
        "stages": _stages(committee, "福建省卫生健康委员会人事处"),
        "standard": {
            "groups": [
                {"name": "能力条件", "categories": [
                    _category("工作经历", ["work_experience"], 1, 10),
                    _category("继续医学教育", ["continuing_education"], 1, 10, "至少填写1项，最多10项，每年不少于25学分"),
                    _category("年度考核", ["annual_assessment"], 1, 5)]},
                {"name": "业绩条件", "categories": [
                    _category("病例", ["health_case"], 5, 10, "至少填写5份，最多10份，须为本人主治的病例"),
                    _category("手术", ["health_surgery"], 0, 10, "外科类专业须填写，最多10项"),
                    _category("新技术新项目", ["health_new_tech"], 0, 3),
                    _category("获得荣誉", ["honor"], 0, 3)]},
                {"name": "教科研条件", "categories": [
                    _category("论文/著作", ["paper"], 0, 5, "选填，最多5项（不作为必要条件）")]}],
            "attachments": [*ID_CARDS, {"kind": "professional_certificate", "required": True,
                                        "note": "医师/护士/药师执业证书"}],
            "eligibility": {"min_years": _years({"regular": 5, "exceptional": 3}, ["senior_full", "senior_associate"]),
                            "min_education": "bachelor", "requires_current_title": True,
                            "extra_sections": ["health_industry"]}},
    })


def school_teacher_senior() -> PlanIn:
    committee = "福建省中小学教师高级职务评审委员会"
    return PlanIn.model_validate({
        "year": 2026, "name": "2026年度福建省中小学教师高级职称评审计划", "committee": committee,
        "levels": ["senior_full", "senior_associate"], "plan_type": "review", "series": "school_teacher",
        "start_date": "2026-10-08", "end_date": "2026-12-20", "has_interview": True,
        "scope": "全省普通中小学、幼儿园、特殊教育学校、教师进修学校和校外教育机构中在编在岗的教师。"
                 "申报人应具备相应的教师资格，并有班主任或辅导员工作经历。",
        "content": "# 一、基本条件\n"
                   "拥护党的教育方针，具有良好的师德师风，近五年年度考核均为合格及以上。\n\n"
                   "# 二、申报要求\n"
                   "- 申报高级教师须任一级教师满5年，担任班主任（辅导员）工作不少于3年；\n"
                   "- 申报正高级教师须任高级教师满5年，在教育教学领域有突出贡献；\n"
                   "- 基本信息中须填写教师类别、教龄、任教年级、编制类别、农村教龄、从教日期和教师资格。\n\n"
                   "# 三、说课答辩\n"
                   "申报人须参加说课答辩，具体安排另行通知。",
        "majors": ["语文", "数学", "英语", "物理", "化学", "生物", "思想政治", "历史", "地理", "信息技术",
                   "体育与健康", "音乐", "美术", "心理健康教育"],
        "titles": [{"level": "senior_full", "name": "正高级教师"}, {"level": "senior_associate", "name": "高级教师"}],
        "forms": ["regular", "exceptional"],
        "stages": _stages(committee, "福建省教育厅教师工作处"),
        "standard": {
            "groups": [
                {"name": "能力条件", "categories": [
                    _category("工作经历", ["work_experience"], 1, 10),
                    _category("继续教育", ["continuing_education"], 1, 10, "至少填写1项，最多10项，五年一周期累计不少于360学时"),
                    _category("年度考核", ["annual_assessment"], 1, 5)]},
                {"name": "业绩条件", "categories": [
                    _category("教育教学业绩", ["achievement"], 1, 5, "至少填写1项，最多5项，如公开课、示范课、教学成果"),
                    _category("获得荣誉", ["honor"], 0, 5)]},
                {"name": "教科研条件", "categories": [
                    _category("论文/课题", ["paper", "achievement"], 1, 3)]}],
            "attachments": [*ID_CARDS,
                            {"kind": "professional_certificate", "required": True, "note": "教师资格证书"},
                            {"kind": "head_teacher_proof", "required": True, "note": "须加盖学校公章"},
                            {"kind": "principal_training", "required": False, "note": "参加过校（园）长岗位培训的上传"}],
            "eligibility": {"min_years": _years({"regular": 5, "exceptional": 3}, ["senior_full", "senior_associate"]),
                            "min_education": "bachelor", "requires_current_title": True,
                            "extra_sections": ["school_teacher_profile"]}},
    })


def engineering_intermediate(year: int, start: str, end: str, name: str | None = None) -> PlanIn:
    committee = "福建省工程系列中级职称评审委员会"
    return PlanIn.model_validate({
        "year": year, "name": name or f"{year}年度福建省工程系列中级职称评审计划", "committee": committee,
        "levels": ["intermediate"], "plan_type": "review", "series": "engineering", "start_date": start,
        "end_date": end, "has_interview": False, "scope": ENGINEERING_SCOPE,
        "content": "# 申报条件\n"
                   "- 取得助理工程师职称后从事本专业技术工作满4年；\n"
                   "- 具有硕士学位、从事本专业技术工作满2年的，可直接申报。",
        "majors": ENGINEERING_MAJORS, "titles": [{"level": "intermediate", "name": "工程师"}],
        "forms": ["regular", "transfer"],
        "stages": _stages(committee, "福建省人力资源和社会保障厅专业技术人员管理处")[:2]
                  + [{"name": "评委会评审", "party": "committee", "party_name": committee}],
        "standard": {
            "groups": [
                {"name": "能力条件", "categories": [_category("工作经历", ["work_experience"], 1, 10),
                                                 _category("年度考核", ["annual_assessment"], 1, 4)]},
                {"name": "业绩条件", "categories": [_category("取得业绩", ["achievement"], 1, 3)]},
                {"name": "教科研条件", "categories": [_category("论文/专利", ["paper", "patent"], 0, 3)]}],
            "attachments": ID_CARDS,
            "eligibility": {"min_years": [{"form": "regular", "level": "intermediate", "years": 4},
                                          {"form": "transfer", "level": "intermediate", "years": 1}],
                            "min_education": "college", "requires_current_title": True, "extra_sections": []}},
    })


# (organiser, plan, what becomes of it)
PLANS = [
    (HRSS, engineering_senior, "published"),
    (HEALTH, health_senior, "published"),
    (EDUCATION, school_teacher_senior, "published"),
    (HRSS, lambda: engineering_intermediate(2025, "2025-05-06", "2025-08-29"), "closed"),
    (HRSS, lambda: engineering_intermediate(2027, "2027-03-01", "2027-06-30"), "published"),
    (HRSS, lambda: engineering_intermediate(2026, "2027-01-04", "2027-02-26",
                                            "2026年度福建省工程系列中级职称评审计划（第二批）"), "draft"),
]


async def seed(db: Database) -> list[str]:
    added = []
    async with db.sessionmaker() as session, session.begin():
        organizers = {}
        for name in (HRSS, HEALTH, EDUCATION):
            await session.execute(pg.insert(Organizer).values(name=name).on_conflict_do_nothing())
            organizers[name] = await session.scalar(sa.select(Organizer).where(Organizer.name == name))
        for account in PERSONS:
            if account.username in ADMINS or account.username in DECIDERS:
                # identity's seed registers the demo persons under these stable ids.
                person_id = demo_ids.person_id(account.id_number)
                await session.execute(pg.insert(Person).values(
                    id=person_id, name=account.name, id_number_masked=mask_id_number(account.id_number),
                    registered_at=dt.datetime.now(dt.UTC)).on_conflict_do_nothing())
            if account.username in ADMINS:
                await _make_admin(session, organizers[ADMINS[account.username]].id, person_id)
        for organizer_name, make, fate in PLANS:
            data, organizer = make(), organizers[organizer_name]
            plan = await session.scalar(sa.select(Plan).where(Plan.organizer_id == organizer.id,
                                                              Plan.year == data.year, Plan.name == data.name))
            if plan is None:
                plan = await plans.add_draft(session, organizer, data, created_by=None)
                if fate in ("published", "closed"):
                    await plans.mark_published(session, plan)
                if fate == "closed":
                    await plans.mark_closed(session, plan)
                added.append(plan.name)
            await _assign_deciders(session, plan)
    return added


async def _make_admin(session: AsyncSession, organizer_id: uuid.UUID, person_id: uuid.UUID) -> None:
    """The administrator, and its event once: also for a database seeded before the event existed
    (the outbox says whether it was recorded)."""
    added = await session.scalar(pg.insert(OrganizerAdmin).values(
        organizer_id=organizer_id, person_id=person_id, assigned_by="seed")
        .on_conflict_do_nothing().returning(OrganizerAdmin.person_id))
    recorded = await session.scalar(sa.select(outbox.c.id).where(
        outbox.c.type == "plans.organizer.admin_added", outbox.c.envelope["subject"].astext == str(organizer_id),
        outbox.c.envelope["data"]["person_id"].astext == str(person_id)).limit(1))
    if added is not None or recorded is None:
        await record_event(session, plans.PRODUCER, organizer_id,
                           OrganizerAdminAdded(organizer_id=organizer_id, person_id=person_id))


async def _assign_deciders(session: AsyncSession, plan: Plan) -> None:
    for account in PERSONS:
        parties = DECIDERS.get(account.username, ())
        person_id = demo_ids.person_id(account.id_number)
        for stage in plan.stages:
            stage_id = uuid.UUID(stage["id"])
            if stage["party"] in parties and await session.get(StageAssignee, (plan.id, stage_id, person_id)) is None:
                await assignees.assign(session, plan, stage_id, person_id, assigned_by="seed")


async def main() -> None:
    db = Database(get_settings().database_url, pool_size=1, max_overflow=0)
    try:
        added = await seed(db)
        print(f"plans: demo plans {'、'.join(added) or '（已存在）'}")
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
