"""The database schema, as Peewee models.

One database holds everything: SQLite in the instance folder by default, PostgreSQL when
DATABASE_URL says so (`playhouse.db_url`). Times are stored in UTC and shown in Asia/Tokyo.

Two tables only ever grow: `consent_event` and (once published) `policy_version`. Database triggers
(see madoguchi/ledger/store/triggers.py) refuse UPDATE and DELETE on them, so the app cannot rewrite
them. Creating the schema is madoguchi/database_setup.py's job; binding it to an app, extensions.py's;
opening a DATABASE_URL (pooled), open_database's at the end of this module.
"""
import math
import select

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateTimeField,
    IntegerField,
    Model,
    OperationalError,
    PostgresqlDatabase,
    TextField,
)
from playhouse.db_url import connect, parse
from playhouse.pool import MaxConnectionsExceeded, PooledPostgresqlDatabase, PooledSqliteDatabase

from madoguchi import settings
from madoguchi.clock import utcnow


class AppDatabase(DatabaseProxy):
    """The models' database, looked up on each use: the current app's own (every app built by
    create_app opens its own, see extensions.py), or outside any app (worker processes,
    benchmarks) the one given to `initialize`. A plain DatabaseProxy is one global, so building a
    second app would re-point the first app's models."""
    __slots__ = ("_fallback", "_current")

    def __init__(self):
        object.__setattr__(self, "_current", lambda: None)
        super().__init__()

    @property
    def obj(self):
        return self._current() or self._fallback

    @obj.setter
    def obj(self, database):
        object.__setattr__(self, "_fallback", database)

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)

    def follow(self, current):
        """Use `current()` (a Database, or None for the fallback) as the database from now on."""
        self._current = current


database = AppDatabase()


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class PolicyVersion(BaseModel):
    """One version of 個人情報の取扱いについて. A draft until `published_at` is set; then frozen."""
    label = CharField(unique=True, max_length=40)           # "1", "2", "2025-04" ...
    effective_at = DateTimeField(index=True)                # UTC; current = latest effective published
    text_ja = TextField()
    text_en = TextField()
    sha256_ja = CharField(max_length=64)
    sha256_en = CharField(max_length=64)
    change_summary = TextField(default="")                  # in Japanese
    # In English. NULL in rows older than the column: adding it must not UPDATE them (the
    # triggers refuse any change to a published row), so it may be NULL rather than "".
    change_summary_en = TextField(null=True, default="")
    significant = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    published_at = DateTimeField(null=True)
    published_by = CharField(max_length=254, default="")


class ConsentEvent(BaseModel):
    """One link of the consent ledger's hash chain. Never personal data, never updated."""
    seq = IntegerField(primary_key=True)                    # 1, 2, 3 ... without gaps
    kind = CharField(max_length=16)                         # granted | withdrawn | erased
    occurred_at = CharField(max_length=32, index=True)      # ISO 8601 UTC text, part of the hash
    subject_key = CharField(max_length=64, index=True)      # HMAC-SHA256 of the normalised email
    policy_version = CharField(max_length=40)
    policy_sha256 = CharField(max_length=64)                # SHA-256 of the text the person saw
    locale = CharField(max_length=8)
    method = CharField(max_length=32)
    ip_truncated = CharField(max_length=64, default="")
    inquiry_ref = CharField(max_length=32, default="")
    prev_hash = CharField(max_length=64)
    hash = CharField(max_length=64, unique=True)

    class Meta:
        # The auditor's ledger browser (madoguchi/ledger/store/browse.py): every filter combination is one
        # index range in (occurred_at, seq) order, and counts per version and kind are index-only.
        indexes = ((("policy_version", "occurred_at"), False),
                   (("kind", "occurred_at"), False),
                   (("policy_version", "kind", "occurred_at"), False))


class LedgerCheckpoint(BaseModel):
    """A signed note of the chain's head, so that cutting events off the end shows."""
    id = AutoField()
    seq = IntegerField(index=True)
    head_hash = CharField(max_length=64)
    created_at = CharField(max_length=32)
    mac = CharField(max_length=64)                          # HMAC-SHA256 with LEDGER_KEY


