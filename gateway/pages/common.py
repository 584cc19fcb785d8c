"""What every page of the browser UI uses: who is visiting, calling services as them, rendering."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Container
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

import httpx
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from gateway.csrf import csrf_token_for
from gateway.tokens import SESSION_COOKIE
from shared.auth import Principal
from shared.clock import SHANGHAI
from shared.http import local_path  # noqa: F401 (pages import it from here)
from shared.logging import REQUEST_ID_HEADER, current_request_id

templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")
log = logging.getLogger(__name__)
T = TypeVar("T")


def local_time(value: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An ISO time from a service, as people in Fujian read it."""
    if not value:
        return "—"
    return dt.datetime.fromisoformat(value).astimezone(SHANGHAI).strftime(fmt)


templates.env.filters["local_time"] = local_time

HOME_OF = {"person": "/home", "unit": "/unit/home", "pending": "/register"}


def nav_for(p: Principal | None) -> list[tuple[str, str]]:
    """The navigation bar of a visitor: only pages that exist and that they may use."""
    if p is None or p.kind == "pending":
        return []
    if p.kind == "unit":
        return [("/unit/home", "单位工作台"), ("/reviews", "申报审核"), ("/reviews/notices", "公示管理")]
    items = [("/home", "个人首页"), ("/library", "个人业绩库"), ("/apply", "职称申报"), ("/plans", "评审计划"),
             ("/files", "我的附件"), ("/me", "个人中心")]
    if p.has("unit_admin"):  # a 经办人 named by a unit
        items += [("/unit/home", "单位工作台"), ("/reviews", "申报审核")]
    if p.has("expert"):  # a committee's expert (what they review: their drawn panels')
        items.append(("/expert", "评审表决"))
    if p.has("plan_admin"):  # administers an organiser's plans
        items.append(("/organizer/plans", "计划管理"))
    if p.has("unit_admin") or p.has("plan_admin"):  # 单位申报公示 / 评审结果公示
        items.append(("/reviews/notices", "公示管理"))
    if p.has("operator"):  # names the staff of the 主管部门
        items.append(("/operator/departments", "部门工作人员"))
    return items


class Visitor:
    """Who is looking at a page, and a client to call services as them."""

    def __init__(self, request: Request, token: str | None, principal: Principal | None) -> None:
        self.request = request
        self.token = token
        self.principal = principal

    async def call(self, method: str, service: str, path: str, **kwargs: Any) -> httpx.Response:
        state = self.request.app.state
        extra_headers = kwargs.pop("headers", {})

        async def send() -> httpx.Response:
            headers = {REQUEST_ID_HEADER: current_request_id() or "", **extra_headers}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            return await state.http.request(method, state.settings.services[service] + path, headers=headers,
                                            **kwargs)

        response = await send()
        if response.status_code == 401 and self.token and (secret := self.request.cookies.get(SESSION_COOKIE)):
            # The service refused the cached token (revoked: it heard of an access change before the
            # gateway did): a new one, once. A refusal at authentication did nothing, so resending is safe.
            state.broker.forget(secret)
            found = await state.broker.token_for(secret)
            if found:
                self.token, self.principal = found
                response = await send()
        return response


async def visitor(request: Request) -> Visitor:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return Visitor(request, None, None)
    found = await request.app.state.broker.token_for(secret)
    return Visitor(request, *found) if found else Visitor(request, None, None)


def render(request: Request, template: str, who: Visitor, status_code: int = 200, **context: Any) -> HTMLResponse:
    session = request.cookies.get(SESSION_COOKIE)
    p = who.principal
    user = {"kind": p.kind, "name": p.name, "roles": sorted(p.roles)} if p else None
    context.setdefault("notice", NOTICES.get(request.query_params.get("notice", "")))
    # A whole page shows (and uses up) the message a rejected form left for it; fragments leave it.
    flashed = None if request.headers.get("hx-request") else _flashed(request)
    if flashed and not context.get("error"):
        context["error"] = flashed
    response = templates.TemplateResponse(request, template, {"user": user,
                                                              "csrf_token": csrf_token_for(session) if session else "",
                                                              "nav": nav_for(p),
                                                              "request_path": request.url.path, **context},
                                          status_code=status_code)
    if FLASH_COOKIE in request.cookies and not request.headers.get("hx-request"):
        response.delete_cookie(FLASH_COOKIE, path="/", httponly=True, samesite="lax",
                               secure=request.app.state.settings.cookie_secure)
    return response


