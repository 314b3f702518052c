"""Staff sign-in: login and logout, wrong passwords, the lock per client network, no waiting,
roles, the log. Sessions themselves (sign-out, expiry, disable, the admin's page) are
tests/test_staff_sessions.py's."""
import sqlite3
import time
from datetime import timedelta

import pytest

from conftest import STAFF_PASSWORD, csrf_token, sign_in_staff
from servers import TEST_PASSWORD_HASH_METHOD
from madoguchi import settings
from madoguchi.clock import utcnow
from madoguchi.staff import rules as staff_rules
from madoguchi.staff.store import accounts as staff_accounts
from models import StaffAction, StaffUser

ADMIN_PAGE = "/staff/admin/policies"
WRONG = "The email address or the password is not correct."
LOCKED = "Sign-in is locked until"


POLICY = staff_rules.LockPolicy(lock_after=5, lock_minutes=15)
HERE, ELSEWHERE = "198.51.100.0/24", "203.0.113.0/24"


@pytest.fixture
def admin_account(app):
    with app.app_context():
        staff_accounts.create_user("boss@example.com", "admin", STAFF_PASSWORD, created_by="test",
                                   hash_method=app.config["PASSWORD_HASH_METHOD"])
    return "boss@example.com"


def log_in(client, email, password):
    """Sign-in through the form; the client's address is its environ_base REMOTE_ADDR (127.0.0.1)."""
    return client.post("/staff/login", headers={"Accept-Language": "en"}, data={
        "csrf_token": csrf_token(client, "/staff/login"), "email": email, "password": password})


def actions(app):
    with app.app_context():
        return [(a.actor, a.action) for a in StaffAction.select().order_by(StaffAction.id)]


