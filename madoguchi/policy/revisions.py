"""What a policy revision is, apart from where it is stored: its label, its effective time as staff
enter it (Japan time), its text's fingerprint, its status, and the line-by-line differences
between two texts. Nothing here reads or writes the database (see policy/store for that)."""
import difflib
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from madoguchi.clock import TOKYO, in_tokyo, naive_utc

# A label is part of the address /privacy/<label> and never changes once published, so it is a slug:
# ASCII letters and digits, with dots, hyphens and underscores only inside ("1", "2026-04", "v2.1";
# never "." or "..", which a browser resolves away). The database holds the same rule as a trigger
# (madoguchi/ledger/store/triggers.py).
LABEL_MAX = 40
LABEL_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\Z")
LABEL_RULE = ("a label has 1 to 40 letters, digits, dots, hyphens or underscores, "
              "and begins and ends with a letter or digit")


def is_label(text):
    """True when `text` may name a policy version."""
    return isinstance(text, str) and len(text) <= LABEL_MAX and LABEL_PATTERN.match(text) is not None


class PolicyError(ValueError):
    """A policy change that cannot be made; the message says why."""


def sha256_text(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_for(version, locale):
    """The version's text in `locale` (Japanese unless English is asked for)."""
    return version.text_en if locale == "en" else version.text_ja


def sha256_for(version, locale):
    return version.sha256_en if locale == "en" else version.sha256_ja


def jst_to_utc(moment):
    """A time as staff enter it (naive = Japan time, or with an offset) as stored: naive UTC."""
    return naive_utc(moment if moment.tzinfo else moment.replace(tzinfo=TOKYO))


def utc_to_jst(moment):
    return in_tokyo(moment)


def parse_effective(text):
    """ISO 8601 from the command line; without an offset it is Japan time."""
    try:
        return jst_to_utc(datetime.fromisoformat(text))
    except ValueError:
        raise PolicyError(f"not an ISO 8601 time: {text!r} (e.g. 2026-04-01T00:00)") from None


def status_of(version, current, now):
    if version.published_at is None:
        return "draft"
    if current is not None and version.id == current.id:
        return "current"
    return "scheduled" if version.effective_at > now else "past"


@dataclass(frozen=True)
class DiffRow:
    kind: str                # same | changed | removed | added
    old_number: int | None
    old: str
    new_number: int | None
    new: str


def side_by_side(old_text, new_text):
    """Line-by-line rows for a two-column diff; replaced blocks are paired line by line."""
    old, new = old_text.splitlines(), new_text.splitlines()
    rows = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + k, j1 + k
            has_old, has_new = i < i2, j < j2
            kind = "same" if tag == "equal" else (
                "changed" if has_old and has_new else "removed" if has_old else "added")
            rows.append(DiffRow(kind, i + 1 if has_old else None, old[i] if has_old else "",
                                j + 1 if has_new else None, new[j] if has_new else ""))
    return rows


def missing_summaries(significant, summary_ja, summary_en):
    """The languages ("ja", "en") whose summary of the changes a version still needs. A significant
    change is announced on the public pages and shown to customers who agreed before, in their
    language, so it needs both; a minor one may go without."""
    if not significant:
        return []
    return [language for language, summary in (("ja", summary_ja), ("en", summary_en))
            if not (summary or "").strip()]


def summary_in(version, locale):
    """(summary of the changes, the language it is written in) for a page in `locale`. A version
    published before English summaries existed has only the Japanese one, shown on English pages
    too (marked as Japanese)."""
    english = (version.change_summary_en or "").strip()
    if locale == "en" and english:
        return english, "en"
    return (version.change_summary or "").strip(), "ja"