def error_page(request: Request, who: Visitor, status: int, title: str, message: str) -> HTMLResponse:
    home = HOME_OF.get(who.principal.kind) if who.principal else None
    return render(request, "error.html", who, status_code=status, status=status, title=title, message=message,
                  home=home if home != "/" else None)


def wants_page(request: Request) -> bool:
    """A person's browser navigating (not an API client, not a script or an image)."""
    return (not request.url.path.startswith(("/api/", "/static/"))
            and "text/html" in request.headers.get("accept", ""))


class PageRefused(Exception):
    """A page that cannot be shown: refused to this visitor, not found, its service down. The
    gateway renders the error page with ``title`` and ``message`` (``who``: the visitor, when known)."""

    def __init__(self, title: str, message: str, status: int = 403, *, who: Visitor | None = None) -> None:
        self.who, self.title, self.message, self.status = who, title, message, status


class RedirectTo(Exception):
    """Raised by the page dependencies below; the gateway answers with a 303 to ``location``."""

    def __init__(self, location: str) -> None:
        self.location = location


# Why a page is not theirs, by the kind of page: said on the page rather than a silent redirect.
REFUSALS = {
    "unit": ("单位工作台仅供单位账号使用",
             "单位工作台供单位法人账号和单位指定的经办人使用。您当前以个人账号登录，且不是任何单位的经办人。"
             "如需办理单位业务，请退出后使用闽政通法人账号进行单位登录，或请单位法人在“经办人管理”中将您设为经办人。"),
    "person": ("此页面供个人用户使用",
               "此页面供专业技术人员个人使用。您当前以单位账号登录，请前往单位工作台；"
               "如需办理个人业务，请退出后使用闽政通个人账号登录。"),
}


def _visitor_of(*kinds: str, role: str | None = None):
    """A dependency: the visitor, if they may see the page; else a page that says why not (or,
    for a person still to register and for a registered one on the registration page, off to
    where they belong)."""

    async def dependency(request: Request) -> Visitor:
        who = await visitor(request)
        p = who.principal
        if p is None:  # after logging in, back to this page
            raise RedirectTo(f"/login?{urlencode({'next': request.url.path})}")
        if p.kind not in kinds and not (role and p.has(role)):
            if p.kind == "pending" or kinds == ("pending",):
                raise RedirectTo(HOME_OF[p.kind])
            raise PageRefused(*REFUSALS[kinds[0]], who=who)
        return who

    return dependency


AnyVisitor = Annotated[Visitor, Depends(visitor)]
PendingPage = Annotated[Visitor, Depends(_visitor_of("pending"))]
PersonPage = Annotated[Visitor, Depends(_visitor_of("person"))]
# 申报审核: anyone logged in as a person or a unit; the applications service says what they decide.
DeciderPage = Annotated[Visitor, Depends(_visitor_of("person", "unit"))]
# The unit workspace: a unit's legal-person account, or a person the unit named as 经办人.
UnitDesk = Annotated[Visitor, Depends(_visitor_of("unit", role="unit_admin"))]




# What each service contributes to the pages, as a person calls it in “…暂时不可用”.
PARTS = {"identity": "个人信息", "units": "单位信息", "library": "个人业绩库", "plans": "评审计划", "documents": "附件",
         "applications": "职称申报"}


class Unavailable(Exception):
    """What a page shows could not be read: its service is down, too slow, or failed. A page lets
    it propagate (the gateway answers 503 naming the part) or shows that part as unavailable
    (``part``; templates test ``value is unavailable``). Never an error body read as data."""

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.service = service
        self.part = PARTS.get(service, "相关服务")
        self.message = f"{self.part}暂时不可用，请稍后再试"


ANY_ANSWER = range(200, 500)  # the page handles the service's own refusals (4xx) itself


