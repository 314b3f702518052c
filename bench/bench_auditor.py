"""Benchmark of the auditor's filtered ledger page at 1,000,000 events (issue 4 §3). Run from the
repository root:

    .venv/bin/python bench/bench_auditor.py [--events 1000000] [--db FILE] [--requests 25]

1. Fills a SQLite file with `--events` consent events spread over two years (four policy versions,
   about 96 % granted, 3 % withdrawn, 1 % erased; 300,000 people), in one transaction with
   executemany of precomputed rows. The hashes are the real chain's, so the file is a valid ledger
   for other experiments too. An existing file with enough events is reused (`--db`).
2. Signs an auditor in through the login form and times GET /staff/audit/ledger through
   app.test_client (the whole page: filters, counts per version and kind, 30 days per day with the
   SVG chart, 50 events) for several filter combinations, each on its first page and on a deep page
   (a keyset cursor half-way through the filtered events). Prints median and p95 in ms.
   Target: every median < 200 ms.
"""
import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from app import create_app  # noqa: E402
from conftest import sign_in_staff  # noqa: E402
from madoguchi.ledger import canonical
from madoguchi.ledger.store import browse as ledger_browse  # noqa: E402
from madoguchi.policy import revisions  # noqa: E402
from madoguchi.ledger.store.browse import LedgerFilter  # noqa: E402
from models import ConsentEvent, PolicyVersion, database  # noqa: E402

START = datetime(2024, 11, 25, tzinfo=timezone.utc)
SPAN = timedelta(days=730)
# (label, effective from, UTC) — version 1 is the seed's.
LATER_VERSIONS = [("2", datetime(2025, 4, 1)), ("3", datetime(2025, 10, 1)), ("4", datetime(2026, 6, 1))]


def make_app(database_file):
    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{database_file}",
                       "SECRET_KEY": "bench", "SUBJECT_KEY": "bench-subject", "LEDGER_KEY": "bench-ledger",
                       "MAIL_SINK_DIR": tempfile.mkdtemp(), "OUTBOX_SEND_IMMEDIATELY": False})


def publish_versions():
    for label, effective in LATER_VERSIONS:
        if not PolicyVersion.select().where(PolicyVersion.label == label).exists():
            text = f"個人情報の取扱いについて（第{label}版）"
            PolicyVersion.create(label=label, effective_at=effective, text_ja=text, text_en=f"Version {label}",
                                 sha256_ja=revisions.sha256_text(text),
                                 sha256_en=revisions.sha256_text(f"Version {label}"),
                                 published_at=effective - timedelta(days=30), published_by="bench")
    return {v.label: v for v in PolicyVersion.select()}


def event_rows(count, versions, seed=20261124):
    """The events in seq order with their chained hashes, as tuples in FIELDS order + hash."""
    rng = random.Random(seed)
    switches = sorted((v.effective_at.replace(tzinfo=timezone.utc), v) for v in versions.values())
    subjects = [f"{rng.getrandbits(256):064x}" for _ in range(300_000)]
    step = SPAN / count
    prev_hash, index = canonical.GENESIS_HASH, 0
    for seq in range(1, count + 1):
        moment = START + step * seq
        while index + 1 < len(switches) and switches[index + 1][0] <= moment:
            index += 1
        version = switches[index][1]
        roll = rng.random()
        kind = "granted" if roll < 0.96 else "withdrawn" if roll < 0.99 else "erased"
        locale = "ja" if rng.random() < 0.8 else "en"
        fields = (seq, kind, canonical.format_time(moment), rng.choice(subjects), version.label,
                  revisions.sha256_for(version, locale), locale, "web_form_checkbox",
                  f"203.0.{rng.randrange(256)}.0/24", f"AMK-{moment:%Y%m%d}-{seq:06d}" if kind == "granted" else "",
                  prev_hash)
        prev_hash = canonical.event_hash(*fields)
        yield fields + (prev_hash,)


def fill(database_file, count, app):
    with app.app_context(), database.connection_context():
        have = ConsentEvent.select().count()
        versions = publish_versions()
    if have >= count:
        print(f"reusing {database_file}: {have:,} events")
        return
    if have:
        sys.exit(f"{database_file} holds {have:,} events, fewer than {count:,}: remove it first")
    started = time.perf_counter()
    raw = sqlite3.connect(database_file)
    raw.execute("PRAGMA journal_mode=WAL")
    columns = ", ".join(canonical.FIELDS + ("hash",))
    with raw:
        raw.executemany(f"INSERT INTO consent_event ({columns}) VALUES ({', '.join('?' * 12)})",
                        event_rows(count, versions))
    raw.close()
    print(f"filled {count:,} events in {time.perf_counter() - started:.1f} s ({database_file})")


def deep_cursor(ledger_filter):
    """The seq half-way down the filtered events, newest first: a cursor for a deep page."""
    query = ledger_browse._select(ledger_filter.conditions(),
                                  (ConsentEvent.occurred_at.desc(), ConsentEvent.seq.desc()))
    total = query.count()
    row = query.offset(total // 2).limit(1).first()   # OFFSET only here, to find a cursor once
    return row.seq if row else None


def scenarios(app):
    with app.app_context(), database.connection_context():
        someone = ConsentEvent.get(ConsentEvent.seq == 777_777 % ConsentEvent.select().count() or 1).subject_key
    cases = {
        "no filter": {},
        "one month (2026-03)": {"date_from": "2026-03-01", "date_to": "2026-03-31"},
        "one year": {"date_from": "2025-01-01", "date_to": "2025-12-31"},
        "version 2": {"version": "2"},
        "kind withdrawn": {"kind": "withdrawn"},
        "version 3 + erased + 3 months": {"version": "3", "kind": "erased",
                                          "date_from": "2025-10-01", "date_to": "2025-12-31"},
        "one person": {"subject": someone},
    }
    for name, query in cases.items():
        ledger_filter = LedgerFilter(*(date.fromisoformat(query[k]) if k in query else None
                                       for k in ("date_from", "date_to")),
                                     query.get("version", ""), query.get("kind", ""), query.get("subject", ""))
        with app.app_context(), database.connection_context():
            cursor = deep_cursor(ledger_filter)
        yield name, "first page", query
        if cursor:
            yield name, "deep page", dict(query, before=cursor)


def time_page(client, query, requests):
    for _ in range(2):
        assert client.get("/staff/audit/ledger", query_string=query).status_code == 200
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.get("/staff/audit/ledger", query_string=query)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--db", default=os.path.join(tempfile.gettempdir(), "bench_auditor.sqlite3"))
    parser.add_argument("--requests", type=int, default=25)
    args = parser.parse_args()
    app = make_app(args.db)
    fill(args.db, args.events, app)
    client = app.test_client()
    with app.app_context(), database.connection_context():
        from models import StaffUser
        StaffUser.delete().where(StaffUser.email == "auditor@example.com").execute()
    sign_in_staff(app, client, "auditor")
    print(f"\nGET /staff/audit/ledger, {args.requests} requests each (target: median < 200 ms)")
    print(f"{'filters':34} {'page':11} {'median ms':>10} {'p95 ms':>8}")
    worst = 0.0
    for name, which, query in scenarios(app):
        median, p95 = time_page(client, query, args.requests)
        worst = max(worst, median)
        print(f"{name:34} {which:11} {median:10.1f} {p95:8.1f}")
    print(f"\nslowest median: {worst:.1f} ms — {'OK' if worst < 200 else 'OVER'} the 200 ms target")


if __name__ == "__main__":
    main()
