"""The library over real HTTP through the gateway: entries with validated fields, the review path
(no binding → refused; the unit approves, the event carries the whole snapshot, once), new
versions of approved entries, batch review, and who may see what."""
from __future__ import annotations

import httpx

from shared.testing.browser import HttpBrowser
from shared.testing.events import capture_events
from shared.testing.fixtures import csrf_header, eventually

EDUCATION = {"school": "厦门大学", "major": "计算机科学与技术", "education": "硕士研究生", "degree": "硕士",
             "study_mode": "全日制", "start_date": "2010-09-01", "end_date": "2013-06-30",
             "certificate_no": "103841201302000123", "organizer": "厦门大学", "study_notes": "成绩优良"}


def api(stack, path: str) -> str:
    return f"{stack.gateway}/api/library{path}"


def post(stack, browser: HttpBrowser, path: str, body: dict | None = None):
    return browser.post(api(stack, path), json=body, headers=csrf_header(browser, stack.gateway))


def bound_person(stack, unit: HttpBrowser, unit_account: dict, name: str = "业绩测试") -> HttpBrowser:
    """A registered person whose binding to the unit has been approved (and whose token says so)."""
    person, account = stack.person_browser(name)
    headers = csrf_header(person, stack.gateway)
    binding = person.post(f"{stack.gateway}/api/units/bindings", headers=headers,
                          json={"unit_id": unit_account["unit_id"], "note": "申请绑定本单位"}).json()
    unit.post(f"{stack.gateway}/api/units/bindings/{binding['id']}/approve", headers=csrf_header(unit, stack.gateway))

    # identity learns the binding from units' event and tells the gateway, which drops the
    # person's cached token: within moments the library page stops saying 尚未绑定, no new login.
    assert eventually(lambda: "no-unit-note" not in person.get(f"{stack.gateway}/library").text, timeout=5)
    return person


def test_fields_are_validated_by_type_and_name_the_field(stack):
    person, _ = stack.person_browser()
    bad = post(stack, person, "/entries", {"type": "education", "fields": {**EDUCATION, "study_mode": "函授",
                                                                         "end_date": "2009-01-01"}})
    assert bad.status_code == 422
    labels = {e["label"] for e in bad.json()["errors"]}
    assert "学习形式" in labels and "全日制、非全日制" in bad.json()["detail"]
    missing = post(stack, person, "/entries", {"type": "annual_assessment", "fields": {"year": 2025}})
    assert missing.status_code == 422 and missing.json()["errors"][0]["label"] == "考核结果"
    unknown = post(stack, person, "/entries", {"type": "telepathy", "fields": {}})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_entry_type"
    order = post(stack, person, "/entries", {"type": "education", "fields": {**EDUCATION, "end_date": "2009-01-01"}})
    assert order.status_code == 422 and "不能早于" in order.json()["detail"]
    assert person.get(api(stack, "/entries")).json()["total"] == 0  # nothing saved


def test_without_an_approved_binding_entries_can_be_kept_but_not_submitted(stack, unit_with_staff):
    person, _ = stack.person_browser()
    entry = post(stack, person, "/entries", {"type": "education", "fields": EDUCATION})
    assert entry.status_code == 201 and entry.json()["status"] == "draft"
    refused = post(stack, person, f"/entries/{entry.json()['id']}/submit")
    assert refused.status_code == 409 and "绑定工作单位" in refused.json()["detail"]
    assert person.get(api(stack, f"/entries/{entry.json()['id']}")).json()["status"] == "draft"

    # Once the unit approves the binding, the same session may submit within moments (its cached
    # token, good for minutes, is dropped when identity learns of the approval).
    unit, unit_account = unit_with_staff
    headers = csrf_header(person, stack.gateway)
    binding = person.post(f"{stack.gateway}/api/units/bindings", headers=headers,
                          json={"unit_id": unit_account["unit_id"], "note": "申请绑定本单位"}).json()
    unit.post(f"{stack.gateway}/api/units/bindings/{binding['id']}/approve", headers=csrf_header(unit, stack.gateway))
    submitted = eventually(lambda: post(stack, person, f"/entries/{entry.json()['id']}/submit").status_code == 200,
                           timeout=5)
    assert submitted


