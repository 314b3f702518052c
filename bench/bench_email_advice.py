"""Benchmark of the email advisor (issue 2 §3). Run from the repository root:

    .venv/bin/python bench/bench_email_advice.py [--addresses 2000] [--requests 1000]

1. Addresses per second of `madoguchi.email_advice.advise` next to
   `email_validator.validate_email(addr, check_deliverability=False)` on the same realistic list of
   mixed valid and invalid Japanese addresses. Target: advisor >= 1.0x email-validator. "warm" is
   the steady state of a running site (the per-domain cache filled by earlier passes); "cold"
   clears the advisor's caches before every pass.
2. Time per request of the inline endpoint `POST inquiry.email_advice` (form field `email`,
   CSRF token in X-CSRFToken, HX-Request set) next to a bare Flask route returning a constant
   fragment, in the same app (same CSRF, session and locale work), measured twice: in process
   through app.test_client, and over HTTP on loopback through werkzeug's server with one
   keep-alive connection, as a browser sends it. Target: endpoint <= 1.3x the bare route.
   Skipped, with a message, while the endpoint is missing.
"""
import argparse
import http.client
import os
import random
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from werkzeug.serving import WSGIRequestHandler, make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from email_validator import EmailNotValidError, validate_email  # noqa: E402

from madoguchi.email import hosts as email_hosts  # noqa: E402
from madoguchi.email.advice import advise  # noqa: E402

NAMES = ["taro", "hanako", "yamada", "sato", "suzuki", "takahashi", "tanaka", "ito", "watanabe",
         "nakamura", "kobayashi", "kato", "yoshida", "yamamoto", "sasaki", "matsumoto", "inoue",
         "kimura", "hayashi", "shimizu", "yuki", "haruto", "sakura", "ren", "mio", "sota"]
# Rough shares of the domains a Japanese lottery customer writes from.
DOMAINS = {"docomo.ne.jp": 14, "ezweb.ne.jp": 8, "au.com": 4, "softbank.ne.jp": 5, "i.softbank.jp": 6,
           "gmail.com": 20, "yahoo.co.jp": 14, "icloud.com": 10, "me.com": 1, "outlook.jp": 3,
           "hotmail.co.jp": 3, "nifty.com": 2, "ocn.ne.jp": 2, "ymobile.ne.jp": 2, "uqmobile.jp": 1,
           "example.co.jp": 3, "anymykuji.com": 1, "例え.jp": 1}
TYPOS = ["gmial.com", "gamil.com", "yahoo.co.jo", "docomo.ne.pj", "ezweb.ne.jo", "icloud.con",
         "i.softbank.jo", "hotmial.com", "outlok.jp", "gmail.co.jp"]
TO_FULLWIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def realistic_addresses(count, seed=20261124):
    """Mostly good addresses; about a third carry one of the mistakes the advisor explains."""
    rng = random.Random(seed)
    domains, weights = zip(*DOMAINS.items())
    addresses = []
    for _ in range(count):
        local = rng.choice(NAMES) + rng.choice(["", ".", "_", "-", ""]) + rng.choice(NAMES + [""])
        local += str(rng.randint(1, 9999)) if rng.random() < 0.5 else ""
        domain = rng.choices(domains, weights)[0]
        mistake, at = rng.random(), "@"
        if mistake < 0.05:
            local = rng.choice([".", ""]) + local + ("." if local[-1] != "." else "")   # case 1
        elif mistake < 0.10:
            local = local[:2] + ".." + local[2:]                                        # case 2
        elif mistake < 0.14:
            local = local[:2] + rng.choice(["[", " ", "@", "た", "("]) + local[2:]       # case 3
        elif mistake < 0.18:
            domain = rng.choice(TYPOS)
        elif mistake < 0.21:
            local, at, domain = (part.translate(TO_FULLWIDTH) for part in (local, at, domain))
        elif mistake < 0.23:
            local = f'"{local}..x"'
        elif mistake < 0.26:
            local, domain = " " + local.capitalize(), domain.upper() + " "
        addresses.append(f"{local}{at}{domain}")
    return addresses


def email_validator_once(address):
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        pass


def clear_caches():
    for cached in (email_hosts.cached_domain_facts, email_hosts.to_ascii, email_hosts.to_unicode):
        cached.cache_clear()


