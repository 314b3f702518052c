"""The bytes of exported ledger rows: CSV for Japanese Excel, JSON Lines for programs.

CSV: UTF-8 with a BOM (so Japanese Excel opens it as UTF-8), CRLF lines, the UTC time as stored
plus a Japan-time column. A text cell starting with = + - @ (or tab or CR) gets a leading
apostrophe, so Excel never runs it as a formula; tools/verify_export.py removes it again.
JSONL: one object per event with every field the hash covers (see consent_ledger), plus `hash`.

Speed: the database puts most of each line together (ledger_stream.filled_in), since reading
one value costs about as much as reading eleven; Python adds the Japan-time column to CSV lines.
Each chunk of lines is then checked at once for anything that would need CSV quoting, a formula
guard or JSON escaping, and only such (rare) chunks are formatted again the careful way (csv / json
modules) from the events' stored values.
"""
import csv
import io
import json
from datetime import datetime, timezone

from peewee import SQL

from madoguchi.clock import TOKYO
from madoguchi.ledger import canonical
from madoguchi.ledger.store import stream as ledger_stream
from models import ConsentEvent

FORMATS = ("csv", "jsonl")
CSV_HEADER = ("seq", "kind", "occurred_at_utc", "occurred_at_jst", "subject_key", "policy_version",
              "policy_sha256", "locale", "method", "ip_truncated", "inquiry_ref", "prev_hash",
              "hash")
JSON_KEYS = canonical.FIELDS + ("hash",)
CSV_HEADER_LINE = ("\ufeff" + ",".join(CSV_HEADER) + "\r\n").encode("utf-8")   # with the BOM
# What the database fills in for each event, a %s for each column's text: the CSV line after the
# Japan-time column (Python puts seq, kind and the two times before it), the whole JSON line.
CSV_TAIL_COLUMNS = CSV_HEADER[4:]
CSV_TAIL = ",%s" * len(CSV_TAIL_COLUMNS) + "\r\n"
JSON_LINE = "{" + ",".join(f'"{key}":%s' if key == "seq" else f'"{key}":"%s"'
                           for key in JSON_KEYS) + "}\n"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Bytes that never need care in either format. Deleting them from a chunk of plain rows leaves only
# the rows' own separators (commas, quotes, line ends) in a fixed pattern; anything else means some
# value holds a comma, quote, backslash, control character or a formula character (see
# guard_formula), and the chunk is formatted carefully. "-" is everywhere in dates and references,
# so only a "-" right after a comma (a cell starting with it) sends a chunk the careful way.
SAFE_BYTES = bytes(byte for byte in range(256)
                   if byte not in b'",\\\x7f=+@\'' + bytes(range(32)))


def columns_read(fmt):
    """What export reads of each event: seq first, hash last, and between them what formatted()
    puts together for `fmt`."""
    if fmt == "csv":
        between = [ConsentEvent.kind, ConsentEvent.occurred_at,
                   _filled_in(CSV_TAIL, CSV_TAIL_COLUMNS)]
    else:
        between = [_filled_in(JSON_LINE, JSON_KEYS)]
    return [ConsentEvent.seq, *between, ConsentEvent.hash]


def _filled_in(template, columns):
    return SQL(*ledger_stream.filled_in(template, columns))


def formatted(fmt, rows):
    """The rows (read with columns_read(fmt)) as export bytes, or None when some value needs CSV
    quoting, a formula guard or JSON escaping: careful() formats those events."""
    if fmt == "csv":
        data = _csv_lines(rows)
        plain = (data.translate(None, SAFE_BYTES) == CSV_SEPARATORS * len(rows)
                 and b",-" not in data)
    else:
        data = "".join([line for _, line, _ in rows]).encode("utf-8")
        plain = data.translate(None, SAFE_BYTES) == JSON_SEPARATORS * len(rows)
    return data if plain else None


def careful(fmt, events):
    """Events (tuples in ledger_stream.EVENT_COLUMNS order) as export bytes, each value quoted,
    guarded or escaped where it needs to be."""
    return (_careful_csv(events) if fmt == "csv" else _careful_jsonl(events)).encode("utf-8")


def _csv_lines(rows):
    hours = JST_HOURS
    return "".join([f"{seq},{kind},{at},{hours[at[:13]]}{at[13:19]}{tail}"
                    for seq, kind, at, tail, _ in rows]).encode("utf-8")


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
    return JST_HOURS[utc_text[:13]] + utc_text[13:19]


class _JstHours(dict):
    """'2026-11-24T21' → '2026-11-25 06'. Only the hour moves between the zones, so each distinct
    hour is converted once and then looked up (a plain dict lookup, no call, for every row). A
    few thousand hours a year: the dict starts over before it grows large."""

    def __missing__(self, utc_hour):
        if len(self) > 50_000:
            self.clear()
        try:
            moment = datetime.strptime(utc_hour, "%Y-%m-%dT%H").replace(tzinfo=timezone.utc)
            self[utc_hour] = moment.astimezone(TOKYO).strftime("%Y-%m-%d %H")
        except ValueError:
            self[utc_hour] = utc_hour                     # a damaged time: shown as stored
        return self[utc_hour]


JST_HOURS = _JstHours()


# The separators one plain row leaves behind (see SAFE_BYTES), taken from a row of plain values.
_PLAIN_CSV_ROW = (1, "granted", "2024-06-13T15:00:00.000000Z", CSV_TAIL % (("0",) * 9), "0")
CSV_SEPARATORS = _csv_lines([_PLAIN_CSV_ROW]).translate(None, SAFE_BYTES)
JSON_SEPARATORS = (JSON_LINE % ((1,) + ("0",) * 11)).encode("utf-8").translate(None, SAFE_BYTES)
