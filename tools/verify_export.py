#!/usr/bin/env python3
"""Check an export of the madoguchi consent ledger without the app or its database.

    python tools/verify_export.py ledger.csv ledger.csv.manifest.json

Standard library only, so an auditor can run it anywhere with Python 3.9 or later. Exit status 0
and one "OK: ..." line when the export is whole; 1 and a "FAILED: ..." line otherwise.

It checks:
  - the SHA-256 of the export file is the one in the manifest (one changed byte fails);
  - the number of events and the first and last seq are the manifest's (a dropped line fails);
  - every event's hash, recomputed from its fields (the canonical serialisation below);
  - every link: an event whose seq follows the previous one's must carry that event's hash as its
    prev_hash; the first event of the ledger (seq 1) must link to 64 zeros;
  - for an export without filters: the seqs run 1, 2, 3 ... without gaps up to the ledger head
    named in the manifest, and the last hash is that head hash;
  - the last head anchored outside the database, when the manifest names one (`last_anchor`): the
    ledger head must not be behind it (events cut off the end), and the event at its seq, when the
    export holds it (or it is the head), must have its hash (a rewritten, forked chain).

What a filtered export (--since/--until/--version) can prove: each event in it is exactly as it was
hashed into the chain, and runs of consecutive seqs are linked. Where events outside the filter were
left out, the link across the gap cannot be checked here, so the file alone cannot show that no
event matching the filter is missing there; an unfiltered export (or `flask ledger verify` on the
database) can. Either way the manifest's ledger head hash ties the export to one state of the
ledger: compare it with a head hash obtained elsewhere (an earlier manifest, `ledger verify`).

Canonical serialisation (the same as madoguchi/ledger/store/consent_ledger.py): the UTF-8 bytes of the line
"madoguchi-consent-v1" and then one "name=value" line per field, in FIELDS order, each line ending
in a line feed. The hash is the hex SHA-256 of those bytes.
"""
import csv
import hashlib
import json
import sys

FIELDS = ("seq", "kind", "occurred_at", "subject_key", "policy_version", "policy_sha256",
          "locale", "method", "ip_truncated", "inquiry_ref", "prev_hash")
GENESIS_HASH = "0" * 64
CSV_COLUMNS = {"occurred_at": "occurred_at_utc"}      # the CSV's name for the stored UTC time
READ_SIZE = 1 << 20


class ExportDamaged(Exception):
    pass


def canonical(event):
    lines = ["madoguchi-consent-v1"] + [f"{name}={event[name]}" for name in FIELDS]
    return ("\n".join(lines) + "\n").encode("utf-8")


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as export:
        for block in iter(lambda: export.read(READ_SIZE), b""):
            digest.update(block)
    return digest.hexdigest()


def csv_events(path):
    with open(path, encoding="utf-8-sig", newline="") as export:
        reader = csv.reader(export)
        header = next(reader, None) or []
        wanted = [CSV_COLUMNS.get(name, name) for name in FIELDS + ("hash",)]
        missing = [name for name in wanted if name not in header]
        if missing:
            raise ExportDamaged(f"the CSV header lacks {', '.join(missing)}")
        positions = [header.index(name) for name in wanted]
        for line_number, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise ExportDamaged(f"line {line_number} has {len(row)} cells, not {len(header)}")
            # Cells starting with = + - @ ' got one apostrophe against Excel formulas: remove it.
            cells = [row[at][1:] if row[at].startswith("'") else row[at] for at in positions]
            yield dict(zip(FIELDS + ("hash",), cells))


def jsonl_events(path):
    with open(path, encoding="utf-8") as export:
        for line_number, line in enumerate(export, start=1):
            try:
                yield json.loads(line)
            except ValueError:
                raise ExportDamaged(f"line {line_number} is not JSON") from None


def check(export_path, manifest):
    if file_sha256(export_path) != manifest["sha256"]:
        raise ExportDamaged("the file's SHA-256 differs from the manifest's")
    events = csv_events if manifest["format"] == "csv" else jsonl_events
    unfiltered = not any(value for name, value in manifest["filters"].items() if name != "timezone")
    count, first_seq, previous_seq, previous_hash, gaps = 0, None, 0, GENESIS_HASH, 0
    anchor = manifest.get("last_anchor")
    check_anchor_against_head(anchor, manifest)
    for event in events(export_path):
        try:
            seq = int(event["seq"])
        except (KeyError, ValueError):
            raise ExportDamaged(f"event {count + 1} has no valid seq") from None
        count += 1
        first_seq = first_seq or seq
        if seq <= previous_seq:
            raise ExportDamaged(f"seq {seq}: comes after seq {previous_seq}")
        if hashlib.sha256(canonical(event)).hexdigest() != event.get("hash"):
            raise ExportDamaged(f"seq {seq}: its hash does not match its fields")
        if seq == previous_seq + 1 and event["prev_hash"] != previous_hash:
            raise ExportDamaged(f"seq {seq}: does not link to seq {previous_seq}")
        if seq != previous_seq + 1:
            if unfiltered:
                raise ExportDamaged(f"seq {previous_seq + 1} to {seq - 1} are missing")
            gaps += 1
        if anchor and seq == anchor["seq"] and event["hash"] != anchor["hash"]:
            raise ExportDamaged(f"seq {seq}: its hash differs from the last anchored head's (forked)")
        previous_seq, previous_hash = seq, event["hash"]
    expected = (manifest["count"], manifest["first_seq"], manifest["last_seq"])
    if count != expected[0]:
        raise ExportDamaged(f"{count} events, the manifest says {expected[0]}")
    if count and (first_seq, previous_seq) != expected[1:]:
        raise ExportDamaged("the first or last seq differs from the manifest's")
    if count and previous_hash != manifest["last_hash"]:
        raise ExportDamaged("the last hash differs from the manifest's")
    if unfiltered and (previous_seq, previous_hash) != (manifest["ledger_head_seq"],
                                                        manifest["ledger_head_hash"]):
        raise ExportDamaged("an unfiltered export must end at the ledger head of the manifest")
    return count, gaps


def check_anchor_against_head(anchor, manifest):
    """The ledger head an export was cut at can only extend the head anchored before it."""
    if not anchor:
        return
    head_seq, head_hash = manifest["ledger_head_seq"], manifest["ledger_head_hash"]
    if anchor["seq"] > head_seq:
        raise ExportDamaged(f"seq {head_seq + 1}: the ledger ends at seq {head_seq}, behind its "
                            f"last anchored head, seq {anchor['seq']} (truncated)")
    if anchor["seq"] == head_seq and anchor["hash"] != head_hash:
        raise ExportDamaged(f"seq {head_seq}: the ledger head's hash differs from the last "
                            "anchored head's (forked)")


def main(argv):
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1].strip(), file=sys.stderr)
        return 2
    export_path, manifest_path = argv[1], argv[2]
    try:
        with open(manifest_path, encoding="utf-8") as manifest_file:
            manifest = json.load(manifest_file)
        count, gaps = check(export_path, manifest)
    except (OSError, ValueError, KeyError, TypeError, ExportDamaged) as problem:
        print(f"FAILED: {problem}")
        return 1
    note = f"; {gaps} gaps left by the filters (links across them not checkable)" if gaps else ""
    print(f"OK: {count} events, seq {manifest['first_seq']} to {manifest['last_seq']}, "
          f"SHA-256 {manifest['sha256']}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
