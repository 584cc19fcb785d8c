"""The platform's processes and how they find each other: one place for the dev stack
(deploy/devstack.py) and the end-to-end test fixtures (shared/testing/fixtures.py).

Every process gets the same environment; each reads only its own prefix (ZC_* is shared)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Service:
    name: str
    port: int  # the default; tests pick free ones


# The services that exist so far, in start order; the gateway and the simulator come apart.
SERVICES = [Service("identity", 8101), Service("units", 8102), Service("library", 8103), Service("plans", 8104),
            Service("applications", 8105), Service("documents", 8106)]
GATEWAY_PORT, MZT_PORT, S3_PORT = 8000, 9100, 9200


@dataclass(frozen=True)
class Urls:
    gateway: str
    mzt: str
    s3: str
    services: dict[str, str]
    databases: dict[str, str]
    amqp: str


def environment(urls: Urls, *, internal_key: str, environment: str = "development") -> dict[str, str]:
    env = {
        "ZC_ENVIRONMENT": environment,
        "ZC_AMQP_URL": urls.amqp,
        "ZC_INTERNAL_KEY": internal_key,
        "ZC_IDENTITY_URL": urls.services["identity"],
        "MZT_SIM_PORT": urls.mzt.rsplit(":", 1)[1],
        "MZT_SIM_ISSUER": urls.mzt,
        "MZT_SIM_REDIRECT_URIS": f"{urls.gateway}/auth/callback",  # registered exactly, as at 闽政通
        "GATEWAY_PORT": urls.gateway.rsplit(":", 1)[1],
        "GATEWAY_PUBLIC_URL": urls.gateway,
        "GATEWAY_SERVICES": json.dumps(urls.services),
        "IDENTITY_MZT_ISSUER": urls.mzt,
        "IDENTITY_PUBLIC_URL": urls.gateway,
        "DOCUMENTS_S3_ENDPOINT": urls.s3,
    }
    if "documents" in urls.services:  # library, plans and applications claim attachments there
        for name in ("library", "plans", "applications"):
            env[f"{name.upper()}_DOCUMENTS_URL"] = urls.services["documents"]
    for name, url in urls.services.items():
        env[f"{name.upper()}_PORT"] = url.rsplit(":", 1)[1]
        env[f"{name.upper()}_DATABASE_URL"] = urls.databases[name]
    return env


def s3_server_args(url: str, data_dir: Path) -> list[str]:
    """``python -m nanio …``: the S3-protocol server standing in for MinIO without Docker. It keeps
    each object as a file under ``data_dir`` (written to a temporary file, fsynced, renamed), so
    files outlive restarts and crashes as the documents database's rows do. It checks SigV4
    signatures against ``NANIO_ACCESS_KEY`` / ``NANIO_SECRET_KEY``."""
    return ["serve", "--host", "127.0.0.1", "--port", url.rsplit(":", 1)[1], "--data-dir", str(data_dir),
            "--no-access-log", "--log-level", "warning"]


def database_name(service: str) -> str:
    return f"zc_{service}"
