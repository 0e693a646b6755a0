"""Browser tests: the app served by gunicorn as in production, driven by Debian's Chromium.

The server gets its own database (an SQLite file, or a throwaway PostgreSQL database when
TEST_DATABASE_URL names one) filled with the demo programme. Screenshots of the main pages are
left in test-artifacts/screenshots/ for people to look at.
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.databases import throwaway_database
from tests.servers import stop_server

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DEMO_PASSWORD = "demo-password"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Production keeps rate-limit counters in Redis (every worker sees the same count); the served app uses this database.
BROWSER_RATE_LIMITS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def server_database(database_url, tmp_path_factory):
    """A database of the suite's kind for the served app, dropped afterwards."""
    with throwaway_database(database_url, "browser", tmp_path_factory.mktemp("browser")) as url:
        yield url


SERVED: dict = {}  # the served app's database URL (for reading what it mailed) and its commands' environment


def mailed_path(address: str, prefix: str) -> str:
    """The path of the newest link starting with `prefix` that the served app mailed to `address`."""
    import re

    from sqlalchemy import create_engine, text

    engine = create_engine(SERVED["database"])
    try:
        with engine.connect() as connection:
            bodies = connection.execute(text("SELECT body FROM outbox_mail WHERE to_address = :address "
                                             "ORDER BY id DESC"), {"address": address}).scalars().all()
    finally:
        engine.dispose()
    for body in bodies:
        found = re.search(re.escape(prefix) + r"[^\s]+", body)
        if found:
            return found.group(0)
    raise AssertionError(f"no mail to {address} with a {prefix} link")


@pytest.fixture(scope="session")
def live_server(server_database, tmp_path_factory):
    SERVED["database"] = server_database
    data_dir = tmp_path_factory.mktemp("served-data")
    env = {**os.environ, "DATABASE_URL": server_database, "LMS_DATA_DIR": str(data_dir), "LMS_ENV": "development"}
    env.pop("TEST_DATABASE_URL", None)
    SERVED["env"] = env
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    for command in (["db", "upgrade"], ["courses", "import"], ["keys", "init"], ["demo", "load"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    import redis

    redis.Redis.from_url(BROWSER_RATE_LIMITS).flushdb()  # no counter left over from an earlier run
    served_env = {**env, "LMS_ENV": "production", "SECRET_KEY": "browser-tests-" + "x" * 40,
                  "TWO_FACTOR_REQUIRED": "0", "PUBLIC_BASE_URL": "https://training.example.org",
                  "TRUSTED_HOSTS": "127.0.0.1", "RATELIMIT_STORAGE_URI": BROWSER_RATE_LIMITS}
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "wsgi:app"], cwd=ROOT, env=served_env)

    base_url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base_url + "/courses", timeout=2)  # noqa: S310 - our own loopback server
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.terminate()
        raise RuntimeError("gunicorn did not start")
    yield base_url
    stop_server(process)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def page(context) -> Page:
    return context.new_page()


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def assert_accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the browser's debugger: the CSP still holds
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in result["violations"] if violation["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{page.url}: " + "; ".join(serious)


def visit(page: Page, path_or_click, name: str) -> None:
    """Open a main page, look at it (screenshot) and check its accessibility."""
    if isinstance(path_or_click, str):
        page.goto(path_or_click)
    else:
        path_or_click()
    screenshot(page, name)
    assert_accessible(page)


def look(page: Page, name: str) -> None:
    """A main page of a journey: photographed, and free of serious accessibility problems."""
    screenshot(page, name)
    assert_accessible(page)


WIDER_THAN_SCREEN = """(limit) => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > limit + 1 && e.checkVisibility())
    .slice(0, 8).map(e => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)} px:
        ${(e.textContent || '').trim().slice(0, 50)}`)"""


def no_sideways_scroll(page: Page) -> None:
    page.wait_for_load_state("load")  # measured before the style sheet applies, every table is too wide
    width = page.evaluate("document.documentElement.scrollWidth")
    limit = page.viewport_size["width"]
    assert width <= limit, f"{page.url} is {width} px wide: {page.evaluate(WIDER_THAN_SCREEN, limit)}"
