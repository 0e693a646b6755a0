"""The servers the fault suite starts for itself, on loopback and free ports: a throwaway PostgreSQL cluster,
Redis (production's rate-limit store), gunicorn, nginx with deploy/nginx.conf, and a small tmpfs as the
data folder. Each is stopped by whoever
started it; nothing shared is touched."""
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} within {seconds} s")


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else (shutil.which(name) or name)


class PostgresCluster:
    """A cluster of our own (initdb under a temporary folder, its own port), the only one ever restarted."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "pgdata"
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None  # initdb refuses to run as root

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        if self.user:
            command = ("runuser", "-u", self.user, "--", *command)
        return subprocess.run(command, check=check, capture_output=True, text=True)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/lms"

    def create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.user:
            shutil.chown(self.folder, self.user)
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync")
        self.start()
        subprocess.run([_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "lms"],
                       check=True)

    def start(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "postgres.log"), "-w", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=on", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)


class RedisServer:
    """A Redis of our own that keeps nothing on disk: production refuses per-worker rate-limit counters."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            subprocess.run([str(ROOT / "scripts" / "ensure-system-packages"), "redis-server"], check=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Gunicorn:
    """gunicorn as the README deploys it: sync workers, 30 s worker timeout, on loopback."""

    def __init__(self, environment: dict[str, str], log_path: Path, workers: int = 2, app: str = "faults.serve:app"):
        self.port = free_port()
        self.environment = environment
        self.log_path = log_path
        self.command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", str(workers), "--timeout", "30",
                        "--graceful-timeout", "5", "--no-control-socket", "--bind", f"127.0.0.1:{self.port}", app]
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.environment, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.port, 60)
        self.wait_for_workers(int(self.command[2]))

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def wait_for_workers(self, count: int, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and len(self.worker_pids()) < count:
            time.sleep(0.1)

    def kill_workers(self) -> int:
        """kill -9 every worker (the master starts new ones); returns how many were killed."""
        pids = self.worker_pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return len(pids)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class Nginx:
    """Debian's nginx as our own process, running deploy/nginx.conf rendered for loopback without TLS."""

    def __init__(self, folder: Path, upstream_port: int):
        self.folder = folder
        self.port = free_port()
        self.upstream_port = upstream_port
        self.process: subprocess.Popen | None = None

    def render(self) -> Path:
        site = (ROOT / "deploy" / "nginx.conf").read_text()
        site = re.sub(r"\nserver \{\n    listen 80;.*?\n\}\n", "\n", site, flags=re.DOTALL)  # the redirect to TLS
        replacements = [
            ("server 127.0.0.1:8000", f"server 127.0.0.1:{self.upstream_port}"),
            ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{self.port};\n"),
            ("    listen [::]:443 ssl http2;\n", ""),
            ("/srv/lms/", f"{ROOT}/"),
        ]
        for old, new in replacements:
            if old not in site:
                raise RuntimeError(f"deploy/nginx.conf no longer holds {old!r}; update faults/services.py")
            site = site.replace(old, new)
        site = "\n".join(line for line in site.splitlines() if not line.strip().startswith("ssl_"))
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "lms.conf").write_text(site)
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
        temp_paths = "".join(f"    {kind}_temp_path {self.folder / kind};\n"
                             for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        main = (f"{user}daemon off;\nworker_processes 1;\npid {self.folder / 'nginx.pid'};\n"
                f"error_log {self.folder / 'error.log'} warn;\nevents {{ worker_connections 1024; }}\n"
                f"http {{\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
                f"    access_log {self.folder / 'access.log'};\n{temp_paths}"
                f"    include {self.folder / 'lms.conf'};\n}}\n")
        path = self.folder / "nginx.conf"
        path.write_text(main)
        return path

    def start(self) -> None:
        config = self.render()
        checked = subprocess.run(["nginx", "-t", "-q", "-c", str(config)], capture_output=True, text=True)
        if checked.returncode:
            raise RuntimeError(f"nginx refused the rendered configuration:\n{checked.stderr}")
        self.process = subprocess.Popen(["nginx", "-c", str(config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class SmallDisk:
    """A tmpfs of a few megabytes mounted as the data folder, so writes meet a real ENOSPC."""

    def __init__(self, path: Path, megabytes: int):
        self.path = path
        self.megabytes = megabytes
        self.mounted = False

    def mount(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.megabytes}m,mode=0755", "tmpfs",
                               str(self.path)], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"could not mount a {self.megabytes} MB tmpfs (run make faults as root): {done.stderr}")
        self.mounted = True

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", str(self.path)], check=False)
            self.mounted = False
