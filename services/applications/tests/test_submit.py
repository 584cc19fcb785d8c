"""提交审核 over HTTP through the gateway: refused with the failing checks even when the client never
ran 开始检测; a complete draft goes to the plan's first stage, once however often it is sent, and is
read-only from then on; the fact carries the whole application."""
from __future__ import annotations

import concurrent.futures

from services.applications.tests.world import ACHIEVEMENT, EDUCATION, PAPER, WORK, request, started
from services.documents.tests import samples
from shared.testing.events import capture_events
from shared.testing.fixtures import csrf_header, eventually


def upload(stack, actor, kind: str) -> str:
    response = actor.browser.post(f"{stack.gateway}/api/documents/files", headers=csrf_header(actor.browser, stack.gateway),
                                  data={"kind": kind}, files={"file": (f"{kind}.jpg", samples.jpeg(), "image/jpeg")})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_only_a_complete_draft_is_submitted_and_only_once(stack, world, amqp_url):
    plan = world.plan()
    actor = world.applicant("提交审核")
    entries = {name: world.approved_entry(actor, type_, fields)["id"] for name, type_, fields in [
        ("work", "work_experience", WORK), ("work2", "work_experience", {**WORK, "unit": "福建省第二设计院"}),
        ("edu", "education", EDUCATION), ("achievement", "achievement", ACHIEVEMENT), ("paper", "paper", PAPER)]}
    draft = started(stack, actor, plan)
    base = f"/applications/applications/{draft['id']}"

    def put(tail: str, body: dict):
        app = request(stack, actor.browser, "GET", base).json()
        answer = request(stack, actor.browser, "PUT", base + tail, version=app["version"], json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()

    # Refused as it is, with what fails, though the client never asked for 开始检测.
    early = request(stack, actor.browser, "POST", base + "/submit", version=draft["version"])
    assert early.status_code == 409 and early.json()["code"] == "checks_failed"
    assert {"photo", "attachments"} <= {e["field"] for e in early.json()["errors"]}

    put("/profile", {"ethnicity": "汉族", "political_status": "群众", "mobile": "13800002222",
                     "work_start_date": "2010-07-01", "years_of_work": 15, "years_in_profession": 12,
                     "profession": "结构设计", "position": "无", "photo_file_id": upload(stack, actor, "photo")})
    put("/current-titles", {"rows": [{"series": "工程", "title_name": "工程师", "level": "中级",
                                      "obtained_on": "2015-12-01"}]})
    put("/attachments", {"items": [{"kind": k, "file_id": upload(stack, actor, k)}
                                   for k in ("id_card_front", "id_card_back", "pledge")]})
    categories = {c["name"]: c["id"] for g in plan["standard"]["groups"] for c in g["categories"]}
    for section, entry in [("work_experience", "work"), ("education", "edu"), (categories["工作经历"], "work2"),
                           (categories["取得业绩"], "achievement"), (categories["发表论文"], "paper")]:
        def imported(section=section, entry=entry):
            app = request(stack, actor.browser, "GET", base).json()
            return request(stack, actor.browser, "POST", base + "/items", version=app["version"],
                           json={"section": section, "entry_ids": [entries[entry]]}).status_code == 200
        assert eventually(imported, timeout=20), section
    app = request(stack, actor.browser, "GET", base).json()
    education = next(s for s in app["sections"] if s["code"] == "education")["items"][0]
    request(stack, actor.browser, "PATCH", f"{base}/items/{education['id']}", version=app["version"],
            json={"highest": True})
    checks = request(stack, actor.browser, "POST", base + "/checks").json()
    assert checks["ok"], [f for f in checks["findings"] if not f["ok"]]

    # A double click: both requests carry the same version; one submits, the other is refused.
    version = request(stack, actor.browser, "GET", base).json()["version"]

    def twice():
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            return list(pool.map(lambda _: request(stack, actor.browser, "POST", base + "/submit", version=version),
                                 range(2)))

    answers, seen = capture_events(amqp_url, "applications.application.submitted", twice,
                                   until=lambda seen: len(seen) >= 1, timeout=10)
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
