"""Each service stops in turn (a real process of the stack, started again afterwards): every page
that shows its data says which part is unavailable, and none shows empty or false content in its
place (a bound person as 未绑定, 暂无申请记录, 暂无业绩数据…)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import make_url

from shared.testing.browser import HttpBrowser
from shared.testing.fixtures import csrf_header, eventually
from shared.testing.processes import Processes, free_port
from shared.testing.tcpproxy import TcpProxy

UNIT = "停服测试设计院有限公司"
TYPE = "work_experience"


@pytest.fixture(scope="module")
def people(stack) -> dict[str, HttpBrowser]:
    unit, unit_account = stack.unit_browser(UNIT)
    person, _ = stack.person_browser("停服测试人")
    binding = person.post(f"{stack.gateway}/api/units/bindings", headers=csrf_header(person, stack.gateway),
                          json={"unit_id": unit_account["unit_id"], "note": "申请绑定本单位"}).json()
    approved = unit.post(f"{stack.gateway}/api/units/bindings/{binding['id']}/approve",
                         headers=csrf_header(unit, stack.gateway))
    assert approved.status_code == 200, approved.text
    assert eventually(lambda: UNIT in person.get(f"{stack.gateway}/home").text, timeout=10)
    browsers = {"person": person, "unit": unit, "anonymous": HttpBrowser()}
    yield browsers
    for b in browsers.values():
        b.close()


# service → the pages that show its data: (who, path, status while it is down, what must not show)
PAGES = {
    "units": [("person", "/me/unit", 503, ["未绑定", "暂无申请记录"]),
              ("person", "/home", 200, ["您尚未绑定工作单位", "暂无待处理事项"]),
              ("unit", "/unit/home", 503, ["暂无待审核的绑定申请"]),
              ("unit", "/unit/staff", 503, ["暂无已绑定的本单位人员"]),
              ("unit", "/unit/entries", 503, ["暂无待审核的业绩"])],
    "library": [("person", f"/library?type={TYPE}", 503, ["暂无"]),
                ("person", "/home", 200, ["暂无业绩数据"]),
                ("unit", "/unit/entries", 503, ["暂无待审核的业绩"])],
    "plans": [("anonymous", "/", 200, ["暂无开放的评审计划"]),
              ("person", "/home", 200, ["暂无开放的评审计划"]),
              ("person", "/plans", 503, ["暂无"])],
    "documents": [("person", "/files", 503, ["暂无附件"]),
                  ("person", "/files/picker?kind=entry_attachment", 200, []),  # what 证明材料 loads
                  ("person", f"/library/new?type={TYPE}", 200, [])],
    "identity": [("person", "/me", 503, ["—"]),
                 ("person", "/home", 503, ["未绑定"])],
}
PART = {"identity": "个人信息", "units": "单位信息", "library": "个人业绩库", "plans": "评审计划", "documents": "附件"}


def _pages_say_so(people: dict[str, HttpBrowser], gateway: str, service: str) -> None:
    unavailable = f"{PART[service]}暂时不可用"
    for who, path, status, false_content in PAGES[service]:
        def page(who=who, path=path):
            return people[who].get(f"{gateway}{path}")

        if path in ("/", "/home") and service == "plans":  # 最新计划 may be kept from before for 30 s
            assert eventually(lambda page=page: unavailable in page().text, timeout=40), path
        response = page()
        assert response.status_code == status, (path, response.status_code, response.text[:500])
        if not path.startswith("/library/new"):  # the form itself needs only library; its picker comes apart
            assert unavailable in response.text, (path, response.text[:2000])
        for text in false_content:
            assert text not in response.text, (path, text)


@pytest.mark.parametrize("service", list(PAGES))
def test_pages_say_which_part_is_unavailable_while_a_service_is_down(stack, people, service):
    pages = PAGES[service]
    for who, path, _, _ in pages:  # all well first (and the visitors' tokens fresh in the gateway)
        assert people[who].get(f"{stack.gateway}{path}").status_code == 200, (who, path)

    stack.procs.stop(service)
    try:
        _pages_say_so(people, stack.gateway, service)
    finally:
        stack.procs.start_again(service)

    for who, path, _, _ in pages:  # and back
        assert eventually(lambda who=who, path=path: people[who].get(f"{stack.gateway}{path}").status_code == 200,
                          timeout=20), (who, path)
    assert UNIT in people["person"].get(f"{stack.gateway}/me/unit").text


@pytest.mark.parametrize("service", list(PAGES))
def test_pages_say_which_part_is_unavailable_while_a_service_has_lost_its_database(stack, people, service, tmp_path):
    """The service answers, with errors (503): its error bodies are never shown as data. A second
    gateway sends the service's calls to a second instance of it whose database the test cuts."""
    database = make_url(stack.urls.databases[service])
    procs = Processes(tmp_path)
    with TcpProxy(database.host or "127.0.0.1", database.port or 5432) as proxy:
        prefix, port = service.upper(), free_port()
        instance = f"http://127.0.0.1:{port}"
        procs.start(f"{service}-dbloss", f"services.{service}", instance, {
            **stack.procs.get(service).env, f"{prefix}_PORT": str(port), f"{prefix}_RUN_WORKERS": "false",
            f"{prefix}_SEED_DEMO_DATA": "false",
            f"{prefix}_DATABASE_URL": database.set(host="127.0.0.1", port=proxy.port).render_as_string(False)})
        gateway_port = free_port()
        gateway = f"http://127.0.0.1:{gateway_port}"
        procs.start("gateway-dbloss", "gateway", gateway, {
            **stack.procs.get("gateway").env, "GATEWAY_PORT": str(gateway_port), "GATEWAY_PUBLIC_URL": gateway,
            "GATEWAY_SERVICES": json.dumps({**stack.urls.services, service: instance}), "GATEWAY_METRICS_PORT": "0"})
        try:
            # The visitors' tokens in this gateway; not the lists kept for 30 s (最新计划 by the gateway,
            # the plan list by plans), which would show what they kept before the cut.
            for who, path, _, _ in PAGES[service]:
                if path not in ("/", "/home", "/plans"):
                    assert people[who].get(f"{gateway}{path}").status_code == 200, (who, path)
            proxy.cut()
            _pages_say_so(people, gateway, service)
        finally:
            procs.stop_all()
