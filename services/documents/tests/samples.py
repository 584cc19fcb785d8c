"""Real files of every kind the tests upload, made on the spot (Pillow, a hand-written PDF)."""
from __future__ import annotations

import io
import zipfile

from PIL import Image, ImageDraw


def jpeg(width: int = 800, height: int = 600, color: str = "#1f5fa8") -> bytes:
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, width - 40, height - 40), outline=color, width=12)
    draw.ellipse((width // 3, height // 3, width // 2, height // 2), fill=color)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def png(width: int = 300, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 30, 40, 128)).save(out, "PNG")
    return out.getvalue()


def pdf(text: str = "zc documents test", padding: int = 0) -> bytes:
    """A minimal valid PDF (one page of text) with a correct cross-reference table; ``padding``
    adds a comment to reach an exact size."""
    content = b"BT /F1 12 Tf 20 50 Td (" + text.encode() + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    if padding:
        out += b"%" + b"x" * (padding - 2) + b"\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_of_size(size: int) -> bytes:
    padding = size - len(pdf())
    while len(made := pdf(padding=padding)) != size:  # the startxref number grows a few digits
        padding += size - len(made)
    return made


def ofd() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("OFD.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
                                    '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"><ofd:DocBody/>'
                                    '</ofd:OFD>')
        package.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return out.getvalue()


def _pypdf(build) -> bytes:
    """A real PDF written by pypdf after ``build(writer)`` planted something in it."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 100)
    build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_open_action_javascript() -> bytes:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    def build(writer) -> None:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
    return _pypdf(build)


def pdf_with_named_javascript() -> bytes:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    def build(writer) -> None:
        script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                   NameObject("/JS"): TextStringObject("this.print();")})
        names = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("s"), writer._add_object(script)])})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(names)})
    return _pypdf(build)


def pdf_with_launch_annotation() -> bytes:
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

    def build(writer) -> None:
        link = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(50), FloatObject(50)]),
            NameObject("/A"): DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                                                NameObject("/F"): TextStringObject("cmd.exe")})})
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _pypdf(build)


def pdf_with_embedded_file() -> bytes:
    return _pypdf(lambda writer: writer.add_attachment("evil.html", b"<html><script>alert(1)</script></html>"))


def pdf_by_pillow() -> bytes:
    """A scan as a scanner's software writes it: one image per page."""
    out = io.BytesIO()
    Image.open(io.BytesIO(jpeg())).save(out, "PDF", resolution=150)
    return out.getvalue()


def ofd_with(name: str, content: bytes) -> bytes:
    out = io.BytesIO(ofd())
    with zipfile.ZipFile(out, "a") as package:
        package.writestr(name, content)
    return out.getvalue()


def docx_like_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."


def multipart(fields: dict[str, str], filename: bytes | None, content: bytes,
              content_type: str | None = None) -> tuple[bytes, str]:
    """A multipart body written byte by byte, so that a test controls the file name exactly
    (HTTP clients escape control characters and backslashes)."""
    boundary = "zcTestBoundary7MA4YWxkTrZu0gW"
    body = bytearray()
    for name, value in fields.items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    if filename is not None:
        body += f"--{boundary}\r\n".encode() + b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        if content_type:
            body += f"Content-Type: {content_type}\r\n".encode()
        body += b"\r\n" + content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return bytes(body), f"multipart/form-data; boundary={boundary}"