def test_review_path_publishes_one_complete_snapshot_and_edits_make_new_versions(stack, amqp_url, unit_with_staff):
    unit, unit_account = unit_with_staff
    person = bound_person(stack, unit, unit_account, "快照测试")

    def run_scenario() -> dict:
        entry = post(stack, person, "/entries", {"type": "education", "fields": EDUCATION}).json()
        submitted = post(stack, person, f"/entries/{entry['id']}/submit").json()
        assert submitted["status"] == "submitted" and submitted["unit_id"] == unit_account["unit_id"]
        queue = unit.get(api(stack, "/review-queue"), params={"unit_id": unit_account["unit_id"]}).json()
        assert entry["id"] in [e["id"] for e in queue["items"]]
        approved = post(stack, unit, f"/entries/{entry['id']}/approve")
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
        assert post(stack, unit, f"/entries/{entry['id']}/approve").status_code == 409  # once
        return entry

    entry, seen = capture_events(amqp_url, "library.entry.approved", run_scenario, timeout=3)
    bodies = [e.body for e in seen if e.body["subject"] == entry["id"]]
    assert len(bodies) == 1
    snapshot = bodies[0]["data"]["snapshot"]
    assert snapshot["fields"] == {**EDUCATION, "study_notes": "成绩优良"} and snapshot["version"] == 1
    assert snapshot["type"] == "education" and snapshot["unit_id"] == unit_account["unit_id"]
    assert snapshot["approved_by"].endswith("（法人）")

    entry_id = entry["id"]
    edited = person.request("PUT", api(stack, f"/entries/{entry_id}"), headers=csrf_header(person, stack.gateway),
                            json={"fields": {**EDUCATION, "study_notes": "获校级优秀毕业生"}}).json()
    assert edited["status"] == "draft" and edited["version"] == 2
    assert edited["approved"]["version"] == 1 and edited["approved"]["fields"]["study_notes"] == "成绩优良"
    assert post(stack, person, f"/entries/{entry_id}/submit").json()["status"] == "submitted"
    withdrawn = post(stack, person, f"/entries/{entry_id}/withdraw").json()
    assert withdrawn["status"] == "draft" and withdrawn["approved"]["version"] == 1  # still importable
    deleted = person.request("DELETE", api(stack, f"/entries/{entry_id}"), headers=csrf_header(person, stack.gateway))
    assert deleted.status_code == 409  # an entry that was approved once is kept


def test_return_with_reason_and_batch_review(stack, unit_with_staff):
    unit, unit_account = unit_with_staff
    person = bound_person(stack, unit, unit_account, "批量测试")
    ids = []
    for year, result in ((2022, "合格"), (2023, "优秀"), (2024, "合格")):
        e = post(stack, person, "/entries", {"type": "annual_assessment", "fields": {"year": year, "result": result}})
        post(stack, person, f"/entries/{e.json()['id']}/submit")
        ids.append(e.json()["id"])
    assert post(stack, unit, f"/entries/{ids[0]}/return", {"reason": "x"}).status_code == 422
    returned = post(stack, unit, f"/entries/{ids[0]}/return", {"reason": "请上传考核登记表扫描件"}).json()
    assert returned["status"] == "returned" and returned["return_reason"] == "请上传考核登记表扫描件"
    result = post(stack, unit, "/review/batch", {"entry_ids": ids, "action": "approve"}).json()
    assert sorted(result["done"]) == sorted(ids[1:]) and list(result["failed"]) == [ids[0]]
    assert "已退回" in result["failed"][ids[0]]
    stats = {s["type"]: s for s in person.get(api(stack, "/stats")).json()}
    assert stats["annual_assessment"]["counts"] == {"approved": 2, "returned": 1}
    assert stats["annual_assessment"]["total"] == 3 and stats["paper"]["total"] == 0


