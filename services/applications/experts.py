"""评委专家库: each organiser's pool of experts, kept by the organiser's administrators (the plan_admin
persons plans named for it: interviews.organizers_of, read at each request).

An expert is a registered person: the import names them by 身份证号, which identity resolves (only
identity keeps whole numbers; applications keeps the masked one). Their unit — what the 回避 rule
compares with an applicant's — is the 工作单位 the list names, found by its exact registered name
in the read model of units (``Unit``); a row without one takes the unit the person is bound to
(``Membership``). A unit's name is what an organiser's list has; units refuses a second unit of the
same 统一社会信用代码, and a name that matches two units is refused for the row, not guessed.

The import takes CSV (UTF-8 or GB18030, as Excel saves it) or Excel (.xlsx); the first row names the
columns. Each row is checked on its own: the good rows are added (or, for a person already in the
pool, updated and made active again), each refused row is reported as 第N行：why, N being the row
of the sheet (the header is row 1)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import uuid

import httpx
import openpyxl
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from services.applications.interviews import organizers_of
from services.applications.models import Expert, Membership, Unit
from services.applications.schemas import ExpertImportOut, ExpertOut
from shared.auth import Principal
from shared.errors import AppError, InvalidField, NotFound
from shared.idnumbers import InvalidNumber, mask_id_number, parse_id_number
from shared.vocabulary import LEVELS, SERIES

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
# Column → the headers a list may use for it.
COLUMNS = {"name": ("姓名",), "id_number": ("身份证号", "身份证号码"), "series": ("系列",), "majors": ("专业",),
           "level": ("职称级别", "级别"), "unit": ("工作单位", "单位")}
REQUIRED = ("name", "id_number", "series", "majors", "level")
SERIES_CODES = {name: code for code, name in SERIES.items()}
LEVEL_CODES = {**{name.removesuffix("级"): code for code, name in LEVELS.items()},
               **{name: code for code, name in LEVELS.items()}}
MAJOR_SPLIT = re.compile(r"[、,，;；/\s]+")


def expert_out(e: Expert) -> ExpertOut:
    return ExpertOut(id=e.id, person_id=e.person_id, name=e.name, id_number_masked=e.id_number_masked,
                     series=e.series, series_name=SERIES.get(e.series, e.series), majors=e.majors, level=e.level,
                     level_name=LEVELS.get(e.level, e.level), unit_id=e.unit_id, unit_name=e.unit_name,
                     active=e.active, updated_at=e.updated_at)


async def administered(db: AsyncSession, principal: Principal, organizer_id: uuid.UUID) -> None:
    """Only the organiser's administrators see its pool; to anyone else it does not exist."""
    if organizer_id not in await organizers_of(db, principal):
        raise NotFound("未找到该组建单位的评委专家库，或您不是它的计划管理员", code="organizer_not_found")


async def pool(db: AsyncSession, principal: Principal, organizer_id: uuid.UUID) -> list[ExpertOut]:
    await administered(db, principal, organizer_id)
    rows = await db.scalars(sa.select(Expert).where(Expert.organizer_id == organizer_id)
                            .order_by(Expert.active.desc(), Expert.series, Expert.name, Expert.id))
    return [expert_out(e) for e in rows]


async def change(db: AsyncSession, principal: Principal, organizer_id: uuid.UUID, expert_id: uuid.UUID,
                 active: bool) -> ExpertOut:
    """启用 / 停用: an inactive expert stays in the pool but is not drawn."""
    await administered(db, principal, organizer_id)
    expert = await db.get(Expert, expert_id, with_for_update=True)
    if expert is None or expert.organizer_id != organizer_id:
        raise NotFound("未找到该专家", code="expert_not_found")
    expert.active, expert.updated_at = active, dt.datetime.now(dt.UTC)
    return expert_out(expert)


# --- import ---------------------------------------------------------------------------------------
UNREADABLE = "无法读取专家名单文件："


def _rows(content: bytes) -> list[list[object]]:
    """The sheet's rows (at most the header and MAX_ROWS + 1 more): an Excel workbook (a zip), its
    cells as Excel typed them, or CSV, as text. Blocking work: run in a thread (import_list)."""
    if content[:4] == b"PK\x03\x04":
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                return list(itertools.islice(book.worksheets[0].iter_rows(values_only=True), MAX_ROWS + 2))
            finally:
                book.close()
        # A damaged workbook fails anywhere in openpyxl, zipfile or the XML parser, with whatever they raise.
        except Exception:  # noqa: BLE001
            raise InvalidField("file", UNREADABLE + "该 Excel 文件已损坏或格式不对，请另存为 .xlsx 或 CSV 后重试") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidField("file", "无法识别该文件的编码，请以 UTF-8 CSV 或 Excel (.xlsx) 格式上传")
    try:
        return list(itertools.islice(csv.reader(io.StringIO(text)), MAX_ROWS + 2))
    except csv.Error as exc:
        raise InvalidField("file", UNREADABLE + f"CSV 格式有误（{exc}），请检查引号是否成对") from None


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _columns(header: list[str]) -> dict[str, int]:
    where = {}
    for column, names in COLUMNS.items():
        found = next((i for i, h in enumerate(header) if h in names), None)
        if found is not None:
            where[column] = found
    missing = [COLUMNS[c][0] for c in REQUIRED if c not in where]
    if missing:
        raise InvalidField("file", f"第1行应为表头，缺少列：{'、'.join(missing)}（应包含姓名、身份证号、系列、专业、职称级别，"
                                   "可选工作单位）")
    return where


