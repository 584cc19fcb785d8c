"""Generated PDFs: each kind rendered and read back (pypdf), pages as PNG (pdftoppm, kept in
test-results/pdfs/ as artefacts), a 200-item form across pages, the QR codes, the URL fetcher,
and the worker pool's time limit and dead workers."""
from __future__ import annotations

import asyncio
import base64
import datetime as dt
import io
import re
import subprocess
import tempfile
import urllib.parse
from pathlib import Path

import pytest
import segno
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from services.documents.pdfs import contexts, render, samples
from shared.entry_types import ENTRY_TYPES

ARTEFACTS = Path("test-results/pdfs")
NOW = dt.datetime(2026, 4, 2, 10, 0, tzinfo=dt.UTC)
CERT = {"certificate_id": "5b0c4f5e-1f7e-4c53-9d1b-0a4b8c1f2d11", "number": "FJ2026-00012345",
        "application_id": "5b0c4f5e-1f7e-4c53-9d1b-0a4b8c1f2d12", "person_id": "5b0c4f5e-1f7e-4c53-9d1b-0a4b8c1f2d13",
        "name": "林晓燕", "id_number_masked": "350102********1234", "series": "school_teacher", "title": "高级教师",
        "major": "中学数学", "level": "senior_associate", "obtained_on": "2026-12-20",
        "committee": "福建省中小学教师高级职务评审委员会", "organizer_name": "福建省教育厅"}
TICKET = {"ticket_no": "2026000100007", "starts_at": "2026-06-01T01:30:00+00:00", "place": "福州市鼓楼区东街 1 号 3 楼",
          "scheduled_by": "福建省教育厅", "plan_year": 2026, "major": "中学数学", "title": "高级教师",
          "level": "senior_associate"}


