"""Cleaning what people type, before it is validated or stored.

Browsers send whatever was pasted: control characters, zero-width and bidi-override characters
(which can disguise text in a support agent's view), Windows line ends, full-width digits.
"""
import re
import unicodedata

# C0/C1 controls, zero-width space, bidi marks and embedding/override/isolate controls, word
# joiner and invisible operators, BOM. Not the zero-width joiner and non-joiner (U+200D, U+200C):
# they are part of the text itself, inside emoji sequences (👨‍👩‍👧 is three people joined by
# U+200D) and words of several scripts; only a run of them with no visible character on one side
# is dropped (_stray_joiners). static/js/site.js counts characters after the same cleaning.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_INVISIBLE_KEEP_NEWLINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_JOINERS = re.compile("[\u200c\u200d]+")
_PHONE = re.compile(r"^(?:\+81-?|0)\d{1,4}-?\d{1,4}-?\d{3,4}$")


def one_line(value):
    """A name or number: no line breaks or control characters; NFC; outer spaces trimmed."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", _stray_joiners(_INVISIBLE.sub("", str(value)))).strip()


def multi_line(value):
    """A message: keeps line breaks (as \\n) and tabs as spaces, drops other control characters."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return unicodedata.normalize("NFC", _stray_joiners(_INVISIBLE_KEEP_NEWLINES.sub("", text))).strip()


def _stray_joiners(text):
    """Drop the joiners that join nothing: at either end of the text or next to a space."""
    def keep_if_joining(run):
        before, after = text[run.start() - 1:run.start()], text[run.end():run.end() + 1]
        return run.group() if before.strip() and after.strip() else ""
    return _JOINERS.sub(keep_if_joining, text)


def ascii_fold(value):
    """Full-width letters, digits, hyphens and spaces to half-width (NFKC), e.g. for phone numbers."""
    folded = unicodedata.normalize("NFKC", value or "")
    return folded.replace("ー", "-").replace("−", "-").replace("‐", "-").replace("―", "-")


def normalise_phone(value):
    """A Japanese phone number as typed (hyphens kept), or None when it is not one.

    Accepts 03-1234-5678, 090-1234-5678, 09012345678, 0120-700-779, +81-90-1234-5678 and their
    full-width forms; 10 or 11 digits after the leading 0 (or +81 and 9-10 digits).
    """
    phone = re.sub(r"[\s()（）]", "", ascii_fold(value))
    if not _PHONE.match(phone):
        return None
    digits = re.sub(r"\D", "", phone)
    national = "0" + digits[2:] if phone.startswith("+81") else digits
    return phone if len(national) in (10, 11) else None
