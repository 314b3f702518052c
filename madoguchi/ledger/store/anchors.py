"""The anchor log on disk: writing checkpoint heads to it, and checking the ledger against it. The
line format and the comparison are madoguchi/ledger/anchors.py's.

Writing: consent_ledger hands each signed head to `AnchorLog.write` once its transaction has
committed. The file is opened with O_APPEND for each write and the lines go out in one write(), so
lines from several processes never interleave. It is not fsync'd: SQLite commits with
synchronous=NORMAL (no fsync either), and an anchor made durable before the commit it names could
outlive that commit after a power cut and raise a false alarm; a lost anchor line only leaves the
log behind, which verify accepts. Optionally each line also goes to syslog (LEDGER_ANCHOR_SYSLOG),
which can ship it to another machine.

Reading: `check(path, ledger_key, head_seq)` reads the log a batch of lines at a time and looks up
the ledger's hashes at those seqs, inside the caller's read snapshot.
"""
import logging
import logging.handlers
import os
from itertools import islice

from madoguchi.ledger.anchors import AnchorCheck, BadLine, format_line, is_signed, parse_line
from models import ConsentEvent

TAIL_BYTES = 64 * 1024           # the end of the log that holds its last heads (~170 bytes a line)
LINES_PER_LOOKUP = 500           # anchored seqs looked up per query (SQLite allows 32,766 params)
log = logging.getLogger(__name__)
_syslog_handlers = {}            # one per address and process


class AnchorLog:
    """Where signed heads go: a file, and syslog at `syslog_address` when one is given ("/dev/log",
    or "host:port" for UDP)."""

    def __init__(self, path, syslog_address=""):
        self.path, self.syslog_address = path, syslog_address

    @classmethod
    def from_settings(cls, config):
        """The log the settings name, or None when LEDGER_ANCHOR_PATH is empty (no anchoring)."""
        path = config.get("LEDGER_ANCHOR_PATH")
        return cls(path, config.get("LEDGER_ANCHOR_SYSLOG", "")) if path else None

    def write(self, anchors):
        """Append the anchors' lines. Called after the commit, so a failure cannot undo what is
        stored: it is logged (the lines hold no personal data) and the request goes on."""
        lines = "".join(format_line(anchor) for anchor in anchors)
        try:
            _append(self.path, lines.encode("ascii"))
        except OSError as error:
            log.error("ledger anchor not written to %s: %s", self.path, error)
        if self.syslog_address:
            handler = _syslog_handler(self.syslog_address)
            for line in lines.splitlines():
                handler.emit(logging.makeLogRecord({"msg": line, "levelno": logging.INFO,
                                                     "levelname": "INFO"}))


def _append(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)


def _syslog_handler(address):
    if address not in _syslog_handlers:
        host, _, port = address.rpartition(":")
        target = (host, int(port)) if host and port.isdigit() else address
        handler = logging.handlers.SysLogHandler(target)
        handler.setFormatter(logging.Formatter("madoguchi-ledger: %(message)s"))
        _syslog_handlers[address] = handler
    return _syslog_handlers[address]


def check(path, ledger_key, head_seq):
    """The anchor log at `path` compared with the ledger (which ends at `head_seq`): an
    AnchorCheck whose findings() name a truncation, a fork or a damaged line."""
    result = AnchorCheck(path, ledger_key, head_seq)
    try:
        anchor_file = open(path, encoding="ascii", errors="replace", newline="\n")
    except FileNotFoundError:
        result.missing = True
        return result
    except OSError as error:
        result.unreadable(error.strerror)
        return result
    with anchor_file:
        numbered = enumerate(anchor_file, start=1)
        while batch := list(islice(numbered, LINES_PER_LOOKUP)):
            anchors = result.read(batch)
            result.compare(anchors, _hashes_at({anchor.seq for _, anchor in anchors
                                                if anchor.seq <= head_seq}))
    return result


def last_anchor(path, ledger_key):
    """The highest anchored head in the log's last lines (they may be slightly out of order), or
    None when there is no log or no valid line there. For export manifests: read it BEFORE the
    export's snapshot, so that on a whole ledger the snapshot always extends it."""
    if not path:
        return None
    try:
        with open(path, "rb") as anchor_file:
            anchor_file.seek(max(0, anchor_file.seek(0, os.SEEK_END) - TAIL_BYTES))
            tail = anchor_file.read().decode("ascii", errors="replace").splitlines()
    except OSError:
        return None
    valid = [anchor for anchor in map(_valid_or_none, tail)     # a cut first line is not valid
             if anchor and is_signed(anchor, ledger_key)]
    return max(valid, key=lambda anchor: anchor.seq, default=None)


def _valid_or_none(text):
    try:
        return parse_line(text)
    except BadLine:
        return None


def _hashes_at(seqs):
    if not seqs:
        return {}
    return dict(ConsentEvent.select(ConsentEvent.seq, ConsentEvent.hash)
                .where(ConsentEvent.seq.in_(sorted(seqs))).tuples())