async def fetch(who: Visitor, service: str, path: str, *, method: str = "GET",
                accept: Container[int] = (200,), **kwargs: Any) -> httpx.Response:
    """The one way a page reads from a service what it shows. Answers the response when its
    status is one the caller handles (``accept``); 401 sends the visitor to log in; anything else
    (no answer, a time-out, a server error, a status the page does not expect) is ``Unavailable``."""
    try:
        response = await who.call(method, service, path, **kwargs)
    except (httpx.HTTPError, KeyError) as exc:  # KeyError: the service is not configured here
        log.warning("%s did not answer %s %s: %r", service, method, path, exc)
        raise Unavailable(service) from exc
    if response.status_code == 401:
        raise RedirectTo("/login")
    if response.status_code >= 500 or response.status_code not in accept:
        log.warning("%s answered %s to %s %s", service, response.status_code, method, path)
        raise Unavailable(service)
    return response


async def fetch_json(who: Visitor, service: str, path: str, **kwargs: Any) -> Any:
    """``fetch`` of a 200 answer, parsed."""
    return (await fetch(who, service, path, **kwargs)).json()


async def part(read: Awaitable[T]) -> T | Unavailable:
    """A part of a page that may be missing while the rest shows (the home page's modules): its
    data, or the ``Unavailable`` its template shows as “…暂时不可用” instead of empty content."""
    try:
        return await read
    except Unavailable as exc:
        return exc


templates.env.tests["unavailable"] = lambda value: isinstance(value, Unavailable)


def unavailable_page(request: Request, who: Visitor, exc: Unavailable) -> HTMLResponse:
    return error_page(request, who, 503, "服务暂时不可用", f"{exc.message}。")


def problem_fields(response: httpx.Response) -> tuple[dict[str, str], str]:
    """A service's problem details as (field → message, the sentence to show)."""
    try:
        body = response.json()
    except ValueError:
        return {}, "系统繁忙，请稍后再试"
    errors = {e["field"].split(".")[-1]: e["message"] for e in body.get("errors", [])}
    return errors, body.get("detail") or "操作未成功，请重试"


# One-line confirmations after a form was handled, by code (never free text from a URL).
NOTICES = {
    "registered": "注册成功，欢迎使用福建省职称申报评审管理平台。",
    "registered_bind": "注册成功。您的单位绑定申请已提交，待单位审核通过后即完成绑定。",
    "profile_saved": "个人信息已保存。",
    "binding_requested": "绑定申请已提交，请等待单位审核。",
    "binding_withdrawn": "绑定申请已撤回。",
    "binding_approved": "已通过该绑定申请。",
    "binding_rejected": "已退回该绑定申请。",
    "binding_ended": "已解除该人员与本单位的绑定。",
    "unit_registered": "单位注册成功。本单位人员现在可以搜索并申请绑定本单位。",
    "unit_saved": "单位信息已保存。",
    "reviewer_added": "经办人已添加。",
    "reviewer_removed": "经办人已移除。",
    "entry_saved": "业绩已保存为草稿，可点击“提交审核”提交单位审核。",
    "entry_saved_no_unit": "业绩已保存为草稿。绑定单位后，可提交单位审核。",
    "entry_version_saved": "已保存为新版本（草稿），可点击“提交审核”提交单位审核；审核通过前，已通过的版本仍可在申报时导入。",
    "entry_version_saved_no_unit": "已保存为新版本（草稿）；已通过的版本仍可在申报时导入。绑定单位后，可提交新版本审核。",
    "entry_submitted": "已提交单位审核。",
    "entry_withdrawn": "已撤回，可修改后重新提交。",
    "entry_deleted": "草稿已删除。",
    "entries_approved": "已审核通过。",
    "entries_returned": "已退回，申报人可修改后重新提交。",
    "application_started": "已确认诚信承诺书，申报已创建。请逐项填写申报信息；每次保存后可稍后在「职称申报」中点击“填报”继续。",
    "application_saved": "已保存。",
    "application_deleted": "申报已删除，可重新选择评审计划申报。",
    "major_changed": "申报专业已修改。",
    "years_clamped": "已保存。专业年限不能大于工作年限，系统已自动将专业年限调整为工作年限。",
    "items_imported": "已导入所选业绩。导入的数据不可修改，可移除后重新导入。",
    "item_moved": "排序已调整。",
    "item_removed": "已移除（个人业绩库中的数据不受影响）。",
    "application_submitted": "已提交审核，申报内容不能再修改；审核进度见“职称申报”中的申报状态。",
    "review_passed": "已审核通过，申报已进入下一审核环节。",
    "review_approved": "已审核通过，该申报已完成全部审核环节。",
    "review_returned": "已退回申报人修改；申报人修改并重新提交后，将再次进入审核。",
    "review_rejected": "已审核不通过，申报人将看到不通过的理由。",
    "reviews_decided": "所选申报已处理。",
    "exemption_requested": "免面试申请已提交，请等待组建单位审批；审批结果将显示在本页和个人首页。",
    "exemption_granted": "已同意免面试。",
    "exemption_refused": "已不同意免面试，申报人将看到理由。",
    "interviews_scheduled": "已安排面试并生成准考证号，申报人可在“职称申报”中打印准考证。",
    "titles_imported": "已从职称证书导入现有职称情况。",
    "expert_changed": "专家状态已更改。",
    "panel_drawn": "已随机抽取评委会专家，抽取记录已保存；专家可在“评审表决”中评审。",
    "vote_closed": "表决已结束，计票结果已记入各申报的审核结果。",
    "vote_cast": "表决已保存；表决截止前可修改。",
    "notice_published": "公示已发布，公示期内任何登录用户均可提出异议；公示期满后方可进行下一步。",
    "objection_filed": "异议已提交，将由发布公示的单位核实处理；处理结果显示在本页。",
    "objection_sustained": "已处理：异议成立，该申报已终止，申报人将看到处理意见。",
    "objection_dismissed": "已处理：异议不成立。",
    "certificates_issued": "已为公示期满且无异议成立的申报发放电子职称证书。",
}


