"""pytest fixtures shared by every test suite (loaded from the root conftest)."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

from deploy.topology import PLANNED, SERVICES, Secrets, Urls, environment, s3_server_args
from shared.idnumbers import credit_code_check_char, id_check_digit
from shared.testing import infra
from shared.testing.browser import HttpBrowser
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
    urls: Urls
    procs: Processes
    s3_keys: tuple[str, str] = ("", "")  # access and secret key of the bucket's S3 server
    gateway_metrics: str = ""  # the gateway's private metrics port (never its public one)
    clock_file: Path | None = None  # ZC_CLOCK_FILE of every process (shared.clock)

    @contextlib.contextmanager
    def on(self, day: dt.date) -> Iterator[None]:
        """Every process of the platform takes ``day`` for today meanwhile (shared.clock)."""
        assert self.clock_file is not None
        self.clock_file.write_text(day.isoformat())
        try:
            yield
        finally:
            self.clock_file.unlink(missing_ok=True)

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


    def person_browser(self, name: str = "测试人员") -> tuple[HttpBrowser, dict]:
        """A browser logged in as a freshly registered person."""
        browser, account = HttpBrowser(), self.new_person(name)
        browser.login(self.gateway, account)
        page = browser.post(f"{self.gateway}/register", data={
            "mobile": "13800000009", "address": "福州市晋安区福新中路 1 号", "choose_unit": "no",
            "csrf_token": browser.csrf(self.gateway)})
        assert page.url.path == "/home", page.text[:300]
        return browser, account

    def unit_browser(self, unit_name: str, *, register: bool = True) -> tuple[HttpBrowser, dict]:
        """A browser logged in as a fresh legal-person account; by default its unit is registered."""
        browser, account = HttpBrowser(), self.new_unit_account(unit_name)
        browser.login(self.gateway, account, kind="unit")
        if register:
            response = browser.post(f"{self.gateway}/api/units/units", headers=csrf_header(browser, self.gateway),
                                    json={"name": unit_name, "credit_code": account["credit_code"],
                                          "address": "福州市鼓楼区测试路 1 号", "contact_name": "王经办",
                                          "contact_phone": "0591-88888888", "department_code": "FJ-RSW"})
            assert response.status_code == 201, response.text
            account["unit_id"] = response.json()["id"]
        return browser, account


    def relogin(self, browser: HttpBrowser, account: dict, kind: str = "person") -> None:
        """Log out and in again: the new access token carries what identity learned meanwhile."""
        browser.post(f"{self.gateway}/auth/logout", data={"csrf_token": browser.csrf(self.gateway)})
        browser.login(self.gateway, account, kind=kind)


def csrf_header(browser: HttpBrowser, gateway: str) -> dict[str, str]:
    return {"x-csrf-token": browser.csrf(gateway)}


def eventually(check, timeout: float = 10.0, interval: float = 0.1):
    """Wait for something another service learns through events; returns the check's last value."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


@pytest.fixture(scope="session")
def stack(pg_server: str, amqp_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    import asyncio

    log_dir = Path(tmp_path_factory.mktemp("stack-logs"))
    procs = Processes(log_dir)
    databases = {s.name: asyncio.run(infra.recreate_database(pg_server, infra.run_database(s.name)))
                 for s in SERVICES}
    urls = Urls(gateway=f"http://127.0.0.1:{free_port()}", mzt=f"http://localhost:{free_port()}",
                s3=os.environ.get("ZC_TEST_S3_URL") or f"http://127.0.0.1:{free_port()}",
                services={s.name: f"http://127.0.0.1:{free_port()}" for s in [*SERVICES, *PLANNED]},
                databases=databases, amqp=amqp_url)
    # Outside development the services refuse their development secrets: each run makes its own
    # (an S3 endpoint of one's own comes with its keys).
    run_secrets = Secrets.generate()
    if os.environ.get("ZC_TEST_S3_URL"):
        run_secrets = replace(run_secrets, s3_access_key=os.environ.get("ZC_TEST_S3_ACCESS_KEY", "zc-test"),
                                          s3_secret_key=os.environ.get("ZC_TEST_S3_SECRET_KEY") or "")
    internal_key = run_secrets.internal_key
    s3_keys = (run_secrets.s3_access_key, run_secrets.s3_secret_key)
    clock_file = Path(tmp_path_factory.mktemp("clock")) / "today"
    env = {**environment(urls, secrets=run_secrets, environment="test"), "ZC_LOG_JSON": "true",
           "ZC_CLOCK_FILE": str(clock_file),
           "DOCUMENTS_S3_BUCKET": f"zct-{infra.RUN_ID}-documents",  # its own bucket even on a shared S3
           "GATEWAY_RATE_LIMIT": os.environ.get("ZC_TEST_RATE_LIMIT", "200/second"),
           # Every test verifies from 127.0.0.1; the real limit is tested on a gateway of its own.
           "GATEWAY_VERIFY_RATE_LIMIT": os.environ.get("ZC_TEST_VERIFY_RATE_LIMIT", "600/minute")}
    gateway_metrics = f"http://127.0.0.1:{free_port()}"
    try:
        if not os.environ.get("ZC_TEST_S3_URL"):  # the dev stack's S3 server, files on disk
            procs.start("s3", "nanio", urls.s3, env,
                        args=s3_server_args(urls.s3, tmp_path_factory.mktemp("s3-data")), health="/", health_status=403)
        procs.start("mzt", "simulators.mzt", urls.mzt, env)
        for service in SERVICES:
            procs.start(service.name, f"services.{service.name}", urls.services[service.name], env)
        procs.start("gateway", "gateway", urls.gateway, {**env, "GATEWAY_METRICS_PORT": gateway_metrics.rsplit(":", 1)[1]})
        yield Stack(gateway=urls.gateway, identity=urls.services["identity"], mzt=urls.mzt,
                    internal_key=internal_key, identity_db=databases["identity"], urls=urls, procs=procs,
                    s3_keys=s3_keys, gateway_metrics=gateway_metrics, clock_file=clock_file)
    finally:
        procs.stop_all()
        if os.environ.get("ZC_TEST_SHOW_LOGS"):
            for p in sorted(log_dir.glob("*.log")):
                print(f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}")
        for service in SERVICES:
            asyncio.run(infra.drop_database(pg_server, infra.run_database(service.name)))
