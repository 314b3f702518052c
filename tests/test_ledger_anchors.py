"""The anchor log outside the database (madoguchi/ledger/anchors.py): every signed head is appended
after its commit, and `ledger verify --anchors`, the auditor's "verify now" and the standalone
export verifier report a ledger cut off behind its anchor or forked from it, even when the attacker
deleted the checkpoints and re-signed with the ledger key (readable by the same OS user)."""
import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import csrf_token, sign_in_staff
from inquiry_helpers import send_inquiry
from ledger_helpers import tamper
from madoguchi.ledger import anchors, canonical
from madoguchi.ledger.store import consent_ledger
from madoguchi.ledger.store.anchors import AnchorLog
from madoguchi.policy.store import versions as policy_store
from models import ConsentEvent

ROOT = Path(__file__).resolve().parent.parent
KEY = "test-ledger-key"
CUT_AFTER_7 = ("DELETE FROM consent_event WHERE seq > 7", "DELETE FROM ledger_checkpoint WHERE seq > 7")


@pytest.fixture
def anchor_path(tmp_path):
    return tmp_path / "anchors" / "ledger-anchors.log"


@pytest.fixture
def app(make_app, anchor_path):
    anchor_path.parent.mkdir()
    return make_app(LEDGER_ANCHOR_PATH=str(anchor_path))


def grant(app, n, anchored=True):
    version = policy_store.current_version()
    return consent_ledger.append(
        kind="granted", subject_key=f"{n:064x}", policy_version=version.label,
        policy_sha256=version.sha256_ja, locale="ja", method="web_form_checkbox",
        inquiry_ref=f"AMK-20261124-{n:04d}", ledger_key=app.config["LEDGER_KEY"],
        anchor_log=AnchorLog.from_settings(app.config) if anchored else None)


@pytest.fixture
def ledger(app):
    """Ten events appended as the site appends them: each signed head anchored."""
    return [grant(app, n) for n in range(1, 11)]


def verify(runner, *args):
    result = runner.invoke(args=["ledger", "verify", *args])
    return result.exit_code, result.output.strip().splitlines()


def test_each_signed_head_goes_to_a_private_anchor_log_after_its_commit(app, anchor_path, ledger):
    lines = anchor_path.read_text().splitlines()
    assert [anchors.parse_line(line).seq for line in lines] == list(range(1, 11))
    assert anchors.parse_line(lines[-1]).head_hash == ledger[-1].hash
    assert stat.S_IMODE(os.stat(anchor_path).st_mode) == 0o600
    with consent_ledger.writing():
        grant(app, 11)
        assert len(anchor_path.read_text().splitlines()) == 10     # not before the commit
    assert len(anchor_path.read_text().splitlines()) == 11
    with pytest.raises(RuntimeError), consent_ledger.writing():
        grant(app, 12)
        raise RuntimeError("the inquiry could not be stored")
    assert len(anchor_path.read_text().splitlines()) == 11         # rolled back: no anchor


def test_the_customers_confirm_anchors_its_consent(app, client, anchor_path):
    assert send_inquiry(client).status_code in (302, 303)
    (line,) = anchor_path.read_text().splitlines()
    assert anchors.parse_line(line).head_hash == ConsentEvent.get(ConsentEvent.seq == 1).hash


def test_a_ledger_that_extends_its_anchors_verifies(app, runner, anchor_path, ledger):
    grant(app, 11, anchored=False)                  # appended without an anchor: still extends
    code, output = verify(runner, "--anchors", str(anchor_path))
    assert code == 0, output
    assert output == [f"OK: 11 events, head seq 11, head hash {ConsentEvent.get_by_id(11).hash}",
                      f"Anchors: 10 lines in {anchor_path}; last anchored seq 10, "
                      f"hash {ledger[-1].hash}"]


def test_lines_out_of_order_and_repeated_are_accepted(app, runner, anchor_path, ledger):
    lines = anchor_path.read_text().splitlines(keepends=True)
    anchor_path.write_text("".join(lines[:8] + [lines[9], lines[8], lines[9]]))   # 10 before 9
    assert verify(runner)[0] == 0


