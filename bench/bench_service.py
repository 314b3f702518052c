"""Benchmark of the site served as users deploy it (issue 8 §8). Run from the repository root:

    .venv/bin/python bench/bench_service.py [--workers 2] [--rounds 5] [--seconds 1] [--concurrency 16]
                                            [--journey-rounds 3] [--journeys 3]

Starts the floor (bench/bare_app.py under the same gunicorn.conf.py) and keeps it up for the whole
run; next to it `./scripts/serve` on SQLite, then on a throwaway PostgreSQL (skipped with the reason
when it is not installed), each with a real SMTP sink. Loads them over keep-alive HTTP
(bench/http_load.py), checks mails, counts and the ledger, prints the ratios and the targets.

Why rounds: the machine is shared and the load generator runs on it, so its speed drifts by a third
or more within a minute; a site figure and a floor figure measured a block apart are not
comparable. So every figure is measured in rounds of short slices, each site slice right next to a
floor slice (which one comes first alternates), a round's ratio is site / adjacent floor, and the
verdict takes the median ratio over the rounds. bench/README.md says what is measured and why.
Everything runs in a temporary folder, removed after.
"""
import argparse
import email
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from conftest import running_smtp_sink  # noqa: E402
from http_load import Paired, get, hidden_fields, no_preparation, slice_pair  # noqa: E402
from inquiry_helpers import GOOD_ANSWERS  # noqa: E402
from servers import flask_command, free_port, postgres_bin, running_postgres, serving, site_environment  # noqa: E402

REFERENCE = re.compile(r"AMK-\d{8}-[0-9A-Z]{4,}")
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')
ADDRESSES = ["taro.yamada@docomo.ne.jp", "hanako@gmail.con", "suzuki..ichiro@ezweb.ne.jp",
             "ｓａｔｏ@example.jp", "mio_1999@icloud.com", "ren.@softbank.ne.jp"]
JOURNEY_CUSTOMERS = (20, 100)
TARGETS = {"advice": 0.7, "/contact": 0.5, "/privacy": 0.5, "journeys": 0.15}


# -------------------------------------------------------------------------------------- journeys

def site_journey(browser, _state=None):
    """A new customer's whole inquiry; the reference shown on the done page, or None."""
    browser.cookies.clear()
    page = browser.request("GET", "/contact/form")
    page = browser.request("POST", "/contact/form", {**hidden_fields(page.body), "agree": "y"})
    page = browser.request("POST", "/contact/form/details", {**hidden_fields(page.body), **GOOD_ANSWERS})
    page = browser.request("POST", "/contact/form/confirm", hidden_fields(page.body))
    found = REFERENCE.search(page.body) if page.status == 200 else None
    return found.group(0) if found else None


def bare_journey(browser, _state=None):
    """The floor's journey: the same four GETs and three POSTs, redirects followed."""
    browser.cookies.clear()
    page = browser.request("GET", "/form/1")
    for step in (1, 2, 3):
        page = browser.request("POST", f"/form/{step}", {**hidden_fields(page.body), "agree": "y"})
    return "done" if REFERENCE.search(page.body) else None


def csrf_from_page(browser, number):
    page = browser.request("GET", "/contact/form")
    return {"token": CSRF_HEADER.search(page.body).group(1), "n": number}


def advice_post(browser, state):
    state["n"] += 1
    answer = browser.request("POST", "/contact/form/email-advice",
                             {"email": ADDRESSES[state["n"] % len(ADDRESSES)]},
                             {"X-CSRFToken": state["token"], "HX-Request": "true"})
    return answer.status == 200


def bare_post(browser, state):
    return browser.request("POST", "/fragment", {"email": ADDRESSES[state % len(ADDRESSES)]}).status == 200


def measure_site(name, port, bare_port, args):
    """Each figure of the site in rounds, every slice right next to a slice of the floor."""
    singles = [  # figure, the site's (prepare, act), the floor's label and act
        ("advice", csrf_from_page, advice_post, "bare POST", bare_post),
        ("/contact", no_preparation, get("/contact"), "bare GET", get("/page")),
        ("/privacy", no_preparation, get("/privacy"), "bare GET", get("/page")),
    ]
    figures = {label: Paired(f"{name} {label}", floor) for label, _, _, floor, _ in singles}
    each = {"concurrency": args.concurrency, "seconds": args.seconds}
    for number in range(args.rounds):
        for label, prepare, act, floor_name, floor_act in singles:
            floor = {"name": floor_name, "port": bare_port, "prepare": no_preparation, "act": floor_act}
            mine = {"name": label, "port": port, "prepare": prepare, "act": act}
            figures[label].add(*slice_pair(number, {**floor, **each}, {**mine, **each}))
        print(f"  round {number + 1}/{args.rounds}: " + "  ".join(
            f"{label} {figures[label].ratios[-1]:.2f}x" for label, *_ in singles), flush=True)
    for customers in JOURNEY_CUSTOMERS:
        figures[f"journeys {customers}"] = Paired(f"{name} journeys, {customers} customers",
                                                  "bare journeys", "journeys/s")
    for number in range(args.journey_rounds):
        for customers in JOURNEY_CUSTOMERS:
            each = {"concurrency": customers, "prepare": no_preparation,
                    "rounds": args.journeys if customers <= 20 else 1}
            figures[f"journeys {customers}"].add(*slice_pair(
                number, {"name": "bare journeys", "port": bare_port, "act": bare_journey, **each},
                {"name": "journeys", "port": port, "act": site_journey, **each}))
        print(f"  journey round {number + 1}/{args.journey_rounds}: " + "  ".join(
            f"{n} customers {figures[f'journeys {n}'].ratios[-1]:.2f}x" for n in JOURNEY_CUSTOMERS),
            flush=True)
    return figures


