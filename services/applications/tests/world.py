"""The cast of the applications tests, all through the gateway: an organiser's administrator with
a published plan, a unit, applicants bound to it, and approved library entries."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from services.plans.tests.factories import plan as plan_data
from services.plans.tests.people import Actor, add_admin, person
from shared.testing.browser import HttpBrowser
from shared.testing.fixtures import csrf_header, eventually

WORK = {"start_date": "2010-07-01", "unit": "福建省测试设计院", "position": "工程师", "duties": "负责结构设计"}
EDUCATION = {"school": "福州大学", "major": "土木工程", "education": "大学本科", "degree": "学士", "study_mode": "全日制",
             "start_date": "2006-09-01", "end_date": "2010-06-30", "certificate_no": "103861201005000123"}
ACHIEVEMENT = {"name": "某大桥结构设计", "role": "项目负责人", "level": "省部级", "date": "2020-05-01",
               "description": "主持设计"}
PAPER = {"title": "大跨度桥梁抗震研究", "publication": "土木工程学报", "published_on": "2021-03-01", "author_rank": 1}
ASSESSMENT = {"year": 2024, "result": "合格"}


def request(stack, browser: HttpBrowser, method: str, path: str, *, version: int | str | None = None, **kwargs):
    """The API of a service through the gateway, as this browser (cookie + CSRF, If-Match if given)."""
    headers = {**csrf_header(browser, stack.gateway), **kwargs.pop("headers", {})}
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    return browser.request(method, f"{stack.gateway}/api{path}", headers=headers, **kwargs)


@dataclass
class World:
    stack: Any
    admin: Actor
    organizer_id: str
    unit: HttpBrowser
    unit_account: dict

    def plan(self, *, publish: bool = True, **changes: Any) -> dict:
        """A published plan, once applications heard of it."""
        created = request(self.stack, self.admin.browser, "POST", "/plans/plans",
                          json=plan_data(organizer_id=self.organizer_id, **changes))
        assert created.status_code == 201, created.text
        body = created.json()
        if publish:
            published = request(self.stack, self.admin.browser, "POST", f"/plans/plans/{body['id']}/publish")
            assert published.status_code == 200, published.text
            body = published.json()
        return body

    def applicant(self, name: str = "申报人员", *, bound: bool = True) -> Actor:
        """A registered person, bound to the unit (approved) unless told otherwise."""
        browser, account = self.stack.person_browser(name)
        actor = Actor(browser, account, browser.get(f"{self.stack.gateway}/api/identity/me").json()["id"])
        if bound:
            binding = request(self.stack, browser, "POST", "/units/bindings",
                              json={"unit_id": self.unit_account["unit_id"], "note": "申请绑定本单位"}).json()
            approved = request(self.stack, self.unit, "POST", f"/units/bindings/{binding['id']}/approve")
            assert approved.status_code == 200, approved.text
            # library takes the unit from the token, which the gateway renews once identity heard of it.
            assert eventually(lambda: browser.get(f"{self.stack.gateway}/api/identity/me").json().get("unit_id"),
                              timeout=20)
        return actor

    def approved_entry(self, actor: Actor, type_: str, fields: dict, attachment_ids: list[str] | None = None) -> dict:
        """A library entry of the actor's, approved by the unit."""
        stack = self.stack
        created = request(stack, actor.browser, "POST", "/library/entries",
                          json={"type": type_, "fields": fields, "attachment_ids": attachment_ids or []})
        assert created.status_code == 201, created.text
        entry = created.json()
        submitted = eventually(lambda: (r := request(stack, actor.browser, "POST",
                                                     f"/library/entries/{entry['id']}/submit")).status_code == 200
                               and r, timeout=20)
        assert submitted, "the entry could not be submitted"
        approved = request(stack, self.unit, "POST", f"/library/entries/{entry['id']}/approve")
        assert approved.status_code == 200, approved.text
        return approved.json()


# A Friday the holiday calendar knows, long past: a 5-working-day notice published then ran
# through 2025-10-09 (国庆 in between, Sunday 9/28 worked), so it has ended by now.
NOTICE_DAY = dt.date(2025, 9, 26)


def publish_notice(stack, browser: HttpBrowser, plan: dict, kind: str = "unit", *, on: dt.date = NOTICE_DAY,
                   workdays: int = 5, **body: Any) -> dict:
    """A 公示 (单位申报公示 by a unit, 评审结果公示 by the organiser) of what waits for one in the plan,
    published on the day ``on`` (the platform's clock moved there meanwhile)."""
    with stack.on(on):
        answer = request(stack, browser, "POST", "/applications/notices",
                         json={"kind": kind, "plan_id": plan["id"], "workdays": workdays, **body})
    assert answer.status_code == 201, answer.text
    return answer.json()


