"""Units and bindings over real HTTP through the gateway: registration of a unit, the binding
path (approve, reject, change of unit), who may do what, and the race of two requests."""
from __future__ import annotations

import concurrent.futures
import secrets

from shared.testing.browser import HttpBrowser
from shared.testing.fixtures import csrf_header, eventually


def api(stack, path: str) -> str:
    return f"{stack.gateway}/api/units{path}"


def request_binding(stack, browser: HttpBrowser, unit_id: str, note: str = "本人在该单位从事工程技术工作"):
    return browser.post(api(stack, "/bindings"), json={"unit_id": unit_id, "note": note},
                        headers=csrf_header(browser, stack.gateway))


def decide(stack, browser: HttpBrowser, binding_id: str, action: str, reason: str | None = None):
    return browser.post(api(stack, f"/bindings/{binding_id}/{action}"), headers=csrf_header(browser, stack.gateway),
                        json={"reason": reason} if reason else None)


def current_unit_in_identity(stack, browser: HttpBrowser):
    return browser.get(f"{stack.gateway}/api/identity/me").json().get("unit_name")


def test_register_bind_approve_and_identity_shows_the_unit(stack):
    unit, unit_account = stack.unit_browser("福建省测试桥梁工程有限公司")
    person, _ = stack.person_browser("陈工程")
    assert current_unit_in_identity(stack, person) is None

    found = person.get(api(stack, "/units"), params={"q": "测试桥梁"}).json()
    assert [u["name"] for u in found["items"]] == ["福建省测试桥梁工程有限公司"]
    created = request_binding(stack, person, unit_account["unit_id"])
    assert created.status_code == 201 and created.json()["status"] == "pending"

    queue = unit.get(api(stack, "/bindings"), params={"unit_id": unit_account["unit_id"], "status": "pending"}).json()
    assert [b["person_name"] for b in queue["items"]] == ["陈工程"] and queue["total"] == 1
    assert "*" in queue["items"][0]["id_number_masked"]  # the unit sees a masked number only

    approved = decide(stack, unit, created.json()["id"], "approve")
    assert approved.status_code == 200 and approved.json()["decided_by"].endswith("（法人）")
    assert eventually(lambda: current_unit_in_identity(stack, person)) == "福建省测试桥梁工程有限公司"
    mine = person.get(api(stack, "/bindings/mine")).json()
    assert mine["current"]["unit_name"] == "福建省测试桥梁工程有限公司" and mine["pending"] is None
    staff = unit.get(api(stack, "/bindings"), params={"unit_id": unit_account["unit_id"], "status": "approved"})
    assert [b["person_name"] for b in staff.json()["items"]] == ["陈工程"]


def test_rejection_reaches_the_person_with_its_reason(stack):
    unit, unit_account = stack.unit_browser("福建省测试水利勘测院")
    person, _ = stack.person_browser()
    binding = request_binding(stack, person, unit_account["unit_id"]).json()
    assert decide(stack, unit, binding["id"], "reject", "x").status_code == 422  # the reason must say something
    rejected = decide(stack, unit, binding["id"], "reject", "经核实本单位无此人员")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    mine = person.get(api(stack, "/bindings/mine")).json()
    assert mine["current"] is None and mine["history"][0]["reject_reason"] == "经核实本单位无此人员"
    assert "经核实本单位无此人员" in person.get(f"{stack.gateway}/home").text  # 待处理事项
    # Decided is decided: it cannot be approved afterwards.
    again = decide(stack, unit, binding["id"], "approve")
    assert again.status_code == 409 and "已退回" in again.json()["detail"]


def test_change_of_unit_keeps_the_old_binding_until_the_new_one_is_approved(stack):
    old_unit, old_account = stack.unit_browser("福建省测试旧单位有限公司")
    new_unit, new_account = stack.unit_browser("福建省测试新单位有限公司")
    person, _ = stack.person_browser()
    first = request_binding(stack, person, old_account["unit_id"]).json()
    decide(stack, old_unit, first["id"], "approve")
    assert eventually(lambda: current_unit_in_identity(stack, person)) == "福建省测试旧单位有限公司"

    same = request_binding(stack, person, old_account["unit_id"])
    assert same.status_code == 409 and same.json()["code"] == "already_bound"
    second = request_binding(stack, person, new_account["unit_id"]).json()
    mine = person.get(api(stack, "/bindings/mine")).json()
    assert mine["current"]["unit_name"] == "福建省测试旧单位有限公司"  # still in force while waiting
    assert mine["pending"]["unit_name"] == "福建省测试新单位有限公司"

    decide(stack, new_unit, second["id"], "approve")
    mine = person.get(api(stack, "/bindings/mine")).json()
    assert mine["current"]["unit_name"] == "福建省测试新单位有限公司"
    ended = next(b for b in mine["history"] if b["id"] == first["id"])
    assert ended["status"] == "ended" and "福建省测试新单位有限公司" in ended["end_reason"]
    assert eventually(lambda: current_unit_in_identity(stack, person) == "福建省测试新单位有限公司")
    old_staff = old_unit.get(api(stack, "/bindings"), params={"unit_id": old_account["unit_id"], "status": "approved"})
    assert old_staff.json()["total"] == 0


