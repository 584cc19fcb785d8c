"""deploy/topology.py is the one place for ports and URLs, and no running platform uses the
development secrets: `./dev up` makes its own (kept across restarts), tests make theirs, and
every process refuses a development default outside `development`."""
from __future__ import annotations

import importlib
import json
import os
import re
import stat
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from deploy import devstack
from deploy.topology import (
    GATEWAY_PORT,
    MZT_PORT,
    PLANNED,
    SERVICES,
    Secrets,
    environment,
    local_service_urls,
    local_url,
)
from gateway.settings import GatewaySettings
from shared.settings import DEV_SECRETS, PlatformSettings
from simulators.mzt.settings import SimulatorSettings

ROOT = Path(__file__).resolve().parents[1]


def settings_class(name: str) -> type:
    module = importlib.import_module(f"services.{name}.settings")
    return next(v for k, v in vars(module).items() if k.endswith("Settings") and k != "ServiceSettings")


# --- one place for ports and URLs ----------------------------------------------------------------

def test_the_defaults_of_every_process_follow_the_topology(monkeypatch):
    prefixes = ("ZC_", "GATEWAY_", "MZT_SIM_", *(f"{s.name.upper()}_" for s in SERVICES))
    for key in [k for k in os.environ if k.startswith(prefixes)]:
        monkeypatch.delenv(key)
    for service in SERVICES:
        assert settings_class(service.name)().port == service.port
    gateway = GatewaySettings()
    assert gateway.port == GATEWAY_PORT and gateway.services == local_service_urls()
    assert "applications" in gateway.services and all(s.name not in {x.name for x in SERVICES} for s in PLANNED)
    assert PlatformSettings().identity_url == local_url("identity")
    assert settings_class("library")().documents_url == local_url("documents")
    assert SimulatorSettings().port == MZT_PORT
    ports = [s.port for s in [*SERVICES, *PLANNED]]
    assert len(set(ports)) == len(ports)


def test_docker_compose_follows_the_topology():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    ports = {s.name: s.port for s in [*SERVICES, *PLANNED]} | {"gateway": GATEWAY_PORT, "mzt": MZT_PORT}
    for service in SERVICES:
        spec = services[service.name]
        assert spec["command"] == ["python", "-m", f"services.{service.name}"]
        assert f"{service.name.upper()}_DATABASE_URL" in spec["environment"]
    for planned in PLANNED:
        assert planned.name not in services  # no process for it yet
    # Every URL between containers names a process of the topology at its port.
    text = (ROOT / "docker-compose.yml").read_text()
    for host, port in re.findall(r"http://([a-z]+):(\d+)", text):
        if host in ports:
            assert int(port) == ports[host], f"{host}:{port} in docker-compose.yml, {ports[host]} in the topology"
    routes = json.loads(services["gateway"]["environment"]["GATEWAY_SERVICES"])
    assert routes == {name: f"http://{name}:{ports[name]}" for name in local_service_urls()}
    assert services["gateway"]["ports"] == [f"{GATEWAY_PORT}:{GATEWAY_PORT}"]
    assert services["mzt"]["ports"] == [f"{MZT_PORT}:{MZT_PORT}"]
    # No secret is written in the file: each comes from .env (`./dev compose-env`).
    env_of = [spec.get("environment") or {} for spec in services.values()]
    for variable in Secrets.generate().variables():
        for env in env_of:
            if variable in env:
                assert str(env[variable]).startswith(f"${{{variable}:?"), variable


# --- no development secrets on a running platform ----------------------------------------------

def test_dev_up_makes_random_secrets_once_keeps_them_private_and_reuses_them(tmp_path, monkeypatch):
    monkeypatch.setattr(devstack, "RUN", tmp_path / ".run")
    monkeypatch.setattr(devstack, "SECRETS", tmp_path / ".run" / "secrets.json")
    first = devstack.run_secrets()
    assert stat.S_IMODE(devstack.SECRETS.stat().st_mode) == 0o600
    assert devstack.run_secrets() == first  # the next `./dev up`: sessions and links survive
    values = list(first.variables().values())
    assert not set(values) & DEV_SECRETS and all(len(v) >= 24 for v in values)
    assert len(set(vars(first).values())) == len(vars(first))  # each its own
    # A secret the platform gained since the file was written is made up and kept as well.
    kept = json.loads(devstack.SECRETS.read_text())
    del kept["documents_link_secret"]
    devstack.SECRETS.write_text(json.dumps(kept))
    again = devstack.run_secrets()
    assert again.internal_key == first.internal_key and again.documents_link_secret not in DEV_SECRETS
    assert devstack.run_secrets() == again


@pytest.mark.parametrize("env_name", ["local", "test"])
def test_the_environment_of_dev_up_and_tests_supplies_every_secret(env_name, monkeypatch):
    """Every process accepts it (outside development a missing secret would be refused), and no
    secret setting holds a development default."""
    urls = devstack.URLS
    for key, value in environment(urls, secrets=Secrets.generate(), environment=env_name).items():
        monkeypatch.setenv(key, value)
    every = [settings_class(s.name)() for s in SERVICES] + [GatewaySettings()]
    for settings in every:
        assert settings.platform.environment == env_name
        assert settings.platform.internal_key.get_secret_value() not in DEV_SECRETS
        for name, value in vars(settings).items():
            if isinstance(value, SecretStr):
                assert value.get_secret_value() not in DEV_SECRETS, name
    assert SimulatorSettings().client_secret == every[0].mzt_client_secret.get_secret_value()


def test_outside_development_a_default_secret_is_refused(monkeypatch):
    monkeypatch.setenv("ZC_ENVIRONMENT", "local")
    monkeypatch.delenv("ZC_INTERNAL_KEY", raising=False)
    with pytest.raises(ValueError, match="ZC_INTERNAL_KEY"):
        PlatformSettings()


# --- what CI tested is what a fresh machine installs --------------------------------------------

def test_the_lock_pins_every_dependency_within_pyprojects_bounds_with_hashes():
    import subprocess
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = (ROOT / "requirements.lock").read_text()
    # `./dev install` refuses a lock made from other dependency lists than pyproject.toml's.
    inputs = subprocess.run(["bash", "-c", "source <(sed -n '/^lock_inputs()/,/^}/p' dev); lock_inputs"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.strip()
    assert lock.splitlines()[0] == f"# inputs: {inputs}"
    pinned: dict[str, list[str]] = {}
    for name, version, marker in re.findall(r"^([A-Za-z0-9._-]+)==(\S+)(?: ; ([^\\\n]+))?", lock, re.M):
        if not marker or "3.12" not in marker:  # the versions for Python 3.11, which CI runs
            pinned.setdefault(canonicalize_name(name), []).append(version)
    for line in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        requirement = Requirement(line)
        versions = pinned[canonicalize_name(requirement.name)]
        assert versions and all(requirement.specifier.contains(v) for v in versions), (line, versions)
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 3)[3])
    assert all("--hash=sha256:" in e for e in entries if "==" in e)
