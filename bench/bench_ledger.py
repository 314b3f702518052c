"""Benchmark of the consent ledger on SQLite; prints its figures.

    .venv/bin/python bench/bench_ledger.py               # 1,000,000 events (a few minutes)
    .venv/bin/python bench/bench_ledger.py --events 100000

1. appends/s with 1 and with 8 writer processes, each append on its own (one event, one signed
   checkpoint, one BEGIN IMMEDIATE transaction), as the contact form does;
2. a ledger of --events events, written in batches of 10,000 with one checkpoint per batch (an
   import's way: a batch is one transaction, so anchoring its end anchors all of it);
3. export to CSV and JSONL with one worker process per CPU (time; peak RSS of the exporting
   process and of its workers, measured in a subprocess with resource.getrusage) next to
   `sqlite3 -csv` (and `sqlite3 -json`) dumping the same table;
4. verify of the whole ledger (1 process, and one per CPU walking stretches side by side) next to
   hashlib alone hashing the same canonical bytes.

Targets: >= 2,000 appends/s with 8 writers; export <= 2x the sqlite3 dump with peak RSS < 100 MB;
verify >= 0.5x the raw hashlib rate.
"""
import argparse
import hashlib
import json
import multiprocessing
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import models  # noqa: E402  (needs ROOT on the path)
from madoguchi.ledger.store import consent_ledger  # noqa: E402
from madoguchi.ledger import canonical
from madoguchi.ledger.store import triggers as ledger_schema  # noqa: E402
from madoguchi.ledger.store import stream as ledger_stream  # noqa: E402
from madoguchi.policy import revisions  # noqa: E402
from madoguchi.policy.store import versions as policy_store  # noqa: E402

LEDGER_KEY = "bench-ledger-key"
BATCH = 10_000


def open_ledger(path, create=False):
    models.database.initialize(models.open_database(f"sqlite:///{path}"))
    if create:
        models.database.create_tables(models.ALL_MODELS)
        ledger_schema.install_triggers(models.database)
        policy_store.ensure_first_version()
    return policy_store.current_version()


def event_fields(n, version):
    locale = "en" if n % 4 == 0 else "ja"
    return dict(kind="granted", subject_key=hashlib.sha256(b"%d" % n).hexdigest(),
                policy_version=version.label, policy_sha256=revisions.sha256_for(version, locale),
                locale=locale, method="web_form_checkbox", ip_truncated=f"203.0.{n % 256}.0/24",
                inquiry_ref=f"AMK-20261124-{n % 1_000_000:06d}")


def append_one_by_one(path, first, count, start_at=None):
    version = open_ledger(path)
    if start_at:
        while time.time() < start_at:       # every writer starts at the same moment
            time.sleep(0.001)
    for n in range(first, first + count):
        consent_ledger.append(ledger_key=LEDGER_KEY, **event_fields(n, version))
    models.database.close()


def bench_appends(workdir, total):
    figures = {}
    for writers in (1, 8):
        path = os.path.join(workdir, f"appends-{writers}.sqlite3")
        open_ledger(path, create=True)
        models.database.close()
        share = total // writers
        start_at = time.time() + 3.0            # after the spawned processes have imported
        context = multiprocessing.get_context("spawn")
        processes = [context.Process(target=append_one_by_one,
                                     args=(path, w * share, share, start_at))
                     for w in range(writers)]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        elapsed = time.time() - start_at
        open_ledger(path)
        ok = verify_summary()
        figures[writers] = share * writers / elapsed
        print(f"appends, {writers} writer(s): {share * writers} events in {elapsed:.2f} s = "
              f"{figures[writers]:,.0f}/s   ({ok})")
    return figures


def verify_summary():
    from madoguchi.ledger.store import verification as ledger_verify

    return ledger_verify.verify(LEDGER_KEY).summary()[:40]


def populate(path, count):
    version = open_ledger(path, create=True)
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        consent_ledger.append_many([event_fields(n, version)
                                    for n in range(first, min(first + BATCH, count))], LEDGER_KEY)
    print(f"populate: {count:,} events in batches of {BATCH:,}: "
          f"{time.perf_counter() - started:.1f} s")


def child_export(path, fmt, output):
    """Run in a subprocess, so that its peak RSS is the export's alone."""
    from madoguchi.ledger.store import exports as ledger_export

    open_ledger(path)
    started = time.perf_counter()
    manifest = ledger_export.write_export(output, fmt, database_url=f"sqlite:///{path}",
                                          workers=os.cpu_count() or 1)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": time.perf_counter() - started, "count": manifest["count"],
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "worker_peak_rss_mb": children}))


def sqlite3_dump_seconds(path, mode, output):
    started = time.perf_counter()
    with open(output, "wb") as dump:
        subprocess.run(["sqlite3", mode, path, "SELECT * FROM consent_event ORDER BY seq"],
                       stdout=dump, check=True)
    return time.perf_counter() - started