def test_a_unit_ends_a_membership(stack):
    unit, account = stack.unit_browser("福建省测试解除单位")
    person, _ = stack.person_browser()
    binding = request_binding(stack, person, account["unit_id"]).json()
    decide(stack, unit, binding["id"], "approve")
    assert eventually(lambda: current_unit_in_identity(stack, person))
    ended = decide(stack, unit, binding["id"], "end", "已调离本单位")
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert eventually(lambda: current_unit_in_identity(stack, person) is None)


def test_a_reviewer_of_unit_a_can_do_nothing_to_unit_b(stack):
    unit_a, account_a = stack.unit_browser("福建省测试甲单位")
    unit_b, account_b = stack.unit_browser("福建省测试乙单位")
    person, _ = stack.person_browser()
    binding = request_binding(stack, person, account_b["unit_id"]).json()

    listing = unit_a.get(api(stack, "/bindings"), params={"unit_id": account_b["unit_id"], "status": "pending"})
    assert listing.status_code == 403
    staff = unit_a.get(api(stack, "/bindings"), params={"unit_id": account_b["unit_id"], "status": "approved"})
    assert staff.status_code == 403
    assert unit_a.get(api(stack, f"/units/{account_b['unit_id']}/reviewers")).status_code == 403
    assert decide(stack, unit_a, binding["id"], "approve").status_code == 403
    assert decide(stack, unit_a, binding["id"], "reject", "越权退回").status_code == 403
    assert unit_a.get(api(stack, f"/bindings/{binding['id']}")).status_code == 404
    edit = unit_a.request("PUT", api(stack, f"/units/{account_b['unit_id']}"), headers=csrf_header(unit_a, stack.gateway),
                          json={"address": "越权修改", "contact_name": "某某", "contact_phone": "0591-12345678",
                                "department_code": "FJ-RSW"})
    assert edit.status_code == 403
    # Nothing changed: B still sees the request pending, and its details as they were.
    still = unit_b.get(api(stack, f"/bindings/{binding['id']}")).json()
    assert still["status"] == "pending"
    assert unit_b.get(api(stack, f"/units/{account_b['unit_id']}")).json()["address"] == "福州市鼓楼区测试路 1 号"
    # Another person cannot see it either, nor act as a unit.
    stranger, _ = stack.person_browser()
    assert stranger.get(api(stack, f"/bindings/{binding['id']}")).status_code == 404
    assert decide(stack, stranger, binding["id"], "approve").status_code == 403


def test_a_reviewer_cannot_approve_their_own_request(stack):
    unit, account = stack.unit_browser("福建省测试经办人单位")
    reviewer, reviewer_account = stack.person_browser("经办人甲")
    added = unit.post(api(stack, f"/units/{account['unit_id']}/reviewers"), headers=csrf_header(unit, stack.gateway),
                      json={"id_number": reviewer_account["id_number"]})
    assert added.status_code == 201 and added.json()["name"] == "经办人甲"
    # The role arrives through events into identity's tokens: a fresh login carries it.
    assert eventually(lambda: "unit_admin" in reviewer.get(f"{stack.gateway}/api/identity/me").json()["roles"])
    stack.relogin(reviewer, reviewer_account)
    own = request_binding(stack, reviewer, account["unit_id"]).json()
    refused = decide(stack, reviewer, own["id"], "approve")
    assert refused.status_code == 403 and refused.json()["code"] == "own_request"
    assert unit.get(api(stack, f"/bindings/{own['id']}")).json()["status"] == "pending"

    colleague, _ = stack.person_browser("同事乙")
    theirs = request_binding(stack, colleague, account["unit_id"]).json()
    assert decide(stack, reviewer, theirs["id"], "approve").json()["decided_by"] == "经办人甲"

    # Naming persons who are not registered, or twice, is refused with the reason.
    unknown = unit.post(api(stack, f"/units/{account['unit_id']}/reviewers"), headers=csrf_header(unit, stack.gateway),
                        json={"id_number": "11010519491231002X"})
    assert unknown.status_code == 422 and "尚未在本平台注册" in unknown.json()["detail"]
    twice = unit.post(api(stack, f"/units/{account['unit_id']}/reviewers"), headers=csrf_header(unit, stack.gateway),
                      json={"id_number": reviewer_account["id_number"]})
    assert twice.status_code == 409
    # Only the legal person names reviewers.
    by_reviewer = reviewer.post(api(stack, f"/units/{account['unit_id']}/reviewers"),
                                headers=csrf_header(reviewer, stack.gateway), json={"id_number": "11010519491231002X"})
    assert by_reviewer.status_code == 403


