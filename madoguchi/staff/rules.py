"""Rules of staff accounts that need no database: the roles, the password length, when repeated
failed sign-ins lock an account and how long each answer waits, and when a session has ended."""
from dataclasses import dataclass
from datetime import timedelta

ROLES = ("admin", "auditor", "support")
MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


@dataclass(frozen=True)
class LockPolicy:
    lock_after: int = 5                 # failures that lock the email
    lock_minutes: int = 15
    delay_step: float = 0.5             # seconds of waiting per recent failure ...
    delay_max: float = 3.0              # ... up to this

    @classmethod
    def from_config(cls, config):
        return cls(config["STAFF_LOCK_AFTER"], config["STAFF_LOCK_MINUTES"],
                   config["STAFF_LOGIN_DELAY_STEP"], config["STAFF_LOGIN_DELAY_MAX"])

    def delay(self, failures):
        return min(self.delay_step * failures, self.delay_max)


def session_expired(login_at, seen_at, now, idle_minutes, max_hours):
    """A staff session ends after `idle_minutes` without a request, and `max_hours` after sign-in."""
    return (now - seen_at > timedelta(minutes=idle_minutes)
            or now - login_at > timedelta(hours=max_hours))
