"""Stable ids of demo records, so that each service's seed can refer to another's (the seeds
run in different processes against different databases)."""
from __future__ import annotations

import uuid

_NS = uuid.uuid5(uuid.NAMESPACE_DNS, "demo.zc-platform")


def person_id(id_number: str) -> uuid.UUID:
    return uuid.uuid5(_NS, f"person:{id_number}")


def unit_account_id(credit_code: str) -> uuid.UUID:
    return uuid.uuid5(_NS, f"unit-account:{credit_code}")


def unit_id(credit_code: str) -> uuid.UUID:
    return uuid.uuid5(_NS, f"unit:{credit_code}")
