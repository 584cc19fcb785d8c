"""Uploads through the gateway: what is refused (with a Chinese message naming 文件, and
nothing stored: neither a row nor an object), what is stored, and that it comes back intact."""
from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from services.documents.tests import samples

LIMIT = 10 * 1024 * 1024  # the service's default DOCUMENTS_MAX_UPLOAD_BYTES

REFUSED = [
    # (case, content, file name, declared Content-Type, words the message must contain)
    ("PNG renamed .pdf", samples.png(), "身份证正面.pdf", "application/pdf", ["文件", "扩展名 .pdf", "PNG"]),
    ("PDF declared as an image", samples.pdf(), "承诺书.pdf", "image/jpeg", ["文件", "声明的类型 image/jpeg", "PDF"]),
    ("executable named .jpg", samples.EXECUTABLE, "photo.jpg", "image/jpeg", ["文件", "不支持的文件类型", "可执行程序"]),
    ("empty file", b"", "empty.pdf", "application/pdf", ["文件", "为空"]),
    ("path traversal", samples.png(), "../../etc/passwd.png", "image/png", ["文件", "路径"]),
    ("backslashes", samples.png(), "..\\..\\windows\\x.png", "image/png", ["文件", "路径"]),
    ("control character", samples.png(), "a\x01b.png", "image/png", ["文件", "控制字符"]),
    ("newline (form-encoded)", samples.png(), "a%0Ab.png", "image/png", ["文件", "控制字符"]),
    ("right-to-left override", samples.png(), "photo\u202egnp.exe", "image/png", ["文件", "控制字符"]),
    ("corrupt JPEG", samples.jpeg()[:400] + b"\x00garbage" * 50, "scan.jpg", "image/jpeg", ["文件", "图片已损坏"]),
    ("truncated PDF", samples.pdf()[:-30], "scan.pdf", None, ["文件", "%%EOF"]),
    ("ZIP that is no OFD", samples.docx_like_zip(), "report.ofd", None, ["文件", "ZIP"]),
    ("HTML named .png", b"<!DOCTYPE html><script>alert(1)</script>", "x.png", "image/png", ["文件", "网页"]),
    # What could run in a viewer or a browser, hidden in an otherwise valid file.
    ("PDF with OpenAction JavaScript", samples.pdf_with_open_action_javascript(), "a.pdf", None, ["文件", "JavaScript"]),
    ("PDF with JavaScript in the names tree", samples.pdf_with_named_javascript(), "a.pdf", None, ["文件", "JavaScript"]),
    ("PDF with a Launch action in an annotation", samples.pdf_with_launch_annotation(), "a.pdf", None,
     ["文件", "启动外部程序"]),
    ("PDF with an embedded file", samples.pdf_with_embedded_file(), "a.pdf", None, ["文件", "内嵌"]),
    ("JPEG with HTML appended", samples.jpeg() + b"<html><script>alert(1)</script></html>", "a.jpg", None,
     ["文件", "结束标记之后"]),
    ("PNG with a ZIP appended", samples.png() + samples.ofd(), "a.png", None, ["文件", "结束标记之后"]),
    ("OFD with evil.html inside", samples.ofd_with("Doc_0/evil.html", b"<script>alert(1)</script>"), "a.ofd", None,
     ["文件", "evil.html"]),
    ("OFD with HTML named .xml", samples.ofd_with("Doc_0/Page.xml", b"<html><script>alert(1)</script>"), "a.ofd",
     None, ["文件", "Page.xml", "不符"]),
    ("OFD with a path outside", samples.ofd_with("../x.xml", b"<x/>"), "a.ofd", None, ["文件", "路径"]),
]


