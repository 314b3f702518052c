"""The auditor's download: the ledger export and its manifest in one zip, streamed.

One zip, not two downloads, because the manifest describes exactly the bytes beside it: both come
from one pass over one snapshot of the ledger, so an append between two downloads cannot make them
disagree. The export inside is byte for byte what `flask --app app ledger export` writes
(madoguchi/ledger/store/exports.py), and the manifest is the same JSON, so tools/verify_export.py checks
the unzipped pair like any other.

The zip is written into a pipe as it goes (zipfile supports streams it cannot seek in: each entry's
sizes follow its data), so memory stays flat however large the ledger is.
"""
import io
import json
import zipfile

from madoguchi.ledger.store import exports as ledger_export


class _Pipe(io.RawIOBase):
    """A write-only stream whose written bytes are taken out piece by piece."""

    def __init__(self):
        super().__init__()
        self._parts = []

    def writable(self):
        return True

    def write(self, data):
        self._parts.append(bytes(data))
        return len(data)

    def take(self):
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def file_name(fmt, head_seq):
    return f"consent-ledger-{head_seq}.{fmt}"


def manifest_bytes(described):
    """The manifest as the CLI writes it (ledger_export.write_export)."""
    return (json.dumps(described, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def export_zip(fmt, since=None, until=None, version=None, exported_at=None, last_anchor=None):
    """Yield the bytes of a zip holding `consent-ledger-<head seq>.<fmt>` and its
    `.manifest.json`. Filters and `last_anchor` as for ledger_export.export_rows."""
    stats = ledger_export.ExportStats()
    chunks = ledger_export.export_rows(fmt, since, until, version, stats=stats,
                                       last_anchor=last_anchor)
    first = next(chunks, b"")          # starts the snapshot: now the head (and the name) is known
    name = file_name(fmt, stats.head_seq)
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open(name, "w", force_zip64=True) as entry:
            entry.write(first)
            for chunk in chunks:
                entry.write(chunk)
                yield pipe.take()
        described = ledger_export.manifest(stats, fmt, since, until, version, exported_at)
        archive.writestr(ledger_export.manifest_path(name), manifest_bytes(described))
    yield pipe.take()
