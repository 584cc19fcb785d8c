"""The 评审计划 pages of the gateway over real HTTP: the applicant's search and plan detail
(图4-1, 图4-2) and the organiser's plan management with its form."""
from __future__ import annotations

import asyncio
import datetime as dt
import re
import secrets
from types import SimpleNamespace

import httpx
import pytest

from gateway.pages import plans as plans_pages
from gateway.pages.common import Unavailable, Visitor
from gateway.pages.plans import latest_open_plans
from services.plans.tests.factories import plan
from services.plans.tests.people import call
from services.plans.window import today_in_shanghai
from shared.testing.fixtures import csrf_header as csrf


def published(stack, cast, **changes) -> dict:
    body = call(stack, cast.operator, "POST", "/plans", json=plan(**changes)).json()
    return call(stack, cast.operator, "POST", f"/plans/{body['id']}/publish").json()


def get(stack, actor, path: str, **kwargs) -> httpx.Response:
    return actor.browser.get(f"{stack.gateway}{path}", **kwargs)


def rows(page: httpx.Response) -> list[str]:
    return re.findall(r'<td class="plan-name">([^<]+)', page.text)


def test_the_applicant_finds_plans_by_each_filter_and_pages_through_them(stack, cast):
    marker = f"页面检索{secrets.token_hex(3)}"
    for i in range(11):
        published(stack, cast, name=f"2026年度{marker}{i:02d}")
    published(stack, cast, name=f"2025年度{marker}正高", year=2025, plan_type="special", levels=["senior_full"],
              titles=[{"level": "senior_full", "name": "正高级工程师"}],
              standard={**plan()["standard"], "eligibility": {}})

    first = get(stack, cast.applicant, "/plans", params={"name": marker})
    assert first.status_code == 200 and "共 12 条" in first.text
    for column in ("年度", "计划名称", "评委会", "评审级别", "申报起止日期"):
        assert f"<th>{column}</th>" in first.text
    assert len(rows(first)) == 10 and rows(first)[0] == f"2026年度{marker}00"
    second = get(stack, cast.applicant, "/plans", params={"name": marker, "page": 2})
    assert rows(second) == [f"2026年度{marker}10", f"2025年度{marker}正高"]
    assert 'rel="next"' in first.text and "page=2" in first.text

    for params in ({"year": "2025"}, {"level": "senior_full"}, {"plan_type": "special"}):
        assert rows(get(stack, cast.applicant, "/plans", params={"name": marker, **params})) == [f"2025年度{marker}正高"]
    bad = get(stack, cast.applicant, "/plans", params={"name": marker, "year": "去年"})
    assert bad.status_code == 200 and "评审年度：应为整数" in bad.text and f'value="{marker}"' in bad.text
    # Plans are public notices: a visitor who is not logged in finds them too.
    assert len(rows(httpx.get(f"{stack.gateway}/plans", params={"name": marker}))) == 10


def test_the_plan_page_shows_what_an_applicant_needs_and_apply_only_in_the_window(stack, cast):
    today = today_in_shanghai()
    open_plan = published(stack, cast)
    page = get(stack, cast.applicant, f"/plans/{open_plan['id']}")
    for part in ("基本信息", "评审范围对象", "可评审专业", "计划内容", "附件下载", "高级工程师", "电子信息",
                 "<h3>申报条件</h3>", "<li>取得工程师职称满5年</li>", "用人单位审核", "须为取得现职称以来的业绩",
                 "须有本人手写签名", "大学本科"):
        assert part in page.text, part
    assert f'id="apply-now" href="/plans/{open_plan["id"]}/apply"' in page.text
    applying = get(stack, cast.applicant, f"/plans/{open_plan['id']}/apply")
    assert applying.status_code == 200 and "申报职称选择" in applying.text and "诚信承诺书" not in applying.text

    later = published(stack, cast, start_date=str(today + dt.timedelta(days=3)), end_date=str(today + dt.timedelta(days=9)))
    waiting = get(stack, cast.applicant, f"/plans/{later['id']}")
    assert re.search(r'id="apply-now" disabled', waiting.text) and f"申报尚未开始，开始日期为 {later['start_date']}" in waiting.text
    assert "不在申报时间内" in get(stack, cast.applicant, f"/plans/{later['id']}/apply").text

    anonymous = httpx.get(f"{stack.gateway}/plans/{open_plan['id']}")
    assert 'id="apply-now" href="/login?next=' in anonymous.text  # and back to 马上申报 after logging in
    draft = call(stack, cast.operator, "POST", "/plans", json=plan()).json()
    for path in (f"/plans/{draft['id']}", "/plans/not-a-plan", f"/plans/{secrets.token_hex(16)}"):
        assert get(stack, cast.applicant, path).status_code == 404


