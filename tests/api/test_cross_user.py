"""Cross-user probes of every route that takes an id, generated from the services' OpenAPI.

For each such route a probe in ``PROBES`` says whose resource it is and how that person makes
one. Then another person, a unit account of another unit and an anonymous visitor (and, for
plans, the administrator of another organiser) call the route on it: each gets 401, 403 or 404,
and what the owner sees of the resource is the same afterwards. A route added without a probe
fails ``test_every_id_route_has_a_probe``: add one here."""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from deploy.topology import SERVICES
from services.documents.tests import samples
from services.library.tests.test_entries import EDUCATION
from services.plans.tests.factories import plan
from shared.testing.fixtures import csrf_header, eventually

REFUSED = {401, 403, 404}
INTRUDERS = ("other", "unit_b", "anonymous")


@dataclass
class World:
    stack: object
    cast: object

    def call(self, who: str, method: str, path: str, **kwargs) -> httpx.Response:
        browser = self.cast.everyone()[who]
        return browser.request(method, f"{self.stack.gateway}{path}",
                               headers={**csrf_header(browser, self.stack.gateway), **kwargs.pop("headers", {})},
                               **kwargs)

    def made(self, who: str, method: str, path: str, status: int = 201, **kwargs) -> dict:
        response = self.call(who, method, path, **kwargs)
        assert response.status_code == status, (path, response.text)
        return response.json()

    # What the owners make. Resources no probe can change are made once and shared.
    def file(self, who: str = "applicant") -> str:
        body, ctype = samples.multipart({"kind": "photo"}, b"scan.jpg", samples.jpeg(200, 150), "image/jpeg")
        return self.made(who, "POST", "/api/documents/files", content=body, headers={"content-type": ctype})["id"]

    def link(self) -> str:
        return self.made("applicant", "POST", f"/api/documents/files/{self.file()}/link", 200)["url"].rsplit("/", 1)[-1]

    def entry(self, submitted: bool = False) -> str:
        entry = self.made("applicant", "POST", "/api/library/entries", json={"type": "education", "fields": EDUCATION})
        if submitted:
            self.made("applicant", "POST", f"/api/library/entries/{entry['id']}/submit", 200)
        return entry["id"]

    @functools.cached_property
    def newcomer(self) -> tuple[object, dict]:
        """A person whose binding request waits at unit A (reviewed by unit A, nobody else)."""
        browser, account = self.stack.person_browser("丙申请人")
        binding = browser.post(f"{self.stack.gateway}/api/units/bindings", headers=csrf_header(browser, self.stack.gateway),
                               json={"unit_id": self.cast.unit_a.person_id, "note": "申请绑定本单位"})
        assert binding.status_code == 201, binding.text
        return browser, {**account, "binding_id": binding.json()["id"]}

    @functools.cached_property
    def approved_binding(self) -> str:
        mine = self.made("applicant", "GET", "/api/units/bindings/mine", 200)
        return mine["current"]["id"]

    @functools.cached_property
    def department_staff(self) -> dict[str, str]:
        """The operator named another person staff of a department of its own (once units heard of them)."""
        body = {"person_id": self.cast.applicant.person_id}
        assert eventually(lambda: self.call("admin", "POST", DEPARTMENT_STAFF.format(code="FJ-GZW"), json=body)
                          .status_code in (201, 409), timeout=15)
        return {"code": "FJ-GZW", "person_id": self.cast.applicant.person_id}

    @functools.cached_property
    def staff(self) -> str:
        """A 经办人 unit A named (their person id)."""
        _, account = self.stack.person_browser("甲经办人")
        return self.made("unit_a", "POST", f"/api/units/units/{self.cast.unit_a.person_id}/reviewers",
                         json={"id_number": account["id_number"]})["person_id"]

    def plan(self) -> str:
        return self.made("admin", "POST", "/api/plans/plans", json={**plan(), "organizer_id": self.cast.organizer["id"]})["id"]

    def published_plan(self) -> str:
        plan_id = self.plan()
        self.made("admin", "POST", f"/api/plans/plans/{plan_id}/publish", 200)
        return plan_id

    def assigned_stage(self, publish: bool = False) -> dict[str, str]:
        """A plan's 评委会 stage at which the applicant decides (named by the plan's administrator)."""
        plan_id = self.published_plan() if publish else self.plan()
        stages = self.made("admin", "GET", f"/api/plans/plans/{plan_id}", 200)["stages"]
        stage_id = next(s["id"] for s in stages if s["party"] == "committee")
        person_id = self.cast.applicant.person_id
        path = f"/api/plans/plans/{plan_id}/stages/{stage_id}/assignees"
        # Once plans has heard of the applicant's registration (an event).
        assert eventually(lambda: self.call("admin", "POST", path, json={"person_id": person_id}).status_code == 201)
        return {"plan_id": plan_id, "stage_id": stage_id, "person_id": person_id}

    def plan_with_attachment(self) -> tuple[str, str]:
        plan_id, file_id = self.plan(), self.file("admin")
        self.made("admin", "POST", f"/api/plans/plans/{plan_id}/attachments", json={"file_id": file_id, "name": "通知"})
        return plan_id, file_id

    @functools.cached_property
    def draft(self) -> dict[str, str]:
        """The applicant's draft (to a plan of a year of its own) with one imported library entry."""
        plan_id = self.made("admin", "POST", "/api/plans/plans",
                            json={**plan(year=2090), "organizer_id": self.cast.organizer["id"]})["id"]
        self.made("admin", "POST", f"/api/plans/plans/{plan_id}/publish", 200)
        entry_id = self.entry(submitted=True)
        self.made("unit_a", "POST", f"/api/library/entries/{entry_id}/approve", 200)
        start = {"plan_id": plan_id, "form": "regular", "major": "建筑工程", "title": "高级工程师", "confirmed": True,
                 "pledged": True}
        draft = eventually(lambda: (r := self.call("applicant", "POST", APPLICATIONS, json=start)).status_code == 201
                           and r.json(), timeout=20)
        assert draft, "applications never heard of the plan or the binding"
        body = {"section": "education", "entry_ids": [entry_id]}
        imported = eventually(lambda: (r := self.call("applicant", "POST", f"{APPLICATIONS}/{draft['id']}/items",
                                                      json=body, headers={"If-Match": '"1"'})).status_code == 200
                              and r.json(), timeout=20)
        assert imported, "applications never heard of the approved entry"
        item = next(s for s in imported["sections"] if s["code"] == "education")["items"][0]
        return {"application_id": draft["id"], "item_id": item["id"]}

    @functools.cached_property
    def certificate(self) -> dict[str, str]:
        """The applicant's 电子职称证书: an application to a plan of a year of its own, passed by unit A
        after its 单位申报公示 and then by the administrator, whom the plan names at its 评委会 stage,
        and issued after the organiser's 评审结果公示 — to which another person objected (不成立)."""
        from services.applications.tests.test_review import assign, decide, submit
        from services.applications.tests.world import NOTICE_DAY, complete, publish_notice, started
        from services.applications.tests.world import World as Applying

        cast = self.cast
        applying = Applying(self.stack, cast.admin, cast.organizer["id"], cast.unit_a.browser, cast.unit_a.account)
        plan_ = applying.plan(year=2091)
        draft = started(self.stack, cast.applicant, plan_)
        complete(self.stack, applying, cast.applicant, plan_, draft)
        app = submit(self.stack, cast.applicant, draft["id"])
        publish_notice(self.stack, cast.unit_a.browser, plan_)
        assert decide(self.stack, cast.unit_a.browser, app["id"], app["version"]).status_code == 200
        assign(self.stack, applying, plan_, "评委会评审", cast.admin)
        assert eventually(lambda: decide(self.stack, cast.admin, app["id"], app["version"] + 1).status_code == 200,
                          timeout=20), "the administrator never became the 评委会 stage's decider"
        result_notice = publish_notice(self.stack, cast.admin.browser, plan_, "result")
        with self.stack.on(NOTICE_DAY):
            entry = self.made("anonymous", "GET", f"/api/applications/public/notices/{result_notice['id']}",
                              200)["entries"][0]["id"]
            objection = self.made("other", "POST", f"/api/applications/notices/{result_notice['id']}/objections",
                                  json={"entry_id": entry, "reason": "学历存疑", "file_ids": [self.file("other")]})
        self.made("admin", "POST", f"/api/applications/objections/{objection['id']}/resolution", 200,
                  json={"sustained": False, "note": "经核实学历真实"})
        assert self.made("admin", "POST", f"/api/applications/notices/{result_notice['id']}/certificates",
                         200)["done"] == [app["id"]]
        [issued] = self.made("applicant", "GET", "/api/applications/certificates", 200)
        return {"certificate_id": issued["id"], "number": issued["number"],
                "notice_id": result_notice["id"], "objection_id": objection["id"]}

    @functools.cached_property
    def expert(self) -> dict[str, str]:
        """The other person in the pool of the administrator's organiser (评委专家库)."""
        organizer_id, other = self.cast.organizer["id"], self.cast.other
        row = f"{other.account['name']},{other.account['id_number']},工程,建筑工程,正高级,"  # unit: their binding
        path = f"/api/applications/organizers/{organizer_id}/experts"
        # Once applications heard of the binding (an event).
        assert eventually(lambda: self.call("admin", "POST", path + "/import", files={"file": (
            "专家.csv", f"姓名,身份证号,系列,专业,职称级别,工作单位\n{row}\n".encode(), "text/csv")}).json().get("added")
            == 1, timeout=20)
        [expert] = self.made("admin", "GET", path, 200)
        return {"organizer_id": organizer_id, "expert_id": expert["id"]}

    @functools.cached_property
    def committee_plan(self) -> dict[str, str]:
        """A published plan of the administrator's, once applications heard of it (专家遴选)."""
        plan_id = self.published_plan()
        assert eventually(lambda: self.call("admin", "GET", f"/api/applications/committees/{plan_id}").status_code
                          == 200, timeout=20)
        return {"plan_id": plan_id}

    @functools.cached_property
    def integrity_record(self) -> dict[str, str]:
        _, account = self.newcomer
        record = self.made("admin", "POST", "/api/identity/integrity-records",
                           json={"id_number": account["id_number"], "reason": "材料造假", "ban_from": "2026-01-01",
                                 "ban_until": "2026-12-31"})
        return {"record_id": record["id"], "person_id": record["person_id"]}


