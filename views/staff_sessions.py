"""Admin: the staff accounts with their open sessions, and ending an account's sessions.

Accounts are created and disabled on the server (`flask users`); here an admin sees who is signed
in where (client network, browser, since when) and can sign an account out of every browser at
once, for a lost laptop or a shared cookie. Ending is a POST (CSRF-checked like every POST) and is
written to the staff actions log.
"""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from htmx_flask import request

from madoguchi.clock import utcnow
from madoguchi.staff import rules as staff_rules
from madoguchi.staff.store import accounts as staff_accounts
from madoguchi.staff.store import sessions as staff_sessions
from views.staff_auth import current_staff, role_required

bp = Blueprint("staff_sessions", __name__, url_prefix="/staff")


@bp.get("/admin/users")
@role_required("admin")
def users():
    return render_template("staff/admin/users.html", accounts=_overview(staff_accounts.all_users()))


@bp.post("/admin/users/<int:user_id>/end-sessions")
@role_required("admin")
def end_sessions(user_id):
    user = staff_accounts.user_by_id(user_id) or abort(404)
    ended = staff_sessions.end_by_admin(user, current_staff().email, utcnow())
    message = _("Sessions ended: %(count)s.", count=ended)
    if request.htmx:
        return render_template("staff/admin/_user_row.html", account=_overview([user])[0], message=message)
    flash(message)
    return redirect(url_for("staff_sessions.users"))


def _overview(users):
    config = current_app.config
    return staff_accounts.overview(users, utcnow(), staff_rules.SessionLimits.from_config(config),
                                   config["SECRET_KEY"])
