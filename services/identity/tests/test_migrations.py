"""Identity's stored data across its migrations: the role once called "reviewer" is "expert"
(评审专家) afterwards; a unit's 经办人 were never a role and keep their word."""
from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import asyncpg
from alembic import command
from sqlalchemy.engine import make_url

from shared.db import alembic_config
from shared.testing.infra import drop_database, recreate_database, run_database

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def test_the_reviewer_role_becomes_expert(pg_server):
    name = run_database("identity_migration")
    url = asyncio.run(recreate_database(pg_server, name))
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    async def sql(query: str, *args):
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()

    try:
        config = alembic_config(MIGRATIONS, url)
        command.upgrade(config, "0004")
        one, both = uuid.uuid4(), uuid.uuid4()
        for person, number, roles in ((one, "350102199001010011", ["reviewer", "plan_admin"]),
                                      (both, "350102199001010038", ["reviewer", "expert"])):
            asyncio.run(sql("INSERT INTO persons (id, id_number, name, gender, birth_date, mobile, address,"
                            " registered_at, updated_at) VALUES ($1, $2, '迁移测试', 'male', '1990-01-01', '13800000000',"
                            " '福州', now(), now())", person, number))
            for role in roles:
                asyncio.run(sql("INSERT INTO role_grants (person_id, role, granted_by, granted_at)"
                                " VALUES ($1, $2, 'test', now())", person, role))
        command.upgrade(config, "head")
        rows = asyncio.run(sql("SELECT person_id, role FROM role_grants ORDER BY role"))
        assert sorted((r["person_id"], r["role"]) for r in rows) == sorted(
            [(one, "expert"), (one, "plan_admin"), (both, "expert")])
    finally:
        asyncio.run(drop_database(pg_server, name))
