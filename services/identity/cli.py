"""Operator commands of identity.

    python -m services.identity.cli grant-role --id-number 3501... --role operator
    python -m services.identity.cli revoke-role --id-number 3501... --role plan_admin
    python -m services.identity.cli rotate-key
"""
from __future__ import annotations

import argparse
import asyncio
import getpass

from services.identity import people
from services.identity.settings import get_settings
from services.identity.tokens import rotate_signing_key
from shared.db import Database
from shared.errors import AppError


async def _run(args: argparse.Namespace) -> str:
    db = Database(get_settings().database_url, pool_size=1, max_overflow=0)
    try:
        async with db.sessionmaker() as session, session.begin():
            if args.cmd == "grant-role":
                person = await people.grant_role(session, args.id_number, args.role, f"cli:{getpass.getuser()}")
                return f"已授予 {person.name} 角色 {args.role}"
            if args.cmd == "revoke-role":
                person = await people.revoke_role(session, args.id_number, args.role)
                return f"已撤销 {person.name} 的角色 {args.role}"
            return f"新签名密钥 {await rotate_signing_key(session)}"
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.identity.cli", description="身份服务运维命令")
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name in ("grant-role", "revoke-role"):
        p = sub.add_parser(name)
        p.add_argument("--id-number", required=True, help="已注册人员的身份证号码")
        p.add_argument("--role", required=True, choices=["operator", "plan_admin", "expert"])
    sub.add_parser("rotate-key")
    args = parser.parse_args()
    try:
        print(asyncio.run(_run(args)))
    except AppError as exc:
        raise SystemExit(f"失败：{exc.detail}") from None


if __name__ == "__main__":
    main()
