"""When a mail that could not be delivered is tried again, and when we give up on it."""
from datetime import timedelta

# Minutes to wait after the 1st, 2nd, ... failure; after the last the mail is marked failed.
BACKOFF_MINUTES = (1, 5, 15, 30, 60, 120, 240, 480)


def gives_up(attempts):
    """After `attempts` failed attempts, is the mail given up?"""
    return attempts > len(BACKOFF_MINUTES)


def wait_after(attempts):
    """How long to wait after the `attempts`-th failed attempt."""
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def failure_reason(error):
    """What is recorded of a failure: only the kind of error, since SMTP replies can quote the
    recipient's address."""
    return (type(error).__name__ + (f" {error.smtp_code}" if hasattr(error, "smtp_code") else ""))[:200]
