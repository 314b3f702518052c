"""The auditor's pages: roles, the ledger browser's filters (Japan-time days, version, kind, one
person by email), keyset paging, counts and the chart, the export download, "verify now" before and
after the database file is tampered with, and the staff actions log."""
import io
import json
import re
import sqlite3
import subprocess
import sys
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from conftest import csrf_token, sign_in_staff
from madoguchi import svg_chart
from madoguchi.ledger.pseudonyms import subject_key
from madoguchi.ledger.store import browse as ledger_browse
from madoguchi.ledger.store import consent_ledger
from madoguchi.ledger.store import exports as ledger_export
from madoguchi.ledger.store.browse import LedgerFilter
from madoguchi.policy import revisions
from models import PolicyVersion, StaffAction, database

LEDGER = "/staff/audit/ledger"
ACTIONS = "/staff/audit/actions"
HTMX = {"HX-Request": "true"}
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def auditor(app, client):
    client.set_cookie("lang", "en")
    return sign_in_staff(app, client, "auditor")


@pytest.fixture
def ledger(app):
    """ledger(*events): append events given as (UTC time, kind, version, email); returns their seqs."""
    def append(*events):
        with app.app_context(), database.connection_context():
            versions = {v.label: v for v in PolicyVersion.select()}
            rows = [dict(kind=kind, subject_key=subject_key(email, app.config["SUBJECT_KEY"]),
                         policy_version=label, policy_sha256=revisions.sha256_for(versions[label], "ja"),
                         locale="ja", method="web_form_checkbox", occurred_at=moment)
                    for moment, kind, label, email in events]
            last = consent_ledger.append_many(rows, app.config["LEDGER_KEY"])
        return list(range(last - len(rows) + 1, last + 1))
    return append


@pytest.fixture
def version_2(app):
    with app.app_context(), database.connection_context():
        text = "個人情報の取扱いについて（第2版）"
        PolicyVersion.create(label="2", effective_at=datetime(2026, 10, 31, 15), text_ja=text, text_en="v2",
                             sha256_ja=revisions.sha256_text(text), sha256_en=revisions.sha256_text("v2"),
                             published_at=datetime(2026, 10, 1), published_by="test")


def seqs(page):
    """The seq column of the events table, top to bottom."""
    table = page.split('<table class="ledger">', 1)[1].split("</table>", 1)[0] if '<table class="ledger">' in page else ""
    return [int(seq) for seq in re.findall(r'<td class="number">(\d+)</td>', table)]


def link(page, text):
    href = re.search(r'<a href="([^"]+)"[^>]*>' + re.escape(text) + "</a>", page).group(1)
    return href.replace("&amp;", "&")


def every_hour(start, count, **fields):
    return [(start + timedelta(hours=n), fields.get("kind", "granted"), fields.get("version", "1"),
             fields.get("email", f"person{n}@example.jp")) for n in range(count)]


def test_roles_anonymous_to_login_support_and_admin_refused(app, client):
    for path in (LEDGER, ACTIONS):
        assert client.get(path).headers["Location"].startswith("/staff/login?next=")
    sign_in_staff(app, client, "support")
    token = csrf_token(client, "/staff/support/inbox")
    assert client.get(LEDGER).status_code == 403 and client.get(ACTIONS).status_code == 403
    assert client.post("/staff/audit/verify", data={"csrf_token": token}).status_code == 403
    assert client.post(f"{LEDGER}/export", data={"csrf_token": token, "format": "csv"}).status_code == 403
    admin = app.test_client()
    sign_in_staff(app, admin, "admin")
    assert admin.get(LEDGER).status_code == 403 and admin.get(ACTIONS).status_code == 403