@dataclass
class Probe:
    owner: str  # who owns the resource (and reads it before and after)
    make: Callable[[World], dict[str, str]]  # the path parameters of a resource of the owner's
    read: str  # what the owner reads to see that nothing changed (a template over the same parameters)
    body: dict | None = None  # a valid body: a refusal must come from the permission check, not validation
    intruders: tuple[str, ...] = INTRUDERS
    seen_publicly: Callable[[dict], bool] | None = None  # by design, logged-in others may see this much
    public: bool = False  # … and so may anonymous visitors (证书查验)
    capability: bool = False  # the id is itself the permission (a signed link): forged ones are refused
    files: dict | None = None  # a valid multipart body instead of ``body``


def _newcomer_binding(w: World) -> dict[str, str]:
    return {"binding_id": w.newcomer[1]["binding_id"]}


UNIT = "/api/units/units/{unit_id}"
ENTRY = "/api/library/entries/{entry_id}"
FILE = "/api/documents/files/{file_id}"
PLAN = "/api/plans/plans/{plan_id}"
APPLICATIONS = "/api/applications/applications"
APPLICATION = APPLICATIONS + "/{application_id}"
CERTIFICATE = "/api/applications/certificates/{certificate_id}"
NOTICE = "/api/applications/notices/{notice_id}"
ADMINS = "/api/plans/organizers/{organizer_id}/admins"
DEPARTMENT_STAFF = "/api/units/departments/{code}/staff"
ASSIGNEES = PLAN + "/stages/{stage_id}/assignees"
EXPERTS = "/api/applications/organizers/{organizer_id}/experts"
COMMITTEE = "/api/applications/committees/{plan_id}"
PLAN_INTRUDERS = (*INTRUDERS, "admin_b")
REASON = {"reason": "经核实信息不符"}
UNIT_A = lambda w: {"unit_id": w.cast.unit_a.person_id}  # noqa: E731
ORGANIZER = lambda w: {"organizer_id": w.cast.organizer["id"]}  # noqa: E731


