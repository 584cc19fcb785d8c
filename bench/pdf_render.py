"""Seconds per 专业技术资格评审表 (a typical application and a 200-item one) and forms per minute
per core, rendered as the service renders them (WeasyPrint, one process, warm). Not a test.

    .venv/bin/python bench/pdf_render.py [--rounds 20]

Figures in docs/benchmarks.md."""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from services.documents.pdfs import contexts, render, samples


def measure(papers: int, rounds: int) -> tuple[list[float], int]:
    app = samples.application(papers=papers)
    context = contexts.review(app, None, dt.datetime.now(dt.UTC))
    render.render_pdf("review_form", context)  # warm: fonts, templates
    times, pages = [], 0
    for _ in range(rounds):
        started = time.process_time()
        pages = render.render_pdf("review_form", context).pages
        times.append(time.process_time() - started)  # CPU seconds: what a core spends, whatever the load
    return times, pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    for label, papers in (("typical (4 papers, 20 items)", 4), ("120 papers (136 items)", 120),
                          ("200 papers (216 items)", 200)):
        times, pages = measure(papers, rounds)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
        print(f"{label}: {pages} pages, median {statistics.median(times):.3f} s, p95 {p95:.3f} s, "
              f"{60 / statistics.median(times):.0f} forms/min/core")


if __name__ == "__main__":
    main()
