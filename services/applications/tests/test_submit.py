"""提交审核 over HTTP through the gateway: refused with the failing checks even when the client never
ran 开始检测; a complete draft goes to the plan's first stage, once however often it is sent, and is
read-only from then on; the fact carries the whole application."""
from __future__ import annotations

import concurrent.futures

from services.applications.tests.world import PAPER, complete, request, started
from shared.testing.events import capture_events


def test_only_a_complete_draft_is_submitted_and_only_once(stack, world, amqp_url):
    plan = world.plan()
    actor = world.applicant("提交审核")
    draft = started(stack, actor, plan)
    base = f"/applications/applications/{draft['id']}"

    # Refused as it is, with what fails, though the client never asked for 开始检测.
    early = request(stack, actor.browser, "POST", base + "/submit", version=draft["version"])
    assert early.status_code == 409 and early.json()["code"] == "checks_failed"
    assert {"photo", "attachments"} <= {e["field"] for e in early.json()["errors"]}

    entries = complete(stack, world, actor, plan, draft)
    checks = request(stack, actor.browser, "POST", base + "/checks").json()
    assert checks["ok"], [f for f in checks["findings"] if not f["ok"]]

    # A double click: both requests carry the same version; one submits, the other is refused.
    version = request(stack, actor.browser, "GET", base).json()["version"]

    def twice():
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            return list(pool.map(lambda _: request(stack, actor.browser, "POST", base + "/submit", version=version),
                                 range(2)))

    answers, seen = capture_events(amqp_url, "applications.application.submitted", twice,
                                   until=lambda seen: any(e.body["subject"] == draft["id"] for e in seen), timeout=10)
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    submitted = next(a for a in answers if a.status_code == 200).json()
    assert submitted["status"] == "in_review" and submitted["status_label"] == "审核中（用人单位审核）"
    assert submitted["actions"] == []
    facts = [e.body for e in seen if e.body["subject"] == draft["id"]]
    assert len(facts) == 1 and facts[0]["data"]["stage_name"] == "用人单位审核"
    whole = facts[0]["data"]["application"]
    assert whole["person"]["name"] == "提交审核" and whole["profile"]["ethnicity"] == "汉族"
    assert any(i["fields"].get("title") == PAPER["title"] for s in whole["sections"] for i in s["items"])

    # Read-only from now on: no save, no import, no delete.
    after = request(stack, actor.browser, "GET", base).json()
    for method, tail, body in [("PUT", "/profile", {"ethnicity": "回族"}), ("DELETE", "", None),
                               ("POST", "/items", {"section": "work_experience", "entry_ids": [entries["work"]]})]:
        refused = request(stack, actor.browser, method, base + tail, version=after["version"], json=body)
        assert refused.status_code == 409 and refused.json()["code"] == "wrong_status", refused.text
    assert request(stack, actor.browser, "GET", base).json() == after
    listed = request(stack, actor.browser, "GET", "/applications/applications").json()
    assert listed[0]["status_label"] == "审核中（用人单位审核）"