def _unit_brief(body: dict) -> bool:
    return set(body) <= {"id", "name", "address", "department_name"}


def _public_notice(body: dict) -> bool:
    """A 公示 shows anyone its period and, of each applicant, name, unit, title and major only."""
    return set(body) == {"id", "kind", "kind_label", "plan_name", "publisher_name", "start_date", "end_date",
                         "workdays", "published_at", "state", "state_label", "count", "entries"} and all(
        set(e) == {"id", "name", "unit_name", "title", "level_name", "major"} for e in body["entries"])


def _verification(body: dict) -> bool:
    """证书查验 answers anyone whether a number is genuine, with these fields only (no 身份证号, no ids)."""
    return set(body) == {"genuine", "name", "title", "major", "level", "obtained_on", "committee"}


PROBES: dict[tuple[str, str], Probe] = {
    # identity
    ("POST", "/api/identity/integrity-records/{record_id}/revoke"): Probe(
        "admin", lambda w: w.integrity_record, "/api/identity/integrity-records?person_id={person_id}"),
    # units
    ("GET", UNIT): Probe("unit_a", UNIT_A, UNIT, seen_publicly=_unit_brief),
    ("PUT", UNIT): Probe("unit_a", UNIT_A, UNIT, body={"address": "厦门市思明区入侵路 9 号", "contact_name": "入侵者",
                                                       "contact_phone": "0592-6666666", "department_code": "FJ-RSW"}),
    ("GET", UNIT + "/reviewers"): Probe("unit_a", UNIT_A, UNIT + "/reviewers"),
    ("POST", UNIT + "/reviewers"): Probe("unit_a", UNIT_A, UNIT + "/reviewers", body={"id_number": "{other_id_number}"}),
    ("DELETE", UNIT + "/reviewers/{person_id}"): Probe(
        "unit_a", lambda w: {**UNIT_A(w), "person_id": w.staff}, UNIT + "/reviewers"),
    # 主管部门 staff: the operator's (the intruders include a plan administrator without the operator role)
    ("GET", DEPARTMENT_STAFF): Probe("admin", lambda w: w.department_staff, DEPARTMENT_STAFF, intruders=PLAN_INTRUDERS),
    ("POST", DEPARTMENT_STAFF): Probe("admin", lambda w: w.department_staff, DEPARTMENT_STAFF, intruders=PLAN_INTRUDERS,
                                      body={"person_id": "{self_id}"}),
    ("DELETE", DEPARTMENT_STAFF + "/{person_id}"): Probe(
        "admin", lambda w: w.department_staff, DEPARTMENT_STAFF, intruders=PLAN_INTRUDERS),
    ("GET", "/api/units/bindings/{binding_id}"): Probe("unit_a", _newcomer_binding, "/api/units/bindings/{binding_id}"),
    ("POST", "/api/units/bindings/{binding_id}/approve"): Probe(
        "unit_a", _newcomer_binding, "/api/units/bindings/{binding_id}"),
    ("POST", "/api/units/bindings/{binding_id}/reject"): Probe(
        "unit_a", _newcomer_binding, "/api/units/bindings/{binding_id}", body=REASON),
    ("POST", "/api/units/bindings/{binding_id}/withdraw"): Probe(
        "unit_a", _newcomer_binding, "/api/units/bindings/{binding_id}"),
    ("POST", "/api/units/bindings/{binding_id}/end"): Probe(
        "applicant", lambda w: {"binding_id": w.approved_binding}, "/api/units/bindings/{binding_id}", body=REASON),
    # library
    ("GET", ENTRY): Probe("applicant", lambda w: {"entry_id": w.entry()}, ENTRY),
    ("PUT", ENTRY): Probe("applicant", lambda w: {"entry_id": w.entry()}, ENTRY,
                          body={"fields": {**EDUCATION, "school": "入侵大学"}}),
    ("DELETE", ENTRY): Probe("applicant", lambda w: {"entry_id": w.entry()}, ENTRY),
    ("POST", ENTRY + "/submit"): Probe("applicant", lambda w: {"entry_id": w.entry()}, ENTRY),
    ("POST", ENTRY + "/withdraw"): Probe("applicant", lambda w: {"entry_id": w.entry(submitted=True)}, ENTRY),
    ("POST", ENTRY + "/approve"): Probe("applicant", lambda w: {"entry_id": w.entry(submitted=True)}, ENTRY),
    ("POST", ENTRY + "/return"): Probe("applicant", lambda w: {"entry_id": w.entry(submitted=True)}, ENTRY,
                                       body=REASON),
    # plans
    ("GET", PLAN): Probe("admin", lambda w: {"plan_id": w.plan()}, PLAN, intruders=PLAN_INTRUDERS),
    ("PUT", PLAN): Probe("admin", lambda w: {"plan_id": w.plan()}, PLAN, intruders=PLAN_INTRUDERS,
                         body={**plan(), "organizer_id": "{organizer_id}", "name": "入侵者改过的计划"}),
    ("DELETE", PLAN): Probe("admin", lambda w: {"plan_id": w.plan()}, PLAN, intruders=PLAN_INTRUDERS),
    ("POST", PLAN + "/publish"): Probe("admin", lambda w: {"plan_id": w.plan()}, PLAN, intruders=PLAN_INTRUDERS),
    ("POST", PLAN + "/close"): Probe("admin", lambda w: {"plan_id": w.published_plan()}, PLAN,
                                    intruders=PLAN_INTRUDERS),
    ("POST", PLAN + "/attachments"): Probe("admin", lambda w: {"plan_id": w.plan()}, PLAN, intruders=PLAN_INTRUDERS,
                                           body={"file_id": "{intruder_file}", "name": "入侵附件"}),
    ("DELETE", PLAN + "/attachments/{file_id}"): Probe(
        "admin", lambda w: dict(zip(("plan_id", "file_id"), w.plan_with_attachment(), strict=True)), PLAN,
        intruders=PLAN_INTRUDERS),
    # a published plan (another organiser's administrator is refused, 403) and a draft (404 to them)
    ("GET", ASSIGNEES): Probe("admin", lambda w: w.assigned_stage(publish=True), ASSIGNEES, intruders=PLAN_INTRUDERS),
    ("POST", ASSIGNEES): Probe("admin", lambda w: w.assigned_stage(publish=True), ASSIGNEES, intruders=PLAN_INTRUDERS,
                               body={"person_id": "{self_id}"}),
    ("DELETE", ASSIGNEES + "/{person_id}"): Probe("admin", lambda w: w.assigned_stage(), ASSIGNEES,
                                                  intruders=PLAN_INTRUDERS),
    ("GET", ADMINS): Probe("admin", ORGANIZER, ADMINS, intruders=PLAN_INTRUDERS),
    ("POST", ADMINS): Probe("admin", ORGANIZER, ADMINS, intruders=PLAN_INTRUDERS, body={"person_id": "{self_id}"}),
    ("DELETE", ADMINS + "/{person_id}"): Probe(
        "admin", lambda w: {**ORGANIZER(w), "person_id": w.cast.admin.person_id}, ADMINS, intruders=PLAN_INTRUDERS),
    # applications: one shared draft (refused intruders change nothing, so nothing is used up)
    **{(method, APPLICATION + tail): Probe("applicant", lambda w: w.draft, APPLICATION, body=body) for method, tail, body in [
        ("GET", "", None), ("DELETE", "", None), ("PUT", "/major", {"major": "电子信息"}),
        ("PUT", "/profile", {"ethnicity": "入侵"}), ("PUT", "/teacher-profile", {}),
        ("PUT", "/current-titles", {"rows": [{"title_name": "入侵职称"}]}),
        ("PUT", "/current-appointments", {"rows": [{"title_name": "入侵职称"}]}),
        ("PUT", "/attachments", {"items": []}), ("PUT", "/extra", {"reason": "入侵"}), ("POST", "/checks", None), ("POST", "/submit", None),
        ("GET", "/importable", None), ("POST", "/items", {"section": "education", "entry_ids": ["{item_id}"]}),
        ("PATCH", "/items/{item_id}", {"highest": True}), ("POST", "/items/{item_id}/move", {"direction": "up"}),
        ("DELETE", "/items/{item_id}", None),
        ("POST", "/current-titles/from-certificates", {"certificate_ids": ["{item_id}"]})]},
    # applications' review routes: nobody outside the stage's scope finds the application (the draft
    # stands in; that deciders in scope do is tested in services/applications/tests/test_review.py)
    **{(method, "/api/applications/reviews/{application_id}" + tail): Probe(
        "applicant", lambda w: w.draft, APPLICATION, body=body) for method, tail, body in [
        ("GET", "", None), ("GET", "/files", None), ("GET", "/documents", None),
        ("POST", "/decision", {"version": 1, "outcome": "pass"})]},
    # 免面试 and 准考证: the applicant's own (the shared draft); the organisers' side, where nobody but the
    # plan's organiser's administrators finds the application (in scope: services/applications/tests/test_interviews.py)
    **{(method, APPLICATION + tail): Probe("applicant", lambda w: w.draft, APPLICATION, body=body) for method, tail, body in [
        ("GET", "/exemption", None), ("POST", "/exemption", {"reason": "入侵", "file_ids": []}),
        ("GET", "/interview", None), ("GET", "/documents", None)]},
    **{(method, "/api/applications/exemptions/{application_id}" + tail): Probe(
        "applicant", lambda w: w.draft, APPLICATION, body=body, intruders=PLAN_INTRUDERS) for method, tail, body in [
        ("GET", "", None), ("GET", "/files", None), ("POST", "/decision", {"granted": False, "reason": "入侵"})]},
    # applications' certificates: the holder's own (我的职称); 证书查验 is public by design, field by field
    ("GET", CERTIFICATE): Probe("applicant", lambda w: w.certificate, CERTIFICATE),
    ("GET", "/api/applications/verify/{number}"): Probe("applicant", lambda w: w.certificate, CERTIFICATE,
                                                         seen_publicly=_verification, public=True),
    # the committee: 评委专家库 and 专家遴选 are the organiser's administrators' (in scope:
    # services/applications/tests/test_committee.py); 评审表决 finds no application for anyone not
    # assigned to it (the draft stands in)
    ("GET", EXPERTS): Probe("admin", ORGANIZER, EXPERTS, intruders=PLAN_INTRUDERS),
    ("POST", EXPERTS + "/import"): Probe("admin", ORGANIZER, EXPERTS, intruders=PLAN_INTRUDERS, files={"file": (
        "专家.csv", "姓名,身份证号,系列,专业,职称级别\n入侵,350102198503120317,工程,建筑工程,正高级\n".encode(), "text/csv")}),
    ("PATCH", EXPERTS + "/{expert_id}"): Probe("admin", lambda w: w.expert, EXPERTS, intruders=PLAN_INTRUDERS,
                                               body={"active": False}),
    **{(method, COMMITTEE + tail): Probe("admin", lambda w: w.committee_plan, COMMITTEE, intruders=PLAN_INTRUDERS,
                                         body=body) for method, tail, body in [
        ("GET", "", None), ("POST", "/close", None),
        ("POST", "/draw", {"panel_size": 3, "reserve_count": 0, "deadline": "2030-01-01T09:00:00"})]},
    **{(method, "/api/applications/votes/{application_id}" + tail): Probe(
        "applicant", lambda w: w.draft, APPLICATION, body=body) for method, tail, body in [
        ("GET", "", None), ("GET", "/files", None), ("PUT", "", {"choice": "agree", "opinion": "入侵"})]},
    # 公示 and 异议: public by design (field by field); the rest only for whoever published the notice —
    # here the organiser's administrator (an objection names an entry of the notice: another's id finds nothing)
    ("GET", "/api/applications/public/notices/{notice_id}"): Probe(
        "admin", lambda w: w.certificate, NOTICE, seen_publicly=_public_notice, public=True),
    **{(method, route): Probe("admin", lambda w: w.certificate, read, body=body, intruders=PLAN_INTRUDERS)
       for method, route, read, body in [
        ("GET", NOTICE, NOTICE, None), ("GET", NOTICE + "/objections", NOTICE, None),
        ("POST", NOTICE + "/objections", NOTICE, {"entry_id": "{self_id}", "reason": "入侵", "file_ids": []}),
        ("POST", NOTICE + "/certificates", NOTICE, None),
        ("GET", "/api/applications/objections/{objection_id}/files", NOTICE + "/objections", None),
        ("POST", "/api/applications/objections/{objection_id}/resolution", NOTICE + "/objections",
         {"sustained": True, "note": "入侵"})]},
    # documents
    ("GET", FILE): Probe("applicant", lambda w: {"file_id": w.file()}, FILE),
    ("PATCH", FILE): Probe("applicant", lambda w: {"file_id": w.file()}, FILE, body={"display_name": "入侵.jpg"}),
    ("DELETE", FILE): Probe("applicant", lambda w: {"file_id": w.file()}, FILE),
    ("GET", FILE + "/content"): Probe("applicant", lambda w: {"file_id": w.file()}, FILE),
    ("GET", FILE + "/thumbnail"): Probe("applicant", lambda w: {"file_id": w.file()}, FILE),
    ("POST", FILE + "/link"): Probe("applicant", lambda w: {"file_id": w.file()}, FILE),
    **{("GET", "/api/documents/links/{token}" + tail): Probe("applicant", lambda w: {"token": w.link()},
                                                          "/api/documents/files", capability=True)
       for tail in ("", "/thumbnail")},
    # generated PDFs: a signed link of their own (a file's token, or a forged one, opens nothing)
    ("GET", "/api/documents/generated/{token}"): Probe("applicant", lambda w: {"token": w.link()},
                                                       "/api/documents/files", capability=True),
}