def back_to(path: str, notice: str) -> RedirectResponse:
    """Post/redirect/get: after a form is handled, show the page again with a confirmation."""
    return RedirectResponse(f"{path}{'&' if '?' in path else '?'}{urlencode({'notice': notice})}", status_code=303)


# Why a form was refused is free text from a service, so it cannot travel as a code in the URL:
# it rides in a short-lived cookie signed with the session's secret (nobody else can plant one).
FLASH_COOKIE = "zc_flash"


def _flash_signature(session: str, payload: str) -> str:
    return hmac.new(session.encode(), b"zc-flash-v1:" + payload.encode(), hashlib.sha256).hexdigest()[:32]


def back_with_error(request: Request, path: str, message: str) -> RedirectResponse:
    """Post/redirect/get for a refused action: back to ``path``, which shows ``message``."""
    response = RedirectResponse(path, status_code=303)
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        payload = base64.urlsafe_b64encode(message[:500].encode()).decode().rstrip("=")
        response.set_cookie(FLASH_COOKIE, f"{payload}.{_flash_signature(session, payload)}", max_age=120,
                            httponly=True, samesite="lax", path="/", secure=request.app.state.settings.cookie_secure)
    return response


def after_batch(request: Request, path: str, result: dict, *, did: str, notice: str, unit: str = "件") -> RedirectResponse:
    """Back to ``path`` after a batch (shared.schemas.BatchResult): its confirmation, or what was
    done and, by name, what was not (一件一事务: the others stand)."""
    if result["failed"]:
        return back_with_error(request, path, f"已{did} {len(result['done'])} {unit}；以下 {len(result['failed'])} 件未{did}："
                               + "；".join(result["failed"].values()))
    return back_to(path, notice)


def _flashed(request: Request) -> str | None:
    session, raw = request.cookies.get(SESSION_COOKIE), request.cookies.get(FLASH_COOKIE)
    if not (session and raw and "." in raw):
        return None
    payload, signature = raw.rsplit(".", 1)
    if not hmac.compare_digest(signature.encode(), _flash_signature(session, payload).encode()):
        return None
    try:
        return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    except ValueError:
        return None
