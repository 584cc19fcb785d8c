"""Filling a draft over HTTP through the gateway: imports of approved snapshots only, of the
allowed types, never twice; 移除 keeps the library entry; snapshots stay as imported; 专业年限 is
clamped; exactly one 最高学历; 修改专业 within the plan; stale saves refused; nobody else can
read or change a draft; filling works while library and plans are stopped."""
from __future__ import annotations

import os
import signal

import pytest

from services.applications.tests.world import (
    ACHIEVEMENT,
    ASSESSMENT,
    EDUCATION,
    PAPER,
    WORK,
    request,
    started,
)
from shared.testing.fixtures import csrf_header, eventually


@pytest.fixture(scope="module")
def filled(stack, world):
    """An applicant with approved entries of several types and a draft."""
    plan = world.plan()
    actor = world.applicant("填报人员")
    entries = {name: world.approved_entry(actor, type_, fields) for name, type_, fields in [
        ("work", "work_experience", WORK), ("edu1", "education", EDUCATION),
        ("edu2", "education", {**EDUCATION, "education": "硕士研究生", "start_date": "2010-09-01",
                               "end_date": "2013-06-30", "certificate_no": "103861201306000456"}),
        ("assess", "annual_assessment", ASSESSMENT), ("achievement", "achievement", ACHIEVEMENT),
        ("paper", "paper", PAPER)]}
    draft = started(stack, actor, plan)
    return plan, actor, entries, draft


def url(draft: dict, tail: str = "") -> str:
    return f"/applications/applications/{draft['id']}{tail}"


def current(stack, actor, draft) -> dict:
    return request(stack, actor.browser, "GET", url(draft)).json()


def section(app: dict, code: str) -> dict:
    return next(s for s in app["sections"] if s["code"] == code)


def category_code(plan: dict, name: str) -> str:
    return next(c["id"] for g in plan["standard"]["groups"] for c in g["categories"] if c["name"] == name)


def import_(stack, actor, draft, section_code, *entry_ids):
    app = current(stack, actor, draft)
    return request(stack, actor.browser, "POST", url(draft, "/items"), version=app["version"],
                   json={"section": section_code, "entry_ids": list(entry_ids)})


def test_only_approved_entries_of_the_allowed_types_are_importable_and_never_twice(stack, world, filled):
    plan, actor, entries, draft = filled
    # The import dialog lists the approved work experience once applications heard of the approval.
    assert eventually(lambda: [e["entry_id"] for e in request(
        stack, actor.browser, "GET", url(draft, "/importable"), params={"section": "work_experience"}).json()]
                      == [entries["work"]["id"]], timeout=20)
    for e in ("edu1", "edu2", "assess", "achievement", "paper"):
        assert eventually(lambda e=e: any(i["entry_id"] == entries[e]["id"] for s in (
            "education", "annual_assessment", category_code(plan, "取得业绩"), category_code(plan, "发表论文"))
            for i in request(stack, actor.browser, "GET", url(draft, "/importable"), params={"section": s}).json()),
            timeout=20)

    done = import_(stack, actor, draft, "work_experience", entries["work"]["id"])
    assert done.status_code == 200, done.text
    items = section(done.json(), "work_experience")["items"]
    assert [i["fields"]["unit"] for i in items] == [WORK["unit"]] and items[0]["type_name"] == "工作经历"

    twice = import_(stack, actor, draft, "work_experience", entries["work"]["id"])
    assert twice.status_code == 409 and twice.json()["code"] == "already_imported"
    assert "先移除" in twice.json()["detail"]
    wrong_type = import_(stack, actor, draft, category_code(plan, "取得业绩"), entries["paper"]["id"])
    assert wrong_type.status_code == 422 and "只能导入取得业绩" in wrong_type.json()["detail"]

    # A draft (never approved) and somebody else's approved entry are not importable.
    mine_draft = request(stack, actor.browser, "POST", "/library/entries",
                         json={"type": "paper", "fields": {**PAPER, "title": "未审核的论文"}}).json()
    stranger = world.approved_entry(world.applicant("其他申报人"), "paper", {**PAPER, "title": "别人的论文"})["id"]
    for entry_id in (mine_draft["id"], stranger):
        refused = import_(stack, actor, draft, category_code(plan, "发表论文"), entry_id)
        assert refused.status_code == 422 and "不是您已通过单位审核的业绩" in refused.json()["detail"]
    assert section(current(stack, actor, draft), category_code(plan, "发表论文"))["items"] == []

    unknown = import_(stack, actor, draft, "cooking", entries["paper"]["id"])
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["label"] == "申报栏目"


