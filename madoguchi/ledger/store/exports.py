"""Exporting the consent ledger as CSV (for Excel) or JSON Lines (for programs), streamed.

`export_rows(...)` yields the file's bytes in chunks of about a megabyte: the CLI writes them to a
file, the auditor's page streams them to the browser; both get the same bytes (the formats are in
madoguchi/ledger/store/formats.py). Pass an `ExportStats` to learn what went out, then
`manifest(stats, ...)` describes the export: count, first and last seq, the ledger head, the
last head anchored outside the database (madoguchi/ledger/anchors.py), the filters, the time, and
the SHA-256 of the bytes. The anchor is read before the export's snapshot is taken, so on a whole
ledger the head always extends it; tools/verify_export.py fails an export that contradicts it.

The bytes depend only on the filters and the ledger head they were cut at (`stats.head_seq`), not on
the time of export: `export_rows(..., through_seq=head)` later gives the same bytes again.

For a long ledger the CLI passes `workers`: worker processes then read and format stretches of
seqs side by side (reading rows out of the database is the slow part) and this process puts
their bytes out in seq order, holding only a few stretches at a time.
"""
import hashlib
import json
import multiprocessing
import os
import tempfile
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import models
from madoguchi.clock import TOKYO
from madoguchi.ledger import canonical
from madoguchi.ledger.store import consent_ledger
from madoguchi.ledger.store import stream as ledger_stream
from madoguchi.ledger.store.formats import CSV_HEADER_LINE, FORMATS, careful, columns_read, formatted
from models import ConsentEvent

CHUNK_ROWS = 2000                          # about 800 kB of export per chunk
STRETCH = 10_000                           # events per worker task (about 4 MB of export)


@dataclass
class ExportStats:
    """Filled in while an export streams; read it when the stream is exhausted."""
    count: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    last_hash: str | None = None
    head_seq: int = 0
    head_hash: str = canonical.GENESIS_HASH
    last_anchor: object = None              # an anchors.Anchor, or None
    sha256: object = field(default_factory=hashlib.sha256)


@dataclass(frozen=True)
class Part:
    """Some formatted rows and what they hold (picklable: a worker's comes back without its
    data, which it wrote to a file)."""
    data: bytes
    count: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    last_hash: str | None = None


def day_bounds(since=None, until=None):
    """Japan-time calendar days (inclusive) as UTC time texts: [since 00:00 JST, until+1 00:00 JST)."""
    lower = canonical.format_time(datetime.combine(since, time(0), tzinfo=TOKYO)) \
        if since else None
    upper = canonical.format_time(
        datetime.combine(until + timedelta(days=1), time(0), tzinfo=TOKYO)) if until else None
    return lower, upper


def _conditions(since, until, version, first, last):
    lower, upper = day_bounds(since, until)
    conditions = ConsentEvent.seq.between(first, last)
    if lower:
        conditions &= ConsentEvent.occurred_at >= lower
    if upper:
        conditions &= ConsentEvent.occurred_at < upper
    if version:
        conditions &= ConsentEvent.policy_version == version
    return conditions


