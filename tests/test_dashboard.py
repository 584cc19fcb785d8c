"""deploy/grafana/deadline-day.json parses, every panel queries Prometheus, and every metric its
PromQL names is one the code exports (a renamed metric must not leave a silently empty panel)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

import services.documents.pdfs.render  # noqa: F401  (registers zc_pdf_render_seconds)
from shared.metrics import instrument

DASHBOARD = Path(__file__).resolve().parents[1] / "deploy" / "grafana" / "deadline-day.json"
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless"}


def exported() -> set[str]:
    """The sample names of every metric this code registers, the HTTP ones included. Synchronous
    (TestClient runs the app in a thread of its own): the browser tests before this file leave an
    event loop running in the main thread."""
    app = FastAPI()
    app.get("/x")(lambda: {})
    instrument(app, "dashboard-test", expose=False)

    with TestClient(app) as client:
        client.get("/x")  # builds the middleware stack, which registers the HTTP metrics
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"], "gauge": [""],
                "summary": ["_count", "_sum", ""]}
    return {family.name + s for family in REGISTRY.collect() for s in suffixes.get(family.type, [""])}


def metric_names(expr: str) -> set[str]:
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)  # strings
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)  # label lists
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", expr):
        following = expr[match.end():].lstrip()[:1]
        if following != "(" and match.group() not in KEYWORDS:  # a function is followed by its arguments
            names.add(match.group())
    return names


def panels() -> list[dict]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [p for p in dashboard["panels"] if p["type"] != "row"]


def test_the_dashboard_parses_and_every_panel_queries_prometheus():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    titles = " ".join(p["title"] for p in panels())
    for topic in ("Requests/s", "Error rate", "p50", "p95", "p99", "Outbox backlog", "oldest", "Consumer lag",
                  "Dead letters", "PDF render time"):
        assert topic in titles, topic
    for panel in panels():
        assert panel["datasource"]["type"] == "prometheus" and panel["targets"], panel["title"]
        assert all(t["expr"].strip() and t["datasource"]["type"] == "prometheus" for t in panel["targets"])


def test_every_metric_the_dashboard_queries_is_exported():
    known = exported()
    assert "zc_outbox_backlog" in known and "http_requests_total" in known  # the inventory itself works
    for panel in panels():
        for target in panel["targets"]:
            names = metric_names(target["expr"])
            assert names, target["expr"]
            assert names <= known, f"{panel['title']}: {sorted(names - known)} not exported"


def test_the_metric_name_finder_finds_names_and_skips_functions_labels_and_keywords():
    expr = 'histogram_quantile(0.95, sum by (service, le) (rate(a_b_bucket{x="y{z}"}[5m]))) / on(x) c_total'
    assert metric_names(expr) == {"a_b_bucket", "c_total"}
    assert "zc_renamed" not in exported()


def test_prometheus_in_compose_scrapes_every_service_and_the_gateways_private_port():
    import yaml

    from deploy.topology import METRICS_PORT, SERVICES

    config = yaml.safe_load((DASHBOARD.parents[1] / "prometheus" / "prometheus.yml").read_text())
    targets = {t for job in config["scrape_configs"] for c in job["static_configs"] for t in c["targets"]}
    assert targets == {f"{s.name}:{s.port}" for s in SERVICES} | {f"gateway:{METRICS_PORT}"}
