"""HTML → PDF with WeasyPrint, in worker processes.

WeasyPrint is CPU-bound and can use a lot of memory on a hostile or huge input, so it never runs
on the event loop: a small process pool renders, each worker with an address-space limit
(RLIMIT_AS) and each render with a time limit. A render that runs over its time, or a worker that
dies (the limit, the OOM killer, a kill), ends that pool: its processes are killed and a new pool
starts; the caller gets ``RenderFailed`` and the event's consumer retries later.

The templates reach nothing but their own stylesheet and ``data:`` URIs (the photo, the QR code):
the URL fetcher refuses the network and the file system.

Progress: WeasyPrint logs its steps ("Step 5 - Creating layout - Page 7") on its progress logger;
in a worker they go, tagged with the render's job, to a queue the pool's processes inherit, and
the awaiting coroutine hands them to its ``on_progress`` (导出 shows them on a long form)."""
from __future__ import annotations

import asyncio
import base64
import datetime as dt
import gc
import logging
import multiprocessing
import os
import queue
import re
import resource
import signal
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import segno
from prometheus_client import Histogram

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"
# The templates' own base: no such host exists, and the fetcher answers it from TEMPLATES alone.
ASSET_BASE = "https://pdf-assets.invalid/"
ASSETS = {"pdf.css": "text/css"}

# Wall time of a render in the pool, waiting for a free worker included: what a deadline-day queue of PDFs feels.
RENDER_SECONDS = Histogram("zc_pdf_render_seconds", "Time to render one generated PDF", ["kind", "outcome"],
                           buckets=(0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120))
KINDS = {"review_form": "专业技术资格评审表", "exceptional_form": "破格审批表", "transfer_form": "转评申报表",
         "admission_ticket": "准考证", "certificate": "电子职称证书"}


class RenderFailed(RuntimeError):
    """The render ran out of time or its worker died: retry later."""


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


@dataclass(frozen=True)
class Progress:
    """Where a render is: ``step`` (WeasyPrint's step number, 1–7) and, while laying out, ``page``."""
    step: int
    page: int | None = None


_STEP = re.compile(r"Step (\d+)\D*?(?:Page (\d+))?$")


def parse_progress(message: str) -> Progress | None:
    found = _STEP.search(message)
    return Progress(int(found[1]), int(found[2]) if found[2] else None) if found else None


def progress_label(step: int, page: int | None) -> str:
    """What the applicant reads while a PDF is made (WeasyPrint's steps, in their words)."""
    if step <= 0:
        return "已开始生成"
    if step <= 2:
        return "正在读取申报信息"
    if step <= 4:
        return "正在套用表格样式"
    if step == 5:
        return f"正在排版第 {page} 页" if page else "正在排版"
    return "正在写入 PDF 文件"


def qr_data_uri(text: str) -> str:
    """The QR code of ``text`` as an SVG data URI (vector: sharp at any print size)."""
    return segno.make(text, error="m", micro=False).svg_data_uri(border=2, dark="#000")


def image_data_uri(content: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(content).decode()}"


def _date(value: Any, fmt: str = "%Y年%m月%d日") -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime(fmt)


_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True)
_env.filters["date"] = _date
_env.globals["qr"] = qr_data_uri


def html(kind: str, context: dict[str, Any]) -> str:
    return _env.get_template(f"{kind}.html").render(**context, kind_label=KINDS[kind])


