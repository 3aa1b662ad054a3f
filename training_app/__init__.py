"""The training app: create_app builds it; nothing happens at import time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as app_config
from .extensions import csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, templates, blueprints, error pages and commands."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"),
    )
    app.config.from_mapping(app_config.COMMON)
    app.config.from_mapping(app_config.from_environment(app.instance_path))
    app.config.from_mapping(config or {})
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = app_config.development_secret(app.instance_path)

    _init_extensions(app)
    _init_templates(app)

    from .api import register_api
    from .cli import register_commands
    from .errors import register_error_handlers
    from .routing import register_converters
    from .security import register_security
    from .web import register_web

    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    register_security(app)
    register_converters(app)
    register_web(app)
    register_api(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (registers every table with the metadata)
    from .database import configure_engine_events, register_transaction_modes
    from .services.reporting.report_cache import watch_writes

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    configure_engine_events()
    watch_writes()  # every commit that changes what the reports count raises the data generation
    register_transaction_modes(app)  # GET, HEAD and OPTIONS read; every other transaction begins IMMEDIATE


def _init_templates(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