def pages_text(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", "", p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]


def keep_png(pdf: bytes, name: str, *, first: int = 1, last: int = 2) -> list[Path]:
    """Pages as PNG for a person to look at (CI keeps test-results/)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", str(first), "-l", str(last), "-", str(ARTEFACTS / name)],
                   input=pdf, check=True, timeout=60)
    pngs = sorted(ARTEFACTS.glob(f"{name}-*.png"))
    assert pngs and all(p.stat().st_size > 5000 for p in pngs)  # not blank
    return pngs


def photo_uri() -> str:
    from services.documents.tests import samples as files
    return render.image_data_uri(files.jpeg(300, 400, "#aa2233"), "image/jpeg")


def test_review_form_has_the_person_the_title_and_every_imported_item():
    app = samples.application(papers=6)
    r = render.render_pdf("review_form", contexts.review(app, photo_uri(), NOW))
    text = "".join(pages_text(r.pdf))
    assert r.pages == len(pages_text(r.pdf)) and 2 <= r.pages <= 8
    for expected in ("专业技术资格评审表", "林晓燕", "女", "1978年06月", "350102********1234", "高级教师", "中学数学",
                     "福州第一中学", "一级教师", "闽教职2012-0088", f"第1页共{r.pages}页", f"第{r.pages}页共{r.pages}页"):
        assert expected in text, expected
    for section in app["sections"]:
        for item in section["items"]:
            key = next(str(item["fields"][f.code]) for f in ENTRY_TYPES[item["type"]].fields if item["fields"].get(f.code))
            assert re.sub(r"\s+", "", key) in text, item["title"]
            assert all(re.sub(r"\s+", "", str(v)) in text for v in item["fields"].values() if v), item["title"]
    for party in contexts.PARTIES:
        assert f"{party}意见" in text
    assert len(PdfReader(io.BytesIO(r.pdf)).pages[0].images) == 1  # the photo
    keep_png(r.pdf, "review_form", last=r.pages)


def test_a_200_item_form_breaks_across_pages_with_its_header_on_each():
    app = samples.application(papers=200)
    r = render.render_pdf("review_form", contexts.review(app, None, NOW))
    texts = pages_text(r.pdf)
    assert 8 <= r.pages <= 40 and len(texts) == r.pages
    with_papers = [t for t in texts if re.search(r"函数教学研究之\d{3}", t)]
    assert len(with_papers) >= 4
    assert all("刊物/出版社" in t for t in with_papers)  # thead repeated on every page the table runs over
    joined = "".join(texts)
    assert "函数教学研究之200" in joined and "函数教学研究之001" in joined
    assert all(f"函数教学研究之{n:03d}" in joined for n in range(1, 201))  # nothing cut off
    assert f"第{r.pages}页共{r.pages}页" in texts[-1]
    keep_png(r.pdf, "review_form_200", first=r.pages - 1, last=r.pages)


@pytest.mark.parametrize(("kind", "form", "label"), [("exceptional_form", "exceptional", "破格申报理由"),
                                                     ("transfer_form", "transfer", "转评理由")])
def test_exceptional_and_transfer_forms(kind, form, label):
    app = samples.application(form=form)
    r = render.render_pdf(kind, contexts.extra(app, photo_uri(), NOW))
    text = "".join(pages_text(r.pdf))
    for expected in (render.KINDS[kind], label, "林晓燕", "高级教师", "任现职以来教学业绩突出", "评委会意见"):
        assert expected in text, expected
    keep_png(r.pdf, kind)


def qr_svg_in(html: str) -> str:
    """The (first) QR code the template embeds, as its SVG."""
    uri = re.search(r'src="(data:image/svg\+xml[^"]+)"', html)[1]
    svg = urllib.parse.unquote(uri.split(",", 1)[1]) if ";base64" not in uri.split(",")[0] \
        else base64.b64decode(uri.split(",", 1)[1]).decode()
    return svg


def assert_qr_encodes(html: str, text: str) -> None:
    """The code the template embeds is segno's code of the expected text (same version, same modules)."""
    embedded = qr_svg_in(html.replace("&amp;", "&"))
    assert embedded == urllib.parse.unquote(render.qr_data_uri(text).split(",", 1)[1])
    assert embedded != urllib.parse.unquote(render.qr_data_uri(text + "x").split(",", 1)[1])


def printed_qr_codes(pdf: bytes) -> list[str]:
    """The QR codes of the PDF's first page as a scanner reads them off paper: the page rasterised
    at 150 dpi (pdftoppm), then decoded (zxing-cpp)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", "-", f"{tmp}/page"],
                       input=pdf, check=True, timeout=60)
        page = Image.open(f"{tmp}/page.png")
        return [code.text for code in zxingcpp.read_barcodes(page) if code.format == zxingcpp.BarcodeFormat.QRCode]


def test_admission_ticket_with_photo_number_time_place_and_qr():
    app = samples.application()
    context = contexts.admission(TICKET, app, photo_uri(), NOW)
    r = render.render_pdf("admission_ticket", context)
    text = "".join(pages_text(r.pdf))
    assert r.pages == 1
    for expected in ("准考证", "2026000100007", "林晓燕", "福州第一中学", "高级教师", "福州市鼓楼区东街1号3楼"):
        assert expected in text, expected
    assert len(PdfReader(io.BytesIO(r.pdf)).pages[0].images) == 1
    assert_qr_encodes(render.html("admission_ticket", context), "2026000100007")
    assert printed_qr_codes(r.pdf) == ["2026000100007"]
    keep_png(r.pdf, "admission_ticket")


def test_certificate_with_number_and_a_qr_code_of_its_verification_page():
    url = "https://zc.example.gov.cn/verify/FJ2026-00012345"
    context = contexts.certificate(CERT, url, NOW)
    r = render.render_pdf("certificate", context)
    text = "".join(pages_text(r.pdf))
    assert r.pages == 1
    for expected in ("FJ2026-00012345", "林晓燕", "高级教师", "中学数学", "副高级", "中小学教师", "2026年12月20日",
                     "福建省中小学教师高级职务评审委员会", "福建省教育厅"):
        assert expected in text, expected
    assert_qr_encodes(render.html("certificate", context), url)
    assert printed_qr_codes(r.pdf) == [url]
    assert segno.make(url, error="m").version <= 6  # small enough to scan from paper
    keep_png(r.pdf, "certificate", last=1)


def test_the_templates_reach_nothing_but_their_own_stylesheet_and_data_uris():
    fetcher = render._fetcher()
    assert b"@page" in fetcher.fetch(render.ASSET_BASE + "pdf.css").read()
    assert fetcher.fetch("data:text/plain;base64,5Lit").read() == "中".encode()
    for refused in ("file:///etc/passwd", "http://127.0.0.1:5432/", "https://example.com/x.png",
                    render.ASSET_BASE + "../render.py", render.ASSET_BASE + "review_form.html"):
        with pytest.raises(ValueError):
            fetcher.fetch(refused)
    # In a document: the refused image is left out, the render goes on.
    app = samples.application()
    app["person"]["name"] = '<img src="file:///etc/passwd">林晓燕'
    r = render.render_pdf("review_form", contexts.review(app, "file:///etc/hostname", NOW))
    assert "林晓燕" in "".join(pages_text(r.pdf)) and not PdfReader(io.BytesIO(r.pdf)).pages[0].images


def renders(kind: str, outcome: str) -> float:
    """How many renders the ``zc_pdf_render_seconds`` histogram counted (this process)."""
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value("zc_pdf_render_seconds_count", {"kind": kind, "outcome": outcome}) or 0.0


async def test_a_render_past_its_time_or_a_killed_worker_fails_and_the_next_one_renders():
    renderer = render.Renderer(workers=1, timeout=0.05)
    ok_before, failed_before = renders("certificate", "ok"), renders("certificate", "failed")
    try:
        with pytest.raises(render.RenderFailed):  # spawning alone takes longer than this
            await renderer.render("certificate", contexts.certificate(CERT, "https://x/verify/1", NOW))
        assert renderer.pids() == []  # its worker was killed
        renderer.timeout = 60
        ok = await renderer.render("certificate", contexts.certificate(CERT, "https://x/verify/1", NOW))
        assert ok.pages == 1

        import os
        import signal
        task = asyncio.create_task(renderer.render("review_form", contexts.review(samples.application(papers=200),
                                                                                  None, NOW)))
        await asyncio.sleep(0.3)
        for pid in renderer.pids():
            os.kill(pid, signal.SIGKILL)
        with pytest.raises(render.RenderFailed):
            await task
        again = await renderer.render("certificate", contexts.certificate(CERT, "https://x/verify/1", NOW))
        assert again.pages == 1
        # The render time histogram counted each render of the certificate, by outcome.
        assert renders("certificate", "ok") == ok_before + 2
        assert renders("certificate", "failed") == failed_before + 1
        assert renders("review_form", "failed") >= 1
    finally:
        renderer.close()


async def test_a_long_render_reports_its_steps_and_pages_as_it_goes():
    renderer = render.Renderer(workers=1)
    renderer.report_every = 0.02
    heard: list[render.Progress] = []

    async def on_progress(progress: render.Progress) -> None:
        heard.append(progress)

    try:
        r = await renderer.render("review_form", contexts.review(samples.application(papers=200), None, NOW), on_progress)
        pages = [p.page for p in heard if p.step == 5]
        assert len(pages) >= 2 and pages == sorted(pages) and 1 <= pages[0] < pages[-1] <= r.pages
        assert heard[-1].step >= 6  # writing the PDF came after the layout
        assert [p.step for p in heard] == sorted(p.step for p in heard)
        assert render.progress_label(5, pages[-1]) == f"正在排版第 {pages[-1]} 页"
        # A render that nobody listens to reports nothing anywhere (and is not slowed by it).
        assert (await renderer.render("certificate", contexts.certificate(CERT, "https://x/verify/1", NOW))).pages == 1
    finally:
        renderer.close()


def test_progress_lines_of_weasyprint_are_read_as_steps_and_pages():
    assert render.parse_progress("Step 5 - Creating layout - Page 12") == render.Progress(5, 12)
    assert render.parse_progress("Step 6 - Creating PDF") == render.Progress(6, None)
    assert render.parse_progress("something else") is None
    assert render.progress_label(0, None) == "已开始生成" and render.progress_label(6, None) == "正在写入 PDF 文件"


async def test_a_worker_cannot_take_more_memory_than_its_limit():
    renderer = render.Renderer(workers=1, memory_bytes=600 * 1024 * 1024)
    try:
        pool = renderer._ensure()
        limit = await asyncio.get_running_loop().run_in_executor(pool, _address_space_limit)
        assert limit == 600 * 1024 * 1024
    finally:
        renderer.close()


def _address_space_limit() -> int:
    import resource
    return resource.getrlimit(resource.RLIMIT_AS)[0]
