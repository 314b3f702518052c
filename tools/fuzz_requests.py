"""The requests a fuzz run sends (tools/fuzz_routes.py): the values that break parsers, and a
generator of GET and POST requests over every route of the app, sent as an anonymous visitor, a
customer half-way through the form or a signed-in member of staff."""
import re
import sqlite3
from urllib.parse import quote

from werkzeug.routing import IntegerConverter

ROLES = ("admin", "auditor", "support")
PASSWORD = "fuzz password, long enough"
HUGE_NUMBER = "9" * 40
NUMBERS = [HUGE_NUMBER, "1" + "0" * 19, "9223372036854775808", "18446744073709551616", "-1", "0",
           "-9" * 20, "１２", "٣", "1e9", "0x10", "1_000", " 7 ", "+5", "7.5", "NaN", "inf", "1" * 5000]
DATES = ["9999-99-99", "9999-12-31", "0001-01-01", "0000-00-00", "2024-02-30", "２０２６－０１－０１",
         "2026-1-1", "-2026-01-01", "20260101", "2026-01-01T00:00", "0001-01-01T00:00",
         "9999-12-31T23:59", "2026-13-01T25:61", "1970-01-01", "2026-04-01"]
TEXTS = ["", " ", "\x00", "a\x00b", "\x1b[31m", "\u202etxt.exe", "\ufeff", "a" * 5000, "あ" * 3000,
         "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "..", ".", "%00", "🎯" * 50,
         "\r\n\r\nBcc: x@example.com", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "null", "[]", "{}", "true"]
# Raw, already percent-encoded: a lone surrogate as UTF-8 would encode it, invalid UTF-8, a NUL.
RAW = ["%ED%A0%80", "%FF%FE", "%C0%AF", "%80", "%00", "%E3%81", "%", "%zz", "%25%30%30"]
QUERY_NAMES = ["before", "after", "cursor", "page", "date_from", "date_to", "version", "kind",
               "subject", "status", "category", "reference", "action", "next", "locale", "format", "q"]


def email_of(role):
    return f"fuzz-{role}@example.com"


def database_path(app):
    """The SQLite file the app runs on."""
    return app.config["DATABASE_URL"].removeprefix("sqlite:///")


