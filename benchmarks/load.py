"""Serving the app with gunicorn as in production, signing in over HTTP, driving pages with wrk, sampling memory."""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.fill import BENCH_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
LUA_SCRIPT = Path(__file__).resolve().parent / "visits.lua"
CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with sync workers on loopback, configured as the README's deploy section says."""

    def __init__(self, gunicorn: str, environment: dict[str, str], workers: int, log_path: Path):
        self.port = free_port()
        self.command = [gunicorn, "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}", "benchmarks.serve:app"]
        self.environment = environment
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.environment, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start; see {self.log_path}:\n{self.log_path.read_text()[-3000:]}")
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within a minute; see {self.log_path}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # the master stops its workers gracefully
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def wait_until_idle(self, timeout: float = 60) -> None:
        """Wait until the workers have answered what the last load left queued (wrk stops waiting, they don't).

        The bare endpoint answers in a few milliseconds; while requests are still queued, it waits behind them.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            started = time.monotonic()
            self.get("/healthz")
            if time.monotonic() - started < 0.1:
                return
            time.sleep(0.5)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The master's children, read from /proc."""
        master, pids = self.process.pid, []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    # The command name may hold spaces and parentheses: the parent pid follows the last ')'.
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == master:
                    pids.append(int(entry.name))
        return pids

    def get(self, path: str, cookie: str | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def sign_in(self, email: str) -> str:
        """Signs in through the real login form; returns the Cookie header that carries the session."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", "/login")
            response = connection.getresponse()
            match = CSRF_PATTERN.search(response.read().decode())
            cookie = _cookies(response)
            form = urlencode({"csrf_token": match.group(1) or match.group(2), "email": email,
                              "password": BENCH_PASSWORD})
            connection.request("POST", "/login", body=form, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
            response = connection.getresponse()
            response.read()
            if response.status != 302:
                raise RuntimeError(f"signing in {email} over HTTP failed with status {response.status}")
            return _cookies(response)
        finally:
            connection.close()


def _cookies(response: http.client.HTTPResponse) -> str:
    """The cookies a response sets, as a Cookie header (Secure cookies included: this is plain loopback)."""
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Samples the workers' resident memory every 0.2 s while a load runs."""

    def __init__(self, server: Server):
        super().__init__(daemon=True)
        self.server = server
        self.peak_total_kib = 0
        self.peak_worker_kib = 0
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            self.sample()
            self._stopping.wait(0.2)

    def sample(self) -> None:
        # Resident sizes now, not the processes' own high-water marks (VmHWM): those include signing in,
        # when the argon2 hash briefly takes its 64 MiB.
        sizes = [_status_kib(pid, "VmRSS") for pid in self.server.worker_pids()]
        self.peak_total_kib = max(self.peak_total_kib, sum(sizes))
        self.peak_worker_kib = max([self.peak_worker_kib, *sizes])

    def stop(self) -> None:
        self._stopping.set()
        self.join()
        self.sample()


class CpuMeter:
    """CPU time the server spends: its gunicorn workers and the PostgreSQL backends serving its database.

    Unlike throughput, this hardly changes when other work shares the machine's cores.
    """

    def __init__(self, server: Server, database: str):
        self.server = server
        self.database = database
        self.before: dict[int, float] = {}

    def _backends(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    command = (entry / "cmdline").read_bytes().decode(errors="replace")
                except OSError:
                    continue
                if command.startswith("postgres:") and f" {self.database} " in command:
                    pids.append(int(entry.name))
        return pids

    def _cpu_seconds(self) -> dict[int, float]:
        ticks = os.sysconf("SC_CLK_TCK")
        seconds = {}
        for pid in [*self.server.worker_pids(), *self._backends()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            seconds[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        return seconds

    def start(self) -> None:
        self.before = self._cpu_seconds()

    def stop(self) -> float:
        """Seconds of CPU used since start()."""
        return sum(used - self.before.get(pid, 0.0) for pid, used in self._cpu_seconds().items())


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    errors: int  # non-2xx answers and socket errors (connect, read, write, timeout)
    cpu_seconds: float = 0.0  # the server's, during the run

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / self.requests if self.requests else 0.0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_command(base_url: str, visits_file: Path, *, seconds: int, connections: int, threads: int) -> list[str]:
    return ["wrk", f"--threads={threads}", f"--connections={connections}", f"--duration={seconds}s", "--timeout=10s",
            f"--script={LUA_SCRIPT}", base_url, "--", str(visits_file)]


def run_wrk(command: list[str]) -> LoadResult:
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next(line for line in reversed(finished.stdout.splitlines()) if line.startswith("{"))
    figures = json.loads(line)
    return LoadResult(
        requests=figures["requests"], seconds=figures["duration_us"] / 1e6, p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        errors=figures["non_2xx"] + sum(figures[kind] for kind in ("connect", "read", "write", "timeout")),
    )
