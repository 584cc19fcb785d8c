"""Start the platform's real processes for end-to-end tests and wait until they answer."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Proc:
    name: str
    url: str
    popen: subprocess.Popen
    log: Path

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Processes:
    log_dir: Path
    procs: list[Proc] = field(default_factory=list)

    def start(self, name: str, module: str, url: str, env: dict[str, str], *, timeout: float = 60,
              args: list[str] | None = None, health: str = "/healthz") -> Proc:
        log = self.log_dir / f"{name}.log"
        popen = subprocess.Popen([sys.executable, "-m", module, *(args or [])], cwd=ROOT, env={**os.environ, **env},
                                 stdout=log.open("wb"), stderr=subprocess.STDOUT)
        proc = Proc(name, url, popen, log)
        self.procs.append(proc)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if popen.poll() is not None:
                raise RuntimeError(f"{name} exited with {popen.returncode}:\n{proc.tail()}")
            try:
                if httpx.get(f"{url}{health}", timeout=1).status_code == 200:
                    return proc
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not answer within {timeout}s:\n{proc.tail()}")

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            proc.popen.terminate()
        for proc in reversed(self.procs):
            try:
                proc.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
        self.procs.clear()
