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
from madoguchi.email.slips import HALF_SLIP, NO_SLIP, ONE_SLIP, slip_distance

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
# Conservative on purpose: a domain we know is real is never suggested away, a domain that is the
# start of a known one is only ever completed to it, and an unknown domain is only corrected to a
# popular one when one typing slip explains the difference (madoguchi.email.slips).

# Every strict start of a known domain ("yahoo.co." of yahoo.co.jp, "gmail" of gmail.com).
KNOWN_STARTS = frozenset(domain[:end] for domain in known.KNOWN_DOMAINS for end in range(1, len(domain)))


def is_cut_short(domain):
    """The domain is the start of a known one: the customer may still be typing it."""
    return domain in KNOWN_STARTS


def suggest_domain(domain):
    if domain in known.KNOWN_DOMAINS or not domain.isascii():
        return None
    if is_cut_short(domain):
        return completion(domain)
    fixed = fix_ending(domain)
    if fixed in known.KNOWN_DOMAINS:
        return fixed
    return nearest_target(fixed) or (fixed if fixed and fixed != domain else None)


def completion(domain):
    """The one known domain that `domain` is the start of, when only its ending is missing
    ("gmail." → gmail.com). "yahoo.co" may be yahoo.co.jp or yahoo.com: no completion."""
    whole = [name for name in known.KNOWN_DOMAINS if name.startswith(domain)]
    if len(whole) == 1 and len(domain) >= len(whole[0].rpartition(".")[0]):
        return whole[0]
    return None


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


def nearest_target(domain):
    """The popular domain (SLIP_TARGETS) at most one slip away; on a tie, the more popular."""
    costs = [(min(letter_slips(domain, target), mixed_ending_cost(domain, target)), rank, target)
             for rank, target in enumerate(known.SLIP_TARGETS)]
    cost, _, target = min(costs)
    return target if cost <= ONE_SLIP else None


def letter_slips(typed, meant):
    # Each letter too many or too few costs half a slip at least: more than two is never one slip.
    return slip_distance(typed, meant) if abs(len(typed) - len(meant)) <= 2 else NO_SLIP


def mixed_ending_cost(domain, target):
    """Slips in the name, plus one for a mixed-up ending (half of one within .jp: co.jp for ne.jp)."""
    name, ending = split_ending(domain)
    target_name, target_ending = split_ending(target)
    if not ending or not target_ending or ending == target_ending:
        return NO_SLIP
    mixed = HALF_SLIP if ending.endswith("jp") and target_ending.endswith("jp") else ONE_SLIP
    return letter_slips(name, target_name) + mixed


def split_ending(domain):
    for ending in known.MIXED_ENDINGS:
        if domain.endswith("." + ending):
            return domain[: -len(ending) - 1], ending
    return domain, None
