"""Security headers (views/headers.py) on public and staff pages, their fragments, error pages and
downloads; HSTS only behind HTTPS; no-store wherever personal data is shown; and no template or
script source that a strict Content-Security-Policy would block."""
import re
from pathlib import Path

import pytest

from conftest import csrf_token, sign_in_staff

REPO = Path(__file__).resolve().parent.parent
EVERY_ANSWER = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
PUBLIC = ["/contact", "/faq", "/privacy", "/privacy/1", "/staff/login", "/no-such-page",
          "/static/css/site.css"]
STAFF = {"admin": ["/staff/admin/policies", "/staff/admin/policies/new", "/staff/admin/policies/1"],
         "auditor": ["/staff/audit/ledger", "/staff/audit/actions", "/staff/support/inbox"],   # 403 too
         "support": ["/staff/support/inbox", "/staff/audit/ledger"]}


def assert_security_headers(answer):
    for name, value in EVERY_ANSWER.items():
        assert answer.headers.get(name) == value, name
    policy = dict(directive.strip().split(" ", 1) for directive in answer.headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'" and policy["form-action"] == "'self'"
    assert "unsafe" not in answer.headers["Content-Security-Policy"]
    assert {"camera=()", "microphone=()", "geolocation=()", "payment=()"} <= {
        feature.strip() for feature in answer.headers["Permissions-Policy"].split(",")}
    assert "Strict-Transport-Security" not in answer.headers


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_carry_every_header_and_may_be_cached(client, path):
    answer = client.get(path)
    assert_security_headers(answer)
    if path not in ("/staff/login",):
        assert "no-store" not in answer.headers.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/contact/form", "/contact/form/details", "/contact/form/category-help"])
def test_form_steps_and_their_fragments_are_never_stored(client, path):
    for headers in ({}, {"HX-Request": "true"}):
        answer = client.get(path, headers=headers)
        assert_security_headers(answer)
        assert answer.headers["Cache-Control"] == "no-store"
    advice = client.post("/contact/form/email-advice", data={"email": "taro@example.jp"},
                         headers={"X-CSRFToken": csrf_token(client), "HX-Request": "true"})
    assert advice.status_code == 200 and advice.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("role", STAFF)
def test_staff_pages_fragments_and_refusals_are_never_stored(app, client, role):
    assert client.get("/staff/login").headers["Cache-Control"] == "no-store"
    sign_in_staff(app, client, role)
    for path in STAFF[role]:
        for headers in ({}, {"HX-Request": "true"}):
            answer = client.get(path, headers=headers)
            assert answer.status_code in (200, 403), path
            assert_security_headers(answer)
            assert answer.headers["Cache-Control"] == "no-store", path


def test_the_ledger_export_download_is_never_stored(app, client):
    sign_in_staff(app, client, "auditor")
    answer = client.post("/staff/audit/ledger/export", data={
        "csrf_token": csrf_token(client, "/staff/audit/ledger"), "format": "csv"})
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert_security_headers(answer)
    assert answer.headers["Cache-Control"] == "no-store"


def test_hsts_only_when_the_session_cookie_is_secure(make_app):
    answer = make_app(SESSION_COOKIE_SECURE=True).test_client().get("/contact")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(answer.headers["Strict-Transport-Security"].split("=")[1].split(";")[0]) >= 15_552_000


INLINE_CODE = re.compile(r"""\sstyle\s*=|<style|\son[a-z]+\s*=|javascript:|<script(?![^>]*\ssrc=)""", re.IGNORECASE)


def test_no_template_or_chart_holds_inline_styles_scripts_or_handlers():
    """What the policy would block: style= and <style>, inline <script>, onclick= and friends,
    javascript: links. (Jinja comments are left out: they never reach the browser.)"""
    sources = sorted((REPO / "templates").rglob("*.html")) + [REPO / "madoguchi" / "svg_chart.py"]
    found = []
    for source in sources:
        text = re.sub(r"\{#.*?#\}", "", source.read_text(encoding="utf-8"), flags=re.DOTALL)
        found += [f"{source.relative_to(REPO)}: {match.group(0)!r}" for match in INLINE_CODE.finditer(text)]
    assert found == []


def test_htmx_is_told_not_to_inject_its_indicator_styles_and_the_stylesheet_has_them(client):
    page = client.get("/contact").get_data(as_text=True)
    config = re.search(r'name="htmx-config" content=\'([^\']+)\'', page).group(1)
    assert '"includeIndicatorStyles": false' in config and '"allowEval": false' in config
    assert ".htmx-indicator" in (REPO / "static" / "css" / "site.css").read_text(encoding="utf-8")
