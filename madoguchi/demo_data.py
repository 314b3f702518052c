"""Realistic fake inquiries and their consents, for trying the site and for benchmarks.

Names, addresses and questions are invented; addresses use example domains or real provider domains
with unmistakably fake local parts, so demo mail can never reach a real person (no mail is queued).
"""
import random
from datetime import timedelta, timezone

from madoguchi.business_calendar import BusinessCalendar
from madoguchi.clock import utcnow
from madoguchi.inquiries.references import new_reference
from madoguchi.ledger.pseudonyms import subject_key, truncate_ip
from madoguchi.ledger.store import consent_ledger
from madoguchi.policy import revisions
from models import Inquiry, PolicyVersion

FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田"]
GIVEN = ["太郎", "花子", "翔太", "美咲", "健一", "陽菜", "大輔", "さくら", "拓海", "結衣", "蓮", "葵"]
DOMAINS = ["example.com", "example.jp", "docomo.ne.jp", "ezweb.ne.jp", "softbank.ne.jp", "gmail.com",
           "yahoo.co.jp", "icloud.com", "outlook.jp"]
CALENDAR = BusinessCalendar()
QUESTIONS = {
    "general": ["会員登録の方法を教えてください。", "問い合わせの返信はいつ頃になりますか。"],
    "lottery": ["くじを購入しましたが、抽選結果が表示されません。", "購入履歴にくじが表示されていません。"],
    "prizes": ["当選した賞品がまだ届きません。発送状況を教えてください。", "届いた賞品が破損していました。"],
    "payment": ["コンビニ払いの期限が過ぎてしまいました。", "決済失敗のメールが届きました。"],
    "account": ["登録したメールアドレスを変更したいです。", "パスワードを忘れてしまいました。"],
    "disclosure": ["保有個人データの開示を請求したいです。", "登録情報の削除をお願いします。"],
    "other": ["サイトの表示が崩れています。", "キャンペーンについて教えてください。"],
}


def populate(count, *, subject_secret, ledger_key, seed=None, batch=1000, days=180, anchor_log=None):
    """Add `count` inquiries with `granted` events, spread over the last `days` days (each batch's
    signed head goes to `anchor_log` too, when given)."""
    rng = random.Random(seed)
    versions = list(PolicyVersion.select().where(PolicyVersion.published_at.is_null(False)))
    now = utcnow()
    times = sorted(now - timedelta(seconds=rng.randrange(days * 86400)) for _ in range(count))
    used = set()
    for start in range(0, count, batch):
        _add_batch(rng, times[start:start + batch], versions, subject_secret, ledger_key, used, anchor_log)
    return count


def _reply_due(moment):
    """What the form would have promised: the moment itself when open, else the next opening."""
    due = CALENDAR.reply_expected_at(moment.replace(tzinfo=timezone.utc))
    return due.astimezone(timezone.utc).replace(tzinfo=None)


def _reference(rng, moment, used):
    """A reference drawn from the seeded generator, never repeated."""
    while True:
        reference = new_reference(moment, choice=rng.choice)
        if reference not in used:
            used.add(reference)
            return reference


def _add_batch(rng, times, versions, subject_secret, ledger_key, used, anchor_log):
    events, inquiries = [], []
    for moment in times:
        version = max((v for v in versions if v.effective_at <= moment), key=lambda v: v.effective_at,
                      default=versions[0])
        locale = rng.choice(["ja", "ja", "ja", "en"])
        email = f"demo{rng.randrange(10**8):08d}@{rng.choice(DOMAINS)}"
        category = rng.choice(list(QUESTIONS))
        reference = _reference(rng, moment, used)
        events.append(dict(kind="granted", subject_key=subject_key(email, subject_secret),
                           policy_version=version.label, policy_sha256=revisions.sha256_for(version, locale),
                           locale=locale, method="web_form_checkbox", inquiry_ref=reference, occurred_at=moment,
                           ip_truncated=truncate_ip(f"203.0.113.{rng.randrange(256)}")))
        inquiries.append(dict(reference=reference, created_at=moment, locale=locale, category=category,
                              name=f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}", email=email,
                              phone=f"090-{rng.randrange(10000):04d}-{rng.randrange(10000):04d}",
                              message=rng.choice(QUESTIONS[category]), subject_key=events[-1]["subject_key"],
                              reply_due_at=_reply_due(moment), status=rng.choice(["new", "in_progress", "answered", "closed"])))
    with consent_ledger.writing():
        last_seq = consent_ledger.append_many(events, ledger_key, anchor_log=anchor_log)
        for offset, row in enumerate(inquiries):
            row["consent_seq"] = last_seq - len(inquiries) + offset + 1
        Inquiry.insert_many(inquiries).on_conflict_ignore().execute()