# --------------------------------------------------------------------------------------- servers

def site_env(folder, database_url, workers, smtp_port):
    port = free_port()
    return site_environment(folder, database_url, HOST="127.0.0.1", PORT=port, WORKERS=workers,
                            MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port,
                            PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")


def count_rows(database_url):
    """(inquiries, consent events granted) straight from the database."""
    queries = ("SELECT count(*) FROM inquiry", "SELECT count(*) FROM consent_event WHERE kind = 'granted'")
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    else:
        import psycopg2
        connection = psycopg2.connect(database_url)
    try:
        cursor = connection.cursor()
        counts = []
        for query in queries:
            cursor.execute(query)
            counts.append(cursor.fetchone()[0])
        return tuple(counts)
    finally:
        connection.close()


def references_in(envelope):
    message = email.message_from_bytes(envelope.content if isinstance(envelope.content, bytes)
                                       else envelope.content.encode())
    text = []
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if payload:
            text.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return set(REFERENCE.findall("\n".join(text)))


def wait_for_mail(sink, expected, timeout=30.0):
    """Until `expected` messages arrived and nothing more came for 2 s (duplicates show), or timeout."""
    deadline, last_count, quiet_since = time.monotonic() + timeout, -1, time.monotonic()
    while time.monotonic() < deadline:
        count = len(sink.messages)
        if count != last_count:
            last_count, quiet_since = count, time.monotonic()
        elif count >= expected and time.monotonic() - quiet_since > 2:
            return
        time.sleep(0.25)


def check_site(name, env, sink, journeys):
    """The after-run checks; returns printable lines and whether all passed."""
    references = [ref for figures in journeys for ref in figures.results]
    inquiries, consents = count_rows(env["DATABASE_URL"])
    wait_for_mail(sink, 2 * inquiries)
    sent_by_command = flask_command(env, "outbox", "send", check=False, timeout=120)
    wait_for_mail(sink, 2 * inquiries, timeout=10)
    per_reference = Counter()
    for envelope in sink.messages:
        for reference in references_in(envelope):
            per_reference[reference] += 1
    copies = Counter(per_reference.get(reference, 0) for reference in references)
    verify = flask_command(env, "ledger", "verify", check=False, timeout=300)
    mails_ok = set(copies) == {2}
    counts_ok = inquiries == consents == len(references)
    lines = [
        f"{name}: {len(references)} completed journeys, {inquiries} inquiries, {consents} consent events"
        f" -> {'equal' if counts_ok else 'NOT EQUAL'}",
        f"{name}: {len(sink.messages)} mails received; inquiries by mails received: "
        + ", ".join(f"{n} mails: {count}" for n, count in sorted(copies.items()))
        + (" -> exactly 2 each" if mails_ok else " -> NOT exactly 2 each")
        + ("" if sent_by_command.returncode == 0 else f" (flask outbox send exited {sent_by_command.returncode}: "
                                                      f"{sent_by_command.stderr.strip().splitlines()[-1:]})"),
        f"{name}: flask ledger verify exit {verify.returncode}: "
        + ((verify.stdout or verify.stderr).strip().splitlines() or [""])[-1][:140],
    ]
    return lines, mails_ok and counts_ok and verify.returncode == 0


def run_site(name, folder, database_url, bare_port, args):
    with running_smtp_sink() as sink:
        env = site_env(folder, database_url, args.workers, sink.port)
        started = time.monotonic()
        with serving(["./scripts/serve"], env, int(env["PORT"]), Path(folder) / "serve.log",
                     start_timeout=180):
            print(f"{name}: ./scripts/serve answered after {time.monotonic() - started:.1f} s", flush=True)
            figures = measure_site(name, int(env["PORT"]), bare_port, args)
            for figure in figures.values():
                for line in figure.lines():
                    print("  " + line, flush=True)
            checks, passed = check_site(name, env, sink,
                                        [figures[f"journeys {n}"] for n in JOURNEY_CUSTOMERS])
    for line in checks:
        print("  " + line, flush=True)
    return figures, passed


def serving_bare(folder, args):
    """The floor, bench/bare_app.py under the site's gunicorn.conf.py, up for the whole run."""
    env = site_environment(folder, "sqlite:///unused", PORT=free_port(), HOST="127.0.0.1",
                           WORKERS=args.workers)
    command = [str(REPO / ".venv/bin/gunicorn"), "--config", "gunicorn.conf.py",
               "--pythonpath", str(REPO / "bench"), "bare_app:app"]
    return serving(command, env, int(env["PORT"]), Path(folder) / "bare.log"), int(env["PORT"])


# -------------------------------------------------------------------------------------- verdicts

def ratio_lines(name, site):
    """A verdict per figure: its median ratio to the adjacent floor slices against the target."""
    lines, met = [], True
    for label, figure in site.items():
        target = TARGETS["journeys" if label.startswith("journeys") else label]
        ratios, ok = figure.ratios, figure.ratio >= target and not figure.failed
        met &= ok
        lines.append(f"{name + ' ' + label:<24} {figure.ratio:5.3f}x {figure.floor_name:<13} (median of "
                     f"{len(ratios)}, {min(ratios):.3f}-{max(ratios):.3f}; target >= {target}x) "
                     f"{'met' if ok else 'NOT met'}{f', {figure.failed} failed' if figure.failed else ''}")
    return lines, met


def compare_databases(sqlite_figures, pg_figures):
    """PostgreSQL against SQLite on journeys: each as its median ratio to its own adjacent floor (the
    two sites run a minute apart, the floor takes out how fast the machine was meanwhile)."""
    lines, met = [], True
    for customers in JOURNEY_CUSTOMERS:
        key = f"journeys {customers}"
        pg, lite = pg_figures[key], sqlite_figures[key]
        ratio = pg.ratio / lite.ratio if lite.ratio else 0.0
        raw = [statistics.median(figures.rate for figures in site.mine) for site in (pg, lite)]
        ok = ratio >= 1.0
        met &= ok
        lines.append(f"PostgreSQL vs SQLite, {key:<13} {ratio:5.3f}x (each against its floor: "
                     f"{pg.ratio:.3f}x / {lite.ratio:.3f}x; median journeys/s {raw[0]:.1f} / {raw[1]:.1f};"
                     f" target >= 1.0x) {'met' if ok else 'NOT met'}")
    return lines, met


def run_all(folder, bare_port, args):
    """SQLite, then PostgreSQL, each next to the floor at `bare_port`; (verdicts, every target met)."""
    sqlite_figures, passed = run_site("SQLite", folder / "sqlite",
                                      f"sqlite:///{folder / 'sqlite' / 'site.sqlite3'}", bare_port, args)
    verdicts, met = ratio_lines("SQLite", sqlite_figures)
    verdicts.append(f"SQLite checks (mails, counts, ledger verify): {'passed' if passed else 'FAILED'}")
    if postgres_bin() is None:
        verdicts.append("PostgreSQL: skipped, not installed (no initdb): apt-get install postgresql")
        return verdicts, met and passed
    with running_postgres() as postgres:
        pg_figures, pg_passed = run_site("PostgreSQL", folder / "postgres",
                                         postgres.fresh_database("bench"), bare_port, args)
    lines, pg_met = ratio_lines("PostgreSQL", pg_figures)
    compared, compared_met = compare_databases(sqlite_figures, pg_figures)
    verdicts += lines + [f"PostgreSQL checks (mails, counts, ledger verify): "
                         f"{'passed' if pg_passed else 'FAILED'}"] + compared
    return verdicts, met and passed and pg_met and pg_passed and compared_met


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the single-request figures")
    parser.add_argument("--seconds", type=float, default=1.0, help="measured seconds per slice")
    parser.add_argument("--concurrency", type=int, default=16, help="connections for the single requests")
    parser.add_argument("--journey-rounds", type=int, default=5, help="rounds of the journeys")
    parser.add_argument("--journeys", type=int, default=3, help="journeys per customer of the 20 (100: 1)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="madoguchi-bench-service-"))
    began = time.monotonic()
    print(f"{args.workers} workers (gunicorn.conf.py: gthread); single requests: {args.rounds} rounds "
          f"of {args.seconds:g} s slices over {args.concurrency} connections; journeys: "
          f"{args.journey_rounds} rounds, {args.journeys} per customer of 20, 1 per customer of 100; "
          "each slice next to a slice of the floor (bare Flask app, up all along)", flush=True)
    try:
        bare_server, bare_port = serving_bare(folder / "bare", args)
        with bare_server:
            verdicts, all_met = run_all(folder, bare_port, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("\nratios (same run, median over rounds of site slice / adjacent floor slice):")
    for line in verdicts:
        print("  " + line)
    print(f"\n{'every target met' if all_met else 'NOT every target met'} "
          f"(whole run {time.monotonic() - began:.0f} s)")


if __name__ == "__main__":
    main()