def export_rows(fmt, since=None, until=None, version=None, *, stats=None, through_seq=None,
                database_url=None, workers=1, last_anchor=None):
    """Yield the export's bytes. `since`/`until` are dates (Japan time, inclusive), `version` a
    policy label; `through_seq` cuts at that seq (default: the head when the export starts).
    `last_anchor`: the anchor log's last head (anchor_store.last_anchor), read before this call."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    stats = stats if stats is not None else ExportStats()
    stats.last_anchor = last_anchor
    with ledger_stream.snapshot():
        stats.head_seq, stats.head_hash = consent_ledger.head()
        cut = stats.head_seq if through_seq is None else min(through_seq, stats.head_seq)
        if fmt == "csv":
            yield _counted(stats, Part(CSV_HEADER_LINE))
        filters = (fmt, since, until, version)
        if database_url and workers > 1 and cut > STRETCH:
            parts = _parts_from_workers(database_url, workers, filters, cut)
        else:
            parts = _parts(*filters, 1, cut)
        for part in parts:
            yield _counted(stats, part)


def _parts(fmt, since, until, version, first, last):
    query = (ConsentEvent.select(*columns_read(fmt))
             .where(_conditions(since, until, version, first, last)).order_by(ConsentEvent.seq))
    for rows in ledger_stream.batches(query, "export", CHUNK_ROWS):
        data = formatted(fmt, rows)
        if data is None:                        # some value needs quoting, a guard or escaping
            data = careful(fmt, _events_at([row[0] for row in rows]))
        yield Part(data, len(rows), rows[0][0], rows[-1][0], rows[-1][-1])


def _events_at(seqs):
    """The stored rows of these events, for careful()."""
    return list(ledger_stream.rows(ledger_stream.events(ConsentEvent.seq.in_(seqs)), "careful"))


def _stretch_in_worker(filters, first, last, path):
    """A worker's task: one stretch of seqs (rows of it outside the filters left out) written to
    the file at `path`; returns a Part that says what the file holds."""
    with ledger_stream.snapshot():
        parts = list(_parts(*filters, first, last))
    with open(path, "wb") as spool:
        spool.writelines(part.data for part in parts)
    if not parts:
        return Part(b"")
    return Part(b"", sum(part.count for part in parts), parts[0].first_seq, parts[-1].last_seq,
                parts[-1].last_hash)


def _open_database(database_url):
    models.database.initialize(models.open_database(database_url))


def _parts_from_workers(database_url, workers, filters, cut):
    """Stretches formatted by worker processes, handed on in seq order. A worker writes its
    stretch to a file in a temporary directory and this process reads it back: handing megabytes
    back through the pool's pipe (pickled and copied over and over) costs more. At most two
    stretches per worker are under way or waiting, so memory and the files stay small however
    slowly bytes are taken."""
    with tempfile.TemporaryDirectory(prefix="ledger-export-") as spool, \
            ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                initializer=_open_database, initargs=(database_url,)) as pool:
        under_way = deque()
        for first in range(1, cut + 1, STRETCH):
            path = os.path.join(spool, str(first))
            under_way.append((pool.submit(_stretch_in_worker, filters, first,
                                          min(first + STRETCH - 1, cut), path), path))
            if len(under_way) >= 2 * workers:
                yield _spooled(*under_way.popleft())
        while under_way:
            yield _spooled(*under_way.popleft())


def _spooled(task, path):
    """The Part a worker wrote to `path`, with its bytes read back; the file is removed."""
    part = task.result()
    with open(path, "rb") as spool:
        data = spool.read()
    os.remove(path)
    return replace(part, data=data)


def _counted(stats, part):
    stats.sha256.update(part.data)
    if part.count:
        stats.count += part.count
        stats.first_seq = stats.first_seq or part.first_seq
        stats.last_seq, stats.last_hash = part.last_seq, part.last_hash
    return part.data


def manifest(stats, fmt, since=None, until=None, version=None, exported_at=None):
    """What an auditor needs to check the export on its own (tools/verify_export.py)."""
    return {
        "format": fmt,
        "canonical": "madoguchi-consent-v1",
        "count": stats.count,
        "first_seq": stats.first_seq,
        "last_seq": stats.last_seq,
        "last_hash": stats.last_hash,
        "ledger_head_seq": stats.head_seq,
        "ledger_head_hash": stats.head_hash,
        "last_anchor": stats.last_anchor and {"seq": stats.last_anchor.seq,
                                              "hash": stats.last_anchor.head_hash,
                                              "anchored_at": stats.last_anchor.created_at},
        "filters": {"since": _day_text(since), "until": _day_text(until),
                    "version": version or None, "timezone": "Asia/Tokyo"},
        "exported_at": canonical.format_time(exported_at),
        "sha256": stats.sha256.hexdigest(),
    }


def _day_text(day):
    return day.isoformat() if isinstance(day, date) else None


def write_export(path, fmt, since=None, until=None, version=None, database_url=None, workers=1,
                 last_anchor=None):
    """Write the export to `path` and its manifest to `path + '.manifest.json'`; returns the
    manifest."""
    stats = ExportStats()
    with open(path, "wb") as export_file:
        for chunk in export_rows(fmt, since, until, version, stats=stats, database_url=database_url,
                                 workers=workers, last_anchor=last_anchor):
            export_file.write(chunk)
    described = manifest(stats, fmt, since, until, version)
    with open(manifest_path(path), "w", encoding="utf-8") as manifest_file:
        json.dump(described, manifest_file, ensure_ascii=False, indent=2)
        manifest_file.write("\n")
    return described


def manifest_path(export_path):
    return f"{export_path}.manifest.json"
