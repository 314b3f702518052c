"""Policy version labels are slugs (madoguchi/policy/revisions.py `is_label`), checked by the admin's
form, by `flask policy publish` and by the database itself (a trigger on SQLite and PostgreSQL)."""
import sqlite3

import pytest
from peewee import IntegrityError, InternalError

import models
from conftest import csrf_token, sign_in_staff
from madoguchi import database_setup
from madoguchi.ledger.store import triggers
from madoguchi.policy import revisions
from models import PolicyVersion

GOOD = ["1", "2", "2026-04", "v2.1", "2025_04_01", "A" * 40, "1..2"]
BAD = [".", "..", "", "-1", "1-", ".1", "1.", "_a", "a_", "a b", "2/../1", "a/b", "%2e", "ａ", "é",
       "a" * 41, "1\n", "\t1", "1?x", "1#x"]


def database_file(app):
    return app.config["DATABASE_URL"].removeprefix("sqlite:///")


@pytest.mark.parametrize("label", GOOD)
def test_slugs_are_labels(label):
    assert revisions.is_label(label)


@pytest.mark.parametrize("label", BAD)
def test_other_text_is_not_a_label(label):
    assert not revisions.is_label(label)


def test_the_admin_form_refuses_a_label_that_is_not_a_slug(app, client):
    client.set_cookie("lang", "en")
    sign_in_staff(app, client, "admin")
    with app.app_context():
        first = PolicyVersion.get(PolicyVersion.label == "1")
    data = {"csrf_token": csrf_token(client, "/staff/admin/policies"), "effective_at": "2030-04-01T00:00",
            "change_summary": "Notices", "text_ja": first.text_ja + "\n追記\n", "text_en": first.text_en + "\nMore\n"}
    for label in ("..", ".", "-2", "2."):
        answer = client.post("/staff/admin/policies/new", data={**data, "label": label})
        assert answer.status_code == 400, label
        assert "beginning and ending with a letter or digit" in answer.get_data(as_text=True)
    answer = client.post("/staff/admin/policies/new", data={**data, "label": "2026-04"})
    assert answer.status_code == 302
    with app.app_context():
        assert [v.label for v in PolicyVersion.select().order_by(PolicyVersion.id)] == ["1", "2026-04"]


def test_a_draft_saved_with_an_old_label_must_be_renamed_before_it_is_published(app, client):
    with app.app_context():
        draft = PolicyVersion.get(PolicyVersion.label == "1")
    connection = sqlite3.connect(database_file(app))     # as before labels had to be slugs
    with connection:
        connection.execute("DROP TRIGGER policy_version_label_slug_insert")
        connection.execute("INSERT INTO policy_version (label, effective_at, text_ja, text_en, sha256_ja, "
                           "sha256_en, change_summary, significant, created_at, published_by) VALUES "
                           "('..', '2030-01-01 00:00:00', ?, ?, '', '', '', 0, '2026-01-01 00:00:00', '')",
                           (draft.text_ja, draft.text_en))
    connection.close()
    client.set_cookie("lang", "en")
    sign_in_staff(app, client, "admin")
    with app.app_context():
        old = PolicyVersion.get(PolicyVersion.label == "..")
    answer = client.get(f"/staff/admin/policies/{old.id}/publish")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/policies/{old.id}/edit")
    assert client.post(f"/staff/admin/policies/{old.id}/publish",
                       data={"csrf_token": csrf_token(client, "/staff/admin/policies")}).status_code == 302
    with app.app_context():
        assert PolicyVersion.get_by_id(old.id).published_at is None


def test_the_cli_refuses_a_label_that_is_not_a_slug(app, runner, tmp_path):
    (tmp_path / "ja.md").write_text("# 個人情報の取扱いについて\n本文\n", encoding="utf-8")
    (tmp_path / "en.md").write_text("# Privacy\nText\n", encoding="utf-8")
    texts = ["--ja", str(tmp_path / "ja.md"), "--en", str(tmp_path / "en.md")]
    for label in ("..", ".", "v2-", "a b"):
        refused = runner.invoke(args=["policy", "publish", "--label", label, *texts])
        assert refused.exit_code == 1 and "begins and ends with a letter or digit" in refused.output, label
    published = runner.invoke(args=["policy", "publish", "--label", "2", *texts])
    assert published.exit_code == 0, published.output
    assert [line.split("\t")[0] for line in runner.invoke(args=["policy", "list"]).output.splitlines()] == ["1", "2"]


def new_version(label):
    return PolicyVersion.create(label=label, effective_at="2030-01-01 00:00:00", text_ja="本文", text_en="Text",
                                sha256_ja="", sha256_en="")


def test_sqlite_refuses_a_label_that_is_not_a_slug(app):
    with app.app_context():
        for label in BAD:
            with pytest.raises(IntegrityError, match="policy version label is a slug"):
                new_version(label)
        draft = new_version("2")
        for label in (".", ".."):
            with pytest.raises(IntegrityError, match="policy version label is a slug"):
                PolicyVersion.update(label=label).where(PolicyVersion.id == draft.id).execute()
        assert PolicyVersion.update(change_summary="ok").where(PolicyVersion.id == draft.id).execute() == 1
        assert sorted(v.label for v in PolicyVersion.select()) == ["1", "2"]
    # Another program writing the file directly is refused too.
    connection = sqlite3.connect(database_file(app))
    with pytest.raises(sqlite3.IntegrityError, match="slug"):
        connection.execute("UPDATE policy_version SET label = '..' WHERE label = '2'")
    connection.close()


def test_an_older_database_gets_the_label_triggers_from_init_db(app, runner):
    connection = sqlite3.connect(database_file(app))
    with connection:
        for event in ("insert", "update"):
            connection.execute(f"DROP TRIGGER policy_version_label_slug_{event}")
    connection.close()
    with app.app_context():
        assert "trigger policy_version_label_slug_insert" in database_setup.missing_schema()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["init-db"]).exit_code == 0           # again: nothing to do
    with app.app_context():
        assert database_setup.missing_schema() == []
        with pytest.raises(IntegrityError):
            new_version("..")


@pytest.mark.postgres
def test_postgresql_refuses_a_label_that_is_not_a_slug(postgres_cluster, make_app):
    url = postgres_cluster.fresh_database("t_policy_labels")
    try:
        app = make_app(DATABASE_URL=url, AUTO_INIT_DB=True)
        with app.app_context():
            assert triggers.missing_triggers(models.database) == []
            for label in [label for label in BAD if len(label) <= 40]:
                with pytest.raises(InternalError, match="policy version label is a slug"):
                    with models.database.atomic():
                        new_version(label)
            draft = new_version("2026-04")
            with pytest.raises(InternalError, match="slug"):
                with models.database.atomic():
                    PolicyVersion.update(label="..").where(PolicyVersion.id == draft.id).execute()
            triggers.install_triggers(models.database)              # idempotent
            assert triggers.missing_triggers(models.database) == []
            assert sorted(v.label for v in PolicyVersion.select()) == ["1", "2026-04"]
        app.extensions["database"].close_all()
    finally:
        models.database.close()
        postgres_cluster.sql('DROP DATABASE "t_policy_labels" WITH (FORCE)')
