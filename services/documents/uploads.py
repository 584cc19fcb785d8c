"""Receiving a multipart upload as it streams in: the file part goes to a spooled temporary
file (in memory up to 1 MiB, on disk beyond) while its size and SHA-256 are counted, and the
upload stops with 413 the moment the file passes the limit. The body is never held whole."""
from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import IO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from shared.errors import AppError

FILE_FIELD = "file"
IN_MEMORY = 1024 * 1024
MAX_FIELDS = 10
MAX_FIELD_BYTES = 1024
# Room for the other fields and the multipart framing around the file.
OVERHEAD = 64 * 1024

_PARAM = re.compile(r';\s*([A-Za-z*]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
# The WHATWG form encoding percent-escapes these three in names; nothing else.
_WHATWG = {"%0a": "\n", "%0d": "\r", "%22": '"'}


CALLBACKS = ("on_part_begin", "on_header_field", "on_header_value", "on_header_end", "on_headers_finished",
             "on_part_data", "on_part_end", "on_end")


class TooLarge(AppError):
    status_code, code, title = 413, "file_too_large", "内容过大"


class BadUpload(AppError):
    status_code, code, title = 400, "bad_upload", "上传内容有误"


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def too_large(limit: int) -> TooLarge:
    message = f"超过大小上限（{megabytes(limit)}），请压缩或分开后上传"
    return TooLarge(f"文件：{message}", errors=[{"field": "file", "label": "文件", "message": message}])


@dataclass
class ReceivedUpload:
    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None  # as the client sent it: not yet checked
    declared_type: str = ""  # the file part's Content-Type, lower case, without parameters
    file: IO[bytes] | None = None  # positioned at 0 once received
    size: int = 0
    sha256: str = ""
    head: bytes = b""  # the first bytes, which tell the type


def _disposition(value: str) -> dict[str, str]:
    params = {}
    for key, raw in _PARAM.findall(value):
        if raw.startswith('"'):
            raw = re.sub(r'\\([\\"])', r"\1", raw[1:-1])  # browsers never escape; other clients may
        params[key.lower()] = re.sub("%0[aAdD]|%22", lambda m: _WHATWG[m.group(0).lower()], raw.strip())
    return params


class _Reader:
    """The parser's callbacks: headers per part, the file into the spool, small fields in memory."""

    def __init__(self, spool: IO[bytes], limit: int) -> None:
        self.upload = ReceivedUpload()
        self.spool, self.limit = spool, limit
        self.hash = hashlib.sha256()
        self.header_name, self.header_value = bytearray(), bytearray()
        self.headers: dict[str, str] = {}
        self.target: str | None = None  # "file", a field's name, or None (ignored part)
        self.value = bytearray()
        self.complete = False

    def on_part_begin(self) -> None:
        self.headers, self.target, self.value = {}, None, bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_name.decode("latin-1").lower()] = self.header_value.decode("utf-8", "replace")
        self.header_name, self.header_value = bytearray(), bytearray()

    def on_headers_finished(self) -> None:
        params = _disposition(self.headers.get("content-disposition", ""))
        name = params.get("name", "")
        if "filename" in params:
            if name != FILE_FIELD:
                return  # a file under another name: not ours to store
            if self.upload.file is not None:
                raise BadUpload("一次只能上传一个文件", code="one_file_only")
            self.upload.filename = params["filename"]
            self.upload.declared_type = parse_options_header(self.headers.get("content-type", ""))[0].decode()
            self.upload.file = self.spool
            self.target = FILE_FIELD
        elif name and len(self.upload.fields) < MAX_FIELDS:
            self.target = name

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.target == FILE_FIELD:
            chunk = data[start:end]
            self.upload.size += len(chunk)
            if self.upload.size > self.limit:
                raise too_large(self.limit)
            if len(self.upload.head) < 64:
                self.upload.head += chunk[:64 - len(self.upload.head)]
            self.hash.update(chunk)
            self.spool.write(chunk)
        elif self.target is not None:
            self.value += data[start:end]
            if len(self.value) > MAX_FIELD_BYTES:
                raise BadUpload(f"表单字段 {self.target} 过长", code="field_too_long")

    def on_part_end(self) -> None:
        if self.target not in (None, FILE_FIELD):
            self.upload.fields[self.target] = self.value.decode("utf-8", "replace").strip()
        self.target = None

    def on_end(self) -> None:
        self.complete = True


@asynccontextmanager
async def receive_upload(request: Request, *, max_file_bytes: int) -> AsyncIterator[ReceivedUpload]:
    """The upload of this request, read to its end; the spooled file is gone when the block ends."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise AppError("请以 multipart/form-data 表单上传文件", code="multipart_required", status_code=415)
    body_limit = max_file_bytes + OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > body_limit:
        raise too_large(max_file_bytes)
    with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY) as spool:
        reader = _Reader(spool, max_file_bytes)
        parser = MultipartParser(boundary, {name: getattr(reader, name) for name in CALLBACKS})
        received = 0
        try:
            async for chunk in request.stream():
                received += len(chunk)
                if received > body_limit:
                    raise too_large(max_file_bytes)  # more than one file of the limit and a form around it
                parser.write(chunk)
            parser.finalize()
        except MultipartParseError as exc:
            raise BadUpload("上传内容格式不正确，请重新选择文件上传") from exc
        except ClientDisconnect as exc:
            raise BadUpload("上传未完成（连接已中断），请重试", code="upload_incomplete") from exc
        if not reader.complete:
            raise BadUpload("上传未完成，请重试", code="upload_incomplete")
        upload = reader.upload
        upload.sha256 = reader.hash.hexdigest()
        spool.seek(0)
        yield upload