def _fetcher():  # imported in the worker only: the service process never loads WeasyPrint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetsOnly(URLFetcher):
        """The template's stylesheet and data: URIs; everything else is refused."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            name = url.removeprefix(ASSET_BASE)
            if url.startswith(ASSET_BASE) and name in ASSETS:
                return URLFetcherResponse(url, (TEMPLATES / name).read_bytes(), {"Content-Type": ASSETS[name]})
            raise ValueError(f"refused: {url[:100]}")

    return AssetsOnly(allowed_protocols={"data"})


def render_pdf(kind: str, context: dict[str, Any], job: str | None = None) -> Rendered:
    """Synchronous: in a worker process (or a benchmark). ``job`` tags the progress it reports."""
    from weasyprint import HTML

    global _job
    _job = job
    # A long form allocates hundreds of thousands of boxes that live until the end of the render:
    # the cyclic collector's passes over them are wasted (a tenth of a 10-page render). A full
    # collection after each render would cost more than it saves; the collector resumes on its own.
    gc.disable()
    try:
        document = HTML(string=html(kind, context), base_url=ASSET_BASE, url_fetcher=_fetcher()).render()
        return Rendered(pdf=document.write_pdf(), pages=len(document.pages))
    finally:
        _job = None
        gc.enable()


_job: str | None = None  # the render this worker process is on


class _ToQueue(logging.Handler):
    def __init__(self, progress: Any) -> None:
        super().__init__()
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        if _job is not None:
            try:
                self.progress.put_nowait((_job, record.getMessage()))
            except Exception:  # a full or closed queue costs the progress line, never the render
                pass


def _start_worker(max_bytes: int, progress: Any) -> None:
    if max_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))
    logger = logging.getLogger("weasyprint.progress")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(_ToQueue(progress))


OnProgress = Callable[[Progress], Awaitable[None]]


class Renderer:
    def __init__(self, *, workers: int = 1, timeout: float = 60, memory_bytes: int = 1536 * 1024 * 1024) -> None:
        self.workers, self.timeout, self.memory_bytes = workers, timeout, memory_bytes
        self.report_every = 0.5  # seconds between progress reports (each is a database write)
        self._pool: ProcessPoolExecutor | None = None
        self._progress: Any = None  # the queue the pool's workers report progress to
        self._listeners: dict[str, OnProgress] = {}

    def _ensure(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn: a fork of a process with an event loop and threads (the S3 pool) is not safe.
            context = multiprocessing.get_context("spawn")
            self._progress = context.Queue(1000)
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start_worker,
                                             initargs=(self.memory_bytes, self._progress))
        return self._pool

    async def _report(self) -> None:
        """Hand what the workers reported so far to the renders awaiting it (the last step of each)."""
        latest: dict[str, Progress] = {}
        while self._progress is not None:
            try:
                job, message = self._progress.get_nowait()
            except (queue.Empty, OSError, ValueError):
                break
            if (progress := parse_progress(message)) is not None:
                latest[job] = progress
        for job, progress in latest.items():
            if (listener := self._listeners.get(job)) is not None:
                try:
                    await listener(progress)
                except Exception:
                    log.exception("reporting the progress of render %s failed", job)

    def pids(self) -> list[int]:
        return list((self._pool._processes or {}).keys()) if self._pool else []  # type: ignore[attr-defined]

    def _discard(self) -> None:
        """Kill this pool's workers (a render stuck past its time cannot be cancelled otherwise)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for pid in list((pool._processes or {}).keys()):  # type: ignore[attr-defined]
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        pool.shutdown(wait=False, cancel_futures=True)
        progress, self._progress = self._progress, None
        if progress is not None:
            progress.close()
            progress.cancel_join_thread()

    async def render(self, kind: str, context: dict[str, Any], on_progress: OnProgress | None = None) -> Rendered:
        """Render in a worker; ``on_progress`` hears the latest step every ``report_every`` seconds."""
        started, outcome = time.perf_counter(), "failed"
        try:
            rendered = await self._render(kind, context, on_progress)
            outcome = "ok"
            return rendered
        finally:
            RENDER_SECONDS.labels(kind, outcome).observe(time.perf_counter() - started)

    async def _render(self, kind: str, context: dict[str, Any], on_progress: OnProgress | None) -> Rendered:
        pool = self._ensure()
        job = uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        if on_progress is not None:
            self._listeners[job] = on_progress
        try:
            future = loop.run_in_executor(pool, render_pdf, kind, context, job)
            deadline = loop.time() + self.timeout
            while not future.done():
                if loop.time() >= deadline:
                    raise TimeoutError
                await asyncio.wait({future}, timeout=min(self.report_every, max(0.0, deadline - loop.time())))
                await self._report()
            return future.result()
        except TimeoutError:
            log.warning("rendering %s took more than %ss: its worker is killed", kind, self.timeout)
            if self._pool is pool:
                self._discard()
            raise RenderFailed(f"rendering {kind} timed out") from None
        except (BrokenProcessPool, MemoryError) as exc:
            log.warning("rendering %s failed: %r; a new worker starts", kind, exc)
            if self._pool is pool:
                self._discard()
            raise RenderFailed(f"rendering {kind} failed: {exc!r}") from exc
        finally:
            self._listeners.pop(job, None)

    def close(self) -> None:
        self._discard()
