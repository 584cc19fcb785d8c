"""The cast of the platform-wide API tests, each logged in through the gateway: an applicant bound
to unit A (with library entries), another applicant, unit A's and unit B's legal-person accounts,
and an operator who administers a plan organiser."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

import pytest

from services.library.tests.test_entries import EDUCATION
from services.plans.tests.people import Actor, add_admin, call, person
from shared.testing.browser import HttpBrowser
from shared.testing.fixtures import csrf_header, eventually


@dataclass
class Cast:
    applicant: Actor  # bound to unit A
    other: Actor  # another registered person, bound to unit B
    unit_a: Actor  # unit A's legal-person account (person_id: its unit id)
    unit_b: Actor
    admin: Actor  # operator and plan_admin of organizer
    organizer: dict
    admin_b: Actor  # plan_admin of organizer_b only
    organizer_b: dict
    anonymous: HttpBrowser

    def everyone(self) -> dict[str, HttpBrowser]:
        return {"applicant": self.applicant.browser, "other": self.other.browser, "unit_a": self.unit_a.browser,
                "unit_b": self.unit_b.browser, "admin": self.admin.browser, "admin_b": self.admin_b.browser,
                "anonymous": self.anonymous}


def unit(stack, name: str) -> Actor:
    browser, account = stack.unit_browser(name)
    # Usable once identity heard of the registration and the token lists the unit.
    assert eventually(lambda: browser.get(f"{stack.gateway}/api/library/review-queue",
                                          params={"unit_id": account["unit_id"]}).status_code == 200, timeout=10)
    return Actor(browser, account, account["unit_id"])


def bound(stack, unit_: Actor, name: str) -> Actor:
    """A registered person whose binding to the unit was approved (and whose token says so)."""
    browser, account = stack.person_browser(name)
    binding = browser.post(f"{stack.gateway}/api/units/bindings", headers=csrf_header(browser, stack.gateway),
                           json={"unit_id": unit_.person_id, "note": "申请绑定本单位"}).json()
    approved = unit_.browser.post(f"{stack.gateway}/api/units/bindings/{binding['id']}/approve",
                                  headers=csrf_header(unit_.browser, stack.gateway))
    assert approved.status_code == 200, approved.text
    assert eventually(lambda: browser.get(f"{stack.gateway}/api/identity/me").json().get("unit_id") == unit_.person_id,
                      timeout=10)
    return Actor(browser, account, browser.get(f"{stack.gateway}/api/identity/me").json()["id"])


@pytest.fixture(scope="session")
def cast(stack) -> Cast:
    suffix = secrets.token_hex(3)
    unit_a, unit_b = unit(stack, f"福建省甲测试研究院{suffix}"), unit(stack, f"福建省乙测试研究院{suffix}")
    applicant, other = bound(stack, unit_a, "甲申报人"), bound(stack, unit_b, "乙申报人")
    admin, admin_b = person(stack, "平台运维", "operator", "plan_admin"), person(stack, "乙方计划管理", "plan_admin")
    organizers = []
    for name, who in ((f"测试组建单位甲{suffix}", admin), (f"测试组建单位乙{suffix}", admin_b)):
        created = call(stack, admin, "POST", "/organizers", json={"name": name})
        assert created.status_code == 201, created.text
        assert add_admin(stack, admin, created.json()["id"], who.person_id)
        organizers.append(created.json())
    # One entry of the applicant's waiting in unit A's queue, so that every list has something in it.
    entry = applicant.browser.post(f"{stack.gateway}/api/library/entries", json={"type": "education", "fields": EDUCATION},
                                   headers=csrf_header(applicant.browser, stack.gateway)).json()
    applicant.browser.post(f"{stack.gateway}/api/library/entries/{entry['id']}/submit",
                           headers=csrf_header(applicant.browser, stack.gateway))
    return Cast(applicant, other, unit_a, unit_b, admin, organizers[0], admin_b, organizers[1], HttpBrowser())