def client_from(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(email, password, network, now):
    return staff_accounts.attempt_login(email, password, network, now, POLICY, secret="test-secret",
                                        hash_method=TEST_PASSWORD_HASH_METHOD)


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    answer = client.get(ADMIN_PAGE)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/staff/login?next=/staff/admin/policies"


def test_htmx_request_of_an_anonymous_visitor_redirects_the_whole_page(client):
    answer = client.get(ADMIN_PAGE, headers={"HX-Request": "true"})
    assert answer.headers["HX-Redirect"].startswith("/staff/login?next=")


def test_login_leads_to_the_page_asked_for_and_is_logged(app, client, admin_account):
    answer = log_in(client, admin_account.upper(), STAFF_PASSWORD)   # email case does not matter
    assert answer.status_code == 302 and answer.headers["Location"] == "/staff/"
    page = client.get("/staff/", follow_redirects=True)
    assert page.request.path == ADMIN_PAGE and "boss@example.com" in page.get_data(as_text=True)
    assert ("boss@example.com", "login") in actions(app)


def test_login_goes_back_to_next_but_never_to_another_site(client, admin_account):
    def log_in_then(next_path):
        return client.post("/staff/login", query_string={"next": next_path}, data={
            "csrf_token": csrf_token(client, "/staff/login"), "email": admin_account,
            "password": STAFF_PASSWORD}).headers["Location"]

    assert log_in_then(ADMIN_PAGE) == ADMIN_PAGE
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        assert log_in_then(evil) == "/staff/"


def test_wrong_password_and_unknown_email_get_the_same_answer(app, client, admin_account):
    wrong_password = log_in(client, admin_account, "not the password at all")
    unknown_email = log_in(client, "nobody@example.com", "not the password at all")
    for answer in (wrong_password, unknown_email):
        assert answer.status_code == 401
        assert WRONG in answer.get_data(as_text=True)
    assert client.get(ADMIN_PAGE).status_code == 302
    logged = actions(app)
    assert ("boss@example.com", "login_failed") in logged and ("unknown", "login_failed") in logged
    with app.app_context():
        assert not any("not the password" in a.detail + a.target for a in StaffAction.select())


def test_the_email_typed_for_no_account_is_never_stored(app, client, admin_account):
    typed = "Someone.Guessing@Example.com"
    answers = [log_in(client, typed, f"guess {n}") for n in range(6)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429, 429]
    with app.app_context():
        rows = list(StaffAction.select())
        assert {(a.actor, a.action) for a in rows if a.actor != "test"} == {
            ("unknown", "login_failed"), ("unknown", "lockout"), ("unknown", "login_locked")}
        stored = " ".join(f"{a.actor} {a.target} {a.detail}" for a in rows).lower()
        assert "guessing" not in stored and "someone" not in stored
        # Repeated attempts with the same email can still be told apart from others: one keyed hash.
        assert len({a.detail.split("key=")[1] for a in rows if a.actor == "unknown"}) == 1
    database = sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    dump = "\n".join(database.iterdump()).lower()
    database.close()
    assert "guessing" not in dump


def test_five_failures_lock_the_account_even_for_the_right_password(app, client, admin_account):
    answers = [log_in(client, admin_account, f"wrong password {n}") for n in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    assert LOCKED in answers[-1].get_data(as_text=True)
    right = log_in(client, admin_account, STAFF_PASSWORD)
    assert right.status_code == 429 and LOCKED in right.get_data(as_text=True)
    assert client.get(ADMIN_PAGE).status_code == 302
    assert [a for _, a in actions(app)][-2:] == ["lockout", "login_locked"]


def test_an_unknown_email_is_locked_the_same_way(client):
    answers = [log_in(client, "nobody@example.com", "guess number one") for _ in range(6)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429, 429]


def test_lock_message_is_translated(client, admin_account):
    for n in range(5):
        answer = client.post("/staff/login", data={
            "csrf_token": csrf_token(client, "/staff/login"), "email": admin_account, "password": f"bad {n}"})
    assert "ログインを一時的に停止" in answer.get_data(as_text=True)


def test_a_lock_from_one_client_network_does_not_stop_the_account_elsewhere(app, admin_account):
    stranger, colleague = client_from(app, "198.51.100.7"), client_from(app, "203.0.113.20")
    answers = [log_in(stranger, admin_account, f"guess {n}") for n in range(5)]
    assert answers[-1].status_code == 429
    assert log_in(stranger, admin_account, STAFF_PASSWORD).status_code == 429
    # The real person, signing in from another network, is not locked out.
    assert log_in(colleague, admin_account, STAFF_PASSWORD).status_code == 302
    assert colleague.get(ADMIN_PAGE).status_code == 200
    # Another address of the stranger's own /24 is the same network, still locked.
    assert log_in(client_from(app, "198.51.100.200"), admin_account, STAFF_PASSWORD).status_code == 429
    with app.app_context():
        logged = StaffAction.select().where(StaffAction.action == "lockout").get()
        assert logged.actor == admin_account and "network=198.51.100.0/24" in logged.detail


def test_users_list_names_the_locked_networks(app, runner, admin_account):
    with app.app_context():
        for n in range(5):
            attempt(admin_account, f"wrong {n}", HERE, utcnow())
    listing = runner.invoke(args=["users", "list"]).output
    assert f"{admin_account}\tadmin\tactive, locked from {HERE}" in listing


def test_a_failed_sign_in_answers_at_once(client, admin_account):
    """No sleeping in the worker: the fourth failure answers as fast as the first (it once waited 2 s)."""
    timings = []
    for n in range(4):
        started = time.monotonic()
        assert log_in(client, admin_account, f"wrong {n}").status_code == 401
        timings.append(time.monotonic() - started)
    assert max(timings) < 0.4, timings


def test_lock_ends_after_the_lock_period(app, admin_account):
    start = utcnow()
    with app.app_context():
        for n in range(5):
            attempt(admin_account, "wrong", HERE, start)
        assert attempt(admin_account, STAFF_PASSWORD, HERE, start + timedelta(minutes=14)).user is None
        assert attempt(admin_account, STAFF_PASSWORD, ELSEWHERE, start + timedelta(minutes=14)).user
        later = attempt(admin_account, STAFF_PASSWORD, HERE, start + timedelta(minutes=16))
        assert later.user is not None and later.user.email == admin_account


def test_a_successful_login_resets_the_failures_of_its_own_network_only(app, admin_account):
    with app.app_context():
        for _ in range(4):
            attempt(admin_account, "wrong", HERE, utcnow())
            attempt(admin_account, "wrong", ELSEWHERE, utcnow())
        assert attempt(admin_account, STAFF_PASSWORD, HERE, utcnow()).user
        assert attempt(admin_account, "wrong", HERE, utcnow()).locked_until is None
        assert attempt(admin_account, "wrong", ELSEWHERE, utcnow()).locked_until is not None


def test_failures_older_than_the_lock_period_start_the_count_over():
    start = utcnow()
    count = staff_rules.FailureCount()
    for minute in (0, 1, 2, 3):
        count = staff_rules.count_failure(count, start + timedelta(minutes=minute), POLICY)
    assert count.failures == 4 and count.locked_until is None
    count = staff_rules.count_failure(count, start + timedelta(minutes=16), POLICY)
    assert (count.failures, count.counting_since, count.locked_until) == (1, start + timedelta(minutes=16), None)
    for minute in (17, 18, 19):
        count = staff_rules.count_failure(count, start + timedelta(minutes=minute), POLICY)
    locked = staff_rules.count_failure(count, start + timedelta(minutes=20), POLICY)
    assert locked.locked_until == start + timedelta(minutes=35) and locked.failures == 0
    assert locked.locked_at(start + timedelta(minutes=34)) and not locked.locked_at(start + timedelta(minutes=35))


def test_login_without_csrf_token_is_refused(client, admin_account):
    answer = client.post("/staff/login", data={"email": admin_account, "password": STAFF_PASSWORD})
    assert answer.status_code == 400
    assert client.get(ADMIN_PAGE).status_code == 302


def test_empty_login_form_says_what_is_missing(client):
    answer = client.post("/staff/login", headers={"Accept-Language": "en"},
                         data={"csrf_token": csrf_token(client, "/staff/login")})
    assert answer.status_code == 400
    assert "Enter your email address" in answer.get_data(as_text=True)


def test_logout_needs_a_post_with_csrf_and_ends_the_session(app, client):
    email = sign_in_staff(app, client, "admin")
    assert client.get("/staff/logout").status_code == 405
    assert client.post("/staff/logout").status_code == 400          # no CSRF token
    assert client.get(ADMIN_PAGE).status_code == 200
    answer = client.post("/staff/logout", data={"csrf_token": csrf_token(client, ADMIN_PAGE)})
    assert answer.headers["Location"] == "/staff/login"
    assert client.get(ADMIN_PAGE).status_code == 302
    assert (email, "logout") in actions(app)


@pytest.mark.parametrize("role", ["auditor", "support"])
def test_admin_pages_are_forbidden_to_other_roles(app, client, role):
    sign_in_staff(app, client, role)
    for path in (ADMIN_PAGE, "/staff/admin/policies/new", "/staff/admin/policies/1",
                 "/staff/admin/policies/1/diff"):
        answer = client.get(path)
        assert answer.status_code == 403, path
    answer = client.post("/staff/admin/policies/new", data={"csrf_token": csrf_token(client, "/staff/login")})
    assert answer.status_code == 403


def test_disabled_account_is_signed_out_at_once(app, client):
    email = sign_in_staff(app, client, "admin")
    with app.app_context():
        staff_accounts.disable_user(email, disabled_by="test")
    assert client.get(ADMIN_PAGE).status_code == 302
    assert log_in(client, email, STAFF_PASSWORD).status_code == 401


def test_staff_menu_shows_the_roles_pages_and_sign_out(app, client):
    sign_in_staff(app, client, "admin")
    page = client.get(ADMIN_PAGE, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'href="/staff/admin/policies"' in page and "Sign out" in page and "admin@example.com" in page


def test_the_staff_log_refuses_update_and_delete_in_the_database(app, client, admin_account):
    log_in(client, admin_account, STAFF_PASSWORD)
    db = sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    for statement in ("UPDATE staff_action SET actor = 'someone else'", "DELETE FROM staff_action"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(statement)
    db.close()


def test_passwords_and_the_decoy_use_the_configured_hash_method(app, admin_account, tmp_path):
    keys = {"SECRET_KEY": "k", "SUBJECT_KEY": "k", "LEDGER_KEY": "k"}
    assert settings.from_environment(str(tmp_path), keys)["PASSWORD_HASH_METHOD"] == "scrypt"
    method = app.config["PASSWORD_HASH_METHOD"]
    assert method != "scrypt"          # the tests' cheap one (tests/conftest.py)
    with app.app_context():
        assert StaffUser.get(StaffUser.email == admin_account).password_hash.startswith(method + "$")
    assert staff_accounts._decoy_hash(method).startswith(method + "$")
