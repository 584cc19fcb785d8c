"""Text PostgreSQL cannot store (U+0000, a lone surrogate) is refused once, centrally, for every
service and the gateway's pages: 422 naming the field in Chinese, never a 500. Each place the
outside review found, through the gateway."""
from __future__ import annotations

import json
import uuid

import pytest

from shared.testing.fixtures import csrf_header

UNIT = str(uuid.uuid4())
QUERY = [
    # (who, path, parameters, label)
    ("applicant", "/api/units/units", {"q": "福州\x00"}, "单位名称"),
    ("admin", "/api/plans/persons", {"name": "\x00"}, "名称"),
    ("applicant", "/api/plans/plans", {"name": "计划\x00"}, "名称"),
    ("applicant", "/api/library/entries", {"type": "\x00"}, "业绩类型"),
    ("applicant", "/api/documents/files", {"kind": "photo\x00"}, "附件类型"),
    ("unit_a", "/api/units/bindings", {"unit_id": UNIT, "status\x00": "pending"}, "申请状态"),
]
PATHS = [
    ("applicant", "/api/units/units/%00", "工作单位"),
    ("applicant", "/api/library/entries%00", "请求地址"),
    ("applicant", "/api/library/entries/%00/submit", "业绩"),
    ("applicant", "/api/documents/files/%00", "附件"),
    ("admin", "/api/plans/plans/%00", "评审计划"),
]
BODIES = [
    # (who, method, path, body, label); raw JSON text so that the escape reaches the service as sent
    ("applicant", "PATCH", "/api/identity/me", '{"mobile": "13800000001", "address": "福州\\u0000"}', "联系地址"),
    ("applicant", "PATCH", "/api/identity/me", '{"mobile": "13800000001", "address": "\\ud800"}', "联系地址"),
    ("applicant", "POST", "/api/units/bindings", '{"unit_id": "' + UNIT + '", "note": "申请\\u0000"}', "申请说明"),
    ("unit_a", "POST", f"/api/units/bindings/{UNIT}/reject", '{"reason": "\\u0000不符"}', "原因"),
    ("unit_a", "PUT", f"/api/units/units/{UNIT}", '{"address": "x\\u0000"}', "单位地址"),
    ("unit_a", "POST", f"/api/library/entries/{UNIT}/return", '{"reason": "退回\\u0000"}', "退回原因"),
    ("applicant", "POST", "/api/library/entries", '{"type": "education", "fields": {"school": "厦门\\u0000大学"}}', "学校"),
    ("applicant", "POST", "/api/library/entries", '{"type": "education", "fields": {"sch\\u0000": "x"}}', "填报内容"),
    ("applicant", "PATCH", f"/api/documents/files/{UNIT}", '{"display_name": "a\\u0000.pdf"}', "附件名称"),
    ("admin", "POST", "/api/plans/organizers", '{"name": "组建\\u0000单位"}', "名称"),
]


def refused(response, label: str) -> None:
    assert response.status_code == 422, (response.status_code, response.text[:300])
    body = response.json()
    assert body["code"] == "validation_failed" and body["errors"][0]["label"] == label, body
    assert body["detail"].startswith(f"{label}：") and "特殊字符" in body["detail"]


@pytest.mark.parametrize(("who", "path", "params", "label"), QUERY, ids=[q[1] + "?" + next(iter(q[2])) for q in QUERY])
def test_query_parameters(stack, cast, who, path, params, label):
    refused(cast.everyone()[who].get(f"{stack.gateway}{path}", params=params), label)


@pytest.mark.parametrize(("who", "path", "label"), PATHS, ids=[p[1] for p in PATHS])
def test_path_segments(stack, cast, who, path, label):
    browser = cast.everyone()[who]
    method = "POST" if path.endswith("submit") else "GET"
    refused(browser.request(method, f"{stack.gateway}{path}", headers=csrf_header(browser, stack.gateway)), label)


@pytest.mark.parametrize(("who", "method", "path", "body", "label"), BODIES, ids=[f"{b[2]} {b[4]}" for b in BODIES])
def test_json_bodies(stack, cast, who, method, path, body, label):
    json.loads(body)  # valid JSON: only the character is wrong
    browser = cast.everyone()[who]
    response = browser.request(method, f"{stack.gateway}{path}", content=body.encode(),
                               headers={"content-type": "application/json", **csrf_header(browser, stack.gateway)})
    refused(response, label)


def test_nothing_was_stored(stack, cast):
    me = cast.applicant.browser.get(f"{stack.gateway}/api/identity/me").json()
    assert "\x00" not in json.dumps(me) and "\\u0000" not in json.dumps(me)


def test_the_gateway_pages_refuse_with_a_page(stack, cast):
    browser = cast.applicant.browser
    form = browser.post(f"{stack.gateway}/me/edit", headers={"accept": "text/html"},
                        data={"mobile": "13800000001", "address": "福州\x00", "csrf_token": browser.csrf(stack.gateway)})
    assert form.status_code == 422 and "联系地址" in form.text and "特殊字符" in form.text
    assert form.headers["content-type"].startswith("text/html")
    search = browser.get(f"{stack.gateway}/ui/units/search", params={"q": "\x00"}, headers={"accept": "text/html"})
    assert search.status_code == 422 and "单位名称" in search.text
