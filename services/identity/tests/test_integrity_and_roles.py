"""Roles granted by the operator CLI, integrity records (诚信档案) with a ban period, and the
events identity publishes."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

from shared.testing.events import capture_events
from shared.testing.processes import ROOT


def cli(stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "services.identity.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "IDENTITY_DATABASE_URL": stack.identity_db}, timeout=60)


def test_operator_records_a_ban_that_other_services_can_query(stack):
    operator, op_account = stack.person_browser("运维人员")
    applicant, ap_account = stack.person_browser("被记录者")
    csrf = {"x-csrf-token": operator.csrf(stack.gateway)}
    record = {"id_number": ap_account["id_number"], "reason": "提供虚假学历材料", "ban_from": "2026-01-01",
              "ban_until": "2028-12-31"}

    # Without the role: refused, and nothing recorded.
    refused = operator.post(f"{stack.gateway}/api/identity/integrity-records", json=record, headers=csrf)
    assert refused.status_code == 403 and refused.json()["code"] == "role_required"

    assert cli(stack, "grant-role", "--id-number", op_account["id_number"], "--role", "operator").returncode == 0
    stack.relogin(operator, op_account)  # roles are read when a token is minted
    csrf = {"x-csrf-token": operator.csrf(stack.gateway)}
    assert "operator" in operator.get(f"{stack.gateway}/api/identity/me").json()["roles"]

    bad = operator.post(f"{stack.gateway}/api/identity/integrity-records", headers=csrf,
                        json={**record, "ban_until": "2025-01-01"})
    assert bad.status_code == 422 and "禁止申报截止日期" in bad.json()["detail"]
    created = operator.post(f"{stack.gateway}/api/identity/integrity-records", json=record, headers=csrf)
    assert created.status_code == 201, created.text
    rec = created.json()

    def ban(on: str) -> dict:
        r = httpx.get(f"{stack.identity}/internal/persons/{rec['person_id']}/application-ban", params={"on": on},
                      headers={"x-service-key": stack.internal_key})
        assert r.status_code == 200
        return r.json()

    assert ban("2027-06-01")["banned"] is True
    assert ban("2029-01-01")["banned"] is False
    assert httpx.get(f"{stack.identity}/internal/persons/{rec['person_id']}/application-ban").status_code == 403

    # The applicant can see neither their record list nor anyone else's.
    other = applicant.get(f"{stack.gateway}/api/identity/integrity-records", params={"person_id": rec["person_id"]})
    assert other.status_code == 403

    revoked = operator.post(f"{stack.gateway}/api/identity/integrity-records/{rec['id']}/revoke", headers=csrf)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert ban("2027-06-01")["banned"] is False
    listed = operator.get(f"{stack.gateway}/api/identity/integrity-records", params={"person_id": rec["person_id"]})
    assert [r["reason"] for r in listed.json()] == ["提供虚假学历材料"]


def test_cli_refuses_unknown_persons_and_roles(stack):
    unknown = cli(stack, "grant-role", "--id-number", "110105194912310021", "--role", "operator")
    assert unknown.returncode != 0 and "未找到" in unknown.stderr
    wrong = cli(stack, "grant-role", "--id-number", "110105194912310021", "--role", "king")
    assert wrong.returncode != 0
    renamed = cli(stack, "grant-role", "--id-number", "110105194912310021", "--role", "reviewer")
    assert renamed.returncode != 0 and "expert" in renamed.stderr  # the role is expert (评审专家) now


def test_registration_publishes_person_registered_without_the_full_id_number(stack, amqp_url):
    def mine(seen):
        return [e for e in seen if e.body["data"]["name"] == "事件测试"]

    (_, account), seen = capture_events(amqp_url, "identity.person.registered",
                                        lambda: stack.person_browser("事件测试"), until=mine)
    [event] = mine(seen)
    body, number = event.body, account["id_number"]
    assert event.persistent and body["type"] == "identity.person.registered" and body["producer"] == "identity"
    assert body["data"]["id_number_masked"] == number[:4] + "*" * 10 + number[-4:]
    assert number not in json.dumps(body)


def test_production_refuses_development_secrets(monkeypatch):
    from pydantic import ValidationError

    from services.identity.settings import IdentitySettings
    from shared.settings import PlatformSettings

    monkeypatch.setenv("ZC_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="ZC_INTERNAL_KEY"):
        PlatformSettings()
    monkeypatch.setenv("ZC_INTERNAL_KEY", "a-real-secret-from-the-vault")
    with pytest.raises(ValidationError, match="IDENTITY_MZT_CLIENT_SECRET"):
        IdentitySettings()
    monkeypatch.setenv("IDENTITY_MZT_CLIENT_SECRET", "real")
    monkeypatch.setenv("IDENTITY_SESSION_SECRET", "real-too")
    assert IdentitySettings().environment == "production"
