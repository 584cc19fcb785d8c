"""职称申报 (图4-1): 当前申报记录, 我的历史记录 and 评审计划."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.pages.applications.upstream import fetch
from gateway.pages.common import PersonPage, part, render
from gateway.pages.plans import latest_open_plans

router = APIRouter(include_in_schema=False)


def split_current(applications: list[dict]) -> tuple[list[dict], list[dict]]:
    """当前申报记录 are those of the newest plan year; earlier years are 我的历史记录."""
    if not applications:
        return [], []
    newest = max(a["plan_year"] for a in applications)
    return ([a for a in applications if a["plan_year"] == newest],
            [a for a in applications if a["plan_year"] != newest])


@router.get("/apply")
async def index(request: Request, who: PersonPage) -> Response:
    current, history = split_current(await fetch(who, "/applications"))
    return render(request, "applications/index.html", who, current=current, history=history,
                  plans=await part(latest_open_plans(who, limit=10)))  # without plans the records still show
