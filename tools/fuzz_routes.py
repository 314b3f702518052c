"""Odd input over every route: generated requests, no 5xx, no stored row changed that should not be.

    python tools/fuzz_routes.py [--requests 12000] [--seed 1]

Builds the site in-process over a temporary SQLite file with demo inquiries, a draft policy version
and one account per staff role, then sends seeded random requests through app.test_client: every
route of app.url_map, GET with odd query strings, POST with odd form bodies (with a valid CSRF token
most of the time, so the handlers really run), as an anonymous visitor, a customer half-way through
the form and each staff role. The values are what breaks parsers: 40-digit, negative and full-width
numbers, impossible dates, NUL and other control characters, lone surrogates and invalid UTF-8
(percent-encoded), very long strings, empty values and repeated keys.

Afterwards the consent ledger, its checkpoints, the published policy versions and the inquiries
(all but their status, which support may move) must be byte-identical, and the ledger must verify.
Prints the figures; exits 1 on any 5xx or changed row. tests/test_odd_input.py runs a slice of it.
"""
import argparse
import hashlib
import logging
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for folder in (REPO, REPO / "tools"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from fuzz_requests import PASSWORD, ROLES, Fuzzer, database_path, email_of  # noqa: E402

# The abuse limits would answer 429 and the fill-time check 422 long before the handlers run.
FUZZ_SETTINGS = {"RATELIMIT_ENABLED": False, "INQUIRY_MIN_FILL_SECONDS": 0}
# Who a route is for: most requests to it come from them, so that its handler runs past the guard.
OWNERS = {"/staff/admin": "admin", "/staff/audit": "auditor", "/staff/support": "support",
          "/contact/form": "customer"}


@dataclass
class Figures:
    requests: int = 0
    by_route: Counter = field(default_factory=Counter)
    seconds_by_route: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    by_person: dict = field(default_factory=dict)           # who → Counter of statuses
    server_errors: list = field(default_factory=list)      # (status, route, url, what failed)
    changed: list = field(default_factory=list)            # names of tables with changed rows
    ledger_ok: bool = False
    seconds: float = 0.0

    def count(self, route, who, status, seconds):
        self.requests += 1
        self.by_route[route] += 1
        self.seconds_by_route[route] += seconds
        self.by_status[status] += 1
        self.by_person.setdefault(who, Counter())[status] += 1

    def report(self):
        rate = self.requests / max(self.seconds, 1e-9)
        lines = [f"requests tried: {self.requests} in {self.seconds:.1f} s ({rate:.0f}/s) over {len(self.by_route)} routes",
                 "by status: " + _counts(self.by_status), "by sender:"]
        lines += [f"  {who:9s}  {_counts(statuses)}" for who, statuses in self.by_person.items()]
        lines.append("by route:")
        lines += [f"  {n:6d}  {route}  ({self.seconds_by_route[route] / n * 1000:.1f} ms each)"
                  for route, n in sorted(self.by_route.items())]
        lines.append(f"5xx seen: {len(self.server_errors)}")
        kinds = Counter((status, route, what.split(":")[0]) for status, route, _url, what in self.server_errors)
        examples = {(status, route, what.split(":")[0]): (url, what) for status, route, url, what in self.server_errors}
        for (status, route, kind), count in kinds.most_common():
            url, what = examples[(status, route, kind)]
            lines.append(f"  {count:5d} × {status} {route} — {what}\n          e.g. {url[:150]}")
        lines.append(f"rows changed that should not be: {len(self.changed)} {self.changed or ''}")
        lines.append(f"ledger verifies: {'yes' if self.ledger_ok else 'NO'}")
        return "\n".join(lines)


def _counts(counter):
    return ", ".join(f"{code}: {n}" for code, n in sorted(counter.items()))


class FailureLog(logging.Handler):
    """Keeps what the app's 500 handler logs (the exception's type and message), for the report."""
    def __init__(self):
        super().__init__(logging.ERROR)
        self.last = ""

    def emit(self, record):
        error = record.exc_info[1] if record.exc_info else None
        self.last = f"{type(error).__name__}: {str(error)[:120]}" if error else record.getMessage()[:160]


def build_app(folder):
    """The site over a fresh SQLite file in `folder`, as a fuzz run needs it."""
    from app import create_app

    return create_app({
        "DATABASE_URL": f"sqlite:///{Path(folder) / 'fuzz.sqlite3'}", "AUTO_INIT_DB": True,
        "SECRET_KEY": "fuzz-secret", "SUBJECT_KEY": "fuzz-subject-key", "LEDGER_KEY": "fuzz-ledger-key",
        "MAIL_SINK_DIR": str(Path(folder) / "mail"), "OUTBOX_SEND_IMMEDIATELY": False,
        "LEDGER_ANCHOR_PATH": str(Path(folder) / "ledger-anchors.log"),   # not the real site's
        "POLICY_CACHE_SECONDS": 0, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        **FUZZ_SETTINGS,
    })


def prepare(app, inquiries=30, seed=7):
    """Demo inquiries with their consents, a draft policy version, one account per role."""
    from madoguchi.staff.store import accounts
    from models import PolicyVersion, StaffUser

    app.config.update(FUZZ_SETTINGS)
    result = app.test_cli_runner().invoke(args=["demo", "populate", "--inquiries", str(inquiries),
                                                "--seed", str(seed)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for role in ROLES:
            if not StaffUser.get_or_none(StaffUser.email == email_of(role)):
                accounts.create_user(email_of(role), role, PASSWORD, created_by="fuzz",
                                     hash_method=app.config["PASSWORD_HASH_METHOD"])
        current = PolicyVersion.select().where(PolicyVersion.published_at.is_null(False)).first()
        if not PolicyVersion.get_or_none(PolicyVersion.label == "fuzz-draft"):
            PolicyVersion.create(label="fuzz-draft", effective_at=current.effective_at, text_ja=current.text_ja,
                                 text_en=current.text_en, sha256_ja=current.sha256_ja,
                                 sha256_en=current.sha256_en, change_summary="fuzz")


def protected_rows(app, published=None, inquiries=None):
    """{table: digest} of the rows no request may change: the whole ledger and its checkpoints,
    the versions published (ids in `published`, by default those published now) and the
    inquiries (ids up to `inquiries`, by default all now) but for their status. Returns the
    digests and the two bounds, for the comparison afterwards."""
    with sqlite3.connect(database_path(app)) as connection:
        if published is None:
            published = [row[0] for row in connection.execute(
                "SELECT id FROM policy_version WHERE published_at IS NOT NULL")]
        if inquiries is None:
            inquiries = connection.execute("SELECT COALESCE(MAX(id), 0) FROM inquiry").fetchone()[0]
        columns = [row[1] for row in connection.execute("PRAGMA table_info(inquiry)") if row[1] != "status"]
        queries = {
            "consent_event": "SELECT * FROM consent_event ORDER BY seq",
            "ledger_checkpoint": "SELECT * FROM ledger_checkpoint ORDER BY id",
            "policy_version (published)": "SELECT * FROM policy_version WHERE id IN "
                                          f"({', '.join(map(str, published)) or 'NULL'}) ORDER BY id",
            "inquiry": f"SELECT {', '.join(columns)} FROM inquiry WHERE id <= {int(inquiries)} ORDER BY id",
        }
        digests = {table: hashlib.sha256(repr(connection.execute(query).fetchall()).encode()).hexdigest()
                   for table, query in queries.items()}
    return digests, published, inquiries


def signed_out(answer):
    return answer is None or "/staff/login" in (answer.location or "")


def run(app, requests, seed=1):
    """Send `requests` generated requests to `app` (prepared) and return the Figures."""
    from flask.logging import default_handler

    from madoguchi.ledger.store import verification
    from models import database

    rng, figures, failures = random.Random(seed), Figures(), FailureLog()
    app.logger.addHandler(failures)
    app.logger.removeHandler(default_handler)     # the failures are summed up below, not printed
    before, published, inquiries = protected_rows(app)
    fuzzer, people = Fuzzer(app, rng), ("anonymous", "customer") + ROLES
    started = time.perf_counter()
    for number in range(requests):
        rule, method = fuzzer.routes[number % len(fuzzer.routes)]
        owner = next((who for prefix, who in OWNERS.items() if rule.rule.startswith(prefix)), None)
        who = owner if owner and rng.random() < 0.7 else rng.choice(people)
        sent = time.perf_counter()
        url, status, answer = _send(fuzzer, rule, method, who, failures)
        figures.count(f"{method} {rule.rule}", who, status, time.perf_counter() - sent)
        if status >= 500:
            figures.server_errors.append((status, f"{method} {rule.rule}", url, failures.last or "?"))
        if who in ROLES and (rule.endpoint == "staff_auth.logout" or signed_out(answer)):
            fuzzer.clients.pop(who)      # signed out (or sent to sign in): a fresh sign-in next time
        elif who == "customer" and rng.random() < 0.02:
            fuzzer.clients.pop(who)      # a new customer journey now and then
    figures.seconds = time.perf_counter() - started
    app.logger.removeHandler(failures)
    app.logger.addHandler(default_handler)
    after, _, _ = protected_rows(app, published, inquiries)
    figures.changed = [table for table in before if before[table] != after[table]]
    with app.app_context(), database.connection_context():
        figures.ledger_ok = verification.verify(app.config["LEDGER_KEY"]).ok
    return figures


def _send(fuzzer, rule, method, who, failures):
    """(url, status, answer) of one generated request; whatever escapes the app counts as 599."""
    failures.last = ""
    try:
        url, answer = fuzzer.request(rule, method, who)
        answer.get_data()      # a streamed answer fails while it is read, if at all
        return url, answer.status_code, answer
    except Exception as error:  # noqa: BLE001 - whatever escapes the app is what we look for
        failures.last = f"{type(error).__name__}: {str(error)[:120]}"
        return rule.rule, 599, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=12_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--inquiries", type=int, default=30)
    arguments = parser.parse_args()
    # In memory where the system offers it: the requests' commits then wait for no disk.
    memory = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="madoguchi-fuzz-", dir=memory) as folder:
        app = build_app(folder)
        prepare(app, arguments.inquiries)
        figures = run(app, arguments.requests, arguments.seed)
    print(figures.report())
    return 0 if not figures.server_errors and not figures.changed and figures.ledger_ok else 1


if __name__ == "__main__":
    sys.exit(main())
