"""The platform's processes and how they find each other: the one place for ports and local URLs.
The dev stack (deploy/devstack.py), the test fixtures (shared/testing/fixtures.py), the settings'
defaults (each service's port, the gateway's routes, ZC_IDENTITY_URL…) and docker-compose.yml
(checked by deploy/tests) follow it.

Every process gets the same environment; each reads only its own prefix (ZC_* is shared)."""
from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class Service:
    name: str
    port: int  # the default; tests pick free ones


# The services that run, in start order; the gateway and the simulator come apart.
SERVICES = [Service("identity", 8101), Service("units", 8102), Service("library", 8103), Service("plans", 8104),
            Service("applications", 8105), Service("documents", 8106)]
# Services that arrive with their issue: the gateway already routes to them, no process starts yet
# (the gateway answers 503 until one listens).
PLANNED: list[Service] = []
GATEWAY_PORT, MZT_PORT, S3_PORT = 8000, 9100, 9200
# Prometheus metrics of the processes without a private API port of their own: a worker
# (`python -m services.<name>.worker`) and the gateway (whose public port serves none). A service's
# API process serves /metrics on its own port.
METRICS_PORT = 9464
HOST = "127.0.0.1"


def port_of(name: str) -> int:
    return next(s.port for s in [*SERVICES, *PLANNED] if s.name == name)


def local_url(name: str) -> str:
    """Where a service listens on one machine by default (`./dev up`, or a process started by hand)."""
    return f"http://{HOST}:{port_of(name)}"


def local_service_urls() -> dict[str, str]:
    """The gateway's default routes: every service, planned ones included."""
    return {s.name: local_url(s.name) for s in sorted([*SERVICES, *PLANNED], key=lambda s: s.port)}


# Browsers reach the platform through the gateway; the 闽政通 simulator is at `localhost`, not
# 127.0.0.1, so that browsers keep its cookies apart from the platform's.
GATEWAY_URL = f"http://{HOST}:{GATEWAY_PORT}"
MZT_URL = f"http://localhost:{MZT_PORT}"
S3_URL = f"http://{HOST}:{S3_PORT}"


@dataclass(frozen=True)
class Urls:
    gateway: str
    mzt: str
    s3: str
    services: dict[str, str]  # those that run and the planned ones (nothing listens there yet)
    databases: dict[str, str]  # those that run
    amqp: str


@dataclass(frozen=True)
class Secrets:
    """The secrets of one running platform (`./dev up` keeps its own in .run/, each test run makes
    new ones): never the development defaults, which anyone can read in the source."""

    internal_key: str
    session_secret: str
    mzt_client_secret: str
    documents_link_secret: str
    s3_access_key: str
    s3_secret_key: str

    @classmethod
    def generate(cls) -> Secrets:
        return cls(**{f.name: secrets.token_urlsafe(24) for f in fields(cls)})

    @classmethod
    def from_json(cls, text: str) -> Secrets:
        """Those written by ``to_json``; a secret added since then is made up now."""
        kept = json.loads(text)
        return cls(**{f.name: kept.get(f.name) or secrets.token_urlsafe(24) for f in fields(cls)})

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    def variables(self) -> dict[str, str]:
        """The environment variables that carry them (the services refuse defaults outside development)."""
        return {"ZC_INTERNAL_KEY": self.internal_key, "IDENTITY_SESSION_SECRET": self.session_secret,
                "IDENTITY_MZT_CLIENT_SECRET": self.mzt_client_secret, "MZT_SIM_CLIENT_SECRET": self.mzt_client_secret,
                "DOCUMENTS_LINK_SECRET": self.documents_link_secret,
                "DOCUMENTS_S3_ACCESS_KEY": self.s3_access_key, "DOCUMENTS_S3_SECRET_KEY": self.s3_secret_key,
                # the S3-protocol server checks signatures with the same keys (see s3_server_args)
                "NANIO_ACCESS_KEY": self.s3_access_key, "NANIO_SECRET_KEY": self.s3_secret_key}


def environment(urls: Urls, *, secrets: Secrets, environment: str) -> dict[str, str]:
    env = {
        "ZC_ENVIRONMENT": environment,
        "ZC_AMQP_URL": urls.amqp,
        **secrets.variables(),
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
        "DOCUMENTS_PUBLIC_URL": urls.gateway,  # the certificate's QR code opens its verification there
    }
    if "documents" in urls.services:  # library, plans and applications claim attachments there
        for name in ("library", "plans", "applications"):
            env[f"{name.upper()}_DOCUMENTS_URL"] = urls.services["documents"]
    for name, url in urls.services.items():
        env[f"{name.upper()}_PORT"] = url.rsplit(":", 1)[1]
        if name in urls.databases:
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
