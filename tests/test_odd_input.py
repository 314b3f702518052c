"""Odd numbers, days and cursors never 500: each is bounded (madoguchi/query_params.py) and a value
that cannot be used is a translated 4xx. A slice of the fuzz corpus (tools/fuzz_routes.py) runs
over every route; the known crashes (40-digit cursors) have tests of their own."""
import importlib.util
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from conftest import csrf_token, sign_in_staff
from madoguchi.query_params import LARGEST_ID, OddParameter, bounded_day, bounded_int

FORTY_DIGITS = "9" * 40
FUZZ = Path(__file__).resolve().parent.parent / "tools" / "fuzz_routes.py"


def load_fuzzer():
    spec = importlib.util.spec_from_file_location("fuzz_routes", FUZZ)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("text, number", [
    (None, None), ("", None), ("  ", None), ("7", 7), (" 7 ", 7), ("１２", 12), (str(LARGEST_ID), LARGEST_ID)])
def test_bounded_int_reads_whole_numbers_and_absence(text, number):
    assert bounded_int(text) == number


@pytest.mark.parametrize("text", [
    FORTY_DIGITS, str(LARGEST_ID + 1), "0", "-1", "1e9", "0x10", "1_000", "+5", "7.5", "NaN", "\x00",
    "1\x002", "1" * 5000, "٣٣" + "9" * 30])
def test_bounded_int_refuses_what_is_not_a_usable_number(text):
    with pytest.raises(OddParameter):
        bounded_int(text)


@pytest.mark.parametrize("text, day", [
    (None, None), ("", None), ("2026-04-01", date(2026, 4, 1)), ("２０２６－０４－０１", date(2026, 4, 1)),
    ("2026-4-1", date(2026, 4, 1)), ("2099-12-31", date(2099, 12, 31))])
def test_bounded_day_reads_days_and_absence(text, day):
    assert bounded_day(text) == day


@pytest.mark.parametrize("text", [
    "9999-99-99", "9999-12-31", "0001-01-01", "2024-02-30", "-2026-01-01", "20260101", "2026-01-01T00:00",
    "2026-01-01\x00", "a" * 5000])
def test_bounded_day_refuses_impossible_and_far_days(text):
    with pytest.raises(OddParameter):
        bounded_day(text)


@pytest.mark.parametrize("query", [f"before={FORTY_DIGITS}", f"after={FORTY_DIGITS}", "before=-1",
                                   "after=1e9", "date_to=9999-12-31", "date_from=9999-99-99",
                                   "date_from=0001-01-01&date_to=0001-01-02"])
def test_the_auditor_ledger_answers_odd_cursors_and_days_with_422(app, client, query):
    sign_in_staff(app, client, "auditor")
    answer = client.get(f"/staff/audit/ledger?{query}", headers={"Accept-Language": "ja"})
    assert answer.status_code == 422
    assert "この条件では表示できません。" in answer.get_data(as_text=True)
    export = client.post(f"/staff/audit/ledger/export?{query}",
                         data={"csrf_token": csrf_token(client, "/staff/audit/ledger"), "format": "csv"})
    assert export.status_code == 422


def test_full_width_digits_in_a_cursor_are_read_as_digits(app, client):
    sign_in_staff(app, client, "auditor")
    assert client.get("/staff/audit/ledger?before=１２").status_code == 200


@pytest.mark.parametrize("before", [FORTY_DIGITS, "-5", "x", "\x00"])
def test_the_actions_log_answers_an_odd_cursor_with_a_translated_400(app, client, before):
    sign_in_staff(app, client, "auditor")
    answer = client.get("/staff/audit/actions", query_string={"before": before},
                        headers={"Accept-Language": "ja"})
    assert answer.status_code == 400
    assert "前の画面に戻って、もう一度お試しください。" in answer.get_data(as_text=True)
    assert client.get("/staff/audit/actions?before=").status_code == 200     # empty: absent


@pytest.mark.parametrize("cursor", [FORTY_DIGITS, "0", "-1", "1.5"])
def test_the_support_inbox_answers_an_odd_cursor_with_422(app, client, cursor):
    sign_in_staff(app, client, "support")
    answer = client.get("/staff/support/inbox", query_string={"cursor": cursor})
    assert answer.status_code == 422


@pytest.mark.parametrize("path", ["/staff/admin/policies/{n}", "/staff/admin/policies/{n}/edit",
                                  "/staff/admin/policies/{n}/diff", "/staff/admin/policies/{n}/publish"])
def test_a_forty_digit_id_in_a_path_is_not_found(app, client, path):
    sign_in_staff(app, client, "admin")
    assert client.get(path.format(n=FORTY_DIGITS)).status_code == 404
    assert client.post(path.format(n=FORTY_DIGITS),
                       data={"csrf_token": csrf_token(client, "/staff/admin/policies")}).status_code in (404, 405)


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_policy_draft_effective_in_year_1_or_9999_is_refused(app, client, moment):
    sign_in_staff(app, client, "admin")
    answer = client.post("/staff/admin/policies/new", headers={"Accept-Language": "ja"}, data={
        "csrf_token": csrf_token(client, "/staff/admin/policies/new"), "label": "odd", "effective_at": moment,
        "change_summary": "odd", "text_ja": "# 題\n\n本文", "text_en": "# Title\n\nText"})
    assert answer.status_code == 400
    assert "2000-01-01から2099-12-31までの日付を入力してください" in answer.get_data(as_text=True)


def test_a_checklist_day_past_the_bounds_is_refused(app, client, runner):
    runner.invoke(args=["demo", "populate", "--inquiries", "1"])
    sign_in_staff(app, client, "support")
    with sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///")) as connection:
        connection.execute("UPDATE inquiry SET category = 'disclosure'")    # only a 開示等請求 has one
        reference = connection.execute("SELECT reference FROM inquiry").fetchone()[0]
    answer = client.post(f"/staff/support/inquiries/{reference}/checklist", data={
        "csrf_token": csrf_token(client, "/staff/support/inbox"), "request_type": "disclosure",
        "form_received_on": "9999-12-31"})
    assert answer.status_code == 422
    assert client.get(f"/staff/support/inquiries/{reference}").status_code == 200


def test_a_slice_of_the_fuzz_corpus_gets_no_5xx_and_changes_no_protected_row(make_app):
    fuzzer = load_fuzzer()
    app = make_app(**fuzzer.FUZZ_SETTINGS)
    fuzzer.prepare(app, inquiries=15)
    figures = fuzzer.run(app, requests=400, seed=20)
    assert figures.server_errors == [], figures.report()
    assert figures.changed == [], figures.report()
    assert figures.ledger_ok
    assert len(figures.by_route) == len(fuzzer.Fuzzer(app, fuzzer.random.Random(0)).routes)