def form_of(**changes) -> dict:
    """The organiser's plan form as a browser posts it (rows by index, checkboxes by presence)."""
    today = today_in_shanghai()
    fields = {
        "name": f"表单测试计划{secrets.token_hex(3)}", "year": "2026", "committee": "福建省测试评审委员会",
        "series": "engineering", "plan_type": "review", "start_date": str(today), "end_date": str(today + dt.timedelta(days=60)),
        "levels": ["senior_associate"], "forms": ["regular", "exceptional"], "has_interview": "yes",
        "scope": "全省工程技术人员", "content": "# 说明\n- 第一条", "majors": "建筑工程\r\n电子信息\r\n",
        "titles.0.level": "senior_associate", "titles.0.name": "高级工程师",
        "stages.0.name": "用人单位审核", "stages.0.party": "unit", "stages.0.party_name": "",
        "stages.3.name": "评委会评审", "stages.3.party": "committee", "stages.3.party_name": "评委会",
        "standard.groups.0.name": "能力条件",
        "standard.groups.0.categories.0.name": "工作经历", "standard.groups.0.categories.0.min_count": "1",
        "standard.groups.0.categories.0.max_count": "5", "standard.groups.0.categories.0.required": "on",
        "standard.groups.0.categories.0.entry_types": ["work_experience"], "standard.groups.0.categories.0.hint": "",
        "standard.attachments.0.kind": "id_card_front", "standard.attachments.0.include": "on",
        "standard.attachments.0.required": "on", "standard.attachments.0.note": "",
        "standard.attachments.1.kind": "photo", "standard.attachments.1.note": "未列入的行被忽略",
        "standard.eligibility.min_education": "bachelor", "standard.eligibility.requires_current_title": "on",
        "standard.eligibility.min_years.0.form": "regular", "standard.eligibility.min_years.0.level": "senior_associate",
        "standard.eligibility.min_years.0.years": "5",
    }
    fields.update(changes)
    return fields


def post_form(stack, actor, path: str, fields: dict) -> httpx.Response:
    return actor.browser.post(f"{stack.gateway}{path}", data={**fields, "csrf_token": actor.browser.csrf(stack.gateway)})


def test_the_organiser_drafts_publishes_and_corrects_a_plan_with_the_form(stack, cast):
    op = cast.operator
    new = get(stack, op, "/organizer/plans/new")
    assert new.status_code == 200 and "评审标准：申报业绩" in new.text and 'value="能力条件"' in new.text

    wrong = form_of(**{"standard.groups.0.categories.0.min_count": "6", "end_date": "2020-01-01"})
    refused = post_form(stack, op, "/organizer/plans/new", wrong)
    assert refused.status_code == 422
    assert re.search(r'id="err-standard-groups-0-categories-0-min_count">不能大于最多项数（5）', refused.text)
    assert 'id="err-end_date">不能早于申报开始日期' in refused.text
    assert f'value="{wrong["name"]}"' in refused.text and 'value="6"' in refused.text  # what was typed stays

    fields = form_of()
    saved = post_form(stack, op, "/organizer/plans/new", fields)
    assert saved.status_code == 200 and saved.url.path.endswith("/edit") and "草稿已保存" in saved.text
    plan_id = saved.url.path.split("/")[3]
    stored = call(stack, op, "GET", f"/plans/{plan_id}").json()
    assert [s["name"] for s in stored["stages"]] == ["用人单位审核", "评委会评审"]  # rows by index, gaps closed
    assert stored["majors"] == ["建筑工程", "电子信息"] and stored["has_interview"] is True
    assert [a["kind"] for a in stored["standard"]["attachments"]] == ["id_card_front"]
    assert stored["standard"]["groups"][0]["categories"][0]["hint"] == "至少填写1项，最多5项"

    listed = post_form(stack, op, f"/organizer/plans/{plan_id}/publish", {})
    assert listed.url.path == "/organizer/plans" and "计划已发布" in listed.text
    assert call(stack, cast.applicant, "GET", f"/plans/{plan_id}").json()["status"] == "published"

    # A correction: the edit page keeps ids in hidden fields, so the standard stays the same.
    edit = get(stack, op, f"/organizer/plans/{plan_id}/edit")
    assert 'id="correction-note"' in edit.text
    hidden = {k: v for k, v in re.findall(r'<input type="hidden" name="([^"]+\.id)" value="([^"]*)"', edit.text)
              if "__" not in k}  # not the rows' <template>s
    assert len(hidden) == 4  # two stages, one group, one category
    as_shown = {k.replace("stages.3.", "stages.1."): v for k, v in fields.items()} | hidden
    later = str(today_in_shanghai() + dt.timedelta(days=90))
    corrected = post_form(stack, op, f"/organizer/plans/{plan_id}/edit", {**as_shown, "end_date": later})
    assert corrected.url.path == "/organizer/plans" and "计划已保存" in corrected.text
    shrunk = post_form(stack, op, f"/organizer/plans/{plan_id}/edit", {**as_shown, "end_date": str(today_in_shanghai())})
    assert shrunk.status_code == 409 and 'id="err-end_date">计划已发布，只能延后' in shrunk.text
    assert call(stack, op, "GET", f"/plans/{plan_id}").json()["end_date"] == later


