"""Advice on an email address while the customer types it: can our mail reach it, and if not, why?

    advice = advise("ta..ro@docomo.ne.jp", translate=gettext)
    advice.valid      -> False (the form cannot go on)
    advice.messages   -> [Message("error", "rfc_case2", "Case 2: …", "faq-rfc"),
                          Message("warning", "carrier_docomo", "This is a docomo address …", "faq-carrier")]
    advice.short      -> "Check the part of your email address before the @" (the field's error)

The rules are the seed contact page's 【よくある原因】: the three RFC cases (a period at the start or
before @, periods in a row, characters outside the allowed set), free mail, the carriers' spam
filters, typos and iCloud. One function serves the form validator, the inline htmx endpoint and the
support CLI; it never raises, whatever text it is given. Messages live in madoguchi.email.rules,
the domain checks in madoguchi.email.hosts, the researched domain lists in madoguchi.email.domains.

Two modes. Final (the default: a form post, leaving the field, the CLI) judges everything. Typing
(`typing=True`, a pause while the customer types) says only what is already certain, so nothing
misleads on the way to a good address: nothing before an @ is typed; then the part before @ (it is
complete once the @ is there); and the part after @ only once no more typing can make it right —
not while it is the start of a known domain ("yahoo.co." of yahoo.co.jp) or a host name still
missing its ending ("example.c").
"""
import hashlib
import re
from dataclasses import dataclass
from typing import NamedTuple

from madoguchi.email.hosts import (
    DomainFacts,
    check_host_name,
    domain_facts,
    is_cut_short,
)
from madoguchi.email.rules import N_, PROVIDER_RULES, RULES, SHORT, short_template

ASCII_WHITESPACE = "\t\n\f\r "  # what browsers trim from an <input type=email> (HTML "ASCII whitespace")

# Full-width (全角) forms of ASCII (NFKC maps U+FF01–FF5E onto U+0021–007E), and the ideographic
# full stops a Japanese IME types for "." (IDNA's UTS 46 maps them to "." too). The ideographic
# space an IME types is dropped: an address has no spaces, and a fix with one would be no address.
HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
HALF_WIDTH.update({0x3000: None, 0x3002: ".", 0xFF61: "."})

# The seed's allowed characters: half-width letters, digits and . ! # $ % & ' * + - / = ? ^ _ { | } ~
# (RFC 5322's atext also has the backtick; the seed's list does not, and neither do we).
ATOM_CHARS = "A-Za-z0-9!#$%&'*+/=?^_{|}~-"
DOT_ATOM = re.compile(rf"[{ATOM_CHARS}]+(?:\.[{ATOM_CHARS}]+)*")
NOT_ATOM_CHAR = re.compile(rf"[^.{ATOM_CHARS}]")
# RFC 5321 Quoted-string: printable ASCII, with a backslash before any " or \ inside.
QUOTED_STRING = re.compile(r'"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])+"')

CARRIER_NAMES = {"carrier_docomo": "docomo", "carrier_au": "au"}
NO_DOMAIN = DomainFacts(None, None, None, None, None)
LEVEL_ORDER = {"error": 0, "warning": 1, "info": 2}


class Message(NamedTuple):
    level: str                  # "error" (the form cannot go on), "warning" or "info"
    code: str
    text: str                   # already translated
    faq_anchor: str | None      # id of the FAQ entry that explains more


@dataclass(slots=True)
class Advice:
    input: str                  # exactly as given
    normalized: str             # trimmed, full-width fixed, domain lower-cased
    valid: bool                 # the address as typed can receive our mail
    rfc_case: int | None        # the seed's case 1, 2 or 3 (the lowest that applies)
    quoted: bool                # the part before @ is wholly in double quotes (accepted, with a note)
    provider: str | None        # free, carrier_docomo, carrier_au, carrier_softbank, carrier_other, icloud
    suggestion: str | None      # the whole address we suggest instead (full-width fix, typo fix)
    fullwidth: bool             # full-width characters were typed (fixed in `suggestion`)
    messages: list              # of Message, errors first; none while nothing is certain yet
    short: str = ""             # the verdict in one short sentence: the field's error, the status line
    key: str = ""               # changes exactly when what the advice shows changes ("" = nothing)

    @property
    def errors(self):
        return [m for m in self.messages if m.level == "error"]

    @property
    def warnings(self):
        return [m for m in self.messages if m.level == "warning"]

    def to_json(self):
        return {
            "input": self.input, "normalized": self.normalized, "valid": self.valid,
            "rfc_case": self.rfc_case, "quoted": self.quoted, "provider": self.provider,
            "suggestion": self.suggestion, "fullwidth": self.fullwidth,
            "messages": [{"level": m.level, "code": m.code, "text": m.text} for m in self.messages],
        }


def advise(address, translate=lambda text: text, typing=False):
    """Everything we can tell about `address` before sending; `translate` is gettext. With
    `typing`, only what more typing cannot change (see the module's docstring)."""
    typed = "" if address is None else str(address)
    text = typed.strip(ASCII_WHITESPACE)
    fixed = text if text.isascii() else text.translate(HALF_WIDTH).strip(ASCII_WHITESPACE)
    fullwidth = fixed != text
    findings = [(RULES["fullwidth"], {"fixed": fixed})] if fullwidth else []

    local, at, domain = fixed.rpartition("@")
    if not at:
        advice = Advice(typed, fixed, False, None, False, None, None, fullwidth, [])
        if typing:                      # nothing is certain before the @
            return advice
        findings.append((RULES["missing_at" if fixed else "empty"], {}))
        return with_messages(advice, findings, translate)

    domain = domain.lower()
    rfc_case, quoted = check_local(local, findings)
    still_typed = typing and is_still_typed(domain)
    facts = NO_DOMAIN if still_typed else check_domain(domain, findings)
    check_lengths(local, facts.ascii or domain, findings)
    suggestion = suggest(local, domain, facts, fullwidth, findings)
    if quoted:
        findings.append((RULES["quoted"], {}))
    if facts.provider:
        params = {"domain": domain, "carrier": CARRIER_NAMES.get(facts.provider)}
        findings.append((PROVIDER_RULES[facts.provider], params))

    advice = Advice(typed, f"{local}@{domain}", False, rfc_case, quoted, facts.provider, suggestion,
                    fullwidth, [])
    return with_messages(advice, findings, translate, still_typed)


