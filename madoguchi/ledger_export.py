"""Exporting the consent ledger as CSV (for Excel) or JSON Lines (for programs), streamed.

`export_rows(...)` yields the file's bytes in chunks of about a megabyte: the CLI writes them to a
file, the auditor's page streams them to the browser; both get the same bytes. Pass an
`ExportStats` to learn what went out, then `manifest(stats, ...)` describes the export: count,
first and last seq, the ledger head, the filters, the time, and the SHA-256 of the bytes.

The bytes depend only on the filters and the ledger head they were cut at (`stats.head_seq`), not on
the time of export: `export_rows(..., through_seq=head)` later gives the same bytes again.

CSV: UTF-8 with a BOM (so Japanese Excel opens it as UTF-8), CRLF lines, the UTC time as stored
plus a Japan-time column. A text cell starting with = + - @ (or tab or CR) gets a leading
apostrophe, so Excel never runs it as a formula; tools/verify_export.py removes it again.
JSONL: one object per event with every field the hash covers (see consent_ledger), plus `hash`.

Speed: rows are formatted with one f-string each; a whole chunk is then checked at once for
anything that would need CSV quoting, a formula guard or JSON escaping, and only such (rare)
chunks are formatted again the careful way (csv / json modules).
"""
import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from madoguchi import consent_ledger, ledger_stream
from models import ConsentEvent

TOKYO = ZoneInfo("Asia/Tokyo")
FORMATS = ("csv", "jsonl")
CHUNK_ROWS = 2000
BOM = "\ufeff"
CSV_HEADER = ("seq", "kind", "occurred_at_utc", "occurred_at_jst", "subject_key", "policy_version",
              "policy_sha256", "locale", "method", "ip_truncated", "inquiry_ref", "prev_hash",
              "hash")
JSON_KEYS = consent_ledger.FIELDS + ("hash",)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Bytes that never need care in either format. Deleting them from a chunk of plain rows leaves only
# the rows' own separators (commas, quotes, line ends) in a fixed pattern; anything else means some
# value holds a comma, quote, backslash or control character, and the chunk is formatted carefully.
SAFE_BYTES = bytes(byte for byte in range(256) if byte not in b'",\\\x7f' + bytes(range(32)))
FORMULA_AFTER_COMMA = re.compile(rb",[-+=@']")      # see guard_formula


@dataclass
class ExportStats:
    """Filled in while an export streams; read it when the stream is exhausted."""
    count: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    last_hash: str | None = None
    head_seq: int = 0
    head_hash: str = consent_ledger.GENESIS_HASH
    sha256: object = field(default_factory=hashlib.sha256)


def day_bounds(since=None, until=None):
    """Japan-time calendar days (inclusive) as UTC time texts: [since 00:00 JST, until+1 00:00 JST)."""
    lower = consent_ledger.format_time(datetime.combine(since, time(0), tzinfo=TOKYO)) \
        if since else None
    upper = consent_ledger.format_time(
        datetime.combine(until + timedelta(days=1), time(0), tzinfo=TOKYO)) if until else None
    return lower, upper


def _conditions(since, until, version, through_seq):
    lower, upper = day_bounds(since, until)
    conditions = ConsentEvent.seq <= through_seq
    if lower:
        conditions &= ConsentEvent.occurred_at >= lower
    if upper:
        conditions &= ConsentEvent.occurred_at < upper
    if version:
        conditions &= ConsentEvent.policy_version == version
    return conditions