def test_others_cannot_see_or_decide_entries(stack, unit_with_staff):
    unit, unit_account = unit_with_staff
    person = bound_person(stack, unit, unit_account, "隐私测试")
    entry = post(stack, person, "/entries", {"type": "education", "fields": EDUCATION}).json()
    stranger, _ = stack.person_browser("旁人")
    other_unit, _ = stack.unit_browser("福建省业绩测试无关单位")
    # A draft is the owner's alone, even for their own unit, and also once it was submitted and taken back.
    assert unit.get(api(stack, f"/entries/{entry['id']}")).status_code == 404
    post(stack, person, f"/entries/{entry['id']}/submit")
    post(stack, person, f"/entries/{entry['id']}/withdraw")
    assert unit.get(api(stack, f"/entries/{entry['id']}")).status_code == 404
    drafts = unit.get(api(stack, "/review-queue"), params={"unit_id": unit_account["unit_id"], "status": "draft"})
    assert drafts.status_code == 422
    post(stack, person, f"/entries/{entry['id']}/submit")
    assert unit.get(api(stack, f"/entries/{entry['id']}")).status_code == 200
    for outsider in (stranger, other_unit):
        assert outsider.get(api(stack, f"/entries/{entry['id']}")).status_code == 404
        assert post(stack, outsider, f"/entries/{entry['id']}/approve").status_code == 404
        assert outsider.get(api(stack, "/review-queue"), params={"unit_id": unit_account["unit_id"]}).status_code == 403
    assert stranger.request("PUT", api(stack, f"/entries/{entry['id']}"), headers=csrf_header(stranger, stack.gateway),
                            json={"fields": EDUCATION}).status_code == 404
    assert person.get(api(stack, f"/entries/{entry['id']}")).json()["status"] == "submitted"  # untouched
    # The owner cannot approve their own entry even through the API.
    assert post(stack, person, f"/entries/{entry['id']}/approve").status_code == 404


def test_attachments_are_the_owners_readable_by_the_unit_and_locked_once_approved(stack, unit_with_staff):
    from services.documents.tests import samples

    unit, unit_account = unit_with_staff
    person = bound_person(stack, unit, unit_account, "附件测试")
    stranger, _ = stack.person_browser("他人")
    theirs = stranger.post(f"{stack.gateway}/api/documents/files", headers=csrf_header(stranger, stack.gateway),
                           data={"kind": "entry_attachment"}, files={"file": ("他人.jpg", samples.jpeg(), "image/jpeg")})
    jpeg = samples.jpeg()
    scan = person.post(f"{stack.gateway}/api/documents/files", headers=csrf_header(person, stack.gateway),
                       data={"kind": "entry_attachment"}, files={"file": ("证书.jpg", jpeg, "image/jpeg")})
    assert theirs.status_code == scan.status_code == 201

    # Someone else's file cannot be attached; nothing is saved.
    refused = post(stack, person, "/entries", {"type": "education", "fields": EDUCATION,
                                               "attachment_ids": [theirs.json()["id"]]})
    assert refused.status_code == 422 and "附件" in refused.json()["detail"]
    assert person.get(api(stack, "/entries")).json()["total"] == 0

    entry = post(stack, person, "/entries", {"type": "education", "fields": EDUCATION,
                                             "attachment_ids": [scan.json()["id"]]}).json()
    content = f"{stack.gateway}/api/documents/files/{scan.json()['id']}/content"
    assert unit.get(content).status_code == 404  # a draft's files are the owner's alone
    post(stack, person, f"/entries/{entry['id']}/submit")
    read = unit.get(content)  # submitted: the reviewing unit may read it
    assert read.status_code == 200 and read.content == jpeg
    assert stranger.get(content).status_code == 404
    post(stack, unit, f"/entries/{entry['id']}/approve")
    delete = person.request("DELETE", f"{stack.gateway}/api/documents/files/{scan.json()['id']}",
                            headers=csrf_header(person, stack.gateway))
    assert delete.status_code == 409  # the approved entry refers to it


