"""The 职称申报 pages over HTTP: a save from a stale tab is refused on the page with the reason and
nothing overwritten; a refused action goes back to its section with the reason; a page whose
service is down says so; 个人首页 shows the application."""
from __future__ import annotations

from services.applications.tests.world import request, started


def test_a_stale_tab_is_told_and_overwrites_nothing(stack, world):
    plan = world.plan()
    actor = world.applicant("两个窗口")
    draft = started(stack, actor, plan)
    page = f"{stack.gateway}/apply/{draft['id']}"
    tab = actor.browser.get(page)  # both tabs show version 1
    assert tab.status_code == 200 and "个人信息" in tab.text and 'name="version" value="1"' in tab.text

    first = actor.browser.post(f"{page}?section=basic", data={
        "csrf_token": actor.browser.csrf(stack.gateway), "do": "profile", "version": "1", "ethnicity": "汉族"}, follow=False)
    assert first.status_code == 303 and "notice=application_saved" in first.headers["location"]
    second = actor.browser.post(f"{page}?section=basic", data={
        "csrf_token": actor.browser.csrf(stack.gateway), "do": "profile", "version": "1", "ethnicity": "回族"}, follow=False)
    assert second.status_code == 412 and "已在其他页面或窗口中修改过" in second.text
    assert 'value="回族"' in second.text  # what the second tab typed is still in its form
    assert request(stack, actor.browser, "GET", f"/applications/applications/{draft['id']}").json()[
        "profile"]["ethnicity"] == "汉族"

    # An action from the stale tab goes back to its section, which says why.
    moved = actor.browser.post(f"{page}/rows/current-titles", data={
        "csrf_token": actor.browser.csrf(stack.gateway), "op": "delete", "index": "0", "version": "1"}, follow=False)
    assert moved.status_code == 303 and moved.headers["location"] == f"/apply/{draft['id']}?section=basic"
    assert "已在其他页面或窗口中修改过" in actor.browser.get(f"{stack.gateway}{moved.headers['location']}").text

    home = actor.browser.get(f"{stack.gateway}/home").text
    assert plan["name"] in home and "填报中" in home
