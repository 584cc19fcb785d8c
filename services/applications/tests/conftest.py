import pytest

from services.applications.tests.world import World, make_world


@pytest.fixture(scope="session")
def world(stack) -> World:
    return make_world(stack)
