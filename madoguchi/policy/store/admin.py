"""Policy versions as the admin handles them: drafts, publishing, the side-by-side diff, the notice.

A draft (published_at NULL) can be edited freely and is never shown to customers. Publishing
freezes it: the texts' SHA-256 are computed and published_at/by are set in one conditional UPDATE;
from then on the database triggers refuse any UPDATE or DELETE of that row. A mistake is mended by
publishing a newer version. Which version is current is never stored: policy_store derives it from
the effective times, so a scheduled version takes over by itself.
"""
from dataclasses import dataclass
from datetime import timedelta

from madoguchi.clock import utcnow
from madoguchi.policy.revisions import LABEL_RULE, PolicyError, is_label, missing_summaries, sha256_text
from madoguchi.policy.store import versions as policy_store
from madoguchi.staff.store import log as staff_log
from models import PolicyVersion, database

DRAFT_FIELDS = ("label", "text_ja", "text_en", "change_summary", "change_summary_en", "significant",
                "effective_at")
SUMMARY_NAMES = {"ja": "Japanese", "en": "English"}


def label_taken(label, except_id=None):
    query = PolicyVersion.select().where(PolicyVersion.label == label)
    if except_id is not None:
        query = query.where(PolicyVersion.id != except_id)
    return query.exists()


def all_versions():
    return PolicyVersion.select().order_by(PolicyVersion.effective_at, PolicyVersion.id)


def version_by_id(version_id):
    return PolicyVersion.get_or_none(PolicyVersion.id == version_id)


def draft_by_id(version_id):
    """The draft with this id; None for a published version, which nobody may edit."""
    return PolicyVersion.get_or_none((PolicyVersion.id == version_id)
                                     & PolicyVersion.published_at.is_null())


@dataclass(frozen=True)
class VersionGroups:
    current: PolicyVersion | None
    scheduled: list          # soonest first
    past: list               # newest first
    drafts: list             # newest first


def grouped(now=None):
    """The admin's list, read from the database itself (not this process's copy of the published
    versions), so it shows a publish made a moment ago in another worker."""
    now = now or utcnow()
    published = list(policy_store.published()
                     .order_by(PolicyVersion.effective_at.desc(), PolicyVersion.id.desc()))
    current = next((v for v in published if v.effective_at <= now), None)
    drafts = PolicyVersion.select().where(PolicyVersion.published_at.is_null())
    return VersionGroups(
        current=current,
        scheduled=[v for v in reversed(published) if v.effective_at > now],
        past=[v for v in published if v.effective_at <= now and v != current],
        drafts=list(drafts.order_by(PolicyVersion.created_at.desc())))


def save_draft(values, actor, draft=None):
    """Create a draft (draft=None) or change one; `values` holds DRAFT_FIELDS, times in UTC."""
    if draft is not None and draft.published_at is not None:
        raise PolicyError("a published version cannot change")
    draft = draft or PolicyVersion(sha256_ja="", sha256_en="")
    for name in DRAFT_FIELDS:
        setattr(draft, name, values[name])
    draft.save()
    staff_log.record(actor, staff_log.DRAFT_SAVED, target=draft.label)
    return draft


def publish(draft, actor, now=None, summaries=None):
    """Freeze a draft. An effective time already past becomes now: nobody consented to it earlier.
    `summaries` ({"change_summary": ja, "change_summary_en": en}), when given, replace the draft's
    (the publish confirmation lets the admin write them last); a significant change needs both."""
    now = now or utcnow()
    effective_at = max(draft.effective_at, now)
    summaries = summaries or {"change_summary": draft.change_summary,
                              "change_summary_en": draft.change_summary_en or ""}
    missing = missing_summaries(draft.significant, summaries["change_summary"], summaries["change_summary_en"])
    if missing:
        raise PolicyError("a significant change needs its summary in Japanese and in English: "
                          + " and ".join(SUMMARY_NAMES[language] for language in missing) + " missing")
    with database.atomic():
        changed = (PolicyVersion
                   .update(effective_at=effective_at, published_at=now, published_by=actor,
                           sha256_ja=sha256_text(draft.text_ja),
                           sha256_en=sha256_text(draft.text_en), **summaries)
                   .where((PolicyVersion.id == draft.id) & PolicyVersion.published_at.is_null())
                   .execute())
        if not changed:
            raise PolicyError(f"version {draft.label} is published already")
        staff_log.record(actor, staff_log.PUBLISH, target=draft.label,
                         detail=f"effective_at={effective_at.isoformat()}Z significant={draft.significant}")
    policy_store.forget_published_copy()
    return version_by_id(draft.id)


def publish_new(values, actor, now=None):
    """Draft and publish in one step (the command line's `policy publish`)."""
    if not is_label(values["label"]):
        raise PolicyError(f"{LABEL_RULE}, e.g. 2 or 2026-04: not {values['label']!r}")
    if not (values["text_ja"].strip() and values["text_en"].strip()):
        raise PolicyError("both the Japanese and the English text are needed")
    if label_taken(values["label"]):
        raise PolicyError(f"a version labelled {values['label']!r} exists already")
    with database.atomic():
        version = publish(save_draft(values, actor), actor, now)
    policy_store.forget_published_copy()   # again: publish's own forgetting came before the commit
    return version


def recent_significant_change(now, days):
    """The latest significant version that took effect within the last `days` days, if any.
    Asked on every public page, so it reads this process's copy of the published versions."""
    recent = [version for version in policy_store.published_versions()
              if version.significant and now - timedelta(days=days) < version.effective_at <= now]
    return recent[-1] if recent else None