class Fuzzer:
    """Generated requests to `app`, from values drawn with `rng` (a seeded random.Random)."""

    def __init__(self, app, rng):
        self.app, self.rng = app, rng
        self.clients = {}
        with sqlite3.connect(database_path(app)) as connection:
            self.known = {
                "int": [str(row[0]) for row in connection.execute("SELECT id FROM policy_version")]
                + [str(row[0]) for row in connection.execute("SELECT seq FROM consent_event LIMIT 5")],
                "reference": [row[0] for row in connection.execute("SELECT reference FROM inquiry LIMIT 10")],
                "label": [row[0] for row in connection.execute("SELECT label FROM policy_version")],
                "value": ["new", "in_progress", "answered", "closed", "granted", "withdrawn", "csv",
                          "jsonl", "en", "ja", "disclosure", "payment", "2026-04-01", "1", "50", "y"],
            }
        self.form_names = form_field_names()
        self.routes = [(rule, method) for rule in app.url_map.iter_rules()
                       for method in sorted(rule.methods - {"HEAD", "OPTIONS"}) if rule.endpoint != "static"]

    # -- clients ---------------------------------------------------------------------------------
    def client(self, who):
        if who not in self.clients:
            self.clients[who] = self._new_client(who)
        return self.clients[who]

    def _new_client(self, who):
        client = self.app.test_client()
        if who in ROLES:
            token = self._token(client, "/staff/login")
            answer = client.post("/staff/login", data={"csrf_token": token, "email": email_of(who),
                                                        "password": PASSWORD})
            assert answer.status_code in (302, 303), f"{who} could not sign in: {answer.status_code}"
        if who == "customer":
            client.post("/contact/form", data={"csrf_token": self._token(client, "/contact/form"),
                                               "agree": "y", "policy_version": self._current_label(client)})
        client.csrf = self._token(client, "/contact")
        return client

    @staticmethod
    def _token(client, path):
        page = client.get(path).get_data(as_text=True)
        found = re.search(r'"X-CSRFToken": "([^"]+)"', page) or re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        return found.group(1) if found else ""

    @staticmethod
    def _current_label(client):
        page = client.get("/contact/form").get_data(as_text=True)
        found = re.search(r'name="policy_version"[^>]*value="([^"]*)"', page)
        return found.group(1) if found else "1"

    # -- values ----------------------------------------------------------------------------------
    def value(self):
        """One odd (or now and then plausible) value, percent-encoded for a query or a form body."""
        pick = self.rng.random()
        if pick < 0.07:
            return self.rng.choice(RAW)
        if pick < 0.27:
            text = self.rng.choice(NUMBERS)
        elif pick < 0.42:
            text = self.rng.choice(DATES)
        elif pick < 0.67:
            text = self.rng.choice(TEXTS)
        elif pick < 0.82:
            text = "".join(chr(self.rng.choice([self.rng.randrange(0x20, 0x7f), self.rng.randrange(0xa0, 0xd7ff),
                                                self.rng.randrange(0xe000, 0x10ffff), self.rng.randrange(0, 0x20)]))
                           for _ in range(self.rng.randrange(1, 40)))
        else:
            text = self.rng.choice(self.known["value"])
        return quote(text, safe="", errors="surrogatepass")

    def pairs(self, names, count):
        """`count` name=value pairs; some names twice (arrays), now and then a bare name."""
        chosen = [self.rng.choice(names) for _ in range(count)]
        return [name if self.rng.random() < 0.03 else f"{quote(name)}={self.value()}" for name in chosen]

    def path(self, rule):
        """The rule's URL with each <argument> filled in: a known id, reference or label half the
        time, else an odd value (ids: huge, zero, full-width)."""
        def filled(placeholder):
            converter = rule._converters[placeholder.group(1)]
            if isinstance(converter, IntegerConverter):
                return self.rng.choice(self.known["int"] + ["0", HUGE_NUMBER, "1" * 25, "１"])
            if self.rng.random() < 0.5:
                return self.rng.choice(self.known["reference"] + self.known["label"] + ["en", "ja"])
            return self.value().replace("%2F", "/") or "x"
        return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", filled, rule.rule)

    # -- one request -----------------------------------------------------------------------------
    def request(self, rule, method, who):
        client = self.client(who)
        query = "&".join(self.pairs(QUERY_NAMES + self.form_names[:5], self.rng.randrange(0, 6)))
        headers = {"HX-Request": "true"} if self.rng.random() < 0.3 else {}
        url = self.path(rule) + (f"?{query}" if query else "")
        if method == "GET":
            return url, client.get(url, headers=headers)
        body = self.pairs(self.form_names + QUERY_NAMES, self.rng.randrange(0, 12))
        if self.rng.random() < 0.92:
            body.append(f"csrf_token={client.csrf}")
        if self.rng.random() < 0.3:
            headers["X-CSRFToken"] = client.csrf
        raw = "&".join(self.rng.sample(body, len(body))).encode()
        if self.rng.random() < 0.05:
            raw += b"&message=\xff\xfe\xed\xa0\x80"   # not even percent-encoded: bytes no UTF-8 has
        return url, client.post(url, data=raw, headers=headers,
                                content_type="application/x-www-form-urlencoded")


def form_field_names():
    """Every field name of every form in forms/, so fields added later are fuzzed too."""
    import importlib
    import pkgutil

    from wtforms.fields.core import UnboundField

    import forms

    names = set()
    for module in pkgutil.iter_modules(forms.__path__):
        loaded = importlib.import_module(f"forms.{module.name}")
        for value in vars(loaded).values():
            if isinstance(value, type):
                names.update(name for name, member in vars(value).items() if isinstance(member, UnboundField))
    return sorted(names)