def rate(check, addresses, passes=5, before_pass=None):
    """Best addresses/s over a few passes through the whole list."""
    best = float("inf")
    for _ in range(passes):
        if before_pass:
            before_pass()
        start = time.perf_counter()
        for address in addresses:
            check(address)
        best = min(best, time.perf_counter() - start)
    return len(addresses) / best


def bench_advisor(addresses):
    print(f"1. advisor vs email-validator, {len(addresses)} realistic addresses "
          f"({sum(not advise(a).valid for a in addresses)} not valid as typed)")
    validator = rate(email_validator_once, addresses)
    cold = rate(advise, addresses, before_pass=clear_caches)
    warm = rate(advise, addresses)
    print(f"   email_validator.validate_email : {validator:10,.0f} addresses/s")
    print(f"   advise (cold caches)           : {cold:10,.0f} addresses/s  ({cold / validator:.2f}x)")
    print(f"   advise (warm, steady state)    : {warm:10,.0f} addresses/s  ({warm / validator:.2f}x)"
          f"   target >= 1.0x: {'met' if warm >= validator else 'NOT met'}")


def bench_endpoint(addresses, requests):
    from flask import url_for
    from flask_wtf.csrf import generate_csrf

    from app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({
            "DATABASE_URL": f"sqlite:///{os.path.join(tmp, 'bench.sqlite3')}",
            "SECRET_KEY": "bench-secret", "SUBJECT_KEY": "bench-subject", "LEDGER_KEY": "bench-ledger",
            "MAIL_SINK_DIR": os.path.join(tmp, "mail"), "OUTBOX_SEND_IMMEDIATELY": False,
        })
        print("2. inline endpoint vs bare route")
        if "inquiry.email_advice" not in app.view_functions:
            print("   SKIPPED: the endpoint inquiry.email_advice (POST /contact/form/email-advice) "
                  "does not exist yet")
            return
        app.add_url_rule("/bench/token", "bench_token", generate_csrf)
        app.add_url_rule("/bench/bare", "bench_bare", lambda: '<div class="email-advice"></div>',
                         methods=["POST"])
        with app.test_request_context():
            advice_url = url_for("inquiry.email_advice")
        client = app.test_client()
        token = client.get("/bench/token").get_data(as_text=True)
        headers = {"X-CSRFToken": token, "HX-Request": "true"}
        sample = (addresses * (requests // len(addresses) + 1))[:requests]

        def in_process(url, address):
            return client.post(url, data={"email": address}, headers=headers).status_code

        compare("in process (Flask test client, CSRF on)", in_process, advice_url, sample)
        with loopback_server(app) as connection:
            cookie = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())

            def over_http(url, address):
                connection.request("POST", url, body=urlencode({"email": address}), headers={
                    **headers, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
                answer = connection.getresponse()
                answer.read()
                return answer.status

            compare("over HTTP on loopback (keep-alive, werkzeug server)", over_http, advice_url, sample)


def compare(how, send, advice_url, sample):
    """Alternate the two routes in rounds and keep each one's best: other work on the machine then
    slows both alike instead of whichever happened to run during it."""
    statuses = set()

    def per_request(url):
        start = time.perf_counter()
        for address in sample:
            statuses.add(send(url, address))
        return (time.perf_counter() - start) / len(sample)

    timings = {"/bench/bare": [], advice_url: []}
    for _ in range(6):
        for url, times in timings.items():
            times.append(per_request(url))
    bare, endpoint = min(timings["/bench/bare"]), min(timings[advice_url])
    print(f"   {how}, {len(sample)} requests each")
    print(f"     bare route returning a constant : {bare * 1e6:8.0f} µs/request")
    print(f"     {advice_url:<31} : {endpoint * 1e6:8.0f} µs/request  ({endpoint / bare:.2f}x)"
          f"   target <= 1.3x: {'met' if endpoint <= 1.3 * bare else 'NOT met'}")
    print(f"     HTTP statuses seen: {sorted(statuses)}")


class QuietKeepAliveHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"   # keep the connection open, as browsers do

    def log_request(self, *args):   # one log line per request would be measured too
        pass


@contextmanager
def loopback_server(app):
    """The app behind werkzeug's HTTP/1.1 server on 127.0.0.1, and one keep-alive connection."""
    server = make_server("127.0.0.1", 0, app, threaded=False, request_handler=QuietKeepAliveHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port)
    try:
        yield connection
    finally:
        connection.close()
        server.shutdown()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    addresses = realistic_addresses(args.addresses)
    bench_advisor(addresses)
    bench_endpoint(addresses, args.requests)


if __name__ == "__main__":
    main()
