"""Fixtures: one app and schema per run, each test inside a transaction that is rolled back.

Set TEST_DATABASE_URL (postgresql+psycopg://...) to run every test on PostgreSQL; by default the
tests use an SQLite file in a temporary folder.
"""
import os
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from config import TestConfig, _database_url
from lms import create_app
from lms.catalogue.course_files import read_tree
from lms.catalogue.operations import import_courses
from lms.credentials.keys import init_keys
from lms.accounts.models import Role, User
from lms.extensions import db, limiter
from lms.programme.operations import ensure_countries
from tests.databases import throwaway_database
from tests.factories import make_user

COURSES_DIR = Path(__file__).resolve().parent.parent / "courses"
BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


# Set by pytest-xdist in each of its worker processes (gw0, gw1, ...) when `make test` runs the suite on several.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def pytest_collection_modifyitems(items):
    # A conftest's pytestmark marks nothing: the browser folder's tests get their mark here,
    # so `-m browser` selects them and `-m "not browser"` leaves Chromium out.
    for item in items:
        if BROWSER_TESTS in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


# Under pytest-xdist these run one after another, in their usual order, in one worker: they start servers
# that count in Redis (the browser journeys and the rate-limit test share database 11, which each empties when
# it starts), and the browser journeys share one served app whose data each journey leaves to the next.
SERVER_TESTS = ("tests/browser/", "tests/core/test_rate_limit_storage.py", "tests/scale/")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist (--dist loadscope) hands out whole modules, so their module-scoped fixtures (such as a
    loaded demo database) are made once, and SERVER_TESTS as one unit."""
    from xdist.scheduler import LoadScopeScheduling

    if config.getvalue("dist") != "loadscope":
        return None

    class ModulesAndServers(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "servers" if module.startswith(SERVER_TESTS) else module

    return ModulesAndServers(config, log)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The suite's database: an SQLite file of the session's own, or TEST_DATABASE_URL's PostgreSQL database.
    Under pytest-xdist each worker has a database of its own on that server, `<name>_gw0` and so on."""
    url = _database_url(f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}", "TEST_DATABASE_URL")
    if XDIST_WORKER is None or not url.startswith("postgresql"):
        yield url
        return
    with throwaway_database(url, XDIST_WORKER, tmp_path_factory.mktemp("worker-db")) as worker_url:
        yield worker_url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        DATA_DIR = data_dir
        UPLOAD_DIR = data_dir / "uploads"
        PDF_DIR = data_dir / "pdf"
        COURSES_DIR = COURSES_DIR
        KEYS_DIR = data_dir / "keys"
        # Whatever the environment says: the signed-in fixtures' staff have no second factor set up,
        # and the tests of that rule turn it on themselves.
        TWO_FACTOR_REQUIRED = False

    app = create_app(Config)
    with app.app_context():
        init_keys()  # the programme's signing keys, as `flask keys init` makes them
        db.drop_all()
        db.create_all()
        # What every test may rely on: the member countries and the shipped catalogue.
        ensure_countries()
        import_courses(read_tree(COURSES_DIR))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def db_session(app, request):
    """Runs the test in a transaction on one connection and rolls it back afterwards.

    Tests marked real_transactions commit for real (to test concurrency) and clean up after themselves.
    """
    # A test that built an app of its own re-pointed the shared limiter at that app's storage: point it back.
    limiter.init_app(app)
    if request.node.get_closest_marker("real_transactions"):
        limiter.reset()
        yield None
        return
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection  # every session of the app (requests included) uses this connection
        limiter.reset()
        try:
            yield db.session
        finally:
            db.session.remove()
            transaction.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture(autouse=True)
def empty_job_queue():
    """Each test starts with no job queued (tests/job_runner.py runs the queue as a worker would)."""
    from tests.job_runner import clear_jobs

    clear_jobs()
    yield
    clear_jobs()


class FreshContextClient(FlaskClient):
    """Each request in its own app context, as in production: its own `g` and database session."""

    def open(self, *args, **kwargs):
        db.session.flush()  # what the test changed is what the request sees
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test's own objects reload what the request changed
        return response


def new_client(app) -> FreshContextClient:
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def client(app):
    return new_client(app)


CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client, url: str = "/login") -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF_PATTERN.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict, *, form_url: str | None = None, **kwargs):
    """Posts a form as a browser would: with the CSRF token of the page that shows it."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url or url)}, **kwargs)


def sign_in(client, user, password: str = "correct horse battery staple"):
    """Signs `user` in on this client, signing out whoever was signed in before."""
    with client.session_transaction() as session:
        session.clear()
    response = post_form(client, "/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def signed_in_client(app):
    """Makes a new client signed in through the login form: `signed_in_client(user)` for a prepared
    user, or `signed_in_client(Role.X, **make_user_kwargs)` for a fresh one; `client.user` is who."""

    def make(who: User | Role, **user_fields) -> FreshContextClient:
        user = who if isinstance(who, User) else make_user(who, **user_fields)
        signed_in = new_client(app)
        sign_in(signed_in, user)
        signed_in.user = user
        return signed_in

    return make


@pytest.fixture
def trainee_client(signed_in_client):
    return signed_in_client(Role.TRAINEE)


@pytest.fixture
def instructor_client(signed_in_client):
    return signed_in_client(Role.INSTRUCTOR)


@pytest.fixture
def country_coordinator_client(signed_in_client):
    """Signed in as a coordinator for Thailand (make_user's default country)."""
    return signed_in_client(Role.COUNTRY_COORDINATOR)


@pytest.fixture
def programme_coordinator_client(signed_in_client):
    return signed_in_client(Role.PROGRAMME_COORDINATOR)


@pytest.fixture
def admin_client(signed_in_client):
    return signed_in_client(Role.ADMIN)
