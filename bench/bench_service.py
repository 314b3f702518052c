"""Benchmark of the site served as users deploy it (issue 8 §8). Run from the repository root:

    .venv/bin/python bench/bench_service.py [--workers 2] [--seconds 4] [--concurrency 16] [--journeys 3]

Starts `./scripts/serve` on SQLite, then on a throwaway PostgreSQL (skipped with the reason when it
is not installed), each with a real SMTP sink, and next to them the floor (bench/bare_app.py under
the same gunicorn.conf.py); loads each over keep-alive HTTP (bench/http_load.py); checks mails,
counts and the ledger; prints the ratios against the floor and the targets. bench/README.md says
what is measured and why. Everything runs in a temporary folder, removed after.
"""
import argparse
import email
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from conftest import running_smtp_sink  # noqa: E402
from http_load import get, hidden_fields, no_preparation, run_load, wait_for_port  # noqa: E402
from inquiry_helpers import GOOD_ANSWERS  # noqa: E402
from servers import flask_command, free_port, postgres_bin, running_postgres, site_environment  # noqa: E402

REFERENCE = re.compile(r"AMK-\d{8}-[0-9A-Z]{4,}")
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')
ADDRESSES = ["taro.yamada@docomo.ne.jp", "hanako@gmail.con", "suzuki..ichiro@ezweb.ne.jp",
             "ｓａｔｏ@example.jp", "mio_1999@icloud.com", "ren.@softbank.ne.jp"]
JOURNEY_CUSTOMERS = (20, 100)
TARGETS = {"advice": 0.7, "/contact": 0.5, "/privacy": 0.5, "journeys": 0.15}


# -------------------------------------------------------------------------------------- journeys

def site_journey(browser):
    """A new customer's whole inquiry; the reference shown on the done page, or None."""
    browser.cookies.clear()
    page = browser.request("GET", "/contact/form")
    page = browser.request("POST", "/contact/form", {**hidden_fields(page.body), "agree": "y"})
    page = browser.request("POST", "/contact/form/details", {**hidden_fields(page.body), **GOOD_ANSWERS})
    page = browser.request("POST", "/contact/form/confirm", hidden_fields(page.body))
    found = REFERENCE.search(page.body) if page.status == 200 else None
    return found.group(0) if found else None


def bare_journey(browser):
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


def measure_site(name, port, args):
    single = dict(port=port, concurrency=args.concurrency, seconds=args.seconds)
    figures = {
        "advice": run_load(f"{name} POST email-advice", prepare=csrf_from_page, act=advice_post, **single),
        "/contact": run_load(f"{name} GET /contact", prepare=no_preparation, act=get("/contact"), **single),
        "/privacy": run_load(f"{name} GET /privacy", prepare=no_preparation, act=get("/privacy"), **single),
    }
    for customers in JOURNEY_CUSTOMERS:
        figures[f"journeys {customers}"] = run_load(
            f"{name} journeys, {customers} customers", port, customers, no_preparation,
            lambda browser, _state: site_journey(browser), rounds=args.journeys)
    return figures


def measure_bare(port, args):
    single = dict(port=port, concurrency=args.concurrency, seconds=args.seconds)
    figures = {
        "post": run_load("bare POST /fragment", prepare=no_preparation, act=bare_post, **single),
        "get": run_load("bare GET /page", prepare=no_preparation, act=get("/page"), **single),
    }
    for customers in JOURNEY_CUSTOMERS:
        figures[f"journeys {customers}"] = run_load(
            f"bare journeys, {customers} customers", port, customers, no_preparation,
            lambda browser, _state: bare_journey(browser), rounds=args.journeys)
    return figures


# --------------------------------------------------------------------------------------- servers