def test_date_range_is_in_japan_time_across_midnight(client, auditor, ledger):
    before, after = ledger((datetime(2026, 11, 23, 14, 59, 59, 999999), "granted", "1", "a@example.jp"),
                           (datetime(2026, 11, 23, 15, 0, 0), "granted", "1", "b@example.jp"))
    # 14:59:59 UTC is 23:59:59 on the 23rd in Tokyo; 15:00 UTC is already the 24th.
    day_24 = client.get(LEDGER, query_string={"date_from": "2026-11-24", "date_to": "2026-11-24"})
    assert seqs(day_24.get_data(as_text=True)) == [after]
    day_23 = client.get(LEDGER, query_string={"date_to": "2026-11-23"})
    assert seqs(day_23.get_data(as_text=True)) == [before]


def test_version_and_kind_filters(client, auditor, ledger, version_2):
    v1, v2, withdrawn = ledger((datetime(2026, 10, 1), "granted", "1", "a@example.jp"),
                               (datetime(2026, 11, 2), "granted", "2", "b@example.jp"),
                               (datetime(2026, 11, 3), "withdrawn", "2", "a@example.jp"))
    assert seqs(client.get(LEDGER, query_string={"version": "2"}).get_data(as_text=True)) == [withdrawn, v2]
    assert seqs(client.get(LEDGER, query_string={"kind": "granted"}).get_data(as_text=True)) == [v2, v1]
    both = client.get(LEDGER, query_string={"version": "2", "kind": "granted"}).get_data(as_text=True)
    assert seqs(both) == [v2] and "1 events match these filters." in both


def test_one_person_by_email_is_hashed_and_the_email_never_reaches_a_url_or_the_log(app, client, auditor, ledger):
    mine = ledger((datetime(2026, 11, 1), "granted", "1", "Taro.Yamada@example.jp"),
                  (datetime(2026, 11, 2), "granted", "1", "someone@example.jp"),
                  (datetime(2026, 11, 3), "withdrawn", "1", "taro.yamada@example.jp"))
    page = client.get(LEDGER, query_string={"kind": "withdrawn"}).get_data(as_text=True)
    action = re.search(r'action="(/staff/audit/ledger/person[^"]*)"', page).group(1).replace("&amp;", "&")
    answer = client.post(action, data={"csrf_token": csrf_token(client, LEDGER), "email": " ＴＡＲＯ.yamada@example.jp"})
    key = subject_key("taro.yamada@example.jp", app.config["SUBJECT_KEY"])
    assert answer.status_code == 303
    assert "yamada" not in answer.headers["Location"].lower()
    assert f"subject={key}" in answer.headers["Location"] and "kind=withdrawn" in answer.headers["Location"]
    everything = client.get(LEDGER, query_string={"subject": key}).get_data(as_text=True)
    assert seqs(everything) == [mine[2], mine[0]] and "Showing one person only" in everything
    with app.app_context(), database.connection_context():
        logged = [(a.action, a.target, a.detail) for a in StaffAction.select()]
    assert ("ledger_person_lookup", key, "") in logged
    assert "yamada" not in json.dumps(logged, ensure_ascii=False).lower()


def test_finding_a_person_without_an_email_asks_for_one(client, auditor):
    answer = client.post(f"{LEDGER}/person", data={"csrf_token": csrf_token(client, LEDGER), "email": ""})
    assert answer.status_code == 422
    assert "Enter the email address of the person to look for" in answer.get_data(as_text=True)


def test_keyset_pages_forward_and_back(client, auditor, ledger):
    made = ledger(*every_hour(datetime(2026, 11, 1), 120))
    first = client.get(LEDGER).get_data(as_text=True)
    assert seqs(first) == made[::-1][:50] and "Newer events" not in first
    second = client.get(link(first, "Older events")).get_data(as_text=True)
    assert "before=71" in link(first, "Older events") and seqs(second) == made[::-1][50:100]
    third = client.get(link(second, "Older events")).get_data(as_text=True)
    assert seqs(third) == made[::-1][100:] and "Older events" not in third
    back = client.get(link(third, "Newer events")).get_data(as_text=True)
    assert seqs(back) == made[::-1][50:100]


