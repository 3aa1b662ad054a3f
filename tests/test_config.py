"""Settings come from the environment (SPEC 6)."""

from __future__ import annotations

import pytest

from training_app import create_app
from training_app.config import from_environment


@pytest.fixture
def clean_environment(monkeypatch):
    for name in ("DATABASE_URL", "SECRET_KEY", "MAIL_SERVER", "MAIL_OUTBOX", "MAIL_PORT", "MAIL_USE_TLS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_sqlite_in_the_instance_folder_is_the_default(clean_environment, tmp_path):
    settings = from_environment(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/training.sqlite3"


@pytest.mark.parametrize(
    "given",
    ["postgresql://u@db:5432/training", "postgres://u@db:5432/training", "postgresql+psycopg://u@db:5432/training"],
)
def test_a_postgresql_url_is_used_through_psycopg_3(clean_environment, tmp_path, given):
    clean_environment.setenv("DATABASE_URL", given)
    assert from_environment(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db:5432/training"


def test_mail_goes_to_the_outbox_unless_a_server_is_set(clean_environment, tmp_path):
    assert from_environment(str(tmp_path))["MAIL_OUTBOX"] == str(tmp_path / "outbox")
    clean_environment.setenv("MAIL_SERVER", "smtp.council.example")
    clean_environment.setenv("MAIL_PORT", "587")
    clean_environment.setenv("MAIL_USE_TLS", "true")
    settings = from_environment(str(tmp_path))
    assert (settings["MAIL_OUTBOX"], settings["MAIL_PORT"], settings["MAIL_USE_TLS"]) == ("", 587, True)
    clean_environment.setenv("MAIL_OUTBOX", str(tmp_path / "kept"))
    assert from_environment(str(tmp_path))["MAIL_OUTBOX"] == str(tmp_path / "kept")


def test_secret_key_from_the_environment_or_a_kept_random_one(clean_environment, tmp_path):
    clean_environment.setenv("INSTANCE_PATH", str(tmp_path))
    first = create_app().config["SECRET_KEY"]
    assert len(first) == 64 and create_app().config["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    clean_environment.setenv("SECRET_KEY", "from-the-environment")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"


@pytest.mark.parametrize(("proxies", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_the_clients_address_comes_from_a_trusted_proxy_only(clean_environment, tmp_path, proxies, seen):
    clean_environment.setenv("TRUSTED_PROXIES", str(proxies))
    clean_environment.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxy.sqlite3'}", "TESTING": True})

    from flask import request

    app.add_url_rule("/address", "address", lambda: request.remote_addr or "")
    answer = app.test_client().get(
        "/address", headers={"X-Forwarded-For": "203.0.113.9"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert answer.get_data(as_text=True) == seen