def test_two_concurrent_requests_by_one_person_accept_exactly_one(stack):
    _, account_a = stack.unit_browser("福建省测试并发甲")
    _, account_b = stack.unit_browser("福建省测试并发乙")
    person, _ = stack.person_browser()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda unit_id: request_binding(stack, person, unit_id).status_code,
                                [account_a["unit_id"], account_b["unit_id"]] * 2))
    assert sorted(results) == [201, 409, 409, 409]
    assert person.get(api(stack, "/bindings/mine")).json()["pending"] is not None
    assert len(person.get(api(stack, "/bindings/mine")).json()["history"]) == 1


def test_unit_registration_is_validated_and_never_duplicated(stack):
    browser, account = stack.unit_browser("福建省测试注册单位", register=False)
    body = {"name": "福建省测试注册单位", "credit_code": account["credit_code"], "address": "福州市",
            "contact_name": "李联系", "contact_phone": "0591-87654321", "department_code": "FJ-RSW"}
    headers = csrf_header(browser, stack.gateway)
    bad = browser.post(api(stack, "/units"), headers=headers, json={**body, "credit_code": "91350100M000100Y44"})
    assert bad.status_code == 422 and "统一社会信用代码" in bad.json()["detail"]
    other = browser.post(api(stack, "/units"), headers=headers, json={**body, "credit_code": "914403001922038216"})
    assert other.status_code == 422 and "法人账号" in other.json()["detail"]
    phone = browser.post(api(stack, "/units"), headers=headers, json={**body, "contact_phone": "12"})
    assert phone.status_code == 422 and phone.json()["errors"][0]["label"] == "联系电话"
    dept = browser.post(api(stack, "/units"), headers=headers, json={**body, "department_code": "NOPE"})
    assert dept.status_code == 422 and "主管部门" in dept.json()["detail"]
    assert browser.post(api(stack, "/units"), headers=headers, json=body).status_code == 201
    again = browser.post(api(stack, "/units"), headers=headers, json=body)
    assert again.status_code == 409 and "福建省测试注册单位" in again.json()["detail"]
    # A person cannot register a unit.
    person, _ = stack.person_browser()
    assert person.post(api(stack, "/units"), headers=csrf_header(person, stack.gateway), json=body).status_code == 403


def test_search_ranks_exact_then_prefix_then_contains(stack):
    for name in ("测试排序科技有限公司", "福州测试排序科技有限公司", "测试排序"):
        stack.unit_browser(name)
    person, _ = stack.person_browser()
    found = person.get(api(stack, "/units"), params={"q": "测试排序"}).json()
    assert [u["name"] for u in found["items"]][:3] == ["测试排序", "测试排序科技有限公司", "福州测试排序科技有限公司"]
    assert person.get(api(stack, "/units"), params={"q": "%"}).json()["total"] == 0  # wildcards are literal
    assert person.get(api(stack, "/units"), params={"q": "不存在的单位名称"}).json() == {
        "items": [], "total": 0, "page": 1, "page_size": 20}


def test_a_search_answer_is_kept_but_a_new_unit_shows_at_once(stack):
    person, _ = stack.person_browser()
    term = f"缓存检验{secrets.token_hex(2)}"
    assert person.get(api(stack, "/units"), params={"q": term}).json()["total"] == 0  # kept for a while
    stack.unit_browser(f"{term}研究院")
    assert [u["name"] for u in person.get(api(stack, "/units"), params={"q": term}).json()["items"]] == [
        f"{term}研究院"]


def test_a_person_withdraws_a_pending_request_and_may_ask_again(stack, amqp_url):
    from shared.testing.events import capture_events

    unit, account = stack.unit_browser("福建省测试撤回单位")
    person, _ = stack.person_browser()
    binding = request_binding(stack, person, account["unit_id"]).json()
    stranger, _ = stack.person_browser()
    assert stranger.post(api(stack, f"/bindings/{binding['id']}/withdraw"),
                         headers=csrf_header(stranger, stack.gateway)).status_code == 404

    withdrawn, seen = capture_events(
        amqp_url, "units.binding.withdrawn",
        lambda: person.post(api(stack, f"/bindings/{binding['id']}/withdraw"), headers=csrf_header(person, stack.gateway)),
        until=lambda seen: any(e.body["subject"] == binding["id"] for e in seen))
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert [e.body["data"]["unit_name"] for e in seen if e.body["subject"] == binding["id"]] == ["福建省测试撤回单位"]
    queue = unit.get(api(stack, "/bindings"), params={"unit_id": account["unit_id"], "status": "pending"}).json()
    assert queue["total"] == 0
    assert decide(stack, unit, binding["id"], "approve").status_code == 409  # nothing left to decide
    again = request_binding(stack, person, account["unit_id"])
    assert again.status_code == 201