@pytest.mark.parametrize(("case", "content", "name", "content_type", "words"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_uploads_say_why_and_store_nothing(docs, person, case, content, name, content_type, words):
    before_total, before_objects = docs.mine(person)["total"], docs.objects()
    response = docs.upload(person, content, name, content_type=content_type)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["errors"][0]["field"] == "file" and body["errors"][0]["label"] == "文件"
    for word in words:
        assert word in body["detail"], (case, body["detail"])
    assert docs.mine(person)["total"] == before_total
    assert docs.objects() == before_objects


def test_kind_is_required_and_must_be_known(docs, person):
    missing = docs.upload(person, samples.jpeg(), kind=None)
    assert missing.status_code == 422 and missing.json()["detail"] == "附件类型：请选择附件类型"
    unknown = docs.upload(person, samples.jpeg(), kind="selfie")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "kind"
    no_file = docs.upload(person, b"", name=None)
    assert no_file.status_code == 422 and "请选择要上传的文件" in no_file.json()["detail"]


def test_size_limit_is_exact_and_enforced_while_streaming(docs, person):
    before_objects = docs.objects()
    over = docs.upload(person, samples.pdf_of_size(LIMIT + 1), "big.pdf", content_type="application/pdf")
    assert over.status_code == 413, over.text
    assert over.json()["errors"][0]["label"] == "文件" and "10 MB" in over.json()["detail"]
    assert docs.objects() == before_objects

    exact = docs.stored(person, samples.pdf_of_size(LIMIT), "刚好十兆.pdf", kind="other")
    assert exact["size"] == LIMIT


def test_real_pdf_and_jpeg_are_stored_and_read_back_byte_identical(docs, person):
    before_objects = docs.objects()
    photo, document = samples.jpeg(1600, 1200), samples.pdf("byte for byte")

    jpg = docs.stored(person, photo, "证件照.JPG", content_type="image/jpeg", kind="photo")
    assert jpg["content_type"] == "image/jpeg" and jpg["has_thumbnail"] and jpg["kind_label"] == "证件照"
    assert jpg["display_name"] == "证件照.JPG" and jpg["size"] == len(photo)
    assert jpg["sha256"] == hashlib.sha256(photo).hexdigest()
    assert jpg["locked"] is False and jpg["referenced"] is False and jpg["cleanup_at"] is not None

    # No declared type (octet-stream) is fine: the content decides.
    doc = docs.stored(person, document, "职称申报承诺书.pdf", content_type=None, kind="pledge")
    assert doc["content_type"] == "application/pdf" and not doc["has_thumbnail"]

    content = person.get(f"{docs.api}/files/{jpg['id']}/content")
    assert content.status_code == 200 and content.content == photo
    assert content.headers["content-type"] == "image/jpeg"
    assert content.headers["content-disposition"] == \
        "inline; filename*=UTF-8''%E8%AF%81%E4%BB%B6%E7%85%A7.JPG"
    assert content.headers["x-content-type-options"] == "nosniff"
    pdf_back = person.get(f"{docs.api}/files/{doc['id']}/content", params={"download": "true"})
    assert pdf_back.content == document and pdf_back.headers["content-type"] == "application/pdf"
    assert pdf_back.headers["content-disposition"].startswith("attachment; filename*=UTF-8''")

    thumb = person.get(f"{docs.api}/files/{jpg['id']}/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert image.format == "JPEG" and max(image.size) == 320 and image.size == (320, 240)
    assert person.get(f"{docs.api}/files/{doc['id']}/thumbnail").status_code == 404

    # Generated keys: nothing of the names in the bucket; one object per file plus the thumbnail.
    new = docs.objects() - before_objects
    assert len(new) == 3 and not any("证件照" in k or "pdf" in k.lower() for k in new)
    assert sum(k.startswith("thumbnails/") for k in new) == 1

    listed = docs.mine(person)
    assert [f["id"] for f in listed["items"][:2]] == [doc["id"], jpg["id"]]  # newest first
    assert [f["id"] for f in docs.mine(person, kind="pledge")["items"]] == [doc["id"]]


def test_pdfs_written_by_real_software_are_accepted(docs, person):
    for content in (samples.pdf_by_pillow(), samples._pypdf(lambda writer: None)):
        assert docs.stored(person, content, "扫描件.pdf", kind="other")["content_type"] == "application/pdf"


def test_png_and_ofd_are_accepted(docs, person):
    picture = docs.stored(person, samples.png(), "透明.png", content_type="image/png", kind="other")
    assert picture["content_type"] == "image/png" and picture["has_thumbnail"]
    ofd = docs.stored(person, samples.ofd(), "电子证照.ofd", content_type="application/zip", kind="diploma")
    assert ofd["content_type"] == "application/ofd" and not ofd["has_thumbnail"]


def test_long_names_are_shortened_keeping_the_extension(docs, person):
    stored = docs.stored(person, samples.jpeg(), "很长的名字" * 30 + ".jpg")
    assert len(stored["display_name"]) == 100 and stored["display_name"].endswith(".jpg")


def test_rename_is_validated_and_names_the_download(docs, person, other_person):
    stored = docs.stored(person, samples.jpeg(), "IMG_20260101.jpg", kind="id_card_front")
    path = f"/files/{stored['id']}"
    renamed = docs.write(person, "PATCH", path, json={"display_name": "  身份证正面  "})
    assert renamed.status_code == 200 and renamed.json()["display_name"] == "身份证正面"
    disposition = person.get(f"{docs.api}{path}/content").headers["content-disposition"]
    assert disposition.endswith("%E8%BA%AB%E4%BB%BD%E8%AF%81%E6%AD%A3%E9%9D%A2.jpg")  # 身份证正面.jpg

    for bad, words in [("", "附件名称"), ("   ", "附件名称"), ("名" * 101, "最多 100"), ("a/b", "路径"),
                       ("a\\b", "路径"), ("tab\there", "控制字符"), ("..", "不能为空")]:
        refused = docs.write(person, "PATCH", path, json={"display_name": bad})
        assert refused.status_code == 422, (bad, refused.text)
        assert "附件名称" in refused.json()["detail"] and words in refused.json()["detail"], refused.json()
    assert docs.write(person, "PATCH", path, json={}).status_code == 422
    assert person.get(f"{docs.api}{path}").json()["display_name"] == "身份证正面"
    assert docs.write(other_person, "PATCH", path, json={"display_name": "别人的"}).status_code == 404


def test_keeping_a_file_in_my_attachments(docs, person):
    kept = docs.stored(person, samples.jpeg(), "学历证书.jpg", kind="diploma", kept="true")
    assert kept["kept"] is True and kept["cleanup_at"] is None
    released = docs.write(person, "PATCH", f"/files/{kept['id']}", json={"kept": False})
    assert released.json()["kept"] is False and released.json()["cleanup_at"] is not None


def test_only_persons_upload_and_the_body_must_be_multipart(stack, docs, person):
    unit, _ = stack.unit_browser("福建省附件测试单位甲")
    assert docs.upload(unit, samples.jpeg()).status_code == 403
    wrong = docs.write(person, "POST", "/files", json={"kind": "photo"})
    assert wrong.status_code == 415 and "multipart/form-data" in wrong.json()["detail"]
