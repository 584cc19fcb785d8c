"""The cast of the plans tests: an operator who also administers organiser A, an administrator
of organiser B, and an applicant, each logged in through the gateway."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

import pytest

from services.plans.tests.people import Actor, add_admin, call, person


@dataclass
class Cast:
    operator: Actor  # operator and plan_admin; administers organiser A
    admin_b: Actor  # plan_admin of organiser B
    applicant: Actor
    organizer_a: dict
    organizer_b: dict


@pytest.fixture(scope="session")
def cast(stack) -> Cast:
    operator = person(stack, "计划运维", "operator", "plan_admin")
    admin_b = person(stack, "乙方管理", "plan_admin")
    applicant = person(stack, "申报人员")
    suffix = secrets.token_hex(3)
    organizers = []
    for name in (f"测试组建单位甲{suffix}", f"测试组建单位乙{suffix}"):
        created = call(stack, operator, "POST", "/organizers", json={"name": name})
        assert created.status_code == 201, created.text
        organizers.append(created.json())
    assert add_admin(stack, operator, organizers[0]["id"], operator.person_id)
    assert add_admin(stack, operator, organizers[1]["id"], admin_b.person_id)
    return Cast(operator, admin_b, applicant, *organizers)
