"""Privacy-policy versions: which one is current, and loading version 1 from the seed texts.

Exactly one version is current at any moment: the published version with the latest effective time
that is not in the future. A version scheduled for tomorrow 00:00 JST becomes current by itself.

Every public page asks which version is current (the policy notice, the consent step, /privacy), so
each process keeps a copy of the published versions, read again after `max_age` seconds (the
setting POLICY_CACHE_SECONDS, see `keep_published_copy`) and at once after a publish in this
process. A published row never changes (database triggers refuse it), so the copy can only miss
versions published meanwhile by another process, for at most `max_age` seconds. The current
version is chosen from the copy by time on every call, so a scheduled version still takes over at
its very moment. Drafts are never in the copy.
"""
import threading
import time
import weakref
from datetime import datetime
from pathlib import Path

from madoguchi.clock import utcnow
from madoguchi.policy import revisions
from madoguchi.policy.revisions import sha256_text
from models import PolicyVersion, database

TEXTS = Path(__file__).parent.parent / "texts"
# 制定日 2024-06-14, 00:00 in Tokyo (UTC+9), kept in UTC like every stored time.
FIRST_EFFECTIVE_AT = datetime(2024, 6, 13, 15, 0, 0)


def published():
    """The published versions as a query, read from the database itself (the ledger's checks)."""
    return PolicyVersion.select().where(PolicyVersion.published_at.is_null(False))


class PublishedCopy:
    """One process's copy of one database's published versions, oldest effective first."""

    def __init__(self, max_age):
        self.max_age = max_age
        self._lock = threading.Lock()
        self._versions, self._read_at = None, None
        # Bumped by `forget`: a read that started before a publish must not be kept after it.
        self._generation = 0

    def versions(self):
        with self._lock:
            fresh = self._read_at is not None and time.monotonic() - self._read_at < self.max_age
            if fresh:
                return self._versions
            generation = self._generation
        read_at = time.monotonic()
        versions = tuple(published().order_by(PolicyVersion.effective_at, PolicyVersion.id))
        with self._lock:
            if generation == self._generation:
                self._versions, self._read_at = versions, read_at
        return versions

    def forget(self):
        with self._lock:
            self._versions, self._read_at = None, None
            self._generation += 1


_copies = weakref.WeakKeyDictionary()   # a Peewee database → its PublishedCopy


def keep_published_copy(app_database, max_age):
    """Keep a copy of `app_database`'s published versions for `max_age` seconds (0: read every
    time). A database without one (scripts, benchmarks' own databases) is always read afresh."""
    _copies[app_database] = PublishedCopy(max_age)


def _copy():
    app_database = database.obj
    return _copies.get(app_database) if app_database is not None else None


def forget_published_copy():
    """After a publish: this process reads the published versions again on its next request."""
    copy = _copy()
    if copy is not None:
        copy.forget()


def published_versions():
    """Every published version, oldest effective first (ties: the earlier row first)."""
    copy = _copy()
    if copy is None:
        return tuple(published().order_by(PolicyVersion.effective_at, PolicyVersion.id))
    return copy.versions()


def current_version(now=None):
    now = now or utcnow()
    in_effect = [version for version in published_versions() if version.effective_at <= now]
    return in_effect[-1] if in_effect else None


def by_label(label):
    """The published version `label`, or None. A label the copy lacks may have been published by
    another process a moment ago, so the database is asked before answering None."""
    for version in published_versions():
        if version.label == label:
            return version
    return published().where(PolicyVersion.label == label).first()


def earlier_version(version, label=None):
    """The published version `label` when it took effect before `version` (the one a customer
    agreed to or was reading); otherwise, or without a label, the version just before `version`.
    None when `version` is the first."""
    versions = published_versions()
    older = [v for v in versions if (v.effective_at, v.id) < (version.effective_at, version.id)]
    named = next((v for v in older if v.label == label), None) if label else None
    return named or (older[-1] if older else None)


def versions_after(older, newer):
    """The published versions after `older` (None: none before) up to `newer`, oldest first: the
    revisions a customer who agreed to `older` has not seen."""
    def order(version):
        return version.effective_at, version.id
    return [version for version in published_versions()
            if (older is None or order(version) > order(older)) and order(version) <= order(newer)]


def text_of(label, locale):
    """The text of published version `label` in `locale`, or "" when there is no such version."""
    version = by_label(label)
    return revisions.text_for(version, locale) if version else ""


def ensure_first_version():
    """Load version 1 (the seed's 個人情報の取扱いについて) unless any version exists already."""
    if PolicyVersion.select().exists():
        return
    text_ja = (TEXTS / "v1.ja.md").read_text(encoding="utf-8")
    text_en = (TEXTS / "v1.en.md").read_text(encoding="utf-8")
    PolicyVersion.create(
        label="1", effective_at=FIRST_EFFECTIVE_AT, text_ja=text_ja, text_en=text_en,
        sha256_ja=sha256_text(text_ja), sha256_en=sha256_text(text_en),
        change_summary="制定", change_summary_en="Established", significant=False,
        published_at=FIRST_EFFECTIVE_AT, published_by="seed")
