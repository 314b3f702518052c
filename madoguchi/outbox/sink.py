"""The local mail sink: with no MAIL_SERVER, each outbox mail is written as `<id>.eml` into a folder
(MAIL_SINK_DIR) instead of being sent, for trying the site on one machine.

Those files hold what the mail holds (an acknowledgement: the customer's address, name and
message), so they are the owner's alone (folder 0700, files 0600), and erasing a person removes
the files of their mails (madoguchi/subjects/store.py). Standard library only.
"""
import os

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def file_name(mail_id):
    """The sink's file of outbox mail `mail_id`."""
    return f"{mail_id:08d}.eml"


def write(folder, mail_id, message_bytes):
    """Write one mail (again, after a retry) into the sink; returns its path."""
    os.makedirs(folder, mode=PRIVATE_FOLDER, exist_ok=True)
    path = os.path.join(folder, file_name(mail_id))
    # os.open's mode only applies to a file it creates: fchmod also tightens a file written by an
    # earlier release (0644).
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "wb") as sink_file:
        os.fchmod(sink_file.fileno(), PRIVATE_FILE)
        sink_file.write(message_bytes)
    return path


def remove(folder, mail_ids):
    """Delete the sink's files of these outbox mails; returns how many there were."""
    removed = 0
    for mail_id in mail_ids:
        try:
            os.remove(os.path.join(folder, file_name(mail_id)))
            removed += 1
        except FileNotFoundError:
            pass        # sent over SMTP, never delivered, or removed already
    return removed
