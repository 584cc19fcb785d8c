"""Backup and restore of every service's database and of the object store (README, "Backups").

    python -m deploy.backup backup DIR     # DIR must not exist yet, or be empty
    python -m deploy.backup restore DIR    # stop the services (and workers) first
    ./dev backup DIR / ./dev restore DIR   # the same for the platform of `./dev up`

Each database of the topology (``zc_<service>``, found at ``<SERVICE>_DATABASE_URL`` as the
service itself does) is dumped with ``pg_dump -Fc`` and restored with ``pg_restore --clean
--if-exists`` into the database, created when missing. The documents bucket is copied object by
object through the S3 protocol (the MinIO client: list, get, put), so any S3 server does (MinIO,
nanio). ``manifest.json`` lists every file with its size and SHA-256, each table's row count, and
the time; ``restore`` refuses a backup whose files do not match it, and checks the row counts and
objects afterwards. The PostgreSQL client tools must be of the server's major version or newer."""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import Any

import asyncpg
from minio import Minio
from sqlalchemy.engine import make_url

from deploy.topology import SERVICES

MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    pass


def database_urls() -> dict[str, str]:
    """Each service's database URL, read as the service reads it (its settings class and environment)."""
    urls = {}
    for service in SERVICES:
        module = importlib.import_module(f"services.{service.name}.settings")
        settings_class = next(v for k, v in vars(module).items() if k.endswith("Settings") and k != "ServiceSettings")
        # Only the database URL is needed: read it from the environment, or the class's default.
        url = os.environ.get(f"{service.name.upper()}_DATABASE_URL") or settings_class.model_fields["database_url"].default
        urls[service.name] = url
    return urls


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL (``postgresql+asyncpg://``) as pg_dump and asyncpg take it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def object_store() -> tuple[Minio, str]:
    from urllib.parse import urlsplit

    from services.documents.settings import DocumentsSettings

    s = DocumentsSettings()
    endpoint = urlsplit(s.s3_endpoint)
    return Minio(endpoint.netloc, access_key=s.s3_access_key.get_secret_value(),
                 secret_key=s.s3_secret_key.get_secret_value(), secure=endpoint.scheme == "https",
                 region=s.s3_region), s.s3_bucket


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


async def row_counts(url: str) -> dict[str, int]:
    """Rows of every table of the public schema."""
    conn = await asyncpg.connect(libpq_url(url))
    try:
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        return {t["tablename"]: await conn.fetchval(f'SELECT count(*) FROM public."{t["tablename"]}"') for t in tables}
    finally:
        await conn.close()


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _object_path(root: Path, key: str) -> Path:
    parts = PurePosixPath(key).parts
    if not parts or any(p in ("", ".", "..") for p in parts) or key.startswith("/"):
        raise BackupError(f"object key not storable as a file: {key!r}")
    return root.joinpath(*parts)


def backup(target: Path) -> dict[str, Any]:
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: a backup goes into a new directory")
    (target / "databases").mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"format": 1, "started_at": dt.datetime.now(dt.UTC).isoformat(),
                                "databases": {}, "objects": {}}
    for service, url in database_urls().items():
        file = target / "databases" / f"{service}.dump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={file}",
              f"--dbname={libpq_url(url)}"])
        manifest["databases"][service] = {"database": make_url(url).database, "file": f"databases/{file.name}",
                                          "bytes": file.stat().st_size, "sha256": sha256(file),
                                          "rows": asyncio.run(row_counts(url))}
    client, bucket = object_store()
    if not client.bucket_exists(bucket):
        raise BackupError(f"the bucket {bucket} does not exist at the S3 endpoint: check DOCUMENTS_S3_*")
    objects: list[dict[str, Any]] = []
    for item in client.list_objects(bucket, recursive=True):
        path = _object_path(target / "objects", item.object_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        client.fget_object(bucket, item.object_name, str(path))
        objects.append({"key": item.object_name, "bytes": path.stat().st_size, "sha256": sha256(path)})
    manifest["objects"] = {"bucket": bucket, "count": len(objects), "bytes": sum(o["bytes"] for o in objects),
                           "items": objects}
    manifest["finished_at"] = dt.datetime.now(dt.UTC).isoformat()
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def verify(source: Path) -> dict[str, Any]:
    """The manifest, once every file it names is there with its size and checksum."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source / MANIFEST} is missing: not a backup") from None
    files = [(source / d["file"], d) for d in manifest["databases"].values()]
    files += [(_object_path(source / "objects", o["key"]), o) for o in manifest["objects"]["items"]]
    for path, entry in files:
        if not path.is_file() or path.stat().st_size != entry["bytes"] or sha256(path) != entry["sha256"]:
            raise BackupError(f"{path} is missing or differs from the manifest: the backup is damaged")
    return manifest


def restore(source: Path) -> dict[str, Any]:
    from shared.db import ensure_database

    manifest = verify(source)
    urls = database_urls()
    for service, entry in manifest["databases"].items():
        url = urls[service]
        asyncio.run(ensure_database(url))
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--dbname={libpq_url(url)}", str(source / entry["file"])])
        if (counts := asyncio.run(row_counts(url))) != entry["rows"]:
            raise BackupError(f"{service}: rows after the restore {counts} differ from the backup's {entry['rows']}")
    client, bucket = object_store()
    if not client.bucket_exists(bucket):
        client.make_bucket(bucket)
    for item in manifest["objects"]["items"]:
        client.fput_object(bucket, item["key"], str(_object_path(source / "objects", item["key"])))
    missing = {o["key"] for o in manifest["objects"]["items"]} - {
        o.object_name for o in client.list_objects(bucket, recursive=True)}
    if missing:
        raise BackupError(f"objects not in the bucket after the restore: {sorted(missing)[:10]}")
    return manifest


def dev_stack_environment() -> None:
    """The environment of `./dev up` (its databases, S3 server and keys), for `./dev backup|restore`."""
    from deploy.devstack import URLS, run_secrets
    from deploy.topology import environment

    os.environ.update(environment(URLS, secrets=run_secrets(), environment="local"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.backup", description="备份与恢复：每个服务的数据库和对象存储")
    parser.add_argument("command", choices=["backup", "restore"])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--dev-stack", action="store_true", help="the platform of `./dev up`")
    args = parser.parse_args(argv)
    if args.dev_stack:
        dev_stack_environment()
    try:
        if args.command == "backup":
            m = backup(args.directory)
            print(f"backed up {len(m['databases'])} databases ({', '.join(d['database'] for d in m['databases'].values())}) "
                  f"and {m['objects']['count']} objects ({m['objects']['bytes']} bytes) into {args.directory}")
        else:
            m = restore(args.directory)
            print(f"restored {len(m['databases'])} databases and {m['objects']['count']} objects "
                  f"from the backup of {m['started_at']}")
    except BackupError as exc:
        sys.exit(f"error: {exc}")


if __name__ == "__main__":
    main()