def test_plan_management_is_for_the_organisers_admins_only(stack, cast):
    target = published(stack, cast)
    to_home = cast.applicant.browser.get(f"{stack.gateway}/organizer/plans", follow=False)
    assert to_home.status_code == 303 and to_home.headers["location"] == "/home"
    assert httpx.get(f"{stack.gateway}/organizer/plans").headers["location"] == "/login?next=%2Forganizer%2Fplans"
    foreign = get(stack, cast.admin_b, f"/organizer/plans/{target['id']}/edit")
    assert foreign.status_code == 403 and "不是该计划所属组建单位" in foreign.text
    closing = post_form(stack, cast.admin_b, f"/organizer/plans/{target['id']}/close", {})
    # Refused, and said so on the list it went back to (post/redirect/get).
    assert closing.url.path == "/organizer/plans" and 'class="flash flash-error"' in closing.text
    assert call(stack, cast.applicant, "GET", f"/plans/{target['id']}").json()["status"] == "published"

    home = get(stack, cast.applicant, "/home").text
    assert 'href="/plans"' in home and 'href="/organizer/plans"' not in home
    assert 'href="/organizer/plans"' in get(stack, cast.operator, "/home").text


def test_plan_attachments_are_uploaded_downloaded_and_removed(stack, cast):
    from services.documents.tests.samples import pdf

    op, gateway = cast.operator, stack.gateway
    plan_id = call(stack, op, "POST", "/plans", json=plan()).json()["id"]
    htmx = {"x-csrf-token": op.browser.csrf(gateway), "hx-request": "true"}

    def upload(name: str, content: bytes, filename: str = "通知.pdf") -> httpx.Response:
        return op.browser.post(f"{gateway}/organizer/plans/{plan_id}/attachments", headers=htmx, data={"name": name},
                               files={"file": (filename, content, "application/octet-stream")})

    notice = pdf("2026 plan notice")
    answer = upload("评审工作通知", notice)
    assert answer.status_code == 200 and "评审工作通知" in answer.text and "attachment-error" not in answer.text
    refused = upload("可执行文件", b"MZ\x90\x00 not a document", "工具.pdf")
    assert "attachment-error" in refused.text  # documents decides by content and says why
    [attachment] = call(stack, op, "GET", f"/plans/{plan_id}").json()["attachments"]
    assert attachment["name"] == "评审工作通知"
    call(stack, op, "POST", f"/plans/{plan_id}/publish")

    # Every logged-in person may download it (a public claim); a visitor is asked to log in.
    link = f"/api/documents/files/{attachment['file_id']}/content?download=true"
    assert link.replace("&", "&amp;") in get(stack, cast.applicant, f"/plans/{plan_id}").text
    download = get(stack, cast.applicant, link)
    assert download.status_code == 200 and download.content == notice
    assert "登录后可下载附件" in httpx.get(f"{gateway}/plans/{plan_id}").text

    # Only one's own files can be attached.
    theirs = cast.applicant.browser.post(f"{gateway}/api/documents/files", headers=csrf(cast.applicant.browser, gateway),
                                         data={"kind": "other"}, files={"file": ("a.pdf", pdf("theirs"), "application/pdf")})
    assert theirs.status_code == 201, theirs.text
    foreign = call(stack, op, "POST", f"/plans/{plan_id}/attachments", json={"file_id": theirs.json()["id"]})
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["field"] == "file_id"

    removed = op.browser.post(f"{gateway}/organizer/plans/{plan_id}/attachments/{attachment['file_id']}/remove",
                              headers=htmx)
    assert removed.status_code == 200 and "暂无附件" in removed.text
    assert get(stack, cast.applicant, link).status_code == 404  # the claim is gone with it


