"""What an uploaded file is, decided by its content, and whether it may be stored.

The client's name and Content-Type are only checked against the content, never believed:
a PNG named .pdf, a PDF declared as an image or an executable named .jpg are refused. Every
refusal is an ``InvalidField`` on ``file`` (文件) with a sentence a person can act on."""
from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image

from shared.errors import InvalidField

# Far beyond any scan or photo; refused before decoding, so a tiny file cannot claim gigapixels.
MAX_PIXELS = 40_000_000  # a 300 dpi A4 scan is ~9 MP; a phone photo 12–50 MP
NAME_MAX = 100


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: str
    extensions: tuple[str, ...]
    declared: frozenset[str]  # Content-Types a client may send for it
    pillow_format: str | None = None  # images: decoded and thumbnailed

    @property
    def extension(self) -> str:
        return self.extensions[0]


JPEG = FileType("image/jpeg", "JPG 图片", (".jpg", ".jpeg", ".jpe", ".jfif"),
                frozenset({"image/jpeg", "image/jpg", "image/pjpeg"}), "JPEG")
PNG = FileType("image/png", "PNG 图片", (".png",), frozenset({"image/png", "image/x-png"}), "PNG")
PDF = FileType("application/pdf", "PDF 文档", (".pdf",), frozenset({"application/pdf", "application/x-pdf"}))
# OFD (GB/T 33190) is a ZIP package whose root holds OFD.xml; clients often call it a ZIP.
OFD = FileType("application/ofd", "OFD 文档", (".ofd",),
               frozenset({"application/ofd", "application/zip", "application/x-zip-compressed"}))
ALLOWED = (JPEG, PNG, PDF, OFD)
ALLOWED_TEXT = "JPG、PNG、PDF、OFD"
BY_CONTENT_TYPE = {t.content_type: t for t in ALLOWED}
# Saying nothing about the type is fine; saying something wrong is not.
NEUTRAL_DECLARED = {"", "application/octet-stream", "binary/octet-stream"}

