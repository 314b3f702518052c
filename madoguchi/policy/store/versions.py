"""Privacy-policy versions: which one is current, and loading version 1 from the seed texts.

Exactly one version is current at any moment: the published version with the latest effective time
that is not in the future. A version scheduled for tomorrow 00:00 JST becomes current by itself.
"""
from datetime import datetime
from pathlib import Path

from madoguchi.clock import utcnow
from madoguchi.policy import revisions
from madoguchi.policy.revisions import sha256_text
from models import PolicyVersion

TEXTS = Path(__file__).parent.parent / "texts"
# 制定日 2024-06-14, 00:00 in Tokyo (UTC+9), kept in UTC like every stored time.
FIRST_EFFECTIVE_AT = datetime(2024, 6, 13, 15, 0, 0)


def published():
    return PolicyVersion.select().where(PolicyVersion.published_at.is_null(False))


def current_version(now=None):
    now = now or utcnow()
    return (published().where(PolicyVersion.effective_at <= now)
            .order_by(PolicyVersion.effective_at.desc(), PolicyVersion.id.desc()).first())


def by_label(label):
    return published().where(PolicyVersion.label == label).first()


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
        change_summary="制定 / Established", significant=False,
        published_at=FIRST_EFFECTIVE_AT, published_by="seed")
