"""What changed between two policy texts, for customers: only the sections that differ, and within
them only the lines that differ, with the added and removed words marked.

Sections are the `##` parts of the text (policy.document.section_texts). They are paired by their
headings without the number ("3. 開示等の請求" and "4. 開示等の請求" are the same section, moved),
so a new section in the middle shows as one added section, not as every later one changed. Inside
a pair, lines (each a paragraph line or a list item of the markup) are compared first; a run of
changed lines is then compared word by word, where a "word" is a run of ASCII letters or digits
and every other character stands alone: Japanese has no spaces, so its words are its characters.
"""
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from madoguchi.policy.document import CONTACT_EMAIL_TOKEN, section_texts

_SECTION_NUMBER = re.compile(r"\s*\d{1,6}\s*[.．]\s*")
_MARKUP = re.compile(r"#{3} +")               # a `###` sub-heading shows as its text
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*|\s+|.", re.S)
# An unchanged run this short between two changes is shown as changed with them: "利用目的" →
# "保有期間" reads better as one replacement than as four interleaved one-character ones.
_SHORT_SAME = 2


@dataclass(frozen=True)
class Piece:
    kind: str                # same | added | removed
    text: str


@dataclass(frozen=True)
class SectionChange:
    kind: str                # changed | added | removed
    id: str                  # the heading's id in the newer text (the older one's when removed)
    heading: tuple           # Pieces of the heading ("" heading: the part before the first section)
    passages: tuple          # each a tuple of Pieces: a run of lines that changed, "\n" between lines


def what_changed(old_text, new_text, contact_email=""):
    """The SectionChanges from `old_text` to `new_text`, in the newer text's order."""
    return _what_changed(old_text or "", new_text or "", contact_email or "")


@lru_cache(maxsize=64)      # published texts never change: the same pair gives the same answer
def _what_changed(old_text, new_text, contact_email):
    old = [_section(part, contact_email) for part in section_texts(old_text)]
    new = [_section(part, contact_email) for part in section_texts(new_text)]
    matcher = difflib.SequenceMatcher(None, [s.key for s in old], [s.key for s in new], autojunk=False)
    changes = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        paired = min(i2 - i1, j2 - j1) if tag in ("equal", "replace") else 0
        for k in range(paired):
            changes.append(_compared(old[i1 + k], new[j1 + k]))
        changes += [_whole(section, "removed") for section in old[i1 + paired:i2]]
        changes += [_whole(section, "added") for section in new[j1 + paired:j2]]
    return tuple(change for change in changes if change is not None)


@dataclass(frozen=True)
class _Section:
    id: str
    heading: str
    key: str                 # the heading without its number: what pairs sections
    lines: tuple


def _section(part, contact_email):
    section_id, heading, lines = part
    heading = heading or ""
    shown = tuple(_MARKUP.sub("", line, count=1) for line in lines)
    if contact_email:
        shown = tuple(line.replace(CONTACT_EMAIL_TOKEN, contact_email) for line in shown)
    return _Section(section_id, heading, _SECTION_NUMBER.sub("", heading, count=1), shown)


def _compared(old, new):
    if old.key == new.key and old.lines == new.lines:
        return None          # the same, or only renumbered because a section before it moved
    passages = []
    matcher = difflib.SequenceMatcher(None, old.lines, new.lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            passages.append(word_diff("\n".join(old.lines[i1:i2]), "\n".join(new.lines[j1:j2])))
    heading = word_diff(old.heading, new.heading) if old.key != new.key else _unchanged(new.heading)
    return SectionChange("changed", new.id, heading, tuple(passages))


def _whole(section, kind):
    return SectionChange(kind, section.id, _unchanged(section.heading),
                         ((Piece(kind, "\n".join(section.lines)),),) if section.lines else ())


def _unchanged(text):
    return (Piece("same", text),) if text else ()


def word_diff(old, new):
    """Pieces that turn `old` into `new`: same, removed and added runs, removed before added."""
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    runs = []                # [same_text] or [removed_text, added_text]
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2])
        if tag == "equal":
            runs.append([removed])
        elif runs and len(runs[-1]) == 2:
            runs[-1] = [runs[-1][0] + removed, runs[-1][1] + added]
        else:
            runs.append([removed, added])
    return tuple(_pieces(_absorb_short_same(runs)))


def _absorb_short_same(runs):
    """Fold a short unchanged run between two changes into one change."""
    merged = []
    for run in runs:
        between_changes = (len(merged) >= 2 and len(merged[-1]) == 1 and len(merged[-2]) == 2
                           and len(run) == 2 and len(merged[-1][0].strip()) <= _SHORT_SAME)
        if between_changes:
            same, change = merged.pop()[0], merged.pop()
            run = [change[0] + same + run[0], change[1] + same + run[1]]
        merged.append(run)
    return merged


def _pieces(runs):
    for run in runs:
        if len(run) == 1:
            yield Piece("same", run[0])
            continue
        if run[0]:
            yield Piece("removed", run[0])
        if run[1]:
            yield Piece("added", run[1])
