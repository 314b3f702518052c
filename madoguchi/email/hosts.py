"""What the part after @ tells us: is it a valid host name, whose mail service is it, was it mistyped?

`domain_facts(domain)` answers all three for a lower-cased domain and caches the answer: the same
few domains (docomo.ne.jp, gmail.com, …) come back on every keystroke of every customer.
Problems are returned as (code, params); the advisor turns codes into translated messages.
"""
import functools
import re
from typing import NamedTuple

import idna

from madoguchi.email import domains as known

# A label as RFC 1035/1123 allow it (letters, digits, hyphens), after lower-casing.
LDH_LABEL = re.compile(r"[a-z0-9-]+")
NOT_LDH = re.compile(r"[^a-z0-9-]")
NOT_HOST_CHAR = re.compile(r"[^a-z0-9.-]")


class DomainFacts(NamedTuple):
    ascii: str | None           # the domain in ASCII (A-labels for IDN) when it is a valid host name
    problem: tuple | None       # (code, params) of the first thing wrong with it
    provider: str | None        # "free", "carrier_docomo", …, "icloud" or None
    suggestion: str | None      # the domain the customer probably meant
    missing_tld: str | None     # the typed ending when it is no top-level domain at all


TOO_LONG = DomainFacts(None, ("domain_too_long", {}), None, None, None)


def domain_facts(domain):
    # Over-long input is answered without the cache, so junk cannot fill it with huge keys.
    return TOO_LONG if len(domain) > 253 else cached_domain_facts(domain)


@functools.lru_cache(maxsize=4096)
def cached_domain_facts(domain):
    ascii_domain, problem = check_host_name(domain)
    tld = domain.rpartition(".")[2]
    return DomainFacts(
        ascii=ascii_domain,
        problem=problem,
        provider=provider_of(domain) if problem is None else None,
        suggestion=suggest_domain(domain),
        missing_tld=tld if problem is None and tld in known.MISSING_TLD_FIXES else None,
    )


def check_host_name(domain):
    """(ascii form, None) for a valid host name, else (None, (code, params))."""
    shown = {"domain": domain}
    if domain.isascii():
        wrong = NOT_HOST_CHAR.findall(domain)
        if wrong:
            return None, ("domain_chars", {**shown, "chars": tuple(dict.fromkeys(wrong))})
    labels = domain.split(".")
    if len(labels) == 1:
        return None, ("domain_no_dot", shown)
    if "" in labels:
        return None, ("domain_empty_label", shown)
    ascii_domain = domain if domain.isascii() else to_ascii(domain)
    if ascii_domain is None:
        return None, ("domain_idn", shown)
    for label in ascii_domain.split("."):
        problem = check_label(label)
        if problem:
            return None, (problem, {**shown, "chars": tuple(dict.fromkeys(NOT_LDH.findall(label)))})
    # A top-level domain is letters only (RFC 3696 §2: never all-numeric) or an IDN A-label.
    ascii_tld = ascii_domain.rpartition(".")[2]
    if not (ascii_tld.isalpha() and len(ascii_tld) >= 2) and not ascii_tld.startswith("xn--"):
        return None, ("domain_tld", {**shown, "tld": labels[-1]})
    if len(ascii_domain) > 253:
        return None, ("domain_too_long", {})
    return ascii_domain, None


def check_label(label):
    if len(label) > 63:
        return "domain_label_too_long"
    if not LDH_LABEL.fullmatch(label):
        return "domain_chars"
    if label[0] == "-" or label[-1] == "-":
        return "domain_hyphen"
    # Hyphens in the 3rd and 4th places are reserved for IDN A-labels ("xn--"): RFC 5891
    # §4.2.3.1; JPRS refuses such .jp names too.
    if label[2:4] == "--":
        if not label.startswith("xn--"):
            return "domain_hyphen_34"
        if to_unicode(label) is None:
            return "domain_idn"
    return None


