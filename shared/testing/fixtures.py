"""pytest fixtures shared by every test suite (loaded from the root conftest)."""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from shared.idnumbers import credit_code_check_char, id_check_digit
from shared.testing import infra
from shared.testing.processes import Processes, free_port


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    with infra.postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    with infra.rabbitmq_server() as url:
        yield url


@dataclass
class Stack:
    """The running platform: 闽政通 simulator, services and gateway, each a real process."""

    gateway: str
    identity: str
    mzt: str
    internal_key: str
    identity_db: str
    procs: Processes

    def new_person(self, name: str = "测试人员", *, valid: bool = True) -> dict:
        """A fresh 闽政通 person account with a unique (valid or deliberately broken) ID number."""
        first17 = f"350102{1970 + secrets.randbelow(30)}0{1 + secrets.randbelow(9)}1{secrets.randbelow(9)}" \
                  f"{secrets.randbelow(1000):03d}"
        check = id_check_digit(first17)
        if not valid:
            check = "0" if check != "0" else "1"
        username = f"p{secrets.token_hex(6)}"
        account = {"username": username, "account_type": "person", "name": name, "id_number": first17 + check,
                   "phone": f"138{secrets.randbelow(10**8):08d}"}
        httpx.post(f"{self.mzt}/_admin/accounts", json=account, timeout=5).raise_for_status()
        return {**account, "password": "Demo@2026"}

    def new_unit_account(self, unit_name: str = "测试单位有限公司") -> dict:
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        first17 = "91350100" + "".join(secrets.choice(alphabet) for _ in range(9))
        username = f"u{secrets.token_hex(6)}"
        account = {"username": username, "account_type": "legal", "name": "法人代表", "id_number": "350102198503120317",
                   "unit_name": unit_name, "credit_code": first17 + credit_code_check_char(first17)}
        httpx.post(f"{self.mzt}/_admin/accounts", json=account, timeout=5).raise_for_status()
        return {**account, "password": "Demo@2026"}


@pytest.fixture(scope="session")
def stack(pg_server: str, amqp_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    import asyncio

    log_dir = Path(tmp_path_factory.mktemp("stack-logs"))
    procs = Processes(log_dir)
    identity_db = asyncio.run(infra.recreate_database(pg_server, "zct_identity"))
    ports = {name: free_port() for name in ("gateway", "identity", "mzt")}
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    identity = f"http://127.0.0.1:{ports['identity']}"
    mzt = f"http://localhost:{ports['mzt']}"
    internal_key = secrets.token_urlsafe(24)
    common = {
        "ZC_ENVIRONMENT": "test", "ZC_AMQP_URL": amqp_url, "ZC_INTERNAL_KEY": internal_key,
        "ZC_IDENTITY_URL": identity, "ZC_LOG_JSON": "true",
    }
    try:
        procs.start("mzt", "simulators.mzt", mzt, {**common, "MZT_SIM_PORT": str(ports["mzt"]), "MZT_SIM_ISSUER": mzt})
        procs.start("identity", "services.identity", identity, {
            **common, "IDENTITY_PORT": str(ports["identity"]), "IDENTITY_DATABASE_URL": identity_db,
            "IDENTITY_MZT_ISSUER": mzt, "IDENTITY_PUBLIC_URL": gateway})
        procs.start("gateway", "gateway", gateway, {
            **common, "GATEWAY_PORT": str(ports["gateway"]), "GATEWAY_PUBLIC_URL": gateway,
            "GATEWAY_SERVICES": f'{{"identity": "{identity}"}}',
            "GATEWAY_RATE_LIMIT": os.environ.get("ZC_TEST_RATE_LIMIT", "200/second")})
        yield Stack(gateway=gateway, identity=identity, mzt=mzt, internal_key=internal_key,
                    identity_db=identity_db, procs=procs)
    except RuntimeError:
        procs.stop_all()
        raise
    finally:
        procs.stop_all()
        for p in log_dir.glob("*.log"):
            os.environ.get("ZC_TEST_SHOW_LOGS") and print(f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}")
