"""导出申报信息 over the whole stack: submitting makes documents render the 专业技术资格评审表 (from
the submitted event); until it exists the answer says ``preparing``; the applicant and the
application's deciders get links, anyone else "not found"; the gateway page polls until ready."""
from __future__ import annotations

import io

import httpx
from pypdf import PdfReader

from services.applications.tests.test_review import submit
from services.applications.tests.world import complete, request, started
from shared.testing.fixtures import eventually


def test_submitted_application_gets_its_review_form_for_the_applicant_and_its_deciders(stack, world):
    plan = world.plan()
    actor = world.applicant("导出评审表")
    draft = started(stack, actor, plan)
    mine = f"/applications/applications/{draft['id']}/documents"
    assert request(stack, actor.browser, "GET", mine).json() == {"items": [], "preparing": False,
                                                                   "progress": None}
    page = actor.browser.get(f"{stack.gateway}/apply/{draft['id']}/export")
    assert page.status_code == 200 and "提交审核后" in page.text

    complete(stack, world, actor, plan, draft)
    app = submit(stack, actor, draft["id"])
    first = request(stack, actor.browser, "GET", mine).json()
    if first["preparing"]:  # usually: the render takes a second
        polling = actor.browser.get(f"{stack.gateway}/apply/{app['id']}/export")
        assert 'hx-trigger="every 2s"' in polling.text
        assert "排队生成中" in polling.text or "正在生成专业技术资格评审表" in polling.text

    def ready():
        body = request(stack, actor.browser, "GET", mine).json()
        return body if not body["preparing"] and body["items"] else None

    body = eventually(ready, timeout=60)
    form = body["items"][0]
    assert form["kind"] == "review_form" and form["kind_label"] == "专业技术资格评审表" and form["pages"] >= 1
    pdf = httpx.get(f"{stack.gateway}{form['url']}?download=true")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert actor.account["name"] in text and app["title"] in text and "用人单位意见" in text

    fragment = actor.browser.get(f"{stack.gateway}/apply/{app['id']}/export", headers={"HX-Request": "true"})
    assert "专业技术资格评审表" in fragment.text and "every 2s" not in fragment.text and "<html" not in fragment.text

    # The unit deciding the first stage sees the same; another person finds nothing.
    decider = request(stack, world.unit, "GET", f"/applications/reviews/{app['id']}/documents")
    assert decider.status_code == 200 and [d["kind"] for d in decider.json()["items"]] == ["review_form"]
    assert "/reviews/" in world.unit.get(f"{stack.gateway}/reviews/{app['id']}").text
    other = world.applicant("旁人")
    assert request(stack, other.browser, "GET", mine).status_code == 404
    assert request(stack, other.browser, "GET", f"/applications/reviews/{app['id']}/documents").status_code == 404
    assert other.browser.get(f"{stack.gateway}/apply/{app['id']}/export").status_code == 404