class Inquiry(BaseModel):
    """A customer's question. Name, email, phone and message are erased on request (blanked)."""
    reference = CharField(unique=True, max_length=32)       # AMK-20261124-7KQ3
    created_at = DateTimeField(default=utcnow, index=True)
    locale = CharField(max_length=8)
    category = CharField(max_length=32, index=True)
    name = CharField(max_length=100)
    email = CharField(max_length=254)
    phone = CharField(max_length=32, default="")
    order_number = CharField(max_length=40, default="")
    message = TextField()
    subject_key = CharField(max_length=64, index=True)
    consent_seq = IntegerField(index=True)                  # the ledger event of this inquiry
    reply_due_at = DateTimeField()                          # UTC: the opening we promised
    status = CharField(max_length=16, default="new", index=True)
    erased_at = DateTimeField(null=True)
    # The confirm step's one-time key: a repeated or concurrent post of the same confirm finds
    # the inquiry it already stored instead of storing a second one.
    submission_key = CharField(max_length=64, null=True, unique=True)


class OutboxMail(BaseModel):
    """Mail waiting to go out; the inquiry is stored first, so SMTP trouble never loses it."""
    created_at = DateTimeField(default=utcnow)
    inquiry_reference = CharField(max_length=32, index=True, default="")
    kind = CharField(max_length=32, default="")             # which mail, when queued unwritten
    to_addr = CharField(max_length=254)
    subject = CharField(max_length=200)
    body = TextField()
    sender = CharField(max_length=320, default="")           # From: in the mail's language ("": MAIL_DEFAULT_SENDER)
    status = CharField(max_length=12, default="pending", index=True)   # pending | sent | failed | undeliverable
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow, index=True)
    # A sender claims a row before sending it; another sender may take it only after the lease,
    # so a crashed sender's mail goes out later, and a live sender's never twice.
    claimed_until = DateTimeField(null=True)
    last_error = CharField(max_length=200, default="")
    sent_at = DateTimeField(null=True)


class FormDraft(BaseModel):
    """Answers of a form that is not sent yet, so back, reload and "change" keep what was typed.
    Deleted when the inquiry is sent; `drafts.purge_expired` removes abandoned ones."""
    token = CharField(unique=True, max_length=64)           # random; only the visitor's session has it
    answers = TextField(default="{}")                       # JSON of the details step
    updated_at = DateTimeField(default=utcnow, index=True)


class StaffUser(BaseModel):
    email = CharField(unique=True, max_length=254)
    role = CharField(max_length=16)                         # admin | auditor | support
    password_hash = CharField(max_length=255)
    created_at = DateTimeField(default=utcnow)
    # Unused since the lockout counts per client network (StaffLoginFailure); kept because the
    # column is NOT NULL in existing databases, where a new account must still be insertable.
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    active = BooleanField(default=True)


class StaffAction(BaseModel):
    """Append-only log of what staff did (logins, publishes, exports, erasures, status changes)."""
    id = AutoField()
    occurred_at = DateTimeField(default=utcnow, index=True)
    actor = CharField(max_length=254)
    action = CharField(max_length=32, index=True)
    target = CharField(max_length=200, default="")
    detail = TextField(default="")


class InquiryNote(BaseModel):
    """Support's working notes and 開示等請求 checklist state for one inquiry."""
    inquiry_reference = CharField(max_length=32, index=True)
    key = CharField(max_length=32)                          # identity_confirmed, fee_received, ...
    value = TextField(default="")
    updated_at = DateTimeField(default=utcnow)
    updated_by = CharField(max_length=254, default="")


class StaffSession(BaseModel):
    """A staff member's signed-in session (madoguchi/staff/store/sessions.py). The cookie carries a
    random token; only its SHA-256 is stored, so a copy of this table opens no session."""
    token_hash = CharField(unique=True, max_length=64)
    user_id = IntegerField(index=True)
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)            # moved on at most once a minute
    ended_at = DateTimeField(null=True)
    ended_reason = CharField(max_length=16, default="")     # logout | expired | disabled | ended_by_admin | replaced
    client_network = CharField(max_length=64, default="")   # truncated: /24 or /48
    browser = CharField(max_length=40, default="")          # "Firefox / Linux", never the whole user agent


class StaffLoginFailure(BaseModel):
    """Failed staff sign-ins of one account from one client network: the lock is per pair, so
    failures from one network never lock the account for anyone signing in from another."""
    account_key = CharField(max_length=64)                  # HMAC of the email typed (an account or not)
    client_network = CharField(max_length=64)               # truncated: /24 or /48
    failures = IntegerField(default=0)                      # since counting_since
    counting_since = DateTimeField(default=utcnow)
    locked_until = DateTimeField(null=True)

    class Meta:
        indexes = ((("account_key", "client_network"), True),)