def test_paging_is_complete_when_times_are_out_of_seq_order(app, ledger):
    """An import appended with its own, older times: every event is still shown exactly once."""
    ledger(*every_hour(datetime(2026, 11, 10), 30))
    ledger(*every_hour(datetime(2026, 11, 1), 30))
    ledger(*every_hour(datetime(2026, 11, 10), 30))          # the same times again: ties broken by seq
    with app.app_context(), database.connection_context():
        shown, page = [], ledger_browse.page(LedgerFilter(), size=7)
        while True:
            shown += [event.seq for event in page.events]
            if not page.older:
                break
            page = ledger_browse.page(LedgerFilter(), before=page.older, size=7)
    assert sorted(shown) == list(range(1, 91)) and len(shown) == 90


def test_counts_per_version_and_per_day_with_the_chart(app, client, auditor, ledger, version_2):
    ledger(*every_hour(datetime(2026, 11, 1, 15), 30, version="2"))       # 11/2 00:00 .. 11/3 05:00 JST
    ledger((datetime(2026, 10, 20), "granted", "1", "x@example.jp"), (datetime(2026, 11, 2), "erased", "2", "y@example.jp"))
    page = client.get(LEDGER, query_string={"date_from": "2026-10-01", "date_to": "2026-11-03"}).get_data(as_text=True)
    counts = page.split('<table class="counts">', 1)[1].split("</table>", 1)[0]
    assert re.sub(r"\s+", " ", counts).count('<td class="number">') == 8
    assert '<a href="/privacy/2">Version 2</a></th> <td class="number">30</td><td class="number">0</td><td class="number">1</td> <td class="number">31</td>' in re.sub(r"\s+", " ", counts)
    assert "32 events match these filters." in page
    assert '<svg class="bar-chart" role="img"' in page and "<title>11/2: 25</title>" in page
    assert "<title>11/3: 6</title>" in page and "<title>10/20: 1</title>" in page
    with app.app_context(), database.connection_context():
        days = dict(ledger_browse.counts_by_day(LedgerFilter(date(2026, 10, 1), date(2026, 11, 3))))
    assert len(days) == 30 and days[date(2026, 11, 2)] == 25 and date(2026, 10, 4) not in days


def test_chart_escapes_its_labels():
    chart = svg_chart.bar_chart([("<script>alert(1)</script>", 3), ("a&b", 0)], title='"><img src=x>')
    assert "<script>" not in chart and "&lt;script&gt;" in chart and "a&amp;b" in chart
    assert "<img" not in chart and chart.startswith("<svg") and chart.count("<rect") == 2


def test_htmx_filter_answers_with_the_results_only(client, auditor, ledger):
    ledger(*every_hour(datetime(2026, 11, 1), 3))
    fragment = client.get(LEDGER, query_string={"kind": "granted"}, headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith('<div id="ledger-results"')
    assert seqs(fragment) == [3, 2, 1]


@pytest.mark.parametrize("query", [{"date_from": "2026-11-24", "date_to": "2026-11-01"}, {"date_from": "24/11"},
                                   {"kind": "deleted"}, {"subject": "taro@example.jp"}, {"before": "-1"}])
def test_bad_filters_are_a_4xx_with_a_message(client, auditor, query):
    answer = client.get(LEDGER, query_string=query)
    assert answer.status_code == 422 and "These filters cannot be used." in answer.get_data(as_text=True)


def test_verify_now_is_ok_then_names_the_first_damaged_entry_after_tampering(app, client, auditor, ledger):
    ledger(*every_hour(datetime(2026, 11, 1), 5))
    ok = client.post("/staff/audit/verify", data={"csrf_token": csrf_token(client, LEDGER)})
    assert ok.status_code == 200 and "The ledger is whole." in ok.get_data(as_text=True)
    assert "5 events; last entry No. 5." in ok.get_data(as_text=True)
    database_file = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database_file) as raw:
        raw.execute("DROP TRIGGER consent_event_no_update")
        raw.execute("UPDATE consent_event SET locale = 'en' WHERE seq = 3")
    damaged = client.post("/staff/audit/verify", data={"csrf_token": csrf_token(client, LEDGER)}, headers=HTMX)
    text = damaged.get_data(as_text=True)
    assert damaged.status_code == 200 and "<html" not in text
    assert "The ledger is damaged." in text and "First damaged entry: No. 3 — an event was edited." in text


