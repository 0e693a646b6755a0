"""In production the rate-limit counters live in Redis, so every worker of every server counts the same failures."""
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.databases import throwaway_database

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
HOST = "training.example.org"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served_by_three_workers(database_url, tmp_path):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    with throwaway_database(database_url, "ratelimits", tmp_path) as url:
        env = {**os.environ, "DATABASE_URL": url, "LMS_DATA_DIR": str(tmp_path), "LMS_ENV": "development"}
        env.pop("TEST_DATABASE_URL", None)
        subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        port = _free_port()
        env.update({"LMS_ENV": "production", "SECRET_KEY": "s" * 64, "PUBLIC_BASE_URL": f"https://{HOST}",
                    "RATELIMIT_STORAGE_URI": REDIS_URL, "TRUSTED_PROXY_HOPS": "1", "LOG_LEVEL": "WARNING"})
        process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "3", "--bind", f"127.0.0.1:{port}",
                                    "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
        try:
            for _ in range(300):
                try:
                    if _request(port, "GET", "/healthz")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a loaded machine: workers slow to finish
                process.kill()
                process.wait(timeout=10)


def _request(port: int, method: str, path: str, body: str = "", cookie: str = "") -> tuple[int, str, str]:
    # As the proxy would send it: our host, https, the client's address.
    headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.50",
               "Referer": f"https://{HOST}/login", "Cookie": cookie,
               "Content-Type": "application/x-www-form-urlencoded"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    set_cookie = response.getheader("Set-Cookie") or ""
    text = response.read().decode()
    connection.close()
    return response.status, text, set_cookie.split(";", 1)[0]


@pytest.mark.redis
def test_failed_sign_ins_are_counted_across_workers(served_by_three_workers):
    statuses = []
    for _ in range(12):  # a fresh session each time, so every worker is likely to get some
        _status, page, cookie = _request(served_by_three_workers, "GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status, _page, _cookie = _request(served_by_three_workers, "POST", "/login", cookie=cookie,
                                          body=f"email=owner%40example.org&password=wrong+guess&csrf_token={token}")
        statuses.append(status)
    assert statuses.count(400) == 5 and statuses.count(429) == 7, statuses
