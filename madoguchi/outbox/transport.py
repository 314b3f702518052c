"""Handing a composed mail to an SMTP server, with a timeout on every wait, and the Message-ID that
names a mail of the outbox.

Flask-Mail 0.10 opens `smtplib.SMTP` without a timeout, so a server that accepts the connection and
never answers held its sender for ever; here every connect and every reply waits at most
`timeout` seconds, then the mail is retried later. Standard library only: the message arrives as
bytes, already composed.
"""
import smtplib
from dataclasses import dataclass
from email.utils import parseaddr


@dataclass(frozen=True)
class SmtpServer:
    """Where mail goes and how to sign in there (Flask-Mail's MAIL_* settings)."""
    host: str
    port: int = 25
    use_ssl: bool = False
    use_tls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0


class SmtpConnection:
    """One connection for a run of mails: opened by the first mail, kept for the next ones, and
    dropped after any error (the next mail then opens a fresh one). Use it in a `with` block."""

    def __init__(self, server):
        self.server = server
        self._smtp = None

    def send(self, envelope_from, recipients, message_bytes):
        if self._smtp is None:
            self._smtp = self._open()
        try:
            self._smtp.sendmail(envelope_from, recipients, message_bytes)
        except BaseException:
            self._drop()
            raise

    def _open(self):
        server = self.server
        kind = smtplib.SMTP_SSL if server.use_ssl else smtplib.SMTP
        smtp = kind(server.host, server.port, timeout=server.timeout)
        try:
            if server.use_tls:
                smtp.starttls()
            if server.username and server.password:
                smtp.login(server.username, server.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _drop(self):
        """Close without QUIT: after an error the server may not answer at all."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def message_id(mail_id, inquiry_reference, sender):
    """The Message-ID of outbox mail `mail_id`: the same on every attempt, so that the rare second
    copy after a crash (sent, but the sender died before recording it) is recognisable as one."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    reference = f".{inquiry_reference}" if inquiry_reference else ""
    return f"<outbox-{mail_id}{reference}@{domain}>"
