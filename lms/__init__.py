"""The ASEAN-China telecom training platform: create_app() builds the Flask application."""
import os
from urllib.parse import urlsplit

from flask import Flask

from config import Config, DevelopmentConfig, ProductionConfig, config_from_environment
from lms.core.db import configure_sqlite, ping_idle_connections, postgresql_engine_options
from lms.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: type[Config] | None = None) -> Flask:
    config = config or config_from_environment()
    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_relative_config=False)
    app.config.from_object(config)
    _settle_required_settings(app, config)

    from lms.core.logs import configure_logging
    from lms.core.security import trust_proxies

    configure_logging(app)
    trust_proxies(app)
    _init_extensions(app)
    _connect_listeners()
    _register_blueprints(app)
    _register_cli(app)
    _register_jobs(app)

    from lms.core.errors import register_error_handlers
    from lms.accounts.kept_forms import register_kept_forms
    from lms.accounts.sessions import register_session_rules
    from lms.core.security import register_security_headers
    from lms.core.templating import register_template_helpers
    from lms.core.i18n import register_language_rules
    from lms.core.transactions import register_transaction_edge

    register_error_handlers(app)
    register_kept_forms(app)  # a form refused for an expired session or token keeps what was typed
    register_security_headers(app)
    register_session_rules(app)
    register_template_helpers(app)
    register_language_rules(app)
    register_transaction_edge(app)  # after every blueprint: it wraps each view
    return app


def _settle_required_settings(app: Flask, config: type[Config]) -> None:
    """Fill in what has a safe default, then refuse to start on what is missing or unsafe."""
    if not app.config.get("SECRET_KEY") and issubclass(config, DevelopmentConfig):
        app.config["SECRET_KEY"] = config.local_secret_key()
    if issubclass(config, ProductionConfig) and not app.config.get("TRUSTED_HOSTS"):
        host = urlsplit(app.config.get("PUBLIC_BASE_URL") or "").hostname
        app.config["TRUSTED_HOSTS"] = [host] if host else None
    problems = config.problems(app.config)
    if problems:
        raise RuntimeError("The application cannot start: " + " ".join(problems))


def _init_extensions(app: Flask) -> None:
    import lms.models  # noqa: F401 - every model registered before migrations look at the metadata

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**postgresql_engine_options(app.config),
                                                   **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        else:
            ping_idle_connections(db.engine)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    from lms.core.i18n import select_locale, select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # sessions are versioned and time-limited instead

    from lms.accounts.models import User
    from lms.core.forms import parse_id

    @login_manager.user_loader
    def load_user(session_id: str):
        user_id, _, version = (parse_id(part) for part in session_id.partition(":"))
        if user_id is None or version is None:
            return None
        user = db.session.get(User, user_id)
        if user is None or not user.is_active or user.session_version != version:
            return None
        return user


def _connect_listeners() -> None:
    """What each domain does when another tells it something happened (lms/core/events.py); once per process."""
    from lms.assessments import uploads
    from lms.certificates import operations as certificates
    from lms.core import read_once
    from lms.reports import freshness

    uploads.listen()
    read_once.listen()  # what a session has read for a page, forgotten when it writes
    certificates.listen()
    freshness.listen()  # a commit changing what the quota reports show moves their version


def _register_blueprints(app: Flask) -> None:
    # Importing a domain's views attaches its routes to the domain's blueprint.
    from lms.accounts import correction_views, token_views  # noqa: F401 - their routes join the accounts blueprint
    from lms.accounts import views as accounts_views
    from lms.admin import views as admin_views
    from lms.api import views as api_views
    from lms.assessments import views as assessments_views
    from lms.catalogue import views as catalogue_views
    from lms.catalogue import import_views, version_views  # noqa: F401 - their routes join the catalogue blueprint
    from lms.core.health import bp as health_bp
    from lms.certificates import views as certificates_views
    from lms.enrolment import views as enrolment_views
    from lms.announcements import views as announcements_views
    from lms.grading import extension_views  # noqa: F401 - its routes join the grading blueprint
    from lms.grading import views as grading_views
    from lms.home import views as home_views
    from lms.learning import views as learning_views
    from lms.programme import views as programme_views
    from lms.reports import schedule_views  # noqa: F401 - its routes join the reports blueprint
    from lms.reports import views as reports_views

    app.register_blueprint(health_bp)
    app.register_blueprint(home_views.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(catalogue_views.bp)
    app.register_blueprint(enrolment_views.bp)
    app.register_blueprint(learning_views.bp, url_prefix="/study")
    app.register_blueprint(assessments_views.bp, url_prefix="/study")
    app.register_blueprint(grading_views.bp, url_prefix="/teach")
    app.register_blueprint(announcements_views.bp, url_prefix="/teach")
    app.register_blueprint(certificates_views.bp)
    app.register_blueprint(programme_views.bp, url_prefix="/programme")
    app.register_blueprint(reports_views.bp, url_prefix="/reports")
    app.register_blueprint(admin_views.bp, url_prefix="/admin")
    app.register_blueprint(api_views.bp, url_prefix="/api/v1")


def _register_cli(app: Flask) -> None:
    from lms.assessments.cli import uploads_cli
    from lms.backup.cli import backup_cli
    from lms.catalogue.cli import courses_cli
    from lms.certificates.cli import certificates_cli, keys_cli
    from lms.demo.cli import demo_cli
    from lms.notifications.cli import mail_cli
    from lms.reports.cli import reports_cli

    app.cli.add_command(courses_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(uploads_cli)
    app.cli.add_command(backup_cli)


def _register_jobs(app: Flask) -> None:
    from lms.jobs.engine import configure_jobs

    configure_jobs(app)
    # Importing a domain's jobs registers them with the engine, for the site (to queue) and the worker.
    import lms.announcements.jobs  # noqa: F401
    import lms.assessments.jobs  # noqa: F401
    import lms.catalogue.jobs  # noqa: F401
    import lms.backup.jobs  # noqa: F401
    import lms.certificates.jobs  # noqa: F401
    import lms.enrolment.jobs  # noqa: F401
    import lms.notifications.jobs  # noqa: F401
    import lms.reports.jobs  # noqa: F401
    import lms.jobs.jobs  # noqa: F401
