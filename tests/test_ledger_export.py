"""`flask ledger export` and the standalone verifier (tools/verify_export.py, run as an auditor
would: another Python process, no app): a whole export passes; one changed byte, a dropped line or a
forged event fails. The CSV opens in Japanese Excel (BOM, Japan-time column, no formulas)."""
import csv
import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ledger_helpers import database_file, fill, tamper
from madoguchi.ledger import canonical
from madoguchi.ledger.store import consent_ledger
from madoguchi.policy.store import versions as policy_store

VERIFIER = Path(__file__).resolve().parent.parent / "tools" / "verify_export.py"


def export(runner, tmp_path, *options, fmt="csv"):
    path = tmp_path / f"ledger.{fmt}"
    result = runner.invoke(args=["ledger", "export", "--format", fmt, "-o", str(path), *options])
    assert result.exit_code == 0, result.output
    return path, Path(f"{path}.manifest.json")


def check(path, manifest):
    done = subprocess.run([sys.executable, str(VERIFIER), str(path), str(manifest)],
                          capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout.strip()


def rewrite_manifest_hash(path, manifest):
    described = json.loads(manifest.read_text())
    described["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest.write_text(json.dumps(described))


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_whole_export_passes_the_standalone_verifier(app, runner, tmp_path, fmt):
    events = fill(app, 12)
    path, manifest = export(runner, tmp_path, fmt=fmt)
    described = json.loads(manifest.read_text())
    assert (described["count"], described["first_seq"], described["last_seq"]) == (12, 1, 12)
    assert described["ledger_head_hash"] == events[-1].hash
    assert described["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert check(path, manifest) == (0, f"OK: 12 events, seq 1 to 12, SHA-256 {described['sha256']}")


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_one_changed_byte_fails(app, runner, tmp_path, fmt):
    fill(app, 5)
    path, manifest = export(runner, tmp_path, fmt=fmt)
    data = bytearray(path.read_bytes())
    data[data.index(b"ja")] = ord("e")                  # locale "ja" → "ea"
    path.write_bytes(bytes(data))
    assert check(path, manifest) == (1, "FAILED: the file's SHA-256 differs from the manifest's")
    rewrite_manifest_hash(path, manifest)               # a forger who also fixes the manifest
    code, output = check(path, manifest)
    assert code == 1 and output.endswith("its hash does not match its fields")


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_dropped_line_fails(app, runner, tmp_path, fmt):
    fill(app, 5)
    path, manifest = export(runner, tmp_path, fmt=fmt)
    lines = path.read_bytes().splitlines(keepends=True)
    del lines[3]
    path.write_bytes(b"".join(lines))
    assert check(path, manifest)[0] == 1
    rewrite_manifest_hash(path, manifest)
    code, output = check(path, manifest)
    assert code == 1 and "missing" in output


def test_a_filtered_export_verifies_and_says_what_it_cannot_check(app, runner, tmp_path):
    fill(app, 6)
    later = "2026-12-01T03:00:00.000000Z"               # 12:00 JST on 1 December
    tamper(app, ("UPDATE consent_event SET occurred_at = ? WHERE seq IN (2, 3, 5)", (later,)))
    tamper(app, *_rehash_all(app))
    path, manifest = export(runner, tmp_path, "--since", "2026-12-01", "--until", "2026-12-01",
                            fmt="jsonl")
    seqs = [json.loads(line)["seq"] for line in path.read_text().splitlines()]
    assert seqs == [2, 3, 5]
    code, output = check(path, manifest)
    assert code == 0 and "2 gaps left by the filters" in output


def _rehash_all(app):
    """The test moved times directly; this rebuilds a valid chain over them (checkpoints do not
    matter to an export check)."""
    connection = sqlite3.connect(database_file(app))
    rows = connection.execute(f"SELECT {', '.join(canonical.FIELDS)} FROM consent_event "
                              "ORDER BY seq").fetchall()
    connection.close()
    statements, prev = [], canonical.GENESIS_HASH
    for row in rows:
        fields = list(row[:-1]) + [prev]
        prev = canonical.event_hash(*fields)
        statements.append(("UPDATE consent_event SET prev_hash = ?, hash = ? WHERE seq = ?",
                           (fields[-1], prev, row[0])))
    return statements


def test_the_csv_opens_in_japanese_excel(app, runner, tmp_path):
    fill(app, 2)
    path, _ = export(runner, tmp_path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    assert rows[0]["occurred_at_utc"].endswith("Z")
    utc_hour = int(rows[0]["occurred_at_utc"][11:13])
    assert int(rows[0]["occurred_at_jst"][11:13]) == (utc_hour + 9) % 24
    assert len(rows[0]["occurred_at_jst"]) == len("2026-11-25 06:32:38")


def test_text_that_excel_would_run_as_a_formula_is_guarded_and_still_verifies(app, runner, tmp_path):
    version = policy_store.current_version()
    for reference in ('=HYPERLINK("http://evil.example","x")', "+81", "-1", "@SUM(A1)", "'quoted",
                      "a,b"):
        consent_ledger.append(kind="granted", subject_key="a" * 64, policy_version=version.label,
                              policy_sha256=version.sha256_ja, locale="ja",
                              method="web_form_checkbox", inquiry_ref=reference,
                              ledger_key=app.config["LEDGER_KEY"])
    path, manifest = export(runner, tmp_path)
    cells = [row["inquiry_ref"] for row in csv.DictReader(
        path.read_bytes().decode("utf-8-sig").splitlines())]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in cells and "''quoted" in cells
    assert check(path, manifest)[0] == 0


def test_values_needing_json_escaping_come_back_as_stored_and_verify(app, runner, tmp_path):
    version = policy_store.current_version()
    references = ['say "hi"', "back\\slash", "日本語の参照"]
    for reference in references:
        consent_ledger.append(kind="granted", subject_key="a" * 64, policy_version=version.label,
                              policy_sha256=version.sha256_ja, locale="ja",
                              method="web_form_checkbox", inquiry_ref=reference,
                              ledger_key=app.config["LEDGER_KEY"])
    path, manifest = export(runner, tmp_path, fmt="jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["inquiry_ref"] for line in lines] == references
    assert check(path, manifest)[0] == 0


def test_bad_export_options_are_refused(app, runner, tmp_path):
    fill(app, 1)
    unknown = runner.invoke(args=["ledger", "export", "--version", "99", "-o", str(tmp_path / "x")])
    assert unknown.exit_code == 2 and "no published policy version '99'" in unknown.output
    backwards = runner.invoke(args=["ledger", "export", "--since", "2026-02-01", "--until",
                                    "2026-01-01", "-o", str(tmp_path / "x")])
    assert backwards.exit_code == 2 and "--until must not be before --since" in backwards.output
    assert not (tmp_path / "x").exists()


def test_worker_processes_export_the_same_bytes_as_one_process(app, tmp_path):
    from madoguchi.ledger.store import exports as ledger_export

    version = policy_store.current_version()
    for first in range(0, 25_000, 5_000):
        consent_ledger.append_many([dict(
            kind="granted", subject_key=f"{n:064x}", policy_version=version.label,
            policy_sha256=version.sha256_en if n % 5 == 0 else version.sha256_ja,
            locale="en" if n % 5 == 0 else "ja", method="web_form_checkbox",
            inquiry_ref="-leading-dash" if n == 17_777 else f"AMK-{n}")
            for n in range(first, first + 5_000)], app.config["LEDGER_KEY"])
    url = app.config["DATABASE_URL"]
    for fmt in ledger_export.FORMATS:
        alone, together = ledger_export.ExportStats(), ledger_export.ExportStats()
        one = b"".join(ledger_export.export_rows(fmt, stats=alone))
        two = b"".join(ledger_export.export_rows(fmt, stats=together, database_url=url, workers=2))
        assert one == two and together.count == 25_000 and together.last_seq == 25_000
        assert ledger_export.manifest(alone, fmt)["sha256"] == ledger_export.manifest(together, fmt)["sha256"]
    csv_bytes = b"".join(ledger_export.export_rows("csv", database_url=url, workers=2))
    assert b",'-leading-dash," in csv_bytes               # a careful stretch among plain ones
