"""A RabbitMQ node of a test's own, for tests that stop and restart the broker (the machine's
broker is shared). Its own node name, ports, data, logs, config and Erlang cookie (via HOME); no
plugins."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from shared.testing.infra import RUN_ID
from shared.testing.processes import free_port


def rabbitmq_bin(name: str) -> str | None:
    # Debian's /usr/sbin wrappers switch to the rabbitmq user (and its cookie); the real scripts do not.
    real = Path("/usr/lib/rabbitmq/bin") / name
    return str(real) if real.exists() else shutil.which(name)


class RabbitNode:
    def __init__(self, base: Path) -> None:
        self.port, dist_port = free_port(), free_port()
        self.node = f"zct{RUN_ID}p{self.port}@localhost"
        (base / "home").mkdir(parents=True, exist_ok=True)
        (base / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{self.port}\n")
        (base / "enabled_plugins").write_text("[].\n")
        (base / "rabbitmq-env.conf").write_text("")
        self.log = base / "server.log"
        self.env = {**os.environ, "HOME": str(base / "home"), "RABBITMQ_NODENAME": self.node,
                    "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(dist_port),
                    "RABBITMQ_MNESIA_BASE": str(base / "mnesia"), "RABBITMQ_LOG_BASE": str(base / "log"),
                    "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
                    "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
                    "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
                    "RABBITMQ_PID_FILE": str(base / "pid"), "ERL_EPMD_ADDRESS": "127.0.0.1"}
        self.popen: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def start(self, timeout: float = 120) -> None:
        self.popen = subprocess.Popen([rabbitmq_bin("rabbitmq-server")], env=self.env, stdout=self.log.open("ab"),
                                      stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"rabbitmq-server exited:\n{self.log.read_text(errors='replace')[-3000:]}")
            if _answers(self.port):
                return
            time.sleep(0.3)
        raise RuntimeError(f"rabbitmq-server did not answer within {timeout}s")

    def stop(self) -> None:
        if self.popen is None:
            return
        subprocess.run([rabbitmq_bin("rabbitmqctl"), "-n", self.node, "stop"], env=self.env, capture_output=True,
                       timeout=60, check=False)
        try:
            self.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        self.popen = None


def _answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0
