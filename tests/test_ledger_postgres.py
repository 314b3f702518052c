"""The consent ledger on PostgreSQL: a real throwaway server (initdb + pg_ctl) started for the test
session. Appends chain up, the triggers refuse UPDATE/DELETE/TRUNCATE, the restricted app role holds
no such rights at all, several processes append at once without a fork or a gap, verify and export
walk the ledger through server-side cursors. Skipped when PostgreSQL's binaries are not installed."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

import models
from app import create_app
from conftest import TEST_PASSWORD_HASH_METHOD
from ledger_helpers import canonical_built_by_the_database, fill, grant, run_writers, store_awkward_events
from madoguchi.ledger import canonical

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parent.parent
APP_ROLE = "madoguchi_app"


@pytest.fixture
def pg_url(postgres_cluster, request):
    name = f"t_{request.node.name.lower()[:40].replace('[', '_').replace(']', '')}"
    yield postgres_cluster.fresh_database(name)
    models.database.close()
    postgres_cluster.sql(f'DROP DATABASE "{name}" WITH (FORCE)')


def _app(url, tmp_path, **extra):
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret",
                      "SUBJECT_KEY": "test-subject-key", "LEDGER_KEY": "test-ledger-key",
                      "MAIL_SINK_DIR": str(tmp_path / "mail"), "OUTBOX_SEND_IMMEDIATELY": False,
                      "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD, "AUTO_INIT_DB": True,
                      "LEDGER_ANCHOR_PATH": "", **extra})
    models.database.initialize(app.extensions["database"])   # the tests' own queries read it too
    return app


@pytest.fixture
def pg_app(pg_url, tmp_path):
    return _app(pg_url, tmp_path)


def _run_sql(url, statement):
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def test_appends_chain_and_verify_on_postgresql(pg_app):
    events = fill(pg_app, 5)
    assert [event.seq for event in events] == [1, 2, 3, 4, 5]
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:]))
    result = pg_app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0
    assert result.output.strip() == f"OK: 5 events, head seq 5, head hash {events[-1].hash}"


def test_postgresql_builds_the_same_canonical_bytes_as_python(pg_app):
    for fields in store_awkward_events([1, 2**31 - 1]):             # seq is a 4-byte integer here
        assert canonical_built_by_the_database(fields[0]) == canonical.canonical_event(*fields)


@pytest.mark.parametrize("statement, message", [
    ("UPDATE consent_event SET locale = 'en' WHERE seq = 2", "consent_event is append-only"),
    ("DELETE FROM consent_event WHERE seq = 2", "consent_event is append-only"),
    ("TRUNCATE consent_event", "consent_event is append-only"),
    ("UPDATE ledger_checkpoint SET seq = 1", "ledger_checkpoint is append-only"),
    ("DELETE FROM ledger_checkpoint", "ledger_checkpoint is append-only"),
    ("UPDATE policy_version SET text_ja = 'x'", "a published policy version cannot change"),
    ("DELETE FROM policy_version", "a published policy version cannot be deleted"),
])
def test_triggers_refuse_changes_even_to_the_owner(pg_app, pg_url, statement, message):
    import psycopg2

    fill(pg_app, 3)
    with pytest.raises(psycopg2.errors.RaiseException, match=message):
        _run_sql(pg_url, statement)
    assert pg_app.test_cli_runner().invoke(args=["ledger", "verify"]).exit_code == 0


def test_a_draft_policy_version_may_still_be_edited(pg_app, pg_url):
    _run_sql(pg_url, "INSERT INTO policy_version (label, effective_at, text_ja, text_en, sha256_ja, "
                     "sha256_en, change_summary, significant, created_at, published_by) VALUES "
                     "('2', now(), 'a', 'b', 'x', 'y', '', false, now(), '')")
    _run_sql(pg_url, "UPDATE policy_version SET text_ja = 'draft edited' WHERE label = '2'")
    _run_sql(pg_url, "DELETE FROM policy_version WHERE label = '2'")


def test_an_edit_made_after_dropping_the_trigger_is_caught(pg_app, pg_url):
    fill(pg_app, 6)
    _run_sql(pg_url, "DROP TRIGGER consent_event_append_only ON consent_event")
    _run_sql(pg_url, "UPDATE consent_event SET ip_truncated = '198.51.100.0/24' WHERE seq = 4")
    result = pg_app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert result.output.strip() == "DAMAGED at seq 4: edited (its fields no longer give its hash)"


def test_the_restricted_app_role_may_read_and_add_but_never_change(pg_app, pg_url, postgres_cluster,
                                                                   tmp_path):
    import psycopg2

    fill(pg_app, 2)
    postgres_cluster.sql(f"DROP ROLE IF EXISTS {APP_ROLE}", f"CREATE ROLE {APP_ROLE} LOGIN")
    result = pg_app.test_cli_runner().invoke(args=["ledger", "restrict-role", APP_ROLE])
    assert result.exit_code == 0, result.output
    # The second line of defence: without the triggers the role still holds no right to change.
    _run_sql(pg_url, "DROP TRIGGER consent_event_append_only ON consent_event")
    as_app = pg_url.replace("postgres@", f"{APP_ROLE}@")
    for statement in ("UPDATE consent_event SET locale = 'en'", "DELETE FROM consent_event",
                      "TRUNCATE consent_event", "DELETE FROM ledger_checkpoint"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            _run_sql(as_app, statement)
    site = _app(as_app, tmp_path, AUTO_INIT_DB=False)
    events = fill(site, 3)
    assert [event.seq for event in events] == [3, 4, 5]
    verified = site.test_cli_runner().invoke(args=["ledger", "verify"])
    assert verified.exit_code == 0 and verified.output.startswith("OK: 5 events")


def test_processes_appending_at_once_leave_a_gapless_chain(pg_app, pg_url):
    assert run_writers(pg_url, "test-ledger-key", 6, 25) == [0] * 6
    seqs = [row.seq for row in models.ConsentEvent.select(models.ConsentEvent.seq)
            .order_by(models.ConsentEvent.seq)]
    assert seqs == list(range(1, 151))
    result = pg_app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0 and result.output.startswith("OK: 150 events, head seq 150")


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize("reference", ["AMK-20261124-0007", '=A1 "quoted", \\'],
                         ids=["plain", "needs care"])
def test_an_export_from_postgresql_passes_the_standalone_verifier(pg_app, tmp_path, fmt, reference):
    fill(pg_app, 6)
    grant(pg_app, reference=reference)
    path = tmp_path / f"ledger.{fmt}"
    result = pg_app.test_cli_runner().invoke(args=["ledger", "export", "--format", fmt,
                                                   "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(Path(f"{path}.manifest.json").read_text())["count"] == 7
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "verify_export.py"), str(path),
                           f"{path}.manifest.json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout
