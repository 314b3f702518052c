"""Staff sessions kept in the database: a copied cookie stops working on sign-out, disable, expiry
and when an admin ends the sessions; the id changes at every sign-in; the admin's accounts page."""
from datetime import timedelta

import pytest

from conftest import csrf_token, sign_in_staff
from madoguchi.clock import utcnow
from madoguchi.staff import rules as staff_rules
from models import StaffAction, StaffSession

ADMIN_PAGE = "/staff/admin/policies"
USERS_PAGE = "/staff/admin/users"
LOGIN_REDIRECT = "/staff/login?next="


def copy_of(app, client):
    """A second browser holding a copy of `client`'s session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def is_signed_out(client, path=ADMIN_PAGE):
    answer = client.get(path)
    return answer.status_code == 302 and answer.headers["Location"].startswith(LOGIN_REDIRECT)


def token_of(client):
    with client.session_transaction() as session:
        return session.get("staff_session")


def only_session(app):
    with app.app_context():
        rows = list(StaffSession.select())
    assert len(rows) == 1
    return rows[0]


def backdate(app, **ages):
    """Move every session's times into the past: backdate(app, last_seen_at=timedelta(minutes=31))."""
    with app.app_context():
        StaffSession.update(**{field: utcnow() - age for field, age in ages.items()}).execute()


def actions(app):
    with app.app_context():
        return [(a.actor, a.action, a.target) for a in StaffAction.select().order_by(StaffAction.id)]


def test_the_cookie_holds_only_a_random_token_whose_hash_is_stored(app, client):
    sign_in_staff(app, client, "admin")
    with client.session_transaction() as session:
        assert set(session) == {"staff_session"}
    token = token_of(client)
    stored = only_session(app)
    assert len(token) >= 40 and token not in stored.token_hash and stored.ended_at is None
    assert stored.client_network == "127.0.0.0/24"


def test_a_copied_cookie_is_refused_after_sign_out(app, client):
    email = sign_in_staff(app, client, "admin")
    thief = copy_of(app, client)
    assert thief.get(ADMIN_PAGE).status_code == 200           # the copy works while the session is open
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, ADMIN_PAGE)})
    assert is_signed_out(client) and is_signed_out(thief)
    assert only_session(app).ended_reason == "logout"
    assert (email, "logout", "") in actions(app)


def test_a_copied_cookie_is_refused_after_the_account_is_disabled(app, client, runner):
    email = sign_in_staff(app, client, "support")
    thief = copy_of(app, client)
    assert thief.get("/staff/support/inbox").status_code == 200
    result = runner.invoke(args=["users", "disable", email])
    assert result.exit_code == 0, result.output
    assert is_signed_out(thief, "/staff/support/inbox") and is_signed_out(client, "/staff/support/inbox")
    stored = only_session(app)
    assert stored.ended_reason == "disabled" and stored.ended_at is not None


def test_the_session_id_changes_at_every_sign_in_and_nothing_carries_over(app, client):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in_staff(app, client, "admin")
    first_cookie, first_token = client.get_cookie("session").value, token_of(client)
    earlier_copy = copy_of(app, client)
    with client.session_transaction() as session:
        assert "planted" not in session
    sign_in_staff(app, client, "auditor")          # the same browser signs in again, as someone else
    assert client.get_cookie("session").value != first_cookie and token_of(client) != first_token
    assert is_signed_out(earlier_copy)             # the session the browser held before has ended
    with app.app_context():
        assert [s.ended_reason for s in StaffSession.select().order_by(StaffSession.id)] == ["replaced", ""]


def test_an_idle_session_expires(app, client):
    client.set_cookie("lang", "en")
    email = sign_in_staff(app, client, "admin")
    backdate(app, last_seen_at=timedelta(minutes=31))
    assert is_signed_out(client)
    assert "Your session has ended" in client.get("/staff/login").get_data(as_text=True)
    assert (email, "session_expired", "") in actions(app)
    assert only_session(app).ended_reason == "expired"


def test_an_active_session_lasts_while_used_but_not_past_the_absolute_limit(app, client):
    sign_in_staff(app, client, "admin")
    backdate(app, last_seen_at=timedelta(minutes=29), created_at=timedelta(hours=7, minutes=50))
    assert client.get(ADMIN_PAGE).status_code == 200
    backdate(app, created_at=timedelta(hours=8, minutes=1))
    assert is_signed_out(client)


def test_last_seen_is_written_at_most_once_a_minute(app, client):
    sign_in_staff(app, client, "admin")
    backdate(app, last_seen_at=timedelta(seconds=30))
    seen = only_session(app).last_seen_at
    client.get(ADMIN_PAGE)
    assert only_session(app).last_seen_at == seen            # a request within the minute writes nothing
    backdate(app, last_seen_at=timedelta(minutes=2))
    client.get(ADMIN_PAGE)
    assert utcnow() - only_session(app).last_seen_at < timedelta(seconds=5)


def test_an_admin_sees_and_ends_another_accounts_sessions(app, client):
    colleague = app.test_client()
    colleague.environ_base["REMOTE_ADDR"] = "203.0.113.20"
    support_email = sign_in_staff(app, colleague, "support")
    admin_email = sign_in_staff(app, client, "admin")
    page = client.get(USERS_PAGE, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert support_email in page and "203.0.113.0/24" in page and "End sessions" in page
    with app.app_context():
        support_id = StaffSession.get(StaffSession.client_network == "203.0.113.0/24").user_id
    end_url = f"/staff/admin/users/{support_id}/end-sessions"
    assert client.post(end_url).status_code == 400                       # no CSRF token
    assert colleague.get("/staff/support/inbox").status_code == 200
    answer = client.post(end_url, data={"csrf_token": csrf_token(client, USERS_PAGE)})
    assert answer.status_code == 302 and answer.headers["Location"] == USERS_PAGE
    assert is_signed_out(colleague, "/staff/support/inbox")
    assert client.get(ADMIN_PAGE).status_code == 200                     # the admin's own session stays
    assert (admin_email, "sessions_ended", support_email) in actions(app)
    assert "203.0.113.0/24" not in client.get(USERS_PAGE).get_data(as_text=True)


def test_with_htmx_ending_sessions_replaces_the_accounts_row(app, client):
    sign_in_staff(app, client, "admin")
    answer = client.post("/staff/admin/users/1/end-sessions", headers={"HX-Request": "true", "Accept-Language": "en",
                         "X-CSRFToken": csrf_token(client, USERS_PAGE)})
    row = answer.get_data(as_text=True)
    assert answer.status_code == 200 and row.lstrip().startswith("<tr") and "Sessions ended: 1." in row
    assert is_signed_out(client)                   # the admin ended their own session


def test_ending_the_sessions_of_no_account_is_404(app, client):
    sign_in_staff(app, client, "admin")
    assert client.post("/staff/admin/users/999/end-sessions",
                       data={"csrf_token": csrf_token(client, USERS_PAGE)}).status_code == 404


@pytest.mark.parametrize("role", ["auditor", "support"])
def test_the_accounts_page_is_the_admins_alone(app, client, role):
    sign_in_staff(app, client, role)
    assert client.get(USERS_PAGE).status_code == 403
    answer = client.post("/staff/admin/users/1/end-sessions", data={"csrf_token": csrf_token(client, "/staff/login")})
    assert answer.status_code == 403
    assert only_session(app).ended_at is None


def test_the_accounts_page_is_in_the_admins_menu_and_translated(app, client):
    sign_in_staff(app, client, "admin")
    page = client.get(USERS_PAGE).get_data(as_text=True)
    assert 'href="/staff/admin/users"' in page and "スタッフアカウント" in page


def test_a_browser_is_summarised_not_stored_whole():
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    iphone = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
    edge = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0")
    assert staff_rules.browser_summary(firefox) == "Firefox / Linux"
    assert staff_rules.browser_summary(iphone) == "Safari / iOS"
    assert staff_rules.browser_summary(edge) == "Edge / Windows"
    assert staff_rules.browser_summary("") == "" and staff_rules.browser_summary(None) == ""