def certify(stack, browser: HttpBrowser, plan: dict):
    """The organiser's 评审结果公示 of the plan's approved applications (ended by now), then 发放证书."""
    notice = publish_notice(stack, browser, plan, "result")
    return request(stack, browser, "POST", f"/applications/notices/{notice['id']}/certificates")


def make_world(stack) -> World:
    admin = person(stack, "申报计划管理", "operator", "plan_admin")
    organizer = request(stack, admin.browser, "POST", "/plans/organizers",
                        json={"name": f"申报测试组建单位{secrets.token_hex(3)}"})
    assert organizer.status_code == 201, organizer.text
    assert add_admin(stack, admin, organizer.json()["id"], admin.person_id)
    unit, unit_account = stack.unit_browser(f"申报测试单位{secrets.token_hex(3)}")
    assert eventually(lambda: request(stack, unit, "GET", "/units/bindings",
                                      params={"unit_id": unit_account["unit_id"], "status": "pending"})
                      .status_code == 200, timeout=20)
    return World(stack, admin, organizer.json()["id"], unit, unit_account)


def start(stack, actor: Actor, plan: dict, **changes: Any):
    """马上申报 with the plan's first form, major and title, confirmed and pledged."""
    body = {"plan_id": plan["id"], "form": plan["forms"][0], "major": plan["majors"][0],
            "title": plan["titles"][0]["name"], "confirmed": True, "pledged": True, **changes}
    return request(stack, actor.browser, "POST", "/applications/applications", json=body)


def started(stack, actor: Actor, plan: dict, **changes: Any) -> dict:
    """A draft, once applications heard of the plan and the binding (events)."""
    response = eventually(lambda: (r := start(stack, actor, plan, **changes)).status_code == 201 and r, timeout=15)
    assert response, start(stack, actor, plan, **changes).text
    return response.json()


def upload(stack, actor: Actor, kind: str) -> str:
    """A scan of the actor's, uploaded through the gateway as an attachment of ``kind``."""
    from services.documents.tests import samples

    response = actor.browser.post(f"{stack.gateway}/api/documents/files", headers=csrf_header(actor.browser, stack.gateway),
                                  data={"kind": kind}, files={"file": (f"{kind}.jpg", samples.jpeg(), "image/jpeg")})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def complete(stack, world: World, actor: Actor, plan: dict, draft: dict) -> dict[str, str]:
    """Fill the draft (to a plan made by ``World.plan``) until every check of 开始检测 is met; the
    approved library entries it imported, by name."""
    base = f"/applications/applications/{draft['id']}"
    entries = {name: world.approved_entry(actor, type_, fields)["id"] for name, type_, fields in [
        ("work", "work_experience", WORK), ("work2", "work_experience", {**WORK, "unit": "福建省第二设计院"}),
        ("edu", "education", EDUCATION), ("achievement", "achievement", ACHIEVEMENT), ("paper", "paper", PAPER)]}

    def change(method: str, tail: str, body: dict) -> dict:
        app = request(stack, actor.browser, "GET", base).json()
        answer = request(stack, actor.browser, method, base + tail, version=app["version"], json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()

    change("PUT", "/profile", {"ethnicity": "汉族", "political_status": "群众", "mobile": "13800002222",
                               "work_start_date": "2010-07-01", "years_of_work": 15, "years_in_profession": 12,
                               "profession": "结构设计", "position": "无", "photo_file_id": upload(stack, actor, "photo")})
    change("PUT", "/current-titles", {"rows": [{"series": "工程", "title_name": "工程师", "level": "中级",
                                                "obtained_on": "2015-12-01"}]})
    change("PUT", "/attachments", {"items": [{"kind": k, "file_id": upload(stack, actor, k)}
                                             for k in ("id_card_front", "id_card_back", "pledge")]})
    categories = {c["name"]: c["id"] for g in plan["standard"]["groups"] for c in g["categories"]}
    for section, entry in [("work_experience", "work"), ("education", "edu"), (categories["工作经历"], "work2"),
                           (categories["取得业绩"], "achievement"), (categories["发表论文"], "paper")]:
        def imported(section=section, entry=entry) -> bool:
            app = request(stack, actor.browser, "GET", base).json()
            return request(stack, actor.browser, "POST", base + "/items", version=app["version"],
                           json={"section": section, "entry_ids": [entries[entry]]}).status_code == 200
        assert eventually(imported, timeout=20), section
    app = request(stack, actor.browser, "GET", base).json()
    education = next(s for s in app["sections"] if s["code"] == "education")["items"][0]
    change("PATCH", f"/items/{education['id']}", {"highest": True})
    return entries