def test_remove_keeps_the_library_entry_and_snapshots_stay_as_imported(stack, filled):
    plan, actor, entries, draft = filled
    paper = category_code(plan, "发表论文")
    assert eventually(lambda: import_(stack, actor, draft, paper, entries["paper"]["id"]).status_code == 200,
                      timeout=20)
    # The person edits the library entry (a new version waits for review): the item keeps its text.
    edited = request(stack, actor.browser, "PUT", f"/library/entries/{entries['paper']['id']}",
                     json={"fields": {**PAPER, "title": "改过的题目"}, "attachment_ids": []})
    assert edited.status_code == 200, edited.text
    items = section(current(stack, actor, draft), paper)["items"]
    assert [i["fields"]["title"] for i in items] == [PAPER["title"]]

    app = current(stack, actor, draft)
    removed = request(stack, actor.browser, "DELETE", url(draft, f"/items/{items[0]['id']}"), version=app["version"])
    assert removed.status_code == 200 and section(removed.json(), paper)["items"] == []
    library = request(stack, actor.browser, "GET", f"/library/entries/{entries['paper']['id']}")
    assert library.status_code == 200 and library.json()["approved"]["fields"]["title"] == PAPER["title"]
    # Removed, it can be imported again (its approved version).
    assert import_(stack, actor, draft, paper, entries["paper"]["id"]).status_code == 200


def test_exactly_one_highest_education_reordering_and_assessment_results(stack, filled):
    _, actor, entries, draft = filled
    assert eventually(lambda: import_(stack, actor, draft, "education", entries["edu1"]["id"],
                                      entries["edu2"]["id"]).status_code == 200, timeout=20)
    items = section(current(stack, actor, draft), "education")["items"]
    assert [i["entry_id"] for i in items] == [entries["edu1"]["id"], entries["edu2"]["id"]]

    def patch(item_id, body):
        return request(stack, actor.browser, "PATCH", url(draft, f"/items/{item_id}"),
                       version=current(stack, actor, draft)["version"], json=body)

    assert patch(items[0]["id"], {"highest": True}).status_code == 200
    after = patch(items[1]["id"], {"highest": True}).json()
    assert [i["highest"] for i in section(after, "education")["items"]] == [False, True]

    moved = request(stack, actor.browser, "POST", url(draft, f"/items/{items[1]['id']}/move"),
                    version=after["version"], json={"direction": "up"}).json()
    assert [i["entry_id"] for i in section(moved, "education")["items"]] == [entries["edu2"]["id"],
                                                                             entries["edu1"]["id"]]
    top = request(stack, actor.browser, "POST", url(draft, f"/items/{items[1]['id']}/move"),
                  version=moved["version"], json={"direction": "up"}).json()  # already first: unchanged
    assert [i["entry_id"] for i in section(top, "education")["items"]] == [entries["edu2"]["id"],
                                                                           entries["edu1"]["id"]]

    assert eventually(lambda: import_(stack, actor, draft, "annual_assessment",
                                      entries["assess"]["id"]).status_code == 200, timeout=20)
    assessment = section(current(stack, actor, draft), "annual_assessment")["items"][0]
    assert assessment["assessment"] is None
    assert patch(assessment["id"], {"assessment": "合格"}).json()["sections"][3]["items"][0]["assessment"] == "合格"
    bad = patch(assessment["id"], {"assessment": "优秀"})
    assert bad.status_code == 422 and "考核结果" in bad.json()["detail"]
    not_education = patch(assessment["id"], {"highest": True})
    assert not_education.status_code == 422 and "只有学历教育" in not_education.json()["detail"]


