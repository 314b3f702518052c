"""Settings read from the environment, with defaults that are safe on a fresh machine.

Secrets are never constants in code: when SECRET_KEY, SUBJECT_KEY or LEDGER_KEY is not set, a random
key is generated once into the instance folder (outside the database, so a copy of the database alone
cannot recompute subject hashes or forge ledger checkpoints).
"""
import os
import secrets

from limits import parse_many

DEFAULT_SENDER = "エニマイくじ カスタマーセンター <support@anymykuji.com>"
DEFAULT_PASSWORD_HASH_METHOD = "scrypt"   # werkzeug's own default for generate_password_hash
# Seconds a request waits for the ledger's write lock before the customer gets the 503 page;
# gunicorn.conf.py sizes the workers' timeout from it, so the two always agree.
DEFAULT_LEDGER_LOCK_TIMEOUT = 5.0
# How long a form's CSRF token is accepted: as long as an inquiry draft lives (tests check the two
# agree; the draft store is not imported here, settings being pure).
CSRF_TOKEN_HOURS = 12
# Threads per gunicorn worker (gunicorn.conf.py); each thread in use holds one pooled PostgreSQL
# connection, and the pool keeps a few more for the mail delivery threads and bursts.
DEFAULT_THREADS = 4
POOL_CONNECTIONS_BEYOND_THREADS = 4
# Seconds a pooled PostgreSQL connection is used before it is replaced by a fresh one.
DEFAULT_DATABASE_POOL_MAX_AGE = 300


def _flag(value, default=False):
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _rate_limit(text):
    """A rate limit setting, checked now: Flask-Limiter would skip a limit it cannot read and only
    log it, leaving the site unlimited; a typo should stop the start instead."""
    parse_many(text)
    return text


def instance_secret(instance_path, name):
    """Read the key file `name` in the instance folder, creating it (mode 0600) on first use."""
    path = os.path.join(instance_path, name)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, encoding="ascii") as existing:
            return existing.read().strip()
    with os.fdopen(fd, "w", encoding="ascii") as new:
        key = secrets.token_hex(32)
        new.write(key + "\n")
    return key


def private_folder(path):
    """Create folder `path` for the owner alone (0700), e.g. the instance folder. One that exists
    keeps its mode: it may be shared on purpose."""
    os.makedirs(path, mode=0o700, exist_ok=True)


