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
    log: Path
    command: list[str]
    env: dict[str, str]
    health: str
    health_status: int
    popen: subprocess.Popen = None  # type: ignore[assignment]  # set by Processes._launch

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Processes:
    log_dir: Path
    procs: list[Proc] = field(default_factory=list)

    def start(self, name: str, module: str, url: str, env: dict[str, str], *, timeout: float = 60,
              args: list[str] | None = None, health: str = "/healthz", health_status: int = 200) -> Proc:
        """``health_status``: what ``health`` answers once the process listens (a server that
        answers only signed requests says 403)."""
        proc = Proc(name, url, self.log_dir / f"{name}.log", [sys.executable, "-m", module, *(args or [])], env,
                    health, health_status)
        self.procs.append(proc)
        self._launch(proc, timeout)
        return proc

    def _launch(self, proc: Proc, timeout: float) -> None:
        proc.popen = subprocess.Popen(proc.command, cwd=ROOT, env={**os.environ, **proc.env},
                                      stdout=proc.log.open("ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.popen.poll() is not None:
                raise RuntimeError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.tail()}")
            try:
                if httpx.get(f"{proc.url}{proc.health}", timeout=1).status_code == proc.health_status:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{proc.name} did not answer within {timeout}s:\n{proc.tail()}")

    def get(self, name: str) -> Proc:
        return next(p for p in self.procs if p.name == name)

    def stop(self, name: str, *, kill: bool = False) -> None:
        """Stop one process (SIGTERM, or SIGKILL for a crash) and wait until it is gone."""
        proc = self.get(name)
        proc.popen.kill() if kill else proc.popen.terminate()
        try:
            proc.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.popen.kill()
            proc.popen.wait()

    def start_again(self, name: str, *, timeout: float = 60) -> None:
        """Start a stopped process again with the same command and environment."""
        proc = self.get(name)
        assert proc.popen.poll() is not None, f"{name} is still running"
        self._launch(proc, timeout)

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            if proc.popen is not None:
                proc.popen.terminate()
        for proc in reversed(self.procs):
            if proc.popen is None:
                continue
            try:
                proc.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
        self.procs.clear()