def test_profile_clamps_years_in_profession_and_stale_saves_are_refused(stack, filled):
    _, actor, _, draft = filled
    app = current(stack, actor, draft)
    profile = {"ethnicity": "汉族", "political_status": "群众", "mobile": "13800001111", "years_of_work": 8,
               "years_in_profession": 12, "profession": "结构设计", "position": "无", "work_start_date": "2010-07-01"}
    saved = request(stack, actor.browser, "PUT", url(draft, "/profile"), version=app["version"], json=profile)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["profile"]["years_in_profession"] == 8
    assert any("已自动调整为工作年限 8 年" in n for n in body["notices"])
    assert saved.headers["etag"] == f'"{body["version"]}"' and body["version"] == app["version"] + 1
    assert body["person"]["name"] == "填报人员" and body["person"]["gender"] in ("男", "女")
    assert body["person"]["birth_date"] and "*" in body["person"]["id_number_masked"]

    # A second tab still holding the old version: refused, and nothing it sent is saved.
    stale = request(stack, actor.browser, "PUT", url(draft, "/profile"), version=app["version"],
                    json={**profile, "ethnicity": "回族"})
    assert stale.status_code == 412 and "刷新" in stale.json()["detail"]
    assert current(stack, actor, draft)["profile"]["ethnicity"] == "汉族"

    bad = request(stack, actor.browser, "PUT", url(draft, "/profile"), version=body["version"],
                  json={**profile, "mobile": "12345"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["label"] == "手机号码"
    assert current(stack, actor, draft)["profile"]["mobile"] == "13800001111"


def test_major_changes_only_within_the_plan_and_current_titles_keep_their_order(stack, filled):
    plan, actor, _, draft = filled
    app = current(stack, actor, draft)
    other = plan["majors"][1]
    changed = request(stack, actor.browser, "PUT", url(draft, "/major"), version=app["version"], json={"major": other})
    assert changed.status_code == 200 and changed.json()["major"] == other
    foreign = request(stack, actor.browser, "PUT", url(draft, "/major"), version=changed.json()["version"],
                      json={"major": "临床医学"})
    assert foreign.status_code == 422 and "只能修改为本评审计划" in foreign.json()["detail"]

    rows = [{"series": "工程", "title_name": "工程师", "level": "中级", "major": "建筑工程",
             "obtained_on": "2015-12-01", "certificate_no": "GC2015001", "approver": "福建省人社厅"},
            {"series": "工程", "title_name": "助理工程师", "level": "初级", "obtained_on": "2011-12-01"}]
    saved = request(stack, actor.browser, "PUT", url(draft, "/current-titles"),
                    version=changed.json()["version"], json={"rows": rows})
    assert [r["title_name"] for r in saved.json()["current_titles"]] == ["工程师", "助理工程师"]
    reordered = request(stack, actor.browser, "PUT", url(draft, "/current-titles"),
                        version=saved.json()["version"], json={"rows": rows[::-1]})
    assert [r["title_name"] for r in reordered.json()["current_titles"]] == ["助理工程师", "工程师"]
    nameless = request(stack, actor.browser, "PUT", url(draft, "/current-titles"),
                       version=reordered.json()["version"], json={"rows": [{"series": "工程"}]})
    assert nameless.status_code == 422 and "职称名称" in nameless.json()["detail"]


def test_nobody_but_the_applicant_reads_or_changes_a_draft(stack, world, filled):
    _, actor, entries, draft = filled
    before = current(stack, actor, draft)
    other = world.applicant("旁人")
    anonymous = type(actor.browser)()
    item = section(before, "work_experience")["items"]
    item_id = item[0]["id"] if item else "00000000-0000-0000-0000-000000000000"
    routes = [("GET", "", None), ("DELETE", "", None), ("PUT", "/major", {"major": "电子信息"}),
              ("PUT", "/profile", {"ethnicity": "满族"}), ("PUT", "/current-titles", {"rows": []}),
              ("PUT", "/current-appointments", {"rows": []}), ("PUT", "/attachments", {"items": []}),
              ("PUT", "/teacher-profile", {}), ("PUT", "/extra", {}),
              ("GET", "/importable?section=work_experience", None),
              ("POST", "/items", {"section": "education", "entry_ids": [entries["edu1"]["id"]]}),
              ("PATCH", f"/items/{item_id}", {"highest": True}),
              ("POST", f"/items/{item_id}/move", {"direction": "down"}), ("DELETE", f"/items/{item_id}", None)]
    for who, browser, allowed in [("other applicant", other.browser, {404}), ("unit", world.unit, {403, 404}),
                                  ("anonymous", anonymous, {401})]:
        for method, tail, body in routes:
            answer = request(stack, browser, method, url(draft, tail), version=before["version"], json=body)
            assert answer.status_code in allowed, (who, method, tail, answer.status_code, answer.text)
    assert current(stack, actor, draft) == before


def test_filling_keeps_working_while_library_and_plans_are_stopped(stack, filled):
    _, actor, entries, draft = filled
    assert eventually(lambda: any(i["entry_id"] == entries["achievement"]["id"] for i in request(
        stack, actor.browser, "GET", url(draft, "/importable"),
        params={"section": filled[0]["standard"]["groups"][1]["categories"][0]["id"]}).json()), timeout=20)
    frozen = [p.popen.pid for p in stack.procs.procs if p.name in ("library", "plans")]
    assert len(frozen) == 2
    for pid in frozen:  # a hung service: any call to it would hang this request too
        os.kill(pid, signal.SIGSTOP)
    try:
        app = current(stack, actor, draft)
        saved = request(stack, actor.browser, "PUT", url(draft, "/profile"), version=app["version"],
                        json={**app["profile"], "profession": "桥梁设计"}, timeout=20)
        assert saved.status_code == 200, saved.text
        imported = request(stack, actor.browser, "POST", url(draft, "/items"), version=saved.json()["version"],
                           timeout=10, json={"section": filled[0]["standard"]["groups"][1]["categories"][0]["id"],
                                             "entry_ids": [entries["achievement"]["id"]]})
        assert imported.status_code == 200, imported.text
    finally:
        for pid in frozen:
            os.kill(pid, signal.SIGCONT)


def test_checks_list_what_a_draft_still_lacks_and_where_to_fix_it(stack, filled):
    _, actor, _, draft = filled
    result = request(stack, actor.browser, "POST", url(draft, "/checks"))
    assert result.status_code == 200, result.text
    body = result.json()
    failing = {f["code"]: f for f in body["findings"] if not f["ok"]}
    assert body["ok"] is False
    assert {"photo", "attachments"} <= set(failing)  # nothing uploaded yet
    assert failing["attachments"]["section"] == "attachments" and "身份证正面" in failing["attachments"]["problems"][0]
    assert {"unit", "integrity", "window"}.isdisjoint(failing)  # bound, no ban, inside the window
    page = actor.browser.get(f"{stack.gateway}/apply/{draft['id']}/checks")
    assert page.status_code == 200 and "不符合" in page.text and "去修改" in page.text
    assert f'href="/apply/{draft["id"]}?section=attachments"' in page.text


def test_an_imported_items_files_stay_readable_and_locked_after_the_library_lets_them_go(stack, world):
    from services.documents.tests import samples

    plan = world.plan()
    actor = world.applicant("附件快照")
    scan = actor.browser.post(f"{stack.gateway}/api/documents/files", headers=csrf_header(actor.browser, stack.gateway),
                              data={"kind": "entry_attachment"}, files={"file": ("证书.jpg", samples.jpeg(), "image/jpeg")})
    assert scan.status_code == 201, scan.text
    file_id = scan.json()["id"]
    entry = world.approved_entry(actor, "work_experience", WORK, [file_id])
    draft = started(stack, actor, plan)
    assert eventually(lambda: import_(stack, actor, draft, "work_experience", entry["id"]).status_code == 200,
                      timeout=20)
    # The person edits the entry and drops the scan: the library lets it go, the application keeps it.
    edited = request(stack, actor.browser, "PUT", f"/library/entries/{entry['id']}",
                     json={"fields": {**WORK, "position": "高级工程师"}, "attachment_ids": []})
    assert edited.status_code == 200, edited.text
    item = section(current(stack, actor, draft), "work_experience")["items"][0]
    assert item["attachment_ids"] == [file_id] and item["fields"]["position"] == WORK["position"]
    assert actor.browser.get(f"{stack.gateway}/api/documents/files/{file_id}/content").status_code == 200
    deleted = actor.browser.request("DELETE", f"{stack.gateway}/api/documents/files/{file_id}",
                                   headers=csrf_header(actor.browser, stack.gateway))
    assert deleted.status_code == 409, deleted.text  # locked: the application uses it


def test_an_item_of_another_application_is_not_found_through_ones_own(stack, world, filled):
    _, actor, entries, draft = filled
    other = world.applicant("别人的导入")
    theirs = world.approved_entry(other, "work_experience", {**WORK, "unit": "别人的单位"})
    their_draft = started(stack, other, world.plan())
    assert eventually(lambda: import_(stack, other, their_draft, "work_experience", theirs["id"]).status_code == 200,
                      timeout=20)
    their_item = section(current(stack, other, their_draft), "work_experience")["items"][0]["id"]
    mine = current(stack, actor, draft)
    for method, tail, body in [("DELETE", "", None), ("POST", "/move", {"direction": "up"}),
                               ("PATCH", "", {"highest": True})]:
        answer = request(stack, actor.browser, method, url(draft, f"/items/{their_item}{tail}"),
                         version=mine["version"], json=body)
        assert answer.status_code == 404 and answer.json()["code"] == "item_not_found", answer.text
    assert section(current(stack, other, their_draft), "work_experience")["items"][0]["id"] == their_item
