"""Unsent answers of the inquiry form, kept server-side under a random token held in the visitor's
session cookie: the cookie stays small and never carries the message itself."""
import json
import secrets
from datetime import timedelta

from madoguchi.clock import utcnow
from models import FormDraft

# A draft nobody touched for this long was abandoned; its personal data should not linger.
DRAFT_LIFETIME = timedelta(hours=12)


def new_token():
    return secrets.token_urlsafe(32)


def load(token):
    draft = FormDraft.get_or_none(FormDraft.token == token) if token else None
    if draft is None or draft.updated_at < utcnow() - DRAFT_LIFETIME:
        return {}
    return json.loads(draft.answers)


def save(token, answers):
    (FormDraft.insert(token=token, answers=json.dumps(answers, ensure_ascii=False), updated_at=utcnow())
     .on_conflict(conflict_target=[FormDraft.token],
                  update={FormDraft.answers: json.dumps(answers, ensure_ascii=False),
                          FormDraft.updated_at: utcnow()})
     .execute())


def discard(token):
    FormDraft.delete().where(FormDraft.token == token).execute()


def purge_expired():
    return FormDraft.delete().where(FormDraft.updated_at < utcnow() - DRAFT_LIFETIME).execute()
