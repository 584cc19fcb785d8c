"""HTML → PDF with WeasyPrint, in worker processes.

WeasyPrint is CPU-bound and can use a lot of memory on a hostile or huge input, so it never runs
on the event loop: a small process pool renders, each worker with an address-space limit
(RLIMIT_AS) and each render with a time limit. A render that runs over its time, or a worker that
dies (the limit, the OOM killer, a kill), ends that pool: its processes are killed and a new pool
starts; the caller gets ``RenderFailed`` and the event's consumer retries later.

The templates reach nothing but their own stylesheet and ``data:`` URIs (the photo, the QR code):
the URL fetcher refuses the network and the file system."""
from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
import multiprocessing
import os
import resource
import signal
import time
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


def render_pdf(kind: str, context: dict[str, Any]) -> Rendered:
    """Synchronous: in a worker process (or a benchmark)."""
    from weasyprint import HTML

    document = HTML(string=html(kind, context), base_url=ASSET_BASE, url_fetcher=_fetcher()).render()
    return Rendered(pdf=document.write_pdf(), pages=len(document.pages))


def _limit_memory(max_bytes: int) -> None:
    if max_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


class Renderer:
    def __init__(self, *, workers: int = 1, timeout: float = 60, memory_bytes: int = 1536 * 1024 * 1024) -> None:
        self.workers, self.timeout, self.memory_bytes = workers, timeout, memory_bytes
        self._pool: ProcessPoolExecutor | None = None

    def _ensure(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn: a fork of a process with an event loop and threads (the S3 pool) is not safe.
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_limit_memory, initargs=(self.memory_bytes,))
        return self._pool

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

    async def render(self, kind: str, context: dict[str, Any]) -> Rendered:
        started, outcome = time.perf_counter(), "failed"
        try:
            rendered = await self._render(kind, context)
            outcome = "ok"
            return rendered
        finally:
            RENDER_SECONDS.labels(kind, outcome).observe(time.perf_counter() - started)

    async def _render(self, kind: str, context: dict[str, Any]) -> Rendered:
        pool = self._ensure()
        try:
            future = asyncio.get_running_loop().run_in_executor(pool, render_pdf, kind, context)
            return await asyncio.wait_for(future, self.timeout)
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

    def close(self) -> None:
        self._discard()
