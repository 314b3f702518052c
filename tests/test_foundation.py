"""The app starts on its defaults, makes its own keys, and speaks Japanese first."""
from app import create_app
from inquiry_helpers import send_inquiry
from models import ConsentEvent, PolicyVersion, database


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
    assert runner.invoke(args=["init-db"]).exit_code == 0
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
