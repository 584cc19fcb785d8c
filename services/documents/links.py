"""Short-lived links: ``/api/documents/links/{token}`` serves a file (``…/thumbnail`` its preview)
without a login until the token expires. The token names the file and the expiry and is HMAC-signed with the service's
link secret, so nothing is stored and nothing can be forged or extended."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import struct
import uuid

from shared.errors import Forbidden

_PURPOSE = b"zc-documents-link-v1:"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# Generated PDFs (pdfs.generated) sign with their own purpose: a file's token never opens a PDF, nor the reverse.
GENERATED = b"zc-documents-generated-v1:"


def _sign(secret: str, payload: bytes, purpose: bytes = _PURPOSE) -> bytes:
    return hmac.new(secret.encode(), purpose + payload, hashlib.sha256).digest()


def make_token(file_id: uuid.UUID, expires_at: dt.datetime, secret: str, purpose: bytes = _PURPOSE) -> str:
    payload = file_id.bytes + struct.pack(">Q", int(expires_at.timestamp()))
    return f"{_b64(payload)}.{_b64(_sign(secret, payload, purpose))}"


def url(file_id: uuid.UUID, expires_at: dt.datetime, secret: str) -> str:
    """Relative: the gateway proxies /api/documents/*, so pages use it as it is (also in <img src>)."""
    return f"/api/documents/links/{make_token(file_id, expires_at, secret)}"


def read_token(token: str, secret: str, now: dt.datetime, purpose: bytes = _PURPOSE) -> uuid.UUID:
    """The file the token names, if the signature holds and it has not expired."""
    try:
        payload_text, signature_text = token.split(".")
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except ValueError as exc:  # also binascii.Error
        raise Forbidden("链接无效，请重新打开附件", code="link_invalid") from exc
    if len(payload) != 24 or not hmac.compare_digest(signature, _sign(secret, payload, purpose)):
        raise Forbidden("链接无效，请重新打开附件", code="link_invalid")
    (expires,) = struct.unpack(">Q", payload[16:])
    if now.timestamp() >= expires:
        raise Forbidden("链接已过期，请重新打开附件", code="link_expired")
    return uuid.UUID(bytes=payload[:16])
