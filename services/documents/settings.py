from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from deploy.topology import GATEWAY_URL, S3_URL, port_of
from shared.settings import ServiceSettings


class DocumentsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DOCUMENTS_", extra="ignore")

    # The dev stack's S3 server (nanio) takes these keys; they and the link secret are refused outside development.
    secret_fields = ("s3_access_key", "s3_secret_key", "link_secret")
    service_name: str = "documents"
    port: int = port_of("documents")
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/zc_documents"

    # Object storage: MinIO in production, any S3 endpoint (nanio, files on disk, in dev and tests).
    s3_endpoint: str = S3_URL
    s3_access_key: SecretStr = SecretStr("testing")
    s3_secret_key: SecretStr = SecretStr("testing")
    s3_bucket: str = "zc-documents"
    s3_region: str = "us-east-1"
    # Uploads stop with 413 as soon as the file passes this; the gateway caps whole bodies at 12 MiB.
    max_upload_bytes: int = Field(10 * 1024 * 1024, gt=0)
    thumbnail_px: int = Field(320, ge=64, le=1024)
    # Short-lived links (/api/documents/links/{token}) serve bytes without a login until they expire.
    link_ttl_seconds: int = Field(300, ge=1, le=3600)
    link_secret: SecretStr = SecretStr("dev-documents-link-secret")
    # Files nothing refers to (no claim, not kept in 我的附件) are deleted after this long.
    orphan_grace_hours: float = Field(24, gt=0)
    cleanup_interval_seconds: float = Field(3600, gt=0)
    # Generated PDFs: worker processes, each render's time limit and each worker's address space.
    pdf_workers: int = Field(1, ge=1, le=8)
    pdf_timeout_seconds: float = Field(60, gt=0)
    pdf_memory_mb: int = Field(1536, ge=0)  # 0: no limit
    # The gateway's public address: a certificate's QR code opens {public_url}/verify/{number}.
    public_url: str = GATEWAY_URL


@lru_cache
def get_settings() -> DocumentsSettings:
    return DocumentsSettings()