def bench_export(path, workdir):
    dumps = {"csv": sqlite3_dump_seconds(path, "-csv", os.path.join(workdir, "dump.csv")),
             "jsonl": sqlite3_dump_seconds(path, "-json", os.path.join(workdir, "dump.json"))}
    print(f"sqlite3 -csv dump: {dumps['csv']:.2f} s; sqlite3 -json dump: {dumps['jsonl']:.2f} s")
    ratios = {}
    for fmt in ("csv", "jsonl"):
        output = os.path.join(workdir, f"export.{fmt}")
        done = subprocess.run([sys.executable, __file__, "--child-export", path, fmt, output],
                              capture_output=True, text=True, check=True)
        figures = json.loads(done.stdout)
        ratios[fmt] = (figures["seconds"] / dumps["csv"], figures["seconds"] / dumps["jsonl"],
                       max(figures["peak_rss_mb"], figures["worker_peak_rss_mb"]))
        print(f"export {fmt} ({os.cpu_count()} worker processes): {figures['count']:,} events in "
              f"{figures['seconds']:.2f} s = {ratios[fmt][0]:.2f}x the sqlite3 -csv dump, "
              f"{ratios[fmt][1]:.2f}x the -json dump; peak RSS {figures['peak_rss_mb']:.0f} MB "
              f"(each worker at most {figures['worker_peak_rss_mb']:.0f} MB)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "verify_export.py"),
                           os.path.join(workdir, "export.csv"),
                           os.path.join(workdir, "export.csv.manifest.json")],
                          capture_output=True, text=True)
    print(f"tools/verify_export.py on the CSV: {time.perf_counter() - started:.2f} s "
          f"({done.stdout.strip()[:40]})")
    return ratios


def raw_hashlib_seconds(path):
    """hashlib alone over the same canonical bytes: they are built beforehand (chunk by chunk, so
    memory stays flat) and only the hashing is timed."""
    open_ledger(path)
    hashing, sha256 = 0.0, hashlib.sha256
    with ledger_stream.snapshot():
        rows, chunk = ledger_stream.rows(ledger_stream.events(), "raw"), True
        while chunk:
            chunk = [canonical.canonical_event(*row[:11]) for _, row in zip(range(50_000), rows)]
            started = time.perf_counter()
            for data in chunk:
                sha256(data).hexdigest()
            hashing += time.perf_counter() - started
    return hashing


def bare_read_and_hash_seconds(path):
    """The least any verifier must do: read every event's fields (stdlib sqlite3, no checks) and
    hash its canonical bytes."""
    connection = sqlite3.connect(path)
    columns = ", ".join(canonical.EVENT_COLUMNS)
    started, sha256, canonical_event = time.perf_counter(), hashlib.sha256, canonical.canonical_event
    for row in connection.execute(f"SELECT {columns} FROM consent_event ORDER BY seq"):
        sha256(canonical_event(*row[:11])).hexdigest()
    connection.close()
    return time.perf_counter() - started


def bench_verify(path, count):
    from madoguchi.ledger.store import verification as ledger_verify

    open_ledger(path)
    hashing = raw_hashlib_seconds(path)
    bare = bare_read_and_hash_seconds(path)
    print(f"raw hashlib over the same canonical bytes: {hashing:.2f} s = {count / hashing:,.0f}/s;"
          f" reading the rows and hashing them, nothing else: {bare:.2f} s")
    ratios = {}
    for workers in sorted({1, os.cpu_count() or 1}):
        started = time.perf_counter()
        result = ledger_verify.verify(LEDGER_KEY, f"sqlite:///{path}", workers)
        seconds = time.perf_counter() - started
        ratios[workers] = hashing / seconds
        print(f"verify, {workers} process(es): {count:,} events in {seconds:.2f} s = "
              f"{count / seconds:,.0f}/s = {ratios[workers]:.2f}x the raw hashlib rate, "
              f"{bare / seconds:.2f}x the bare read-and-hash loop ({result.summary()[:24]})")
    return max(ratios.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=8_000, help="events per append run")
    parser.add_argument("--child-export", nargs=3, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child_export:
        return child_export(*arguments.child_export)
    workdir = tempfile.mkdtemp(prefix="bench-ledger-")
    try:
        appends = bench_appends(workdir, arguments.appends)
        path = os.path.join(workdir, "ledger.sqlite3")
        populate(path, arguments.events)
        exports = bench_export(path, workdir)
        ratio = bench_verify(path, arguments.events)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    verdict = {True: "met", False: "NOT met"}
    print(f"targets: 8 writers >= 2,000/s: {verdict[appends[8] >= 2000]}; "
          f"CSV export <= 2x sqlite3 -csv: {verdict[exports['csv'][0] <= 2]}; "
          f"JSONL export <= 2x sqlite3 -json: {verdict[exports['jsonl'][1] <= 2]}; "
          f"export RSS < 100 MB: {verdict[all(rss < 100 for _, _, rss in exports.values())]}; "
          f"verify >= 0.5x hashlib: {verdict[ratio >= 0.5]}")


if __name__ == "__main__":
    main()
