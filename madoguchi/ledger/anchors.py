"""The anchor log: every signed checkpoint head, also written outside the database, and what the log
says about a ledger. Pure: the file and the database are madoguchi/ledger/store/anchors.py's.

Why: whoever can change the database can usually read the ledger key too (the same OS user), so
they can cut events off the end, delete those events' checkpoints and leave a ledger that checks
out on its own. A log of the heads kept where that person cannot rewrite it (another volume, a file
with `chattr +a`, a remote syslog) still names the head the ledger had.

One line per head, tab-separated, the checkpoint row as stored (so its MAC checks like the row's):

    madoguchi-anchor-v1 <TAB> seq <TAB> head hash <TAB> created_at <TAB> mac

Lines are written after their transaction commits, by several processes, so they may come slightly
out of seq order, and a crash between a commit and its line leaves the log behind the ledger. A
ledger that extends every anchor is whole; an anchored seq beyond the ledger's end means events
were cut off (truncated); another hash at an anchored seq means the chain was rewritten (forked).
"""
import re
from dataclasses import dataclass, field

from madoguchi.ledger.canonical import checkpoint_mac

LINE_TAG = "madoguchi-anchor-v1"
HEX64 = re.compile(r"[0-9a-f]{64}")
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


@dataclass(frozen=True)
class Anchor:
    seq: int
    head_hash: str
    created_at: str
    mac: str


@dataclass(frozen=True)
class Finding:
    """What the log shows to be wrong: at which seq (None: the log itself), what and why."""
    seq: int | None
    kind: str
    detail: str


class BadLine(ValueError):
    """A line that is not an anchor (a partial write, an edit)."""


def format_line(anchor):
    return "\t".join((LINE_TAG, str(anchor.seq), anchor.head_hash, anchor.created_at,
                      anchor.mac)) + "\n"


def parse_line(text):
    parts = text.rstrip("\n").split("\t")
    if len(parts) != 5 or parts[0] != LINE_TAG:
        raise BadLine("it is not an anchor line")
    _, seq, head_hash, created_at, mac = parts
    if not (seq.isascii() and seq.isdigit() and 0 < len(seq) <= 18):
        raise BadLine("its seq is not a number")
    if not (HEX64.fullmatch(head_hash) and HEX64.fullmatch(mac) and TIME.fullmatch(created_at)):
        raise BadLine("its hash, time or MAC is malformed")
    return Anchor(int(seq), head_hash, created_at, mac)


def is_signed(anchor, ledger_key):
    return checkpoint_mac(ledger_key, anchor.seq, anchor.head_hash, anchor.created_at) == anchor.mac


@dataclass
class AnchorCheck:
    """The anchor log compared with a ledger that ends at `head_seq`, a batch of lines at a time
    (the log grows by a line per event). `read` parses a batch; `compare` takes the ledger's hashes
    at the anchored seqs; `findings` says what is wrong when the whole log has been through."""
    path: str
    ledger_key: str
    head_seq: int
    missing: bool = False
    lines: int = 0
    last: Anchor | None = None          # the highest anchored seq
    _bad_line: Finding | None = None
    _fork: Finding | None = None
    _last_line: int = field(default=0, repr=False)

    def read(self, numbered_lines):
        """[(line number, Anchor)] of the well-formed lines with a valid MAC; the first bad line
        is remembered."""
        anchors = []
        for number, text in numbered_lines:
            self.lines += 1
            try:
                anchor = parse_line(text)
                if not is_signed(anchor, self.ledger_key):
                    raise BadLine("its MAC was not made with the ledger key")
            except BadLine as problem:
                self._bad_line = self._bad_line or Finding(
                    None, "anchor log damaged", f"line {number} of {self.path}: {problem}")
                continue
            anchors.append((number, anchor))
        return anchors

    def unreadable(self, reason):
        self._bad_line = Finding(None, "anchor log damaged", f"{self.path} cannot be read: {reason}")

    def compare(self, anchors, ledger_hashes):
        """`ledger_hashes`: {seq: hash} of the ledger's events at the anchors' seqs."""
        for number, anchor in anchors:
            if self.last is None or anchor.seq > self.last.seq:
                self.last, self._last_line = anchor, number
            stored = ledger_hashes.get(anchor.seq)
            if anchor.seq <= self.head_seq and stored != anchor.head_hash and (
                    self._fork is None or anchor.seq < self._fork.seq):
                self._fork = Finding(anchor.seq, "forked",
                                     f"line {number} of {self.path} anchors another hash for this "
                                     f"seq: {anchor.head_hash}")

    def findings(self):
        found = [self._bad_line, self._fork]
        if self.last and self.last.seq > self.head_seq:
            found.append(Finding(self.head_seq + 1, "truncated",
                                 f"line {self._last_line} of {self.path} anchors seq {self.last.seq}, "
                                 f"the ledger ends at seq {self.head_seq}"))
        return [finding for finding in found if finding]

    @property
    def unanchored(self):
        """The ledger has events but the log vouches for none of them (no log, or an empty one):
        nothing outside the database was compared. A warning, not damage: a site that has just
        started anchoring is in this state until its next event."""
        return self.last is None and self.head_seq > 0

    def summary(self):
        """One line for the command line (English, like the rest of its output)."""
        if self.unanchored:
            state = "there is no anchor log at" if self.missing else "no anchor in"
            return (f"WARNING: {state} {self.path}: the head was not compared with an anchor "
                    "outside the database")
        if self.last is None:
            return f"Anchors: none yet in {self.path} (the ledger is empty)"
        return (f"Anchors: {self.lines} lines in {self.path}; last anchored seq {self.last.seq}, "
                f"hash {self.last.head_hash}")