ALL_MODELS = [PolicyVersion, ConsentEvent, LedgerCheckpoint, Inquiry, OutboxMail, FormDraft, StaffUser,
              StaffAction, InquiryNote, StaffSession, StaffLoginFailure]


# Connecting. Each process keeps a pool, one connection per thread in use. PostgreSQL: a new
# connection costs ~10 ms and a server process. SQLite: closing a WAL database's last connection
# checkpoints the WAL into the database file (~10 ms of writes and fsyncs, three times per inquiry),
# and a new one costs its pragmas; SQLite's own wal_autocheckpoint keeps the WAL short instead.
class SqlitePool(PooledSqliteDatabase):
    """peewee's SQLite pool: idle connections stay open, and a connection handed back inside a
    transaction (a request that failed half-way) is rolled back before another request gets it."""

    def _can_reuse(self, connection):
        if connection.in_transaction:
            connection.rollback()
        return True


class PostgresPool(PooledPostgresqlDatabase):
    """peewee's PostgreSQL pool, with two changes:

    - A pooled connection whose server went away (a restart, pg_terminate_backend) is discarded
      when it is taken from the pool, not handed to a request that would then fail. psycopg2 only
      notices a lost connection when it is next used, but the server's farewell (an error message
      and the socket's end) is already waiting to be read: an idle connection has nothing to read.
    - "Every connection is in use" is a peewee OperationalError, like any other "the database
      cannot serve you now", so the site answers it with its 503 page (peewee raises a ValueError).
    """

    def _is_closed(self, connection):
        return super()._is_closed(connection) or _has_unread_data(connection)

    def connect(self, reuse_if_open=False):
        try:
            return super().connect(reuse_if_open)
        except MaxConnectionsExceeded as exhausted:
            raise OperationalError(f"all {self._max_connections} pooled connections are in use "
                                   f"(DATABASE_POOL_SIZE)") from exhausted


def _has_unread_data(connection):
    poller = select.poll()
    poller.register(connection.fileno(), select.POLLIN)
    return bool(poller.poll(0))


def open_database(url, lock_timeout=settings.DEFAULT_LEDGER_LOCK_TIMEOUT,
                  pool_size=settings.DEFAULT_THREADS + settings.POOL_CONNECTIONS_BEYOND_THREADS,
                  pool_max_age=settings.DEFAULT_DATABASE_POOL_MAX_AGE):
    """The Peewee database for a DATABASE_URL. `lock_timeout` (seconds) bounds how long one query
    waits for SQLite's write lock, and on PostgreSQL for a free pooled connection and for the
    server to accept a new one. URLs are pooled unless `pool_size` is 0 (for example behind
    PgBouncer); SQLite's pool has no upper bound (an idle connection is an open file), and
    settings written in the URL's query string (?connect_timeout=3) win."""
    scheme, _, rest = url.partition("://")
    if scheme.startswith("sqlite"):
        # WAL lets readers go on while one writer appends; busy_timeout makes writers queue
        # instead of failing at once when several processes append to the ledger together.
        pragmas = {"journal_mode": "wal", "busy_timeout": int(lock_timeout * 1000),
                   "foreign_keys": 1, "synchronous": "normal"}
        if scheme != "sqlite" or pool_size == 0:
            return connect(url, pragmas=pragmas)
        # check_same_thread: a pooled connection serves whichever thread takes it next.
        return SqlitePool(**{"max_connections": None, "stale_timeout": pool_max_age,
                             "pragmas": pragmas, "check_same_thread": False, **parse(url)})
    if scheme not in ("postgres", "postgresql", "postgres+pool", "postgresql+pool"):
        return connect(url)
    options = {"connect_timeout": max(2, math.ceil(lock_timeout))}    # libpq's minimum is 2
    if pool_size == 0:
        return PostgresqlDatabase(**{**options, **parse(f"postgresql://{rest}")})
    # stale_timeout: a connection is replaced after this many seconds, so none outlives a
    # firewall's idle limit or carries a server process's growth for ever; timeout: how long a
    # request waits for one of the pool's connections when all are in use.
    options.update(max_connections=pool_size, stale_timeout=pool_max_age, timeout=lock_timeout)
    return PostgresPool(**{**options, **parse(f"postgresql://{rest}")})