def export_rows(fmt, since=None, until=None, version=None, *, stats=None, through_seq=None):
    """Yield the export's bytes. `since`/`until` are dates (Japan time, inclusive), `version` a
    policy label; `through_seq` cuts at that seq (default: the head when the export starts)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    stats = stats if stats is not None else ExportStats()
    with ledger_stream.snapshot():
        stats.head_seq, stats.head_hash = consent_ledger.head()
        cut = stats.head_seq if through_seq is None else min(through_seq, stats.head_seq)
        query = ledger_stream.events(_conditions(since, until, version, cut))
        if fmt == "csv":
            yield _counted(stats, (BOM + ",".join(CSV_HEADER) + "\r\n").encode("utf-8"))
        batch = []
        for row in ledger_stream.rows(query, "export"):
            batch.append(row)
            if len(batch) == CHUNK_ROWS:
                yield _counted(stats, _chunk(fmt, batch), batch)
                batch = []
        if batch:
            yield _counted(stats, _chunk(fmt, batch), batch)


def _counted(stats, data, rows=()):
    stats.sha256.update(data)
    if rows:
        stats.count += len(rows)
        stats.first_seq = stats.first_seq or rows[0][0]
        stats.last_seq, stats.last_hash = rows[-1][0], rows[-1][-1]
    return data


def _chunk(fmt, rows):
    if fmt == "csv":
        data = _csv_lines(rows)
        plain = (data.translate(None, SAFE_BYTES) == CSV_SEPARATORS * len(rows)
                 and not FORMULA_AFTER_COMMA.search(data))
        return data if plain else _careful_csv(rows).encode("utf-8")
    data = _jsonl_lines(rows)
    plain = data.translate(None, SAFE_BYTES) == JSON_SEPARATORS * len(rows)
    return data if plain else _careful_jsonl(rows).encode("utf-8")


def _csv_lines(rows):
    return "".join([f"{seq},{kind},{at},{jst(at)},{subject},{version},{sha},{locale},{method},"
                    f"{ip},{ref},{prev},{own}\r\n" for seq, kind, at, subject, version, sha,
                    locale, method, ip, ref, prev, own in rows]).encode("utf-8")


def _jsonl_lines(rows):
    return "".join([f'{{"seq":{seq},"kind":"{kind}","occurred_at":"{at}","subject_key":"{subject}",'
                    f'"policy_version":"{version}","policy_sha256":"{sha}","locale":"{locale}",'
                    f'"method":"{method}","ip_truncated":"{ip}","inquiry_ref":"{ref}",'
                    f'"prev_hash":"{prev}","hash":"{own}"}}\n' for seq, kind, at, subject, version,
                    sha, locale, method, ip, ref, prev, own in rows]).encode("utf-8")


def _careful_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        cells = [row[0], *row[1:3], jst(row[2]), *row[3:]]
        writer.writerow([guard_formula(cell) if isinstance(cell, str) else cell for cell in cells])
    return buffer.getvalue()


def _careful_jsonl(rows):
    return "".join(json.dumps(dict(zip(JSON_KEYS, row)), ensure_ascii=False,
                              separators=(",", ":")) + "\n" for row in rows)


def guard_formula(text):
    """'=1+1' → "'=1+1": Excel shows the text instead of computing it. A cell that starts with an
    apostrophe already gets one more, so removing exactly one always gives the stored value."""
    return "'" + text if text.startswith(FORMULA_START + ("'",)) else text


def jst(utc_text):
    """'2026-11-24T21:26:33.279884Z' → '2026-11-25 06:26:33' (Japan time, to the second)."""
    return _jst_hour(utc_text[:13]) + utc_text[13:19]


@lru_cache(maxsize=4096)
def _jst_hour(utc_hour):
    # Only the hour moves between the zones, so converting each distinct hour once is enough.
    try:
        moment = datetime.strptime(utc_hour, "%Y-%m-%dT%H").replace(tzinfo=timezone.utc)
    except ValueError:
        return utc_hour                                  # a damaged time: shown as stored
    return moment.astimezone(TOKYO).strftime("%Y-%m-%d %H")


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
        "filters": {"since": _day_text(since), "until": _day_text(until),
                    "version": version or None, "timezone": "Asia/Tokyo"},
        "exported_at": consent_ledger.format_time(exported_at),
        "sha256": stats.sha256.hexdigest(),
    }


def _day_text(day):
    return day.isoformat() if isinstance(day, date) else None


def write_export(path, fmt, since=None, until=None, version=None):
    """Write the export to `path` and its manifest to `path + '.manifest.json'`; returns the
    manifest."""
    stats = ExportStats()
    with open(path, "wb") as export_file:
        for chunk in export_rows(fmt, since, until, version, stats=stats):
            export_file.write(chunk)
    described = manifest(stats, fmt, since, until, version)
    with open(manifest_path(path), "w", encoding="utf-8") as manifest_file:
        json.dump(described, manifest_file, ensure_ascii=False, indent=2)
        manifest_file.write("\n")
    return described


def manifest_path(export_path):
    return f"{export_path}.manifest.json"


# The separators one plain row leaves behind (see SAFE_BYTES), taken from a row of plain values.
_PLAIN_ROW = (1, "granted", "2024-06-13T15:00:00.000000Z") + ("0",) * 9
CSV_SEPARATORS = _csv_lines([_PLAIN_ROW]).translate(None, SAFE_BYTES)
JSON_SEPARATORS = _jsonl_lines([_PLAIN_ROW]).translate(None, SAFE_BYTES)