def test_a_tail_cut_off_with_its_checkpoints_is_reported_only_with_the_anchors(
        app, runner, anchor_path, ledger):
    tamper(app, *CUT_AFTER_7)
    app.config["LEDGER_ANCHOR_PATH"] = ""
    assert verify(runner)[0] == 0                    # the database alone cannot tell
    code, output = verify(runner, "--anchors", str(anchor_path))
    assert code == 1
    assert output[0] == (f"DAMAGED at seq 8: truncated (line 10 of {anchor_path} anchors seq 10, "
                         "the ledger ends at seq 7)")


def resign_rewritten_chain(app, from_seq):
    """Rewrite the event at `from_seq` and every hash after it, then replace their checkpoints
    with new ones signed with the ledger key: the chain and checkpoints check out again."""
    statements = []
    rows = [list(row) for row in ConsentEvent.select(*[getattr(ConsentEvent, name) for name in
                                                       canonical.FIELDS])
            .where(ConsentEvent.seq >= from_seq).order_by(ConsentEvent.seq).tuples()]
    prev = ConsentEvent.get_by_id(from_seq - 1).hash
    rows[0][canonical.FIELDS.index("kind")] = "withdrawn"
    for fields in rows:
        fields[-1] = prev
        prev = canonical.event_hash(*fields)
        created = canonical.format_time()
        statements += [("UPDATE consent_event SET kind = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                        (fields[1], fields[-1], prev, fields[0])),
                       ("DELETE FROM ledger_checkpoint WHERE seq = ?", (fields[0],)),
                       ("INSERT INTO ledger_checkpoint (seq, head_hash, created_at, mac) "
                        "VALUES (?, ?, ?, ?)", (fields[0], prev, created,
                                                canonical.checkpoint_mac(KEY, fields[0], prev, created)))]
    tamper(app, *statements)


def test_a_rewritten_and_re_signed_chain_is_reported_as_forked_at_the_first_anchored_seq(
        app, runner, anchor_path, ledger):
    resign_rewritten_chain(app, 5)
    app.config["LEDGER_ANCHOR_PATH"] = ""
    assert verify(runner)[0] == 0                    # with the key, the database alone checks out
    code, output = verify(runner, "--anchors", str(anchor_path))
    assert code == 1
    assert output[0] == (f"DAMAGED at seq 5: forked (line 5 of {anchor_path} anchors another hash "
                         f"for this seq: {ledger[4].hash})")


def test_damaged_lines_are_reported_not_a_crash(app, runner, anchor_path, ledger):
    forged = anchors.Anchor(11, "a" * 64, "2026-11-24T00:00:00.000000Z", "b" * 64)
    with open(anchor_path, "ab") as log:
        log.write(b"half a line\n" + anchors.format_line(forged).encode() + b"\xff\xfe\n")
    code, output = verify(runner)
    assert code == 1
    assert output[0] == (f"DAMAGED: anchor log damaged (line 11 of {anchor_path}: it is not an "
                         "anchor line)")
    assert anchors.AnchorCheck("log", KEY, 10).read([(12, anchors.format_line(forged))]) == []


def test_a_missing_anchor_log_is_a_warning_and_a_named_one_must_exist(app, runner, anchor_path,
                                                                       tmp_path):
    assert verify(runner) == (0, ["OK: 0 events, head seq 0, head hash " + "0" * 64,
                                  f"Anchors: none yet in {anchor_path} (the ledger is empty)"])
    grant(app, 1, anchored=False)
    code, output = verify(runner)
    assert code == 0 and output[-1] == (f"WARNING: there is no anchor log at {anchor_path}: the "
                                        "head was not compared with an anchor outside the database")
    code, output = verify(runner, "--anchors", str(tmp_path / "no-such.log"))
    assert code == 2 and "does not exist" in output[-1]


def test_verify_now_shows_the_anchor_and_then_the_cut(app, client, anchor_path, ledger):
    client.set_cookie("lang", "en")
    sign_in_staff(app, client, "auditor")
    token = csrf_token(client, "/staff/audit/ledger")
    page = client.post("/staff/audit/verify", data={"csrf_token": token}).get_data(as_text=True)
    assert "The ledger is whole." in page
    assert "It extends its last anchor outside the database: entry No. 10." in page
    tamper(app, *CUT_AFTER_7)
    page = client.post("/staff/audit/verify", data={"csrf_token": token}).get_data(as_text=True)
    assert "First damaged entry: No. 8 — events were cut off the end." in page
    anchor_path.unlink()
    page = client.post("/staff/audit/verify", data={"csrf_token": token}).get_data(as_text=True)
    assert "The ledger is whole." in page and "No anchor outside the database vouches" in page


def export(runner, path):
    result = runner.invoke(args=["ledger", "export", "--format", "jsonl", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(Path(f"{path}.manifest.json").read_text())


def verify_export(path):
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "verify_export.py"), str(path),
                           f"{path}.manifest.json"], capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout.strip()


def test_an_export_names_the_last_anchored_head_and_its_verifier_checks_it(
        app, runner, tmp_path, ledger):
    manifest = export(runner, tmp_path / "whole.jsonl")
    assert manifest["last_anchor"]["seq"] == 10
    assert manifest["last_anchor"]["hash"] == ledger[-1].hash
    assert verify_export(tmp_path / "whole.jsonl")[0] == 0
    tamper(app, *CUT_AFTER_7)
    export(runner, tmp_path / "cut.jsonl")
    assert verify_export(tmp_path / "cut.jsonl") == (
        1, "FAILED: seq 8: the ledger ends at seq 7, behind its last anchored head, seq 10 (truncated)")


def test_an_export_that_contradicts_its_anchor_fails_the_standalone_verifier(
        app, runner, tmp_path, ledger):
    path = tmp_path / "forked.jsonl"
    manifest = export(runner, path)
    manifest["last_anchor"] = {"seq": 5, "hash": "f" * 64, "anchored_at": "x"}
    Path(f"{path}.manifest.json").write_text(json.dumps(manifest))
    assert verify_export(path) == (
        1, "FAILED: seq 5: its hash differs from the last anchored head's (forked)")


def test_heads_also_go_to_syslog(app, anchor_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(5)
        app.config["LEDGER_ANCHOR_SYSLOG"] = f"127.0.0.1:{receiver.getsockname()[1]}"
        event = grant(app, 1)
        message = receiver.recv(4096).decode("ascii")
    assert message.startswith("<14>madoguchi-ledger: madoguchi-anchor-v1\t1\t" + event.hash)


@pytest.mark.parametrize("line", [
    "", "madoguchi-anchor-v1\t1\tabc", "other-v1\t1\t" + "a" * 64 + "\t2026-11-24T00:00:00.000000Z\t" + "b" * 64,
    "madoguchi-anchor-v1\t-1\t" + "a" * 64 + "\t2026-11-24T00:00:00.000000Z\t" + "b" * 64,
    "madoguchi-anchor-v1\t1\t" + "A" * 64 + "\t2026-11-24T00:00:00.000000Z\t" + "b" * 64,
    "madoguchi-anchor-v1\t1\t" + "a" * 64 + "\tyesterday\t" + "b" * 64,
])
def test_only_whole_anchor_lines_parse(line):
    with pytest.raises(anchors.BadLine):
        anchors.parse_line(line)


@pytest.mark.postgres
def test_on_postgresql_a_cut_tail_is_reported_against_the_anchors(postgres_cluster, tmp_path,
                                                                  anchor_path):
    from test_ledger_postgres import _app, _run_sql

    url = postgres_cluster.fresh_database("t_anchors_cut_tail")
    anchor_path.parent.mkdir()
    try:
        pg_app = _app(url, tmp_path, LEDGER_ANCHOR_PATH=str(anchor_path))
        events = [grant(pg_app, n) for n in range(1, 6)]
        runner = pg_app.test_cli_runner()
        assert verify(runner)[0] == 0
        for statement in ("DROP TRIGGER consent_event_append_only ON consent_event",
                          "DROP TRIGGER ledger_checkpoint_append_only ON ledger_checkpoint",
                          "DELETE FROM consent_event WHERE seq > 3",
                          "DELETE FROM ledger_checkpoint WHERE seq > 3"):
            _run_sql(url, statement)
        code, output = verify(runner)
        assert code == 1 and output[0] == (f"DAMAGED at seq 4: truncated (line 5 of {anchor_path} "
                                           "anchors seq 5, the ledger ends at seq 3)")
        assert anchors.parse_line(anchor_path.read_text().splitlines()[-1]).head_hash == events[-1].hash
    finally:
        import models
        models.database.close()
        postgres_cluster.sql('DROP DATABASE "t_anchors_cut_tail" WITH (FORCE)')
