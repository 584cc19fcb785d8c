"""deploy/k8s without a cluster: each overlay rendered by kustomize (`kubectl kustomize`), every object
validated against the Kubernetes schemas, and what the platform needs of them checked against
deploy/topology.py, the settings classes, the Dockerfile and docker-compose.yml."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from deploy import kube
from deploy.topology import GATEWAY_PORT, METRICS_PORT, SERVICES
from gateway.settings import GatewaySettings
from shared.settings import DEV_SECRETS
from simulators.mzt.settings import SimulatorSettings
from tests.test_deploy import settings_class

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.33.0"  # the oldest minor still supported upstream; every API used here is GA there
PLATFORM = [s.name for s in SERVICES] + ["gateway"]


def render(overlay: str) -> list[dict]:
    if not shutil.which("kubectl"):
        pytest.skip("kubectl (with its built-in kustomize) is not installed")
    out = subprocess.run(["kubectl", "kustomize", str(K8S / "overlays" / overlay)], capture_output=True, text=True,
                         check=True).stdout
    return [o for o in yaml.safe_load_all(out) if o]


@pytest.fixture(scope="module", params=["dev", "prod"])
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[dict]]:
    return request.param, render(request.param)


def of_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def pod_specs(objects: list[dict]) -> dict[tuple[str, str], dict]:
    return {(o["kind"], o["metadata"]["name"]): o["spec"]["template"]["spec"] for o in objects
            if o["kind"] in ("Deployment", "StatefulSet", "Job")}


def secret_keys_referenced(objects: list[dict]) -> set[str]:
    keys = set()
    for spec in pod_specs(objects).values():
        for c in spec.get("initContainers", []) + spec["containers"]:
            keys |= {e["valueFrom"]["secretKeyRef"]["key"] for e in c.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})}
        keys |= {i["key"] for v in spec.get("volumes", []) for i in v.get("secret", {}).get("items", [])}
    return keys


def use_environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    """Exactly ``env`` for the platform's variables (each process reads only its prefixes)."""
    prefixes = ("ZC_", "GATEWAY_", "MZT_SIM_", "OTEL_", *(f"{s.name.upper()}_" for s in SERVICES))
    for key in [k for k in os.environ if k.startswith(prefixes)]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def environment_of(objects: list[dict], deployment: str, secret: dict[str, str]) -> dict[str, str]:
    """What the process of that Deployment finds in its environment."""
    config = {o["metadata"]["name"]: o["data"] for o in objects if o["kind"] == "ConfigMap"}
    (c,) = of_kind(objects, "Deployment")[deployment]["spec"]["template"]["spec"]["containers"]
    env = {k: v for ref in c.get("envFrom", []) for k, v in config[ref["configMapRef"]["name"]].items()}
    for e in c.get("env", []):
        env[e["name"]] = secret[e["valueFrom"]["secretKeyRef"]["key"]] if "valueFrom" in e else e["value"]
    return env


# --- the generated base is current ---------------------------------------------------------------

def test_the_base_is_what_deploy_kube_writes():
    generated = kube.files()
    on_disk = {p.name for p in (K8S / "base").glob("*.yaml")}
    assert on_disk == set(generated) | set(kube.STATEFUL), "run `python -m deploy.kube write`"
    for name, text in generated.items():
        assert (K8S / "base" / name).read_text() == text, f"{name} is stale: run `python -m deploy.kube write`"


# --- every object against the Kubernetes schemas -------------------------------------------------

