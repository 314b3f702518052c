"""Staff sign-in: the login form, server-side sessions, roles checked on the server, sign-out.

Other staff areas protect each view with `@role_required("auditor")` and read the signed-in account
with `current_staff()`. The session cookie holds only a random token (session["staff_session"]);
its row in the database (madoguchi/staff/store/sessions.py) says whether it is still open, and the
account is re-read on every request: sign-out, expiry, a disabled account or an admin ending the
sessions shut every copy of the cookie out at once.
"""
from functools import wraps

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from htmx_flask import make_response, request

from forms.staff import LoginForm
from madoguchi.clock import utcnow
from madoguchi.ledger.pseudonyms import truncate_ip
from madoguchi.staff import rules as staff_rules
from madoguchi.staff.store import accounts as staff_accounts
from madoguchi.staff.store import log as staff_log
from madoguchi.staff.store import sessions as staff_sessions
from views import abuse_limits
from views.navigation import local_path

bp = Blueprint("staff_auth", __name__, url_prefix="/staff")

SESSION_KEY = "staff_session"           # the session's random token; nothing else about it
# Each role's pages in the staff menu; the first is where the role lands after signing in.
MENU = {
    "admin": [("admin.policies", _l("Policy versions")), ("staff_sessions.users", _l("Staff accounts"))],
    "auditor": [("auditor.ledger", _l("Consent ledger")), ("auditor.staff_log", _l("Staff actions log"))],
    "support": [("support.inbox", _l("Inquiries"))],
}


def current_staff():
    """The signed-in StaffUser, or None (also once the session has expired)."""
    if "staff" not in g:
        g.staff = _staff_from_session()
    return g.staff


def format_jst(moment):
    """A stored UTC time as staff read it: "2026-04-01 00:00 (Japan time)"."""
    return f'{format_datetime(moment, "yyyy-MM-dd HH:mm")} {_("(Japan time)")}'


def role_required(*roles):
    """Let the view run only for a signed-in account with one of `roles`: else login, or 403."""
    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            staff = current_staff()
            if staff is None:
                return _to_login()
            if staff.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return guarded
    return decorator


@bp.route("/login", methods=["GET", "POST"])
@abuse_limits.signing_in
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("staff/login.html", form=form), 400 if form.errors else 200
    attempt = _check_sign_in(form.email.data, form.password.data)
    if attempt.user is None:
        return _login_refused(form, attempt.locked_until)
    _start_session(attempt.user)
    return redirect(local_path(request.args.get("next")) or url_for("staff_auth.home"))


@bp.post("/logout")
def logout():
    staff = current_staff()
    if staff is not None:
        staff_log.record(staff.email, staff_log.LOGOUT)
    staff_sessions.end(session.get(SESSION_KEY), staff_sessions.LOGOUT, utcnow())
    _forget_session()
    flash(_("You have signed out."))
    return redirect(url_for("staff_auth.login"))


@bp.get("/")
@role_required(*staff_rules.ROLES)
def home():
    pages = [endpoint for endpoint, _label in MENU[current_staff().role]
             if endpoint in current_app.view_functions]
    return redirect(url_for(pages[0])) if pages else render_template("staff/home.html")


def staff_menu():
    """(url, label) of the signed-in role's pages that exist in this app."""
    staff = current_staff()
    return [(url_for(endpoint), label) for endpoint, label in (MENU[staff.role] if staff else [])
            if endpoint in current_app.view_functions]


def _login_refused(form, locked_until):
    if locked_until:
        message = _("Too many failed attempts. Sign-in is locked until %(time)s. Please try again then.",
                    time=format_jst(locked_until))
        return render_template("staff/login.html", form=form, refusal=message), 429
    message = _("The email address or the password is not correct.")
    return render_template("staff/login.html", form=form, refusal=message), 401


def client_network():
    """The client's address as stored anywhere: truncated to its /24 or /48 network."""
    return truncate_ip(request.remote_addr)


def _check_sign_in(email, password):
    config = current_app.config
    return staff_accounts.attempt_login(email, password, client_network(), utcnow(),
                                        staff_rules.LockPolicy.from_config(config),
                                        secret=config["SECRET_KEY"], hash_method=config["PASSWORD_HASH_METHOD"])


def _start_session(user):
    """A new session id at every sign-in: whatever the browser held before (a session of its own,
    or one planted by someone else) carries nothing over."""
    now = utcnow()
    staff_sessions.end(session.get(SESSION_KEY), staff_sessions.REPLACED, now)
    session.clear()
    session[SESSION_KEY] = staff_sessions.start(user, now, client_network(),
                                                staff_rules.browser_summary(request.user_agent.string))


def _forget_session():
    session.pop(SESSION_KEY, None)
    g.staff = None


def _staff_from_session():
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        return None
    resumed = staff_sessions.resume(token, utcnow(), staff_rules.SessionLimits.from_config(current_app.config))
    if resumed.user is None:
        if resumed.expired:
            flash(_("Your session has ended. Please sign in again."))
        _forget_session()
    return resumed.user


def _to_login():
    target = url_for("staff_auth.login", next=request.full_path.rstrip("?"))
    if request.htmx:
        # A fragment request would swap the login page into a table cell; send the whole page there.
        return make_response("", 204, redirect=target)
    return redirect(target)
