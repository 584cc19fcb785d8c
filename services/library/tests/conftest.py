"""What the library tests share: a registered unit whose account reviews its staff's entries."""
from __future__ import annotations

import pytest

from shared.testing.fixtures import eventually


@pytest.fixture(scope="module")
def unit_with_staff(stack):
    unit, unit_account = stack.unit_browser("福建省业绩测试研究院")

    # The account's token lists its unit once identity heard of the registration (and told the
    # gateway to drop the token it had).
    assert eventually(lambda: unit.get(f"{stack.gateway}/api/library/review-queue", params={"unit_id": unit_account["unit_id"]})
                      .status_code == 200, timeout=5)
    return unit, unit_account
