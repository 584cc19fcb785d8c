"""导出申报信息: the PDFs documents generated for an application (专业技术资格评审表, 破格审批表 /
转评申报表, 准考证, 电子职称证书) with their download links; while the form of the latest
submission is being made, the list says so and asks again every 2 s (htmx, no script of ours).
The applicant's page and the deciders' (/reviews/{id}/export) show the same list."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.pages.applications.upstream import fetch
from gateway.pages.common import DeciderPage, PersonPage, Visitor, render

router = APIRouter(include_in_schema=False)


async def _page(request: Request, who: Visitor, app: dict, documents_path: str, here: str, back: str) -> Response:
    documents = await fetch(who, documents_path)
    fragment = request.headers.get("hx-request") == "true"
    return render(request, "applications/_documents.html" if fragment else "applications/export.html", who,
                  app=app, documents=documents, here=here, back=back)


@router.get("/apply/{application_id}/export")
async def export(request: Request, who: PersonPage, application_id: str) -> Response:
    app = await fetch(who, f"/applications/{application_id}")
    return await _page(request, who, app, f"/applications/{application_id}/documents",
                       f"/apply/{application_id}/export", "/apply")


@router.get("/reviews/{application_id}/export")
async def review_export(request: Request, who: DeciderPage, application_id: str) -> Response:
    app = await fetch(who, f"/reviews/{application_id}")
    return await _page(request, who, app, f"/reviews/{application_id}/documents",
                       f"/reviews/{application_id}/export", f"/reviews/{application_id}")
