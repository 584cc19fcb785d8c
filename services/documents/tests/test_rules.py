"""The rules on their own, without the stack: names, types by content, link tokens, and the
multipart header parsing the upload relies on."""
from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest

from services.documents import links, validation
from services.documents.tests import samples
from services.documents.thumbnails import make_thumbnail
from services.documents.uploads import _disposition
from shared.errors import AppError, InvalidField


@pytest.mark.parametrize("content, expected", [
    (samples.jpeg(), validation.JPEG), (samples.png(), validation.PNG), (samples.pdf(), validation.PDF),
    (samples.ofd(), validation.OFD), (samples.EXECUTABLE, None), (b"GIF89a", None), (b"", None),
])
def test_types_are_decided_by_the_first_bytes(content, expected):
    assert validation.sniff(content[:64]) is expected


def test_what_is_refused_is_named():
    assert validation.describe(samples.EXECUTABLE) == "可执行程序"
    assert validation.describe(b"\x7fELF\x02\x01") == "可执行程序"
    assert validation.describe(b"GIF89a") == "GIF 图片"
    assert validation.describe(b"hello") == "未知格式"


@pytest.mark.parametrize("raw, shown", [
    ("  证件照.jpg ", "证件照.jpg"), ("e\u0301.pdf", "\u00e9.pdf"),  # NFC
    ("名" * 120 + ".pdf", "名" * 96 + ".pdf"),
])
def test_upload_names_become_display_names(raw, shown):
    assert validation.name_from_upload(raw) == shown


@pytest.mark.parametrize("raw", ["../x.png", "a/b.png", "C:\\fakepath\\x.png", "a\x00.png", "a\x7f.png", "..", " . ",
                                 "x\u202egnp.exe", ""])
def test_names_that_hide_something_are_refused(raw):
    with pytest.raises(InvalidField) as refused:
        validation.name_from_upload(raw)
    assert refused.value.errors[0]["field"] == "file"


def test_extension_and_declared_type_must_agree_with_the_content():
    validation.check_extension("scan", validation.PDF)  # no extension: nothing to disagree with
    validation.check_extension("photo.JPEG", validation.JPEG)
    with pytest.raises(InvalidField, match=r"扩展名 \.png"):
        validation.check_extension("photo.png", validation.JPEG)
    for neutral in ("", "application/octet-stream"):
        validation.check_declared(neutral, validation.PNG)
    validation.check_declared("image/jpg", validation.JPEG)
    with pytest.raises(InvalidField, match="声明的类型"):
        validation.check_declared("application/pdf", validation.PNG)


def test_pixel_bombs_are_refused_before_decoding():
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")  # a few KB, 81 megapixels
    with pytest.raises(InvalidField, match="尺寸过大"):
        validation.check_content(out, len(out.getvalue()), validation.PNG)


def test_thumbnails_are_small_upright_jpegs():
    from PIL import Image

    thumb = make_thumbnail(io.BytesIO(samples.png(1000, 400)), 320)
    with Image.open(io.BytesIO(thumb)) as image:
        assert image.format == "JPEG" and image.size == (320, 128) and image.mode == "RGB"


def test_link_tokens_carry_the_file_and_expire():
    file_id, now = uuid.uuid4(), dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
    token = links.make_token(file_id, now + dt.timedelta(seconds=300), "secret")
    assert links.read_token(token, "secret", now) == file_id
    with pytest.raises(AppError, match="链接已过期"):
        links.read_token(token, "secret", now + dt.timedelta(seconds=300))
    for bad, secret in [(token, "another secret"), (token[:-1], "secret"), ("x.y", "secret"), ("", "secret")]:
        with pytest.raises(AppError, match="链接无效"):
            links.read_token(bad, secret, now)


def test_content_disposition_parameters():
    assert _disposition('form-data; name="file"; filename="a\\"b.png"') == {"name": "file", "filename": 'a"b.png'}
    assert _disposition('form-data; name="file"; filename="..\\x.png"')["filename"] == "..\\x.png"
    assert _disposition('form-data; name="file"; filename="a%0Ab%22.png"')["filename"] == 'a\nb".png'
    assert _disposition("form-data; name=kind") == {"name": "kind"}


def test_production_refuses_the_development_defaults(monkeypatch):
    from services.documents.settings import DocumentsSettings

    monkeypatch.setenv("ZC_ENVIRONMENT", "production")
    monkeypatch.setenv("ZC_INTERNAL_KEY", "a-real-internal-key")
    for name in ("S3_ACCESS_KEY", "S3_SECRET_KEY", "LINK_SECRET"):
        with pytest.raises(ValueError, match=f"DOCUMENTS_{name}"):
            DocumentsSettings()
        monkeypatch.setenv(f"DOCUMENTS_{name}", f"real-{name.lower()}")
    assert DocumentsSettings().link_secret.get_secret_value() == "real-link_secret"