_ZIP = b"PK\x03\x04"
# Only to name what was refused; none of these is ever accepted.
_RECOGNISED = [
    (b"MZ", "可执行程序"), (b"\x7fELF", "可执行程序"), (b"\xcf\xfa\xed\xfe", "可执行程序"),
    (b"\xca\xfe\xba\xbe", "可执行程序"), (b"#!", "脚本程序"), (_ZIP, "ZIP 压缩包或 Office 文档"),
    (b"GIF8", "GIF 图片"), (b"BM", "BMP 图片"), (b"\xd0\xcf\x11\xe0", "Office 文档"), (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
]


def refuse(message: str) -> InvalidField:
    return InvalidField("file", message)


def sniff(head: bytes) -> FileType | None:
    """The allowed type the first bytes announce (a ZIP is an OFD candidate until its contents say so)."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(_ZIP):
        return OFD
    return None


def describe(head: bytes) -> str:
    for magic, label in _RECOGNISED:
        if head.startswith(magic):
            return label
    if head[:64].lstrip().lower().startswith((b"<!doctype html", b"<html", b"<?xml", b"<svg")):
        return "网页或 XML 文件"
    return "未知格式"


def unsupported(head: bytes) -> InvalidField:
    return refuse(f"不支持的文件类型（检测到：{describe(head)}），仅支持 {ALLOWED_TEXT} 格式")


def _check_characters(name: str, field: str, what: str) -> str:
    name = unicodedata.normalize("NFC", name).strip()
    if "/" in name or "\\" in name:
        raise InvalidField(field, f"{what}不能包含 / 或 \\ 等路径字符")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        raise InvalidField(field, f"{what}不能包含控制字符")
    if name.strip(". ") == "":
        raise InvalidField(field, f"{what}不能为空或只由点组成")
    return name


def name_from_upload(raw: str | None) -> str:
    """The client's file name as a display name: never a path, nothing hidden in it, at most
    100 characters (shortened in the middle so that the extension stays)."""
    if not raw:
        raise refuse("请选择要上传的文件")
    name = _check_characters(raw, "file", "文件名")
    if len(name) > NAME_MAX:
        stem, ext = os.path.splitext(name)
        ext = ext if len(ext) <= 10 else ""
        name = stem[:NAME_MAX - len(ext)].rstrip() + ext
    return name


def display_name(value: str) -> str:
    """A new name a person gives a file (附件名称)."""
    name = _check_characters(value, "display_name", "")
    if len(name) > NAME_MAX:
        raise InvalidField("display_name", f"过长（最多 {NAME_MAX} 个字符）")
    return name


def check_extension(name: str, kind: FileType) -> None:
    ext = os.path.splitext(name)[1].lower()
    if ext and ext not in kind.extensions:
        raise refuse(f"扩展名 {ext} 与文件内容（{kind.label}）不符，请确认文件后重新上传")


def check_declared(declared: str, kind: FileType) -> None:
    if declared not in NEUTRAL_DECLARED and declared not in kind.declared:
        raise refuse(f"声明的类型 {declared} 与文件内容（{kind.label}）不符")


def check_content(file: BinaryIO, size: int, kind: FileType) -> None:
    """The content really is what its first bytes claim, and carries nothing that could run in
    a viewer or a browser (blocking: run it in a thread)."""
    file.seek(0)
    if kind is PDF:
        file.seek(max(0, size - 1024))
        if not file.read().rstrip(b" \t\r\n\x00").endswith(b"%%EOF"):
            raise refuse("PDF 文件不完整（缺少结束标记 %%EOF），请重新导出或扫描后上传")
        file.seek(0)
        _check_pdf(file)
    elif kind is OFD:
        _check_ofd(file)
    else:
        _check_image(file, kind)
        file.seek(0)
        _check_image_end(file, kind)
    file.seek(0)


# PDF actions that run code or other programs, and where files ride along inside a PDF.
_PDF_ACTIONS = {"/JavaScript": "脚本（JavaScript）", "/Launch": "启动外部程序的动作",
                "/RichMediaExecute": "多媒体脚本", "/ImportData": "导入外部数据的动作"}
_PDF_SCRIPT_KEYS = {"/JS": "脚本（JavaScript）", "/JavaScript": "脚本（JavaScript）"}
_PDF_EMBEDDED = {"/EmbeddedFiles", "/EmbeddedFile", "/EF", "/FileAttachment"}
_PDF_MAX_OBJECTS = 200_000  # far beyond a 10 MB scan; bounds the walk


def _check_pdf(file: BinaryIO) -> None:
    """Every object reachable from the trailer — catalog, OpenAction, additional actions, the
    names tree, pages and their annotations — is looked at: no scripts, no launch actions, no
    embedded files (a viewer would offer to open them)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise refuse("PDF 文件已加密，请取消密码后重新上传")
        pending: list = [reader.trailer]
        seen: set[tuple[int, int]] = set()
        while pending:
            value = pending.pop()
            if isinstance(value, IndirectObject):
                key = (value.idnum, value.generation)
                if key in seen:
                    continue
                seen.add(key)
                if len(seen) > _PDF_MAX_OBJECTS:
                    raise refuse("PDF 文件结构过于复杂，无法检查，请重新导出后上传")
                pending.append(value.get_object())
            elif isinstance(value, DictionaryObject):
                for name, item in value.items():
                    if name in _PDF_EMBEDDED or (name in ("/Type", "/Subtype") and item in _PDF_EMBEDDED):
                        raise refuse("PDF 文件内嵌了其他文件，不能上传；请把文件单独上传")
                    if name in _PDF_SCRIPT_KEYS:  # an action's code, or the names tree's scripts
                        raise refuse(f"PDF 文件含有{_PDF_SCRIPT_KEYS[name]}，不能上传；请重新打印为 PDF 或扫描后上传")
                    if name == "/S" and item in _PDF_ACTIONS:
                        raise refuse(f"PDF 文件含有{_PDF_ACTIONS[item]}，不能上传；请重新打印为 PDF 或扫描后上传")
                    pending.append(item)
            elif isinstance(value, ArrayObject):
                pending.extend(value)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise refuse("PDF 文件已损坏，无法识别，请重新导出或扫描后上传") from exc


# What an OFD package (GB/T 33190) holds: XML, fonts, images, signatures. Nothing a browser runs.
_OFD_ENTRIES = {
    ".xml": (b"<",), ".ttf": (b"\x00\x01\x00\x00", b"true"), ".otf": (b"OTTO",), ".ttc": (b"ttcf",),
    ".png": (b"\x89PNG",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",), ".bmp": (b"BM",),
    ".tif": (b"II*\x00", b"MM\x00*"), ".tiff": (b"II*\x00", b"MM\x00*"), ".jb2": (b"",), ".dat": (b"",),
    ".esl": (b"",), ".sig": (b"",),
}
_OFD_MAX_ENTRIES = 5000


def _check_ofd(file: BinaryIO) -> None:
    try:
        with zipfile.ZipFile(file) as package:
            if "OFD.xml" not in package.namelist():
                raise unsupported(_ZIP)
            entries = package.infolist()
            if len(entries) > _OFD_MAX_ENTRIES:
                raise refuse("OFD 文件包含的内容过多，无法检查")
            for entry in entries:
                _check_ofd_entry(package, entry)
            with package.open("OFD.xml") as entry:
                head = entry.read(64 * 1024)  # bounded: a packed bomb never unpacks here
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
        raise refuse("OFD 文件已损坏，无法识别") from exc
    if not re.search(rb"<(?:[\w-]+:)?OFD[\s>]", head):
        raise refuse("OFD 文件无效（OFD.xml 不是 OFD 文档）")


def _check_ofd_entry(package: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    name = entry.filename
    shown = name[-60:]
    if name.startswith("/") or "\\" in name or ".." in name.split("/"):
        raise refuse(f"OFD 文件包含不允许的路径（{shown}），不能上传")
    if entry.is_dir():
        return
    magics = _OFD_ENTRIES.get(os.path.splitext(name)[1].lower())
    if magics is None:
        raise refuse(f"OFD 文件包含不允许的内容（{shown}），仅可含 XML、字体、图片和签名，不能上传")
    with package.open(entry) as content:
        head = content.read(512)
    if not head.startswith(magics) or (magics == (b"<",) and _looks_like_html(head)):
        if magics == (b"<",) and head.startswith(b"\xef\xbb\xbf<") and not _looks_like_html(head[3:]):
            return  # XML with a byte-order mark
        raise refuse(f"OFD 文件中的 {shown} 与其类型不符，不能上传")


def _looks_like_html(head: bytes) -> bool:
    return re.search(rb"<\s*(?:!doctype\s+html|html|script|body|iframe|svg)[\s>/]", head.lower()) is not None


def _check_image_end(file: BinaryIO, kind: FileType) -> None:
    """Nothing may follow the image's end marker: data hidden there (an HTML page, a ZIP) is
    what a polyglot file is made of."""
    data = file.read()
    end = _jpeg_end(data) if kind is JPEG else _png_end(data)
    if end is None:
        raise refuse("图片已损坏或无法识别")
    if data[end:].strip(b"\x00"):
        raise refuse("图片结束标记之后还有其他数据，请用图片软件重新保存后上传")


def _jpeg_end(data: bytes) -> int | None:
    """The offset just after the EOI marker, following the segment structure (an EXIF thumbnail's
    own markers sit inside its segment and are skipped)."""
    pos, size = 2, len(data)
    while pos + 2 <= size:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
        elif marker == 0xD9:
            return pos + 2
        elif 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
        elif pos + 4 > size:
            return None
        else:
            pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
            while marker == 0xDA:  # entropy-coded data: up to the first 0xFF that starts a marker
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= size:
                    return None
                following = data[pos + 1]
                if following != 0x00 and not 0xD0 <= following <= 0xD7:
                    break
                pos += 2
    return None


def _png_end(data: bytes) -> int | None:
    pos = 8
    while pos + 8 <= len(data):
        length, chunk = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8]
        pos += 12 + length
        if chunk == b"IEND":
            return pos
    return None


def _check_image(file: BinaryIO, kind: FileType) -> None:
    try:
        with Image.open(file) as image:
            if image.format != kind.pillow_format:
                raise refuse(f"图片格式与文件内容（{kind.label}）不符")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise refuse(f"图片尺寸过大（{width}×{height}），请缩小后上传")
            image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise refuse("图片已损坏或无法识别") from exc