def test_verify_needs_the_csrf_token(client, auditor):
    assert client.post("/staff/audit/verify").status_code == 400


def test_export_download_is_the_cli_export_with_its_manifest(app, client, auditor, ledger, tmp_path):
    # Hourly from 11/1 00:00 UTC: 25 of the 40 fall on or after 11/2 in Tokyo (11/1 15:00 UTC).
    ledger(*every_hour(datetime(2026, 11, 1), 40), *every_hour(datetime(2026, 11, 20), 5, kind="withdrawn"))
    page = client.get(LEDGER, query_string={"date_from": "2026-11-02", "kind": "granted"}).get_data(as_text=True)
    action = re.search(r'action="(/staff/audit/ledger/export[^"]*)"', page).group(1).replace("&amp;", "&")
    answer = client.post(action, data={"csrf_token": csrf_token(client, LEDGER), "format": "csv"})
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="consent-ledger-csv-')
    archive = zipfile.ZipFile(io.BytesIO(answer.get_data()))
    assert archive.namelist() == ["consent-ledger-45.csv", "consent-ledger-45.csv.manifest.json"]
    with app.app_context(), database.connection_context():
        cli = b"".join(ledger_export.export_rows("csv", since=date(2026, 11, 2)))
    assert archive.read("consent-ledger-45.csv") == cli       # the kind filter is not the export's
    manifest = json.loads(archive.read("consent-ledger-45.csv.manifest.json"))
    assert manifest["count"] == 25 + 5 and manifest["filters"]["since"] == "2026-11-02"
    archive.extractall(tmp_path)
    checked = subprocess.run([sys.executable, str(ROOT / "tools" / "verify_export.py"),
                              str(tmp_path / "consent-ledger-45.csv"),
                              str(tmp_path / "consent-ledger-45.csv.manifest.json")], capture_output=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with app.app_context(), database.connection_context():
        exported = StaffAction.get(StaffAction.action == "ledger_exported")
    assert exported.target == "csv" and '"since": "2026-11-02"' in exported.detail


def test_staff_actions_log_newest_first_with_pages_and_an_action_filter(app, client, auditor):
    with app.app_context(), database.connection_context():
        for n in range(60):
            StaffAction.create(actor="support@example.com", action="inquiry_status_changed",
                               target=f"AMK-20261124-{n:04d}", detail="new -> closed")
    page = client.get(ACTIONS).get_data(as_text=True)
    assert page.index("AMK-20261124-0059") < page.index("AMK-20261124-0058")
    assert "AMK-20261124-0009" not in page and "Inquiry status changed" in page
    older = client.get(link(page, "Older entries")).get_data(as_text=True)
    assert "AMK-20261124-0009" in older and "AMK-20261124-0000" in older and "AMK-20261124-0059" not in older
    logins = client.get(ACTIONS, query_string={"action": "login"}, headers=HTMX).get_data(as_text=True)
    assert "<html" not in logins and auditor in logins and "AMK-" not in logins


def test_pages_are_in_japanese_by_default(app, ledger):
    ledger(*every_hour(datetime(2026, 11, 1), 3))
    client = app.test_client()
    sign_in_staff(app, client, "auditor")
    page = client.get(LEDGER).get_data(as_text=True)
    assert "同意台帳" in page and "今すぐ検証" in page and "この条件に当てはまるイベントは 3 件です。" in page
    assert "スタッフ操作ログ" in client.get(ACTIONS).get_data(as_text=True)
