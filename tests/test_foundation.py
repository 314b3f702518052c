"""The app starts on its defaults, makes its own keys, and speaks Japanese first; the schema
setup creates only what is missing, once, however many run it; databases open as the settings say."""
import sqlite3
import subprocess
import sys

import pytest
from peewee import PostgresqlDatabase
from servers import REPO, site_environment

from app import create_app
from inquiry_helpers import send_inquiry
from madoguchi import settings
from models import ConsentEvent, PolicyVersion, PostgresPool, database, open_database


def test_keys_are_generated_into_the_instance_folder_not_code(tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "SUBJECT_KEY", "LEDGER_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}"})
    key = app.config["SECRET_KEY"]
    assert len(key) == 64
    assert (open(app.instance_path + "/secret_key").read().strip()) == key
    again = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}"})
    assert again.config["SECRET_KEY"] == key and again.config["SUBJECT_KEY"] != key


def test_init_db_is_idempotent_and_loads_version_1(app, runner):
    assert runner.invoke(args=["init-db"]).output == "Database ready (the schema was complete).\n"
    assert runner.invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        from models import database
        with database.connection_context():
            assert [v.label for v in PolicyVersion.select()] == ["1"]


def test_japanese_by_default_english_by_accept_language_and_switch(client):
    assert "お問合せ" in client.get("/contact").get_data(as_text=True)
    english = client.get("/contact", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Contact us" in english.get_data(as_text=True)
    switched = client.get("/language/en?next=/faq")
    assert switched.status_code == 302 and switched.headers["Location"] == "/faq"
    assert "FAQ" in client.get("/faq").get_data(as_text=True)  # the cookie sticks


def test_language_switch_is_not_an_open_redirect(client):
    response = client.get("/language/en?next=//evil.example/")
    assert response.headers["Location"] == "/contact"


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.get_data(as_text=True)


def test_behind_a_trusted_proxy_the_forwarded_address_is_recorded_truncated(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    send_inquiry(app.test_client(), headers={"X-Forwarded-For": "198.51.100.23"})
    with app.app_context(), database.connection_context():
        assert ConsentEvent.get().ip_truncated == "198.51.100.0/24"


def test_two_apps_in_one_process_keep_their_own_databases(tmp_path):
    """Building a second app must not re-point the first one's models at the second's file."""
    first = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'first.sqlite3'}", "TESTING": True,
                        "AUTO_INIT_DB": True})
    second = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'second.sqlite3'}", "TESTING": True,
                         "AUTO_INIT_DB": True})
    send_inquiry(first.test_client())
    with first.app_context(), database.connection_context():
        assert ConsentEvent.select().count() == 1
    with second.app_context(), database.connection_context():
        assert ConsentEvent.select().count() == 0
    send_inquiry(second.test_client())
    send_inquiry(second.test_client())
    with first.app_context(), database.connection_context():
        assert ConsentEvent.select().count() == 1
    with second.app_context(), database.connection_context():
        assert ConsentEvent.select().count() == 2


def test_a_database_from_an_earlier_release_gets_the_new_columns(tmp_path):
    """create_tables skips existing tables: the schema setup adds columns added since."""
    import sqlite3

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    create_app({"DATABASE_URL": url, "TESTING": True, "AUTO_INIT_DB": True})
    connection = sqlite3.connect(tmp_path / "old.sqlite3")
    for table, column in (("outbox_mail", "kind"), ("outbox_mail", "claimed_until"),
                          ("inquiry", "submission_key")):
        connection.execute(f"DROP INDEX IF EXISTS {table}_{column}")
        connection.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    connection.commit()
    connection.close()
    upgraded = create_app({"DATABASE_URL": url, "TESTING": True, "AUTO_INIT_DB": True})
    assert send_inquiry(upgraded.test_client()).status_code == 303
    with upgraded.app_context(), database.connection_context():
        assert {"kind", "claimed_until"} <= {c.name for c in database.get_columns("outbox_mail")}
        assert "submission_key" in {c.name for c in database.get_columns("inquiry")}
        assert ConsentEvent.select().count() == 1


def test_init_db_creates_only_what_is_missing(app, runner):
    connection = sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    connection.execute("DROP TRIGGER consent_event_no_delete")
    connection.execute("DROP INDEX inquiry_status")
    connection.commit()
    connection.close()
    assert runner.invoke(args=["init-db"]).output == "Database ready (created: index 1, trigger 1).\n"
    assert runner.invoke(args=["init-db"]).output == "Database ready (the schema was complete).\n"


def test_init_db_in_four_processes_at_once_sets_up_once(tmp_path):
    """SQLite: the setups queue on the database's write lock (BEGIN IMMEDIATE)."""
    url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    setups = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "init-db"], cwd=REPO,
                               env=site_environment(tmp_path, url), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True) for _ in range(4)]
    outputs = [setup.communicate(timeout=60)[0] for setup in setups]
    assert [setup.returncode for setup in setups] == [0] * 4, outputs
    assert sum("Database ready (created:" in output for output in outputs) == 1, outputs
    app = create_app({"DATABASE_URL": url})
    with app.app_context(), database.connection_context():
        assert [version.label for version in PolicyVersion.select()] == ["1"]


def test_sqlite_waits_for_its_write_lock_as_long_as_the_ledger_lock(make_app):
    app = make_app(LEDGER_LOCK_TIMEOUT=2.5)
    with app.app_context(), database.connection_context():
        assert database.execute_sql("PRAGMA busy_timeout").fetchone() == (2500,)


@pytest.mark.parametrize("url", ["postgresql://site@db.example/madoguchi",
                                 "postgres://site@db.example/madoguchi",
                                 "postgresql+pool://site@db.example/madoguchi"])
def test_postgresql_urls_are_pooled_by_default(url):
    database = open_database(url, lock_timeout=3, pool_size=7, pool_max_age=120)
    assert isinstance(database, PostgresPool)       # nothing is connected yet: no server needed
    assert (database._max_connections, database._stale_timeout, database._wait_timeout) == (7, 120, 3)
    assert database.connect_params == {"user": "site", "host": "db.example", "connect_timeout": 3}


def test_pooling_can_be_switched_off_and_the_url_has_the_last_word():
    unpooled = open_database("postgresql://site@db.example/madoguchi", pool_size=0)
    assert type(unpooled) is PostgresqlDatabase
    pooled = open_database("postgresql://db.example/madoguchi?max_connections=3&connect_timeout=9")
    assert pooled._max_connections == 3 and pooled.connect_params["connect_timeout"] == 9


def test_the_pool_holds_a_connection_per_thread_and_a_few_more(tmp_path):
    assert settings.from_environment(str(tmp_path), {})["DATABASE_POOL_SIZE"] == 8
    assert settings.from_environment(str(tmp_path), {"THREADS": "6"})["DATABASE_POOL_SIZE"] == 10
    assert settings.from_environment(str(tmp_path), {"DATABASE_POOL_SIZE": "0"})["DATABASE_POOL_SIZE"] == 0