def id_routes(stack) -> set[tuple[str, str]]:
    found = set()
    for service in SERVICES:
        spec = httpx.get(f"{stack.urls.services[service.name]}/openapi.json", timeout=10).json()
        for path, operations in spec["paths"].items():
            if path.startswith("/api/") and "{" in path:
                found |= {(method.upper(), path) for method in operations}
    return found


def test_every_id_route_has_a_probe(stack):
    routes = id_routes(stack)
    missing = sorted(routes - PROBES.keys())
    assert not missing, ("routes with an id and no cross-user probe — add one to PROBES in "
                         "tests/api/test_cross_user.py (who owns the resource and how they make one):\n"
                         + "\n".join(f"  {m} {p}" for m, p in missing))
    assert not PROBES.keys() - routes, f"probes of routes that no longer exist: {sorted(PROBES.keys() - routes)}"


@pytest.fixture(scope="module")
def world(stack, cast) -> World:
    return World(stack, cast)


def _fill(value, values: dict[str, str]):
    if isinstance(value, str):
        return value.format(**values) if "{" in value else value
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


@pytest.mark.parametrize(("method", "route"), sorted(PROBES), ids=[f"{m} {r}" for m, r in sorted(PROBES)])
def test_others_are_refused_and_nothing_changes(world, method, route):
    probe = PROBES[(method, route)]
    params = probe.make(world)
    values = {**params, "organizer_id": world.cast.organizer["id"],
              "other_id_number": world.cast.other.account["id_number"]}
    before = world.call(probe.owner, "GET", _fill(probe.read, values))
    assert before.status_code == 200, before.text
    for intruder in probe.intruders:
        # What an intruder would put in a body: themselves, their own file.
        mine = {"self_id": _person_id(world, intruder),
                "intruder_file": world.file(intruder) if intruder in ("other", "admin_b") else _person_id(world, "-")}
        path = _fill(route, {**values, **params, **(_forged(params["token"]) if probe.capability else {})})
        kwargs = {"json": _fill(probe.body, {**values, **mine})} if probe.body is not None else {}
        if probe.files is not None:
            kwargs["files"] = probe.files
        response = world.call(intruder, method, path, **kwargs)
        if probe.seen_publicly and (intruder != "anonymous" or probe.public) and response.status_code == 200:
            assert probe.seen_publicly(response.json()), (intruder, response.text)
        else:
            assert response.status_code in REFUSED, (intruder, method, path, response.status_code, response.text[:300])
    after = world.call(probe.owner, "GET", _fill(probe.read, values))
    assert after.status_code == 200 and after.json() == before.json(), (before.text, after.text)


def _forged(token: str) -> dict[str, str]:
    """The token with another signature."""
    return {"token": token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")}


def _person_id(world: World, who: str) -> str:
    actor = {"other": world.cast.other, "admin_b": world.cast.admin_b, "unit_b": world.cast.unit_b}.get(who)
    return actor.person_id if actor else "00000000-0000-0000-0000-000000000000"
