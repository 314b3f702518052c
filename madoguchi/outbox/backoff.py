"""When a mail that could not be delivered is tried again, and when we give up on it."""
import smtplib
from datetime import timedelta

# Minutes to wait after the 1st, 2nd, ... failure; after the last the mail is marked failed.
BACKOFF_MINUTES = (1, 5, 15, 30, 60, 120, 240, 480)


def gives_up(attempts):
    """After `attempts` failed attempts, is the mail given up?"""
    return attempts > len(BACKOFF_MINUTES)


def wait_after(attempts):
    """How long to wait after the `attempts`-th failed attempt."""
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def smtp_codes(error):
    """The SMTP reply codes in an error: one, or one per refused recipient, or none (a connection
    that failed or timed out)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return [code for code, _message in error.recipients.values()]
    code = getattr(error, "smtp_code", None)
    return [code] if isinstance(code, int) else []


def is_permanent(error):
    """Did the server refuse this very mail for good, with a 5xx answer to its sender, recipient or
    content (550 unknown user, say)? Trying again would only be refused again. A 4xx answer, a
    refused connection or a timeout may pass, and a 5xx to our greeting or sign-in concerns every
    mail (our settings), not this one: those are retried."""
    refusals = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
    codes = smtp_codes(error)
    return isinstance(error, refusals) and bool(codes) and all(500 <= code < 600 for code in codes)


def failure_reason(error):
    """What is recorded of a failure: only the kind of error and its reply codes, since SMTP
    replies can quote the recipient's address."""
    codes = " ".join(str(code) for code in smtp_codes(error))
    return f"{type(error).__name__} {codes}".strip()[:200]