def is_still_typed(domain):
    """More typing may still make this the part after @ of a good address: it is the start of a
    known domain ("yahoo.co." of yahoo.co.jp), or a host name only missing its end ("example.c",
    "example." become valid as "example.cx.jp", "example.x.jp"). A known domain is complete."""
    if not domain or is_cut_short(domain):
        return True
    return check_host_name(domain)[1] is not None and check_host_name(domain + "x.jp")[1] is None


def is_deliverable(address):
    """The final verdict's "valid", without messages: for checking our own suggestions."""
    local, _, domain = address.rpartition("@")
    findings = []
    check_local(local, findings)
    facts = check_domain(domain, findings)
    check_lengths(local, facts.ascii or domain, findings)
    return bool(local) and not any(rule.level == "error" for rule, _ in findings)


def check_local(local, findings):
    """The seed's three cases for the part before @; returns (rfc_case, quoted)."""
    if local in ("", '""'):
        findings.append((RULES["local_empty"], {}))
        return None, False
    if DOT_ATOM.fullmatch(local):
        return None, False
    if len(local) > 2 and local[0] == '"' == local[-1]:
        if QUOTED_STRING.fullmatch(local):
            return None, True
        # Even quotes cannot carry these: non-ASCII, control characters, an unescaped " or \.
        bad = [c for c in local[1:-1] if not " " <= c <= "~"] or ['"']
        findings.append((RULES["rfc_case3"], {"chars": bad}))
        return 3, False
    cases = []
    if local[0] == "." or local[-1] == ".":
        cases.append(1)
        findings.append((RULES["rfc_case1"], {}))
    if ".." in local:
        cases.append(2)
        findings.append((RULES["rfc_case2"], {}))
    bad = NOT_ATOM_CHAR.findall(local)
    if bad:
        cases.append(3)
        findings.append((RULES["rfc_case3_at" if "@" in bad else "rfc_case3"], {"chars": bad}))
    return min(cases), False


def check_domain(domain, findings):
    if not domain:
        findings.append((RULES["domain_empty"], {}))
        return NO_DOMAIN
    facts = domain_facts(domain)
    if facts.problem:
        code, params = facts.problem
        findings.append((RULES[code], params))
    return facts


def suggest(local, domain, facts, fullwidth, findings):
    """The whole address we suggest instead (with the message offering it), or None. Never one
    that is itself no good address: every suggestion passes the same checks."""
    meant = facts.suggestion or domain
    if meant == domain and not fullwidth:
        return None
    suggestion = f"{local}@{meant}"
    if not is_deliverable(suggestion):
        return None
    if meant == domain:             # the full-width fix alone: its message is there already
        return suggestion
    rule = RULES["missing_tld" if facts.missing_tld else "typo"]
    findings.append((rule, {"tld": facts.missing_tld, "suggestion": suggestion, "domain": domain,
                            "meant": meant}))
    return suggestion


def check_lengths(local, ascii_domain, findings):
    # RFC 5321 §4.5.3.1: at most 64 octets before @, and 254 in all (a 256-octet path less <>).
    if len(local) > 64:
        findings.append((RULES["local_too_long"], {"length": len(local)}))
    total = len(local) + 1 + len(ascii_domain)
    if total > 254:
        findings.append((RULES["too_long"], {"length": total}))


def with_messages(advice, findings, translate, still_typed=False):
    """Set the translated messages (errors first), whether the address can receive our mail, the
    short verdict and its key. While the domain is still being typed nothing is known to be fine."""
    findings.sort(key=lambda finding: LEVEL_ORDER[finding[0].level])
    advice.valid = not still_typed and not any(rule.level == "error" for rule, _ in findings)
    if advice.valid and not findings:
        findings.append((RULES["allow_domains"], {}))
    advice.messages = [Message(rule.level, rule.code, render(rule.template, params, translate), rule.faq_anchor)
                       for rule, params in findings]
    if advice.messages:
        advice.short = short_verdict(advice, translate)
        shown = [m.text for m in advice.messages] + [advice.suggestion or "", advice.short]
        if advice.suggestion:       # the fix button carries the typed address (checked_email)
            shown.append(advice.input)
        advice.key = hashlib.blake2s("\n".join(shown).encode(), digest_size=8).hexdigest()
    return advice


def short_verdict(advice, translate):
    """One short sentence: the first error's kind, or the typo, or the first warning's kind."""
    first = advice.messages[0]
    if first.level != "error" and advice.suggestion:
        problem = translate(SHORT["typo"])
    else:
        problem = translate(short_template(first.code))
    if advice.suggestion:
        return translate(SHORT["with_fix"]) % {"problem": problem, "suggestion": advice.suggestion}
    return problem


def render(template, params, translate):
    if "chars" in params:
        shown = dict.fromkeys(show_char(c, translate) for c in params["chars"])
        params = {**params, "chars": " ".join(list(shown)[:8])}
    return translate(template) % params


def show_char(char, translate):
    if char == " ":
        return translate(N_("(space)"))
    return char if char.isprintable() else f"U+{ord(char):04X}"