async def _person(identity: httpx.AsyncClient, number: str) -> dict | None:
    response = await identity.get("/internal/persons/lookup", params={"id_number": number})
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise AppError("暂时无法核实专家身份，请稍后再试", code="identity_unavailable", status_code=503)
    return response.json()


async def _unit(db: AsyncSession, name: str, person_id: uuid.UUID) -> tuple[uuid.UUID, str] | str:
    """The expert's unit, or why it cannot be told."""
    if name:
        found = (await db.execute(sa.select(Unit.id, Unit.name).where(Unit.name == name).limit(2))).all()
        if len(found) != 1:
            return f"工作单位「{name}」未在平台注册" if not found else f"有多个名为「{name}」的单位，无法确定"
        return found[0][0], found[0][1]
    membership = await db.get(Membership, person_id)
    if membership is None or not membership.active:
        return "请填写工作单位（该专家未绑定单位）"
    return membership.unit_id, membership.unit_name


async def import_list(db: AsyncSession, principal: Principal, organizer_id: uuid.UUID, content: bytes, *,
                      identity: httpx.AsyncClient) -> ExpertImportOut:
    await administered(db, principal, organizer_id)
    if not content:
        raise InvalidField("file", "请选择专家名单文件（Excel .xlsx 或 CSV）")
    if len(content) > MAX_BYTES:
        raise InvalidField("file", "专家名单文件不能超过 2 MB")
    rows = iter(await run_in_threadpool(_rows, content))
    where = _columns([_text(v) for v in next(rows, [])])
    errors: list[str] = []
    added = updated = 0
    seen: dict[str, int] = {}
    now = dt.datetime.now(dt.UTC)
    for n, row in enumerate(rows, start=2):
        if n > MAX_ROWS + 1:
            errors.append(f"第{n}行起未导入：一次最多导入 {MAX_ROWS} 行")
            break
        raw = {c: row[i] if i < len(row) else None for c, i in where.items()}
        cell = {c: _text(v) for c, v in raw.items()}
        if not any(cell.values()):
            continue  # a blank line
        why: list[str] = []
        number = ""
        if not cell["name"]:
            why.append("请填写姓名")
        if isinstance(raw["id_number"], int | float):  # Excel kept a number: its last digits are already lost
            why.append("身份证号请设为文本格式")
        else:
            try:
                number = parse_id_number(cell["id_number"]).number
            except InvalidNumber as exc:
                why.append(f"身份证号{exc}" if cell["id_number"] else "请填写身份证号")
        if number and number in seen:
            why.append(f"身份证号与第{seen[number]}行重复")
        series = SERIES_CODES.get(cell["series"])
        if series is None:
            why.append(f"系列「{cell['series']}」不在平台代码表中" if cell["series"] else "请填写系列")
        majors = [m for m in MAJOR_SPLIT.split(cell["majors"]) if m]
        if not majors or any(len(m) > 100 for m in majors):
            why.append("请填写专业（多个专业以顿号分隔）" if not majors else "专业名称过长")
        level = LEVEL_CODES.get(cell["level"])
        if level is None:
            why.append(f"职称级别「{cell['level']}」应为正高级、副高级、中级或初级" if cell["level"] else "请填写职称级别")
        person = await _person(identity, number) if number and not why else None
        if number and not why and person is None:
            why.append("该人员尚未在本平台注册，请其先使用闽政通个人账号登录注册")
        elif person is not None and person["name"] != cell["name"]:
            why.append("姓名与身份证号登记的姓名不一致")
        unit = await _unit(db, cell.get("unit", ""), uuid.UUID(person["id"])) if person and not why else None
        if isinstance(unit, str):
            why.append(unit)
        if why or person is None or not isinstance(unit, tuple) or series is None or level is None:
            errors.append(f"第{n}行：{'；'.join(why)}")
            continue
        seen[number] = n
        values = {"name": person["name"], "id_number_masked": person.get("id_number_masked") or mask_id_number(number),
                  "series": series, "majors": majors, "level": level, "unit_id": unit[0], "unit_name": unit[1],
                  "active": True, "updated_at": now}
        # One statement, so two imports of the same person at once update rather than collide.
        inserted = await db.scalar(
            pg.insert(Expert).values(id=uuid.uuid4(), organizer_id=organizer_id, person_id=uuid.UUID(person["id"]),
                                     created_at=now, **values)
            .on_conflict_do_update(constraint="uq_experts_organizer_person", set_=values)
            .returning(sa.literal_column("xmax = 0")))
        added, updated = (added + 1, updated) if inserted else (added, updated + 1)
    await db.flush()
    return ExpertImportOut(added=added, updated=updated, errors=errors)