@functools.lru_cache(maxsize=1024)
def to_ascii(domain):
    """The IDNA2008 A-label form (with the UTS 46 mapping browsers apply), or None if invalid."""
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except (UnicodeError, ValueError):  # idna.IDNAError is a UnicodeError
        return None


@functools.lru_cache(maxsize=1024)
def to_unicode(label):
    try:
        return idna.decode(label)
    except (UnicodeError, ValueError):
        return None


def provider_of(domain):
    provider = known.PROVIDER_BY_DOMAIN.get(domain)
    if provider:
        return provider
    for parent, carrier in known.CARRIER_PARENT_DOMAINS.items():
        if domain.endswith("." + parent):
            return carrier
    return None


# --- typo suggestions ------------------------------------------------------------------------
# Conservative on purpose: a domain we know is real is never suggested away, and an unknown
# domain is only corrected to a popular one when a single typing slip explains the difference.

def suggest_domain(domain):
    if domain in known.KNOWN_DOMAINS or not domain.isascii():
        return None
    if domain in known.DOMAIN_TYPOS:
        return known.DOMAIN_TYPOS[domain]
    fixed = fix_ending(domain)
    if fixed in known.KNOWN_DOMAINS:
        return fixed
    for target in known.SLIP_TARGETS:
        if abs(len(target) - len(fixed)) <= 1 and is_one_slip(fixed, target):
            return target
    return fixed if fixed and fixed != domain else None


def fix_ending(domain):
    """Stray dots at either end dropped; an ending that cannot exist replaced by the one meant."""
    domain = domain.strip(".")
    head, dot, tld = domain.rpartition(".")
    if dot and tld in known.MISSING_TLD_FIXES:
        domain = f"{head}.{known.MISSING_TLD_FIXES[tld]}"
    for slip, meant in known.JP_ENDING_SLIPS.items():
        if domain.endswith("." + slip):
            return domain[: -len(slip)] + meant
    return domain


KEYBOARD_ROWS = ("1234567890-", "qwertyuiop", "asdfghjkl;", "zxcvbnm,./")


def keyboard_neighbours():
    """Each key's neighbours on a QWERTY keyboard (rows are staggered half a key to the right)."""
    position = {key: (r, c) for r, row in enumerate(KEYBOARD_ROWS) for c, key in enumerate(row)}
    near = {}
    for key, (r, c) in position.items():
        cells = ((r, c - 1), (r, c + 1), (r - 1, c), (r - 1, c + 1), (r + 1, c - 1), (r + 1, c))
        near[key] = frozenset(KEYBOARD_ROWS[y][x] for y, x in cells
                              if 0 <= y < len(KEYBOARD_ROWS) and 0 <= x < len(KEYBOARD_ROWS[y]))
    return near


NEIGHBOURS = keyboard_neighbours()


def is_near(a, b):
    return a == b or b in NEIGHBOURS.get(a, ())


def is_one_slip(typed, target):
    """True when one typing slip turns `target` into `typed`: two neighbouring letters swapped,
    a key next to the right one hit, one extra key next to (or repeating) its neighbour, or a
    key missed — but not the first one (mail.com is not a slip of gmail.com)."""
    if typed == target:
        return False
    i = 0
    shortest = min(len(typed), len(target))
    while i < shortest and typed[i] == target[i]:
        i += 1
    if len(typed) == len(target):
        if typed[i + 1:] == target[i + 1:]:
            return is_near(target[i], typed[i])
        return (i + 1 < len(typed) and typed[i] == target[i + 1] and typed[i + 1] == target[i]
                and typed[i + 2:] == target[i + 2:])
    if len(typed) == len(target) + 1:
        extra = typed[i]
        beside = typed[i - 1:i] + typed[i + 1:i + 2]
        return typed[i + 1:] == target[i:] and any(is_near(key, extra) for key in beside)
    if len(typed) + 1 == len(target):
        return i > 0 and typed[i:] == target[i + 1:]
    return False