def test_every_object_is_valid_kubernetes(rendered):
    overlay, objects = rendered
    assert len(objects) > 50
    for o in objects:
        try:
            kubernetes_validate.validate(o, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{overlay}: {o['kind']}/{o['metadata']['name']}: {exc.message} at {list(exc.path)}")
    names = [(o["kind"], o["metadata"]["name"]) for o in objects]
    assert len(names) == len(set(names))
    namespace = {"dev": "zhicheng-dev", "prod": "zhicheng"}[overlay]
    assert {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"} == {namespace}
    assert of_kind(objects, "Namespace")[namespace]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_the_schema_check_can_fail():
    broken = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
              "spec": {"replicas": "two", "selector": {}, "template": {}}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


# --- what each process needs ---------------------------------------------------------------------

def test_every_service_has_its_api_worker_migration_service_and_disruption_budget(rendered):
    _, objects = rendered
    deployments, jobs, services = of_kind(objects, "Deployment"), of_kind(objects, "Job"), of_kind(objects, "Service")
    ports = {s.name: s.port for s in SERVICES} | {"gateway": GATEWAY_PORT}
    for name in PLATFORM:
        api = deployments[name]["spec"]["template"]
        (c,) = api["spec"]["containers"]
        assert c["image"].rsplit(":", 1)[0].endswith(f"zhicheng/{name}")  # an image per service
        assert c["ports"] == [{"name": "http", "containerPort": ports[name]}]
        assert services[name]["spec"]["ports"][0]["port"] == ports[name]
        assert services[name]["spec"]["selector"].items() <= api["metadata"]["labels"].items()
        # Prometheus scrapes /metrics: a service's on its own port, the gateway's on its private one.
        metrics = METRICS_PORT if name == "gateway" else ports[name]
        assert api["metadata"]["annotations"] == {"prometheus.io/scrape": "true", "prometheus.io/port": str(metrics),
                                                  "prometheus.io/path": "/metrics"}
        if name == "gateway":
            assert c["args"] == ["python", "-m", "gateway"]
            # Rate limits per address need the client's, not the Ingress controller's.
            assert {"name": "FORWARDED_ALLOW_IPS", "value": "*"} in c["env"]
            continue
        module = f"services.{name}"
        assert c["args"] == ["python", "-m", module]
        assert jobs[f"{name}-migrate"]["spec"]["template"]["spec"]["containers"][0]["args"] == ["python", "-m", module, "migrate"]
        worker = deployments[f"{name}-worker"]["spec"]["template"]["spec"]
        assert worker["containers"][0]["args"] == ["python", "-m", f"{module}.worker"]
        assert worker["containers"][0]["image"] == c["image"]
        assert deployments[f"{name}-worker"]["spec"]["template"]["metadata"]["annotations"][
            "prometheus.io/port"] == str(METRICS_PORT)  # the relay's and consumers' own metrics
        for pod in (api["spec"], worker):  # no pod of a new version runs before its migrations have
            (wait,) = pod["initContainers"]
            assert wait["args"] == ["python", "-m", module, "wait-for-migrations"] and wait["image"] == c["image"]
        # Traces name the process: identity, identity-worker, identity-migrate…
        for spec in (api["spec"], worker, jobs[f"{name}-migrate"]["spec"]["template"]["spec"]):
            for one in spec.get("initContainers", []) + spec["containers"]:
                expected = name if one["name"] == "api" else f"{name}-{one['name']}"
                assert {"name": "OTEL_SERVICE_NAME", "value": expected} in one["env"]


def test_every_deployment_has_probes_limits_a_disruption_budget_and_runs_unprivileged(rendered):
    _, objects = rendered
    budgets = [b["spec"]["selector"]["matchLabels"] for b in of_kind(objects, "PodDisruptionBudget").values()]
    for (kind, name), spec in pod_specs(objects).items():
        labels = next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)[
            "spec"]["template"]["metadata"]["labels"]
        # One PostgreSQL server: a budget could only block every drain or allow what there is anyway.
        if kind != "Job" and name != "postgres":
            assert any(b.items() <= labels.items() for b in budgets), f"{kind}/{name} has no PodDisruptionBudget"
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        for c in spec.get("initContainers", []) + spec["containers"]:
            for part in ("requests", "limits"):
                assert set(c["resources"][part]) == {"cpu", "memory"}, (name, c["name"], part)
            assert c["securityContext"]["readOnlyRootFilesystem"] is True, (name, c["name"])
            assert c["securityContext"]["allowPrivilegeEscalation"] is False, (name, c["name"])
            assert c["securityContext"]["capabilities"]["drop"] == ["ALL"], (name, c["name"])
            mounts = {m["mountPath"] for m in c.get("volumeMounts", [])}
            assert "/tmp" in mounts or c["name"] == "erlang-cookie", (name, c["name"])  # the only writable path
        if kind == "Deployment" and not name.endswith("-worker"):  # workers serve no HTTP
            (c,) = spec["containers"]
            assert c["readinessProbe"]["httpGet"]["path"] == "/readyz" or name == "mzt", name
            assert c["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        if kind == "StatefulSet":
            assert all("readinessProbe" in c and "livenessProbe" in c for c in spec["containers"]), name


def test_the_gateway_and_the_busy_services_autoscale_and_the_ingress_reaches_the_gateway(rendered):
    overlay, objects = rendered
    deployments = of_kind(objects, "Deployment")
    scalers = of_kind(objects, "HorizontalPodAutoscaler")
    assert {"gateway", "applications", "documents"} <= set(scalers)
    for name, hpa in scalers.items():
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert "replicas" not in deployments[name]["spec"]  # the autoscaler owns the count
        assert hpa["spec"]["minReplicas"] >= 2
    (ingress,) = of_kind(objects, "Ingress").values()
    backends = [p["backend"]["service"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]]
    assert backends == [{"name": "gateway", "port": {"name": "http"}}]
    if overlay == "prod":
        assert ingress["spec"]["tls"][0]["hosts"] == [ingress["spec"]["rules"][0]["host"]]
    # The stateful parts as a cluster: RabbitMQ 3 nodes, MinIO distributed over 4, one PostgreSQL.
    sets = of_kind(objects, "StatefulSet")
    assert {n: s["spec"]["replicas"] for n, s in sets.items()} == {"postgres": 1, "rabbitmq": 3, "minio": 4}


def test_the_routes_and_addresses_follow_the_topology(rendered):
    _, objects = rendered
    config = of_kind(objects, "ConfigMap")[kube.CONFIG]["data"]
    assert json.loads(config["GATEWAY_SERVICES"]) == {s.name: f"http://{s.name}:{s.port}" for s in SERVICES}
    services = {n: s["spec"]["ports"] for n, s in of_kind(objects, "Service").items()}
    for host, port in re.findall(r"http://([a-z]+):(\d+)", json.dumps(config)):
        if host == "localhost":  # dev: what browsers reach through `kubectl port-forward`
            continue
        assert int(port) in {p["port"] for p in services[host]}, f"{host}:{port}"
    amqp = "rabbitmq", 5672
    assert amqp[1] in {p["port"] for p in services[amqp[0]]}
    assert config["OTEL_EXPORTER_OTLP_ENDPOINT"] == "" or config["ZC_ENVIRONMENT"] == "production"


# --- secrets -------------------------------------------------------------------------------------

def dev_secret() -> dict[str, str]:
    return yaml.safe_load((K8S / "overlays" / "dev" / "secrets.yaml").read_text())["stringData"]


def development_values() -> set[str]:
    """The development defaults of the code and the dev overlay's values (less the broker's user name)."""
    return (DEV_SECRETS | set(dev_secret().values())) - {"zhicheng"}


def test_dev_has_every_secret_it_refers_to_and_every_process_accepts_its_environment(monkeypatch):
    objects = render("dev")
    secret = of_kind(objects, "Secret")[kube.SECRET]["stringData"]
    assert secret_keys_referenced(objects) <= set(secret)
    check_every_process_starts_with(objects, secret, "development", monkeypatch)
    simulator = environment_of(objects, "mzt", secret)
    use_environment(monkeypatch, simulator)
    assert SimulatorSettings().client_secret == secret["IDENTITY_MZT_CLIENT_SECRET"]


def test_prod_holds_no_secret_and_no_development_value(monkeypatch):
    objects = render("prod")
    assert not of_kind(objects, "Secret")
    text = yaml.safe_dump_all(objects, allow_unicode=True)
    for value in development_values():
        assert value not in text, value
    # The Secret the operator makes (`python -m deploy.kube secret`) has every key prod refers to,
    # each value new, and with it every process starts in production.
    made = json.loads(kube.secret_manifest("zhicheng"))
    assert made["metadata"] == {"name": kube.SECRET, "namespace": "zhicheng"}
    values = made["stringData"]
    assert secret_keys_referenced(objects) == set(values) - {"MZT_SIM_CLIENT_SECRET"}
    assert not set(values.values()) & development_values()
    assert json.loads(kube.secret_manifest("zhicheng"))["stringData"]["ZC_INTERNAL_KEY"] != values["ZC_INTERNAL_KEY"]
    check_every_process_starts_with(objects, values, "production", monkeypatch)


def check_every_process_starts_with(objects: list[dict], secret: dict[str, str], environment: str, monkeypatch) -> None:
    """Each Deployment's environment satisfies its settings (a development default is refused in production)."""
    for name in PLATFORM:
        env = environment_of(objects, name, secret)
        use_environment(monkeypatch, env)
        settings = GatewaySettings() if name == "gateway" else settings_class(name)()
        assert settings.host == "0.0.0.0"
        platform = settings.platform
        assert platform.environment == environment and platform.internal_key.get_secret_value() == secret["ZC_INTERNAL_KEY"]
        if name == "gateway":
            assert settings.services == json.loads(env["GATEWAY_SERVICES"])
            continue
        assert not settings.run_workers and not settings.migrate_on_start
        assert settings.database_url.endswith(f"@postgres:5432/zc_{name}")
        assert platform.amqp_url.endswith("@rabbitmq:5672/")
        worker = environment_of(objects, f"{name}-worker", secret)
        assert {k: v for k, v in worker.items() if k != "OTEL_SERVICE_NAME"} == \
               {k: v for k, v in env.items() if k != "OTEL_SERVICE_NAME"}


def test_a_development_secret_in_prod_would_be_refused(monkeypatch):
    """The check above can fail: prod's environment with the dev overlay's Secret does not start."""
    objects = render("prod")
    with pytest.raises(ValueError, match="development default"):
        check_every_process_starts_with(objects, dev_secret() | {"MZT_SIM_CLIENT_SECRET": "x"}, "production", monkeypatch)


# --- images: one Dockerfile, a stage per process, built alike by compose ---------------------------

def dockerfile_stages() -> dict[str, list[str]]:
    """Each stage's CMD (stages without one map to [])."""
    stages: dict[str, list[str]] = {}
    current = None
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if m := re.match(r"FROM \S+ AS (\S+)", line):
            current = m.group(1)
            stages[current] = []
        elif line.startswith("CMD ") and current:
            stages[current] = json.loads(line[4:])
    return stages


def test_compose_and_kubernetes_run_the_images_of_the_dockerfile():
    stages = dockerfile_stages()
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in [*PLATFORM, "mzt"]:
        spec = compose[name]
        assert spec["build"] == {"context": ".", "target": name}
        assert spec["image"] == f"zhicheng/{name}:dev"  # the tag the dev overlay runs
        assert stages[name] == spec["command"], name
    assert all(not s.get("build") for n, s in compose.items() if n not in [*PLATFORM, "mzt"])
    for overlay in ("dev", "prod"):
        objects = render(overlay)
        for name, d in of_kind(objects, "Deployment").items():
            (c,) = d["spec"]["template"]["spec"]["containers"]
            stage = c["image"].split("/")[-1].split(":")[0]
            assert stages[stage], f"{c['image']} is no stage of the Dockerfile"
            assert c["args"][:3] == stages[stage][:3] or name.endswith("-worker"), name
            tag = c["image"].rsplit(":", 1)[1]
            assert tag == ("dev" if overlay == "dev" else "0.1.0"), c["image"]
