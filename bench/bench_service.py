"""Benchmark of the site served as users deploy it (issue 8 §8). Run from the repository root:

    .venv/bin/python bench/bench_service.py [--workers 2] [--seconds 4] [--concurrency 16] [--journeys 3]

1. Starts the project's own server command, `./scripts/serve` (install into .venv, `flask init-db`,
   gunicorn with gunicorn.conf.py), with `--workers` workers: on SQLite, then on a throwaway
   PostgreSQL (tests/servers.py; skipped with the reason when PostgreSQL is not installed), each
   with a real SMTP sink (aiosmtpd). Next to them, the floor: bench/bare_app.py, a bare Flask app
   under the same gunicorn.conf.py.
2. Over HTTP on loopback, with keep-alive connections (http.client, one thread per connection):
   requests/s, p50 and p99 of the inline advice POST (CSRF token and session cookie taken from a
   page first), GET /contact and GET /privacy with `--concurrency` connections for `--seconds`;
   then whole journeys/s (form → consent → details → confirm → done: 4 GETs and 3 POSTs, redirects
   followed, as a browser without JavaScript) with 20 and 100 concurrent customers, `--journeys`
   each. The floor does the same (a bare POST, a bare GET, the same seven requests).
3. Checks each site: mails received per inquiry at the SMTP sink (exactly 2: acknowledgement and
   support notification), inquiries = consent events = completed journeys, `flask ledger verify`.
4. Prints the ratios against the floor and the targets: advice ≥ 0.7× the bare POST; /contact and
   /privacy ≥ 0.5× a bare GET; journeys/s ≥ 0.15× the bare journey; pooled PostgreSQL ≥ SQLite.

The machine running it is also the load generator: on a small machine the client takes CPU from
the servers (it does so for the floor too). Everything runs in a temporary folder, removed after.
"""
import argparse
import email
import http.client
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from conftest import running_smtp_sink  # noqa: E402
from inquiry_helpers import GOOD_ANSWERS  # noqa: E402
from servers import flask_command, free_port, postgres_bin, running_postgres, site_environment  # noqa: E402

REFERENCE = re.compile(r"AMK-\d{8}-[0-9A-Z]{4,}")
HIDDEN_INPUT = re.compile(r"<input\b[^>]*\btype=\"hidden\"[^>]*>")
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')
ADDRESSES = ["taro.yamada@docomo.ne.jp", "hanako@gmail.con", "suzuki..ichiro@ezweb.ne.jp",
             "ｓａｔｏ@example.jp", "mio_1999@icloud.com", "ren.@softbank.ne.jp"]
JOURNEY_CUSTOMERS = (20, 100)
WARM_UP_SECONDS = 0.5
TARGETS = {"advice": 0.7, "/contact": 0.5, "/privacy": 0.5, "journeys": 0.15}


# ---------------------------------------------------------------------------------------- client

@dataclass
class Answer:
    status: int
    location: str
    body: str


class Browser:
    """One customer's keep-alive connection and cookies; follows 302/303 to a GET, as browsers do.
    Kept cheap on purpose: on a small machine every microsecond here is taken from the server."""

    def __init__(self, port):
        self.port, self.cookies = port, {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.errors = 0

    def request(self, method, path, form=None, headers=None):
        sent = {"Accept-Language": "ja", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = urlencode(form) if form is not None else None
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):   # a keep-alive connection the server closed meanwhile: once more
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.status >= 400:
            self.errors += 1
        answer = Answer(response.status, response.getheader("Location") or "", text)
        if answer.status in (302, 303):
            return self.request("GET", urlsplit(answer.location).path or "/")
        return answer

    def close(self):
        self.connection.close()


def hidden_fields(page):
    fields = {}
    for tag in HIDDEN_INPUT.findall(page):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


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


# ------------------------------------------------------------------------------------------ load

@dataclass
class Figures:
    name: str
    done: int = 0
    failed: int = 0
    seconds: float = 0.0
    latencies: list = field(default_factory=list)
    results: list = field(default_factory=list)

    @property
    def rate(self):
        return self.done / self.seconds if self.seconds else 0.0

    def percentile(self, p):
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def line(self, unit="req/s"):
        failed = f", {self.failed} failed" if self.failed else ""
        return (f"{self.name:<34} {self.rate:8.1f} {unit:<10} p50 {self.percentile(50):7.1f} ms"
                f"  p99 {self.percentile(99):7.1f} ms  ({self.done} in {self.seconds:.1f} s{failed})")


def run_load(name, port, concurrency, prepare, act, seconds=None, rounds=None):
    """`concurrency` threads, each with its own Browser: `prepare(browser, n)` once, then `act(browser,
    state)` again and again. With `seconds`: for WARM_UP_SECONDS (not counted), then `seconds`
    (counted: what began in them). With `rounds`: exactly `rounds` times each, all counted, the rate
    over the wall time from the first start to the last end (journeys take seconds under load, far
    longer than a window should be). `act` returns something truthy on success; every result is
    kept (journeys' references, for the checks)."""
    figures, lock = Figures(name), threading.Lock()
    ready = threading.Barrier(concurrency + 1)
    window = {}

    def customer(number):
        browser = Browser(port)
        try:
            state = prepare(browser, number)
            ready.wait()
            done_rounds = 0
            while True:
                begun = time.monotonic()
                if (rounds is not None and done_rounds == rounds) or (seconds and begun >= window["stop"]):
                    break
                done_rounds += 1
                try:
                    result = act(browser, state)
                except (OSError, http.client.HTTPException):
                    result = None
                took = time.monotonic() - begun
                with lock:
                    if result:
                        figures.results.append(result)
                    if begun >= window["start"]:
                        figures.latencies.append(took)
                        if result:
                            figures.done += 1
                        else:
                            figures.failed += 1
        finally:
            browser.close()

    threads = [threading.Thread(target=customer, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    now = time.monotonic()
    window["start"] = now + WARM_UP_SECONDS if seconds else now
    window["stop"] = window["start"] + (seconds or 0)
    ready.wait()
    for thread in threads:
        thread.join()
    figures.seconds = seconds or time.monotonic() - window["start"]
    return figures


def no_preparation(browser, number):
    return number


def csrf_from_page(browser, number):
    page = browser.request("GET", "/contact/form")
    return {"token": CSRF_HEADER.search(page.body).group(1), "n": number}


def get(path):
    return lambda browser, state: browser.request("GET", path).status == 200


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

def wait_for_port(process, port, log_file, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{Path(log_file).read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port} within {timeout} s")


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