def _upload(stack, person: HttpBrowser, name: str) -> dict:
    from services.documents.tests import samples

    response = person.post(f"{stack.gateway}/api/documents/files", headers=csrf_header(person, stack.gateway),
                           data={"kind": "entry_attachment"}, files={"file": (name, samples.jpeg(), "image/jpeg")})
    assert response.status_code == 201, response.text
    return response.json()


def test_files_are_locked_while_the_unit_reviews_and_free_when_withdrawn_or_returned(stack, unit_with_staff):
    unit, unit_account = unit_with_staff
    person = bound_person(stack, unit, unit_account, "锁定测试")
    scan = _upload(stack, person, "毕业证书.jpg")
    meta = f"{stack.gateway}/api/documents/files/{scan['id']}"
    entry = post(stack, person, "/entries", {"type": "education", "fields": EDUCATION,
                                             "attachment_ids": [scan["id"]]}).json()

    def delete() -> httpx.Response:
        return person.request("DELETE", meta, headers=csrf_header(person, stack.gateway))

    # 我的附件 names the record that uses the file, to its owner only.
    assert person.get(meta).json()["used_by"] == ["业绩库：学历教育《厦门大学》"]
    assert person.get(meta).json()["locked"] is False
    post(stack, person, f"/entries/{entry['id']}/submit")
    assert person.get(meta).json()["locked"] is True
    refused = delete()
    assert refused.status_code == 409 and refused.json()["code"] == "file_locked"
    assert "「业绩库：学历教育《厦门大学》」" in refused.json()["detail"]
    seen = unit.get(meta)
    assert seen.status_code == 200 and seen.json()["used_by"] == []  # the reviewer sees the file, not its uses
    assert unit.get(f"{meta}/content").status_code == 200

    post(stack, person, f"/entries/{entry['id']}/withdraw")
    assert person.get(meta).json()["locked"] is False
    post(stack, person, f"/entries/{entry['id']}/submit")
    assert person.get(meta).json()["locked"] is True
    assert post(stack, unit, f"/entries/{entry['id']}/return", {"reason": "请补充学位证书"}).status_code == 200
    assert person.get(meta).json()["locked"] is False
    assert unit.get(f"{meta}/content").status_code == 200  # the unit still sees what it returned
    assert delete().status_code == 204


def test_a_reviewer_is_told_when_a_submitted_entry_lost_its_file(stack, unit_with_staff):
    """An entry submitted before files were locked on submission may have lost one: the reviewer's
    通过 says what happened and what to do, in the reviewer's words."""
    import asyncio

    import sqlalchemy as sa

    from shared.db import Database

    unit, unit_account = unit_with_staff
    person = bound_person(stack, unit, unit_account, "旧数据测试")
    scan = _upload(stack, person, "旧证书.jpg")
    entry = post(stack, person, "/entries", {"type": "education", "fields": EDUCATION,
                                             "attachment_ids": [scan["id"]]}).json()
    post(stack, person, f"/entries/{entry['id']}/submit")

    async def lose_the_file() -> None:  # as a deletion before this fix left it
        db = Database(stack.urls.databases["documents"], pool_size=1, max_overflow=0)
        async with db.sessionmaker() as s, s.begin():
            await s.execute(sa.text("DELETE FROM claims WHERE file_id = :id"), {"id": scan["id"]})
            await s.execute(sa.text("UPDATE files SET deleted_at = now() WHERE id = :id"), {"id": scan["id"]})
        await db.dispose()

    asyncio.run(lose_the_file())
    refused = post(stack, unit, f"/entries/{entry['id']}/approve")
    assert refused.status_code == 409 and refused.json()["code"] == "attachment_missing"
    assert "申报人删除" in refused.json()["detail"] and "退回" in refused.json()["detail"]
    assert "不属于您" not in refused.json()["detail"]
    batch = post(stack, unit, "/review/batch", {"entry_ids": [entry["id"]], "action": "approve"}).json()
    assert "申报人删除" in batch["failed"][entry["id"]]
    assert person.get(api(stack, f"/entries/{entry['id']}")).json()["status"] == "submitted"  # unchanged
