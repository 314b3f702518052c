"""Rules of staff accounts that need no database: the roles, the password length, when repeated
failed sign-ins lock an account for one client network, and when a session has ended."""
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

ROLES = ("admin", "auditor", "support")
MIN_PASSWORD_LENGTH = 12
# A session's last_seen_at is written at most this often, so pages do not write on every request;
# the idle limit is therefore kept to within this much.
SEEN_AT_STEP = timedelta(minutes=1)


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


@dataclass(frozen=True)
class LockPolicy:
    lock_after: int = 5                 # failures from one network that lock the account for it
    lock_minutes: int = 15

    @classmethod
    def from_config(cls, config):
        return cls(config["STAFF_LOCK_AFTER"], config["STAFF_LOCK_MINUTES"])


@dataclass(frozen=True)
class FailureCount:
    """Failed sign-ins of one account from one client network."""
    failures: int = 0
    counting_since: datetime | None = None
    locked_until: datetime | None = None

    def locked_at(self, now):
        """When the lock ends (UTC), if it holds at `now`; else None."""
        return self.locked_until if self.locked_until and self.locked_until > now else None


def count_failure(count, now, policy):
    """The count after one more failure. Failures older than the lock period start over; the
    `lock_after`-th within it locks for `lock_minutes`, and counting starts again from zero."""
    if count.counting_since is None or now - count.counting_since > timedelta(minutes=policy.lock_minutes):
        count = FailureCount(0, now)
    if count.failures + 1 >= policy.lock_after:
        return FailureCount(0, now, now + timedelta(minutes=policy.lock_minutes))
    return FailureCount(count.failures + 1, count.counting_since)


def account_key(email, secret):
    """What failed sign-ins are counted and logged under instead of the email typed (which may be
    nobody's, or a password typed into the wrong field): HMAC-SHA256 under the site's secret."""
    return hmac.new(secret.encode("utf-8"), b"staff-sign-in\0" + email.encode("utf-8"),
                    hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SessionLimits:
    idle_minutes: int = 30              # without a request
    max_hours: int = 8                  # after sign-in, however busy

    @classmethod
    def from_config(cls, config):
        return cls(config["STAFF_SESSION_MINUTES"], config["STAFF_SESSION_MAX_HOURS"])


def session_expired(login_at, seen_at, now, idle_minutes, max_hours):
    """A staff session ends after `idle_minutes` without a request, and `max_hours` after sign-in."""
    return (now - seen_at > timedelta(minutes=idle_minutes)
            or now - login_at > timedelta(hours=max_hours))


def seen_at_due(seen_at, now):
    """Whether a request at `now` should move the session's last_seen_at on."""
    return now - seen_at >= SEEN_AT_STEP


BROWSERS = [("Edge", r"Edg/"), ("Opera", r"OPR/"), ("Firefox", r"Firefox/"), ("Chrome", r"Chrome/|CriOS/"),
            ("Safari", r"Safari/")]
SYSTEMS = [("Android", r"Android"), ("iOS", r"iPhone|iPad"), ("Windows", r"Windows"),
           ("macOS", r"Mac OS X"), ("Linux", r"Linux|X11")]


def browser_summary(user_agent):
    """"Firefox / Linux": enough for an admin to tell a user's sessions apart, and no more of the
    user agent (which, whole, nearly singles a person out)."""
    user_agent = user_agent or ""
    browser = next((name for name, pattern in BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for name, pattern in SYSTEMS if re.search(pattern, user_agent)), "")
    return " / ".join(part for part in (browser, system) if part)
