"""Operator commands of plans.

    python -m services.plans.cli add-organizer --name 福建省人力资源和社会保障厅
    python -m services.plans.cli add-admin --organizer 福建省人力资源和社会保障厅 --person-id UUID
    python -m services.plans.cli remove-admin --organizer 福建省人力资源和社会保障厅 --person-id UUID
    python -m services.plans.cli list-admins --organizer 福建省人力资源和社会保障厅

The person must have registered (plans learns of them from identity.person.registered) and
needs the plan_admin role too: `python -m services.identity.cli grant-role … --role plan_admin`.
"""
from __future__ import annotations

import argparse
import asyncio
import getpass
import uuid

from services.plans import organizers
from services.plans.settings import get_settings
from shared.db import Database
from shared.errors import AppError


async def _run(args: argparse.Namespace) -> str:
    db = Database(get_settings().database_url, pool_size=1, max_overflow=0)
    try:
        async with db.sessionmaker() as session, session.begin():
            if args.cmd == "add-organizer":
                organizer = await organizers.create_organizer(session, args.name)
                return f"已新增组建单位 {organizer.name}（{organizer.id}）"
            organizer = await organizers.organizer_by_name(session, args.organizer)
            if args.cmd == "add-admin":
                await organizers.add_admin(session, organizer.id, args.person_id, f"cli:{getpass.getuser()}")
                return f"已指定 {args.person_id} 为 {organizer.name} 的计划管理员"
            if args.cmd == "remove-admin":
                await organizers.remove_admin(session, organizer.id, args.person_id)
                return f"已撤销 {args.person_id} 的 {organizer.name} 计划管理员身份"
            rows = await organizers.admins_of(session, organizer.id)
            return "\n".join(f"{a.person_id}  {p.name if p else '—'}  {p.id_number_masked if p else ''}"
                             for a, p in rows) or "（无）"
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.plans.cli", description="评审计划服务运维命令")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("add-organizer").add_argument("--name", required=True, help="组建单位名称")
    for name in ("add-admin", "remove-admin"):
        p = sub.add_parser(name)
        p.add_argument("--organizer", required=True, help="组建单位名称")
        p.add_argument("--person-id", required=True, type=uuid.UUID, help="已注册人员的编号")
    sub.add_parser("list-admins").add_argument("--organizer", required=True, help="组建单位名称")
    args = parser.parse_args()
    try:
        print(asyncio.run(_run(args)))
    except AppError as exc:
        raise SystemExit(f"失败：{exc.detail}") from None


if __name__ == "__main__":
    main()
