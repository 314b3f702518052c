"""Staff sign-in: the login form, sessions that expire, roles checked on the server, sign-out.

Other staff areas protect each view with `@role_required("auditor")` and read the signed-in account
with `current_staff()`. The session holds only the account id and two times (sign-in, last request);
the account is re-read on every request, so a disabled account is out at once.
"""
import time
from datetime import datetime
from functools import wraps

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from htmx_flask import make_response, request

from forms.staff import LoginForm
from madoguchi.clock import utcnow
from madoguchi.staff import rules as staff_rules
from madoguchi.staff.store import accounts as staff_accounts
from madoguchi.staff.store import log as staff_log
from views.navigation import local_path

bp = Blueprint("staff_auth", __name__, url_prefix="/staff")

SESSION_KEYS = ("staff_id", "staff_login_at", "staff_seen_at")
# Each role's pages in the staff menu; the first is where the role lands after signing in.
MENU = {
    "admin": [("admin.policies", _l("Policy versions"))],
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
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("staff/login.html", form=form), 400 if form.errors else 200
    attempt = staff_accounts.attempt_login(form.email.data, form.password.data, utcnow(),
                                           staff_rules.LockPolicy.from_config(current_app.config),
                                           hash_method=current_app.config["PASSWORD_HASH_METHOD"])
    time.sleep(attempt.delay)   # each recent failure makes the next answer slower
    if attempt.user is None:
        return _login_refused(form, attempt.locked_until)
    _start_session(attempt.user)
    return redirect(local_path(request.args.get("next")) or url_for("staff_auth.home"))


@bp.post("/logout")
def logout():
    staff = current_staff()
    if staff is not None:
        staff_log.record(staff.email, staff_log.LOGOUT)
    _end_session()
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


def _start_session(user):
    session.clear()   # nothing from before the sign-in carries over into the staff session
    now = utcnow().isoformat()
    session.update(staff_id=user.id, staff_login_at=now, staff_seen_at=now)


def _end_session():
    for key in SESSION_KEYS:
        session.pop(key, None)
    g.staff = None


def _staff_from_session():
    if "staff_id" not in session:
        return None
    now = utcnow()
    config = current_app.config
    user = staff_accounts.active_user(session["staff_id"])
    expired = staff_rules.session_expired(
        _stored_time(session.get("staff_login_at")), _stored_time(session.get("staff_seen_at")), now,
        config["STAFF_SESSION_MINUTES"], config["STAFF_SESSION_MAX_HOURS"])
    if user is None or expired:
        if user is not None:
            staff_log.record(user.email, staff_log.SESSION_EXPIRED)
            flash(_("Your session has ended. Please sign in again."))
        _end_session()
        return None
    session["staff_seen_at"] = now.isoformat()
    return user


def _stored_time(text):
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return datetime.min   # a missing or damaged time counts as long ago: the session ends


def _to_login():
    target = url_for("staff_auth.login", next=request.full_path.rstrip("?"))
    if request.htmx:
        # A fragment request would swap the login page into a table cell; send the whole page there.
        return make_response("", 204, redirect=target)
    return redirect(target)