@contextmanager
def serving(command, env, log_file):
    """A server process on loopback (env PORT), stopped with SIGTERM as an operator would."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "w") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(process, int(env["PORT"]), log_file)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
        + ("" if sent_by_command.returncode == 0 else f" (flask outbox send exited {sent_by_command.returncode})"),
        f"{name}: flask ledger verify exit {verify.returncode}: "
        + ((verify.stdout or verify.stderr).strip().splitlines() or [""])[-1][:140],
    ]
    return lines, mails_ok and counts_ok and verify.returncode == 0


def run_site(name, folder, database_url, args):
    with running_smtp_sink() as sink:
        env = site_env(folder, database_url, args.workers, sink.port)
        started = time.monotonic()
        with serving(["./scripts/serve"], env, Path(folder) / "serve.log"):
            print(f"{name}: ./scripts/serve answered after {time.monotonic() - started:.1f} s", flush=True)
            figures = measure_site(name, int(env["PORT"]), args)
            for figure in figures.values():
                print("  " + figure.line("journeys/s" if "journeys" in figure.name else "req/s"), flush=True)
            checks, passed = check_site(name, env, sink,
                                        [figures[f"journeys {n}"] for n in JOURNEY_CUSTOMERS])
    for line in checks:
        print("  " + line, flush=True)
    return figures, passed


def run_bare(folder, args):
    env = site_environment(folder, "sqlite:///unused", PORT=free_port(), HOST="127.0.0.1",
                           WORKERS=args.workers)
    command = [str(REPO / ".venv/bin/gunicorn"), "--config", "gunicorn.conf.py",
               "--pythonpath", str(REPO / "bench"), "bare_app:app"]
    with serving(command, env, Path(folder) / "bare.log"):
        figures = measure_bare(int(env["PORT"]), args)
    for figure in figures.values():
        print("  " + figure.line("journeys/s" if "journeys" in figure.name else "req/s"), flush=True)
    return figures


# -------------------------------------------------------------------------------------- verdicts

def ratio_lines(name, site, bare):
    rows = [("advice", site["advice"], bare["post"], TARGETS["advice"], "bare POST"),
            ("/contact", site["/contact"], bare["get"], TARGETS["/contact"], "bare GET"),
            ("/privacy", site["/privacy"], bare["get"], TARGETS["/privacy"], "bare GET")]
    rows += [(f"journeys {n}", site[f"journeys {n}"], bare[f"journeys {n}"], TARGETS["journeys"],
              "bare journeys") for n in JOURNEY_CUSTOMERS]
    lines, met = [], True
    for label, mine, floor, target, against in rows:
        ratio = mine.rate / floor.rate if floor.rate else 0.0
        ok = ratio >= target and not mine.failed
        met &= ok
        lines.append(f"{name} {label:<13} {ratio:5.2f}x {against:<13} (target >= {target}x) "
                     f"{'met' if ok else 'NOT met'}{'' if not mine.failed else f', {mine.failed} failed'}")
    return lines, met


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=4.0, help="measured seconds per figure")
    parser.add_argument("--concurrency", type=int, default=16, help="connections for the single requests")
    parser.add_argument("--journeys", type=int, default=3, help="journeys per customer")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="madoguchi-bench-service-"))
    began = time.monotonic()
    verdicts, all_met = [], True
    try:
        print(f"{args.workers} workers (gunicorn.conf.py: gthread), single requests: {args.seconds:g} s "
              f"each over {args.concurrency} connections; journeys: {args.journeys} per customer", flush=True)
        print("bare Flask app (the floor):", flush=True)
        bare = run_bare(folder / "bare", args)
        sqlite_figures, passed = run_site("SQLite", folder / "sqlite",
                                          f"sqlite:///{folder / 'sqlite' / 'site.sqlite3'}", args)
        lines, met = ratio_lines("SQLite", sqlite_figures, bare)
        verdicts += lines + [f"SQLite checks (mails, counts, ledger verify): {'passed' if passed else 'FAILED'}"]
        all_met &= met and passed
        if postgres_bin() is None:
            verdicts.append("PostgreSQL: skipped, not installed (no initdb): apt-get install postgresql")
        else:
            with running_postgres() as postgres:
                pg_figures, pg_passed = run_site("PostgreSQL", folder / "postgres",
                                                 postgres.fresh_database("bench"), args)
            lines, met = ratio_lines("PostgreSQL", pg_figures, bare)
            verdicts += lines + [f"PostgreSQL checks (mails, counts, ledger verify): "
                                 f"{'passed' if pg_passed else 'FAILED'}"]
            all_met &= met and pg_passed
            for customers in JOURNEY_CUSTOMERS:
                key = f"journeys {customers}"
                ratio = (pg_figures[key].rate / sqlite_figures[key].rate) if sqlite_figures[key].rate else 0.0
                ok = ratio >= 1.0
                all_met &= ok
                verdicts.append(f"PostgreSQL vs SQLite, {key:<13} {ratio:5.2f}x (target >= 1.0x) "
                                f"{'met' if ok else 'NOT met'}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("\nratios (same run):")
    for line in verdicts:
        print("  " + line)
    print(f"\n{'every target met' if all_met else 'NOT every target met'} "
          f"(whole run {time.monotonic() - began:.0f} s)")


if __name__ == "__main__":
    main()