def private_file(path):
    """Create an empty file `path` for the owner alone (0600) unless it exists. SQLite creates its
    database file with the umask's mode (usually 0644) and gives its -wal and -shm files the
    database file's mode: a file made 0600 before the first connection keeps all three private."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except (FileExistsError, FileNotFoundError):
        pass        # there already; or no such folder, which the database's own error will name


def from_environment(instance_path, environ=None):
    env = os.environ if environ is None else environ
    sqlite_file = os.path.join(instance_path, "madoguchi.sqlite3")
    gunicorn_threads = int(env.get("THREADS") or DEFAULT_THREADS)
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or instance_secret(instance_path, "secret_key"),
        "SUBJECT_KEY": env.get("SUBJECT_KEY") or instance_secret(instance_path, "subject_key"),
        "LEDGER_KEY": env.get("LEDGER_KEY") or instance_secret(instance_path, "ledger_key"),
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{sqlite_file}",
        # PostgreSQL connections each worker process keeps open (0: none, a connection per
        # request, as behind PgBouncer), and how long one lives. SQLite keeps one open per thread
        # in use, however many (0: a connection per request there too).
        "DATABASE_POOL_SIZE": int(env.get("DATABASE_POOL_SIZE") or
                                  gunicorn_threads + POOL_CONNECTIONS_BEYOND_THREADS),
        "DATABASE_POOL_MAX_AGE": int(env.get("DATABASE_POOL_MAX_AGE") or DEFAULT_DATABASE_POOL_MAX_AGE),
        # Mail: with no MAIL_SERVER, mail is written as .eml files into MAIL_SINK_DIR (a local sink
        # for trying the site) instead of being printed, so no personal data reaches the logs.
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT") or 25),
        "MAIL_USE_TLS": _flag(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _flag(env.get("MAIL_USE_SSL")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER") or DEFAULT_SENDER,
        # Mail in English comes from the same address under this name (notifications.py).
        "MAIL_SENDER_NAME_EN": env.get("MAIL_SENDER_NAME_EN") or "AnyMyKuji Customer Center",
        # Flask-Mail would silently drop mail whenever TESTING is on; our tests use a real SMTP sink.
        "MAIL_SUPPRESS_SEND": _flag(env.get("MAIL_SUPPRESS_SEND")),
        "MAIL_SINK_DIR": env.get("MAIL_SINK_DIR") or os.path.join(instance_path, "mail"),
        "SUPPORT_INBOX": env.get("SUPPORT_INBOX") or "support@anymykuji.com",
        "PRIVACY_CONTACT_EMAIL": env.get("PRIVACY_CONTACT_EMAIL") or "privacy@anymykuji.com",
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES") or 0),
        "YEAR_END_BREAK": env.get("YEAR_END_BREAK") or "12-29/01-03",
        "POLICY_NOTICE_DAYS": int(env.get("POLICY_NOTICE_DAYS") or 30),
        # Seconds each process keeps its copy of the published policy versions (a publish in the
        # process itself is seen at once; one in another worker or `flask policy publish`, within this).
        "POLICY_CACHE_SECONDS": float(env.get("POLICY_CACHE_SECONDS") or 5),
        # Staff sign-in: idle and absolute session limits, and the lock after repeated failures
        # of one account from one client network (an answer never waits: no delay in the worker).
        "STAFF_SESSION_MINUTES": int(env.get("STAFF_SESSION_MINUTES") or 30),
        "STAFF_SESSION_MAX_HOURS": int(env.get("STAFF_SESSION_MAX_HOURS") or 8),
        "STAFF_LOCK_AFTER": int(env.get("STAFF_LOCK_AFTER") or 5),
        "STAFF_LOCK_MINUTES": int(env.get("STAFF_LOCK_MINUTES") or 15),
        # How staff passwords are hashed (werkzeug's method string). Only tests want a cheaper one.
        "PASSWORD_HASH_METHOD": env.get("PASSWORD_HASH_METHOD") or DEFAULT_PASSWORD_HASH_METHOD,
        # Abuse limits (views/abuse_limits.py), in Flask-Limiter's notation: "N per second|minute|
        # hour|day", several joined by ";", each counted over a moving window. The counts live in
        # RATELIMIT_STORAGE_URI: memory:// is each worker process's own (the limits then hold per
        # worker); a shared redis://host:6379/0 makes them exact across workers and machines.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        # 0 switches every abuse limit off (say, when the proxy in front limits already).
        "RATELIMIT_ENABLED": _flag(env.get("RATELIMIT_ENABLED"), default=True),
        # Inquiries stored per client address (an IPv6 client is its /64) and per recipient: each
        # one mails a text of the sender's choosing from our domain to the address typed.
        "INQUIRY_LIMIT_PER_CLIENT": _rate_limit(env.get("INQUIRY_LIMIT_PER_CLIENT") or "10 per hour;30 per day"),
        "INQUIRY_LIMIT_PER_RECIPIENT": _rate_limit(env.get("INQUIRY_LIMIT_PER_RECIPIENT") or "3 per hour;10 per day"),
        # The inline advice answers every pause in typing: generous.
        "EMAIL_ADVICE_LIMIT_PER_CLIENT": _rate_limit(env.get("EMAIL_ADVICE_LIMIT_PER_CLIENT") or "120 per minute"),
        # Staff sign-in posts per client address, and per account (the email typed) from all
        # addresses together: above what one address may try, so no single client can use up an
        # account's allowance, yet bounding guesses spread over many addresses.
        "STAFF_LOGIN_LIMIT_PER_CLIENT": _rate_limit(env.get("STAFF_LOGIN_LIMIT_PER_CLIENT") or "10 per minute;30 per hour"),
        "STAFF_LOGIN_LIMIT_PER_ACCOUNT": _rate_limit(env.get("STAFF_LOGIN_LIMIT_PER_ACCOUNT") or "100 per hour"),
        # A details form sent back sooner than this after it was served is turned back (nothing
        # stored; a fast person just sends again): naive bots post at once. 0 turns it off.
        "INQUIRY_MIN_FILL_SECONDS": float(env.get("INQUIRY_MIN_FILL_SECONDS") or 3),
        "OUTBOX_SEND_IMMEDIATELY": _flag(env.get("OUTBOX_SEND_IMMEDIATELY"), default=True),
        # Seconds an SMTP server may take to accept a connection or answer, before the mail is
        # retried later; and how long a sender's claim on a mail lasts (then another may take it).
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT") or 10),
        "OUTBOX_LEASE_SECONDS": int(env.get("OUTBOX_LEASE_SECONDS") or 300),
        "LEDGER_LOCK_TIMEOUT": float(env.get("LEDGER_LOCK_TIMEOUT") or DEFAULT_LEDGER_LOCK_TIMEOUT),
        # Every signed ledger head is also appended here, outside the database (madoguchi/ledger/
        # anchors.py), and to syslog when an address is given ("/dev/log" or "host:port", UDP).
        "LEDGER_ANCHOR_PATH": env.get("LEDGER_ANCHOR_PATH") or os.path.join(instance_path,
                                                                            "ledger-anchors.log"),
        "LEDGER_ANCHOR_SYSLOG": env.get("LEDGER_ANCHOR_SYSLOG", ""),
        # Schema setup (DDL) belongs to `flask init-db`, run once before the workers start
        # (scripts/serve does); web workers never run it. Tests switch it on for their own files.
        "AUTO_INIT_DB": _flag(env.get("AUTO_INIT_DB")),
        "LANGUAGES": ["ja", "en"],
        "BABEL_DEFAULT_LOCALE": "ja",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
        # A whole inquiry is a few kilobytes; anything far larger is refused with 413 before parsing.
        # Room for a message pasted at several times its limit (10,000 Japanese characters are ~90 KB
        # form-encoded): the form's own check then says how much is too long and keeps the text.
        "MAX_CONTENT_LENGTH": 256 * 1024,
        # A customer may take a long time over a message: a form's token lives as long as the draft
        # of what they type (madoguchi/inquiries/store/drafts.py DRAFT_LIFETIME, 12 hours), counted
        # from when the page was served; then the step is shown again with a message (views/
        # inquiry.py). Staff forms share it safely: a staff session ends on its own after
        # STAFF_SESSION_MINUTES idle and STAFF_SESSION_MAX_HOURS in all, and a token is no use without it.
        "WTF_CSRF_TIME_LIMIT": CSRF_TOKEN_HOURS * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag(env.get("SESSION_COOKIE_SECURE")),
    }
