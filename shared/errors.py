"""RFC 9457 problem details with a stable machine ``code`` and a Chinese ``detail``.

Raise ``AppError`` (or a subclass) anywhere in a service; the handlers installed by
``shared.app.create_service_app`` turn it, and FastAPI's validation errors, into
``application/problem+json`` responses. Validation errors name the field in Chinese.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import asyncpg
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.logging import current_request_id

PROBLEM_JSON = "application/problem+json"

# Chinese names of fields, used to make validation messages name the field a person sees.
FIELD_LABELS: dict[str, str] = {
    "name": "姓名",
    "id_number": "身份证号码",
    "gender": "性别",
    "birth_date": "出生年月",
    "mobile": "手机号码",
    "address": "联系地址",
    "email": "电子邮箱",
    "choose_unit": "是否选择单位",
    "role": "角色",
    "reason": "原因",
    "ban_from": "禁止申报起始日期",
    "ban_until": "禁止申报截止日期",
    "person_id": "人员",
    "page": "页码",
    "page_size": "每页条数",
    "status": "状态",
    "id": "编号",
}


def register_labels(labels: dict[str, str]) -> None:
    """Let a service add the Chinese names of its own fields (a dotted key, ``fields.title``,
    names a field only where it sits)."""
    FIELD_LABELS.update(labels)


def label_of(loc: tuple | list) -> str:
    """The Chinese name of a field at ``loc`` (list indexes ignored): its own, else the nearest
    enclosing field's; never the English code."""
    parts = [str(p) for p in loc if not isinstance(p, int)]
    for end in range(len(parts), 0, -1):
        if (label := FIELD_LABELS.get(".".join(parts[:end]))) or (label := FIELD_LABELS.get(parts[end - 1])):
            return label
    return "请求内容"


class AppError(Exception):
    status_code = 400
    code = "bad_request"
    title = "请求有误"

    def __init__(self, detail: str, *, code: str | None = None, status_code: int | None = None,
                 errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
        self.errors = errors or []


class NotFound(AppError):
    status_code, code, title = 404, "not_found", "未找到"


class Unauthorized(AppError):
    status_code, code, title = 401, "unauthorized", "未登录"


class Forbidden(AppError):
    status_code, code, title = 403, "forbidden", "无权操作"


class Conflict(AppError):
    status_code, code, title = 409, "conflict", "状态冲突"


class InvalidField(AppError):
    """A value a person entered is wrong; ``field`` is the API name, the message is Chinese."""

    status_code, code, title = 422, "validation_failed", "填写内容有误"

    def __init__(self, field: str, message: str) -> None:
        label = FIELD_LABELS.get(field, field)
        super().__init__(f"{label}：{message}", errors=[{"field": field, "label": label, "message": message}])


def problem(status: int, code: str, title: str, detail: str, *, instance: str | None = None,
            errors: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": f"https://zc.example/problems/{code}", "title": title, "status": status,
                            "code": code, "detail": detail}
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    if rid := current_request_id():
        body["request_id"] = rid
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_PYDANTIC_MESSAGES = {
    "missing": "必填",
    "string_too_short": "长度不足（至少 {min_length} 个字符）",
    "string_too_long": "过长（最多 {max_length} 个字符）",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "应为文字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为“是”或“否”",
    "date_from_datetime_parsing": "日期格式不正确（应为 YYYY-MM-DD）",
    "date_parsing": "日期格式不正确（应为 YYYY-MM-DD）",
    "uuid_parsing": "编号格式不正确",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "value_error": "{error}",
    "json_invalid": "请求内容不是有效的 JSON",
    "dict_type": "格式不正确（应为一组填报项）",
    "list_type": "格式不正确（应为列表）",
    "too_long": "过多（最多 {max_length} 项）",
    "too_short": "过少（至少 {min_length} 项）",
    "extra_forbidden": "不是可以填写的项目",
    "float_parsing": "应为数字",
    "int_from_float": "应为整数",
    "datetime_parsing": "时间格式不正确",
    "string_unicode": "应为文字",
    "model_attributes_type": "格式不正确",
}


def _field_error(err: dict[str, Any]) -> dict[str, str]:
    raw = [p for p in err.get("loc", ()) if p not in ("body", "query", "path", "header", "form")]
    ctx = dict(err.get("ctx") or {})
    if err.get("type") == "json_invalid":  # loc is the character position, not a field
        where = f"（第 {raw[0]} 个字符附近）" if raw and isinstance(raw[0], int) else ""
        return {"field": "body", "label": "请求内容", "message": f"不是有效的 JSON{where}"}
    field = ".".join(str(p) for p in raw) or "请求"
    label = label_of(raw)
    template = _PYDANTIC_MESSAGES.get(err.get("type", ""))
    if "error" in ctx:
        ctx["error"] = str(ctx["error"])
    try:
        message = template.format(**ctx) if template else "格式不正确"
    except (KeyError, IndexError):
        message = "格式不正确"
    if not _CHINESE.search(message):  # a validator's own English (an e-mail check, say) is not shown
        message = "格式不正确"
    return {"field": field, "label": label, "message": message}


_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_HTTP_DEFAULTS = {
    400: ("bad_request", "请求有误", "提交的内容格式不正确或过大，请检查后重试"),
    401: ("unauthorized", "未登录", "请先登录"),
    403: ("forbidden", "无权操作", "您无权进行此操作"),
    404: ("not_found", "未找到", "请求的地址不存在"),
    405: ("method_not_allowed", "方法不允许", "不支持该操作"),
    413: ("payload_too_large", "内容过大", "提交的内容过大，请压缩后重试"),
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem(exc.status_code, exc.code, exc.title, exc.detail, instance=request.url.path, errors=exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_field_error(e) for e in exc.errors()]
        detail = "；".join(f"{e['label']}：{e['message']}" for e in errors)
        return problem(422, "validation_failed", "填写内容有误", detail, instance=request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, title, default = _HTTP_DEFAULTS.get(exc.status_code, ("http_error", "请求失败", "请求未能完成，请稍后再试"))
        # Framework messages are English ("Field exceeded maximum size…"): a person gets Chinese.
        given = exc.detail if isinstance(exc.detail, str) else ""
        detail = given if _CHINESE.search(given) else default
        return problem(exc.status_code, code, title, detail, instance=request.url.path,
                       headers=getattr(exc, "headers", None))


# A database that cannot be reached is an outage, not a bug: 503 with a message, like /readyz.
UNAVAILABLE_TITLE = "服务暂时不可用"
UNAVAILABLE_DETAIL = "服务暂时不可用：数据库暂时无法访问，请稍后再试"
_UNREACHABLE = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, sqlalchemy.exc.TimeoutError,
                asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.CannotConnectNowError,
                asyncpg.AdminShutdownError, asyncpg.TooManyConnectionsError)


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what caused it, each once."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def database_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the database is unreachable: refused or dropped
    connections, a pool that timed out, a server shutting down or full. An OSError counts when
    it came from the database driver (asyncpg's connect raises ConnectionRefusedError as is)."""
    return any(isinstance(c, _UNREACHABLE)
               or (isinstance(c, sqlalchemy.exc.DBAPIError) and c.connection_invalidated)
               or (isinstance(c, OSError) and _raised_in(c, ("asyncpg", "sqlalchemy"))) for c in causes(exc))


def _raised_in(exc: BaseException, packages: tuple[str, ...]) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        if module.split(".", 1)[0] in packages:
            return True
        tb = tb.tb_next
    return False
