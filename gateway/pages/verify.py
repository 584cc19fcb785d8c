"""证书查验, no login: a form with the 证书编号, the answer (only what a certificate shows in public),
and the QR code a certificate carries to its answer. The gateway's rate limiter gives these pages
and the API a stricter per-client limit (ratelimit.verification)."""
from __future__ import annotations

import io
from urllib.parse import quote

import segno
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.pages.common import AnyVisitor, PageRefused, fetch, render
from shared.certificate_numbers import LENGTH, normalise

router = APIRouter(include_in_schema=False)


def verification_url(request: Request, number: str) -> str:
    return f"{request.app.state.settings.public_url}/verify/{number}"


@router.get("/verify")
async def form(request: Request, who: AnyVisitor, number: str = "") -> Response:
    """The form sends the number here (GET, nothing changes): on to its answer's own address."""
    typed = number.strip()[:60]
    if typed:
        return RedirectResponse(f"/verify/{quote(normalise(typed) or typed, safe='')}", status_code=303)
    return render(request, "verify.html", who, number="", answer=None)


@router.get("/verify/{number}")
async def answer(request: Request, who: AnyVisitor, number: str) -> Response:
    number = number[:60]
    found = await fetch(who, "applications", f"/api/applications/verify/{quote(number, safe='')}",
                        accept=(200, 404, 422))
    body = found.json() if found.status_code == 200 else None
    return render(request, "verify.html", who, status_code=200 if body else 404, number=normalise(number) or number,
                  answer=body, length=LENGTH)


@router.get("/verify/{number}/qr.svg")
async def qr(request: Request, number: str) -> Response:
    """The QR code of a number's verification address. It asks no service, so it tells nothing
    about whether the number exists (and is left out of the stricter limit)."""
    written = normalise(number[:60])
    if written is None:
        raise PageRefused("未找到", "证书编号格式不正确", 404)
    out = io.BytesIO()
    segno.make(verification_url(request, written), error="m").save(
        out, kind="svg", scale=4, border=2, light="#fff", xmldecl=False, title="证书查验二维码")
    return Response(out.getvalue(), media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=86400", "Content-Security-Policy": "default-src 'none'"})