def test_latest_open_plans_for_the_home_pages(stack, cast):
    newest = published(stack, cast, year=2030, name=f"2030年度最新计划{secrets.token_hex(3)}")

    async def latest(services: dict) -> list[dict]:
        async with httpx.AsyncClient() as http:
            state = SimpleNamespace(http=http, settings=SimpleNamespace(services=services))
            return await latest_open_plans(Visitor(SimpleNamespace(app=SimpleNamespace(state=state)), None, None), 3)

    plans_pages._LATEST.clear()
    items = asyncio.run(latest({"plans": stack.urls.services["plans"]}))
    assert len(items) <= 3 and items[0] == {
        "title": newest["name"], "subtitle": f"申报时间 {newest['start_date']} 至 {newest['end_date']}",
        "url": f"/plans/{newest['id']}"}
    assert asyncio.run(latest({})) == items  # kept for half a minute: plans is not asked again
    plans_pages._LATEST.clear()
    with pytest.raises(Unavailable):  # the home pages show 评审计划暂时不可用, not 暂无 (test_pages_outage.py)
        asyncio.run(latest({}))


def test_the_administrator_names_deciders_stage_by_stage_on_the_assignees_page(stack, cast):
    from services.plans.tests.test_assignees import STAGES

    op, gateway = cast.operator, stack.gateway
    target = call(stack, op, "POST", "/plans", json=plan(stages=STAGES)).json()
    committee = next(s["id"] for s in target["stages"] if s["party"] == "committee")
    page = f"/organizer/plans/{target['id']}/assignees"
    shown = get(stack, op, page)
    assert shown.status_code == 200
    for text in ("由申报人所在单位的经办人审核", "由主管部门的工作人员审核", "职称管理部门审核", "评委会评审"):
        assert text in shown.text, text
    assert shown.text.count("尚未指定审核人员") == 2 and shown.text.count("添加审核人员（按姓名查找）") == 2

    found = get(stack, op, page, params={"stage": committee, "name": "申报人员"})
    assert f'name="person_id" value="{cast.applicant.person_id}"' in found.text
    assert "未找到名为“无此人”的已注册人员" in get(stack, op, page, params={"stage": committee, "name": "无此人"}).text
    add = {"stage_id": committee, "person_id": cast.applicant.person_id}
    assert op.browser.post(f"{gateway}{page}", data=add).status_code == 403  # no CSRF token
    added = post_form(stack, op, page, add)
    assert added.url.path == page and "审核人员已添加" in added.text
    assert re.search(rf'id="assignee-{committee}-{cast.applicant.person_id}"><td>申报人员</td>', added.text)
    assert "（已指定）" in get(stack, op, page, params={"stage": committee, "name": "申报人员"}).text
    again = post_form(stack, op, page, add)
    assert 'class="flash flash-error"' in again.text and "已是该环节的审核人员" in again.text
    unit_stage = {**add, "stage_id": target["stages"][0]["id"]}
    assert "不能为其指定审核人员" in post_form(stack, op, page, unit_stage).text

    removed = post_form(stack, op, f"{page}/{committee}/{cast.applicant.person_id}/remove", {})
    assert removed.url.path == page and "审核人员已移除" in removed.text and "（已指定）" not in removed.text
    assert call(stack, op, "GET", f"/plans/{target['id']}/stages/{committee}/assignees").json() == []
    assert get(stack, cast.admin_b, page).status_code == 404  # another organiser's draft does not exist for them
    assert post_form(stack, cast.admin_b, page, add).status_code == 404
    assert call(stack, op, "GET", f"/plans/{target['id']}/stages/{committee}/assignees").json() == []


def test_the_form_chooses_where_a_resubmitted_application_starts(stack, cast):
    op = cast.operator
    new = get(stack, op, "/organizer/plans/new")
    assert '<label for="resubmit_from">退回修改后重新提交，从哪个环节开始审核</label>' in new.text
    assert '<option value="first" selected>从第一个审核环节</option><option value="returning">从退回的环节</option>' in new.text
    saved = post_form(stack, op, "/organizer/plans/new", form_of(resubmit_from="returning"))
    assert saved.url.path.endswith("/edit") and '<option value="returning" selected>' in saved.text
    plan_id = saved.url.path.split("/")[3]
    assert call(stack, op, "GET", f"/plans/{plan_id}").json()["resubmit_from"] == "returning"
    assert f'href="/organizer/plans/{plan_id}/assignees"' in saved.text
    refused = post_form(stack, op, "/organizer/plans/new", form_of(resubmit_from="nowhere"))
    assert refused.status_code == 422 and 'id="err-resubmit_from">取值不在允许范围内' in refused.text
    call(stack, op, "POST", f"/plans/{plan_id}/publish")
    assert "退回修改后重新提交的申报，从退回的环节开始审核" in get(stack, cast.applicant, f"/plans/{plan_id}").text
