"""What changed in a policy revision: the change summaries in Japanese and English (admin form,
publish confirmation, `flask policy publish`), the consent step that asks a customer to agree again
(summary, then only the sections that differ, marked with <ins>/<del>), the public page
/privacy/<label>/changes, and databases made before the English summary existed."""
import re
import sqlite3
from datetime import timedelta

import pytest

import models
from app import create_app
from conftest import csrf_token, sign_in_staff
from inquiry_helpers import GOOD_ANSWERS, agree, post_form, token_of
from madoguchi.clock import utcnow
from madoguchi.policy import changes
from madoguchi.policy.document import render_policy, section_texts
from madoguchi.policy.store import admin as policy_admin
from madoguchi.policy.store import versions as policy_store
from models import PolicyVersion, database

OLD_PURPOSE_JA, NEW_PURPOSE_JA = "5. お問い合わせ対応のため", "5. お客様からのお問い合わせへの対応のため"
OLD_PURPOSE_EN = "5. To respond to inquiries"
NEW_PURPOSE_EN = "5. To respond to inquiries and complaints"
SUMMARY_JA, SUMMARY_EN = "利用目的5を明確にしました。", "Purpose 5 is worded more clearly."


def revised_texts(v1):
    assert OLD_PURPOSE_JA in v1.text_ja and OLD_PURPOSE_EN in v1.text_en
    return {"text_ja": v1.text_ja.replace(OLD_PURPOSE_JA, NEW_PURPOSE_JA),
            "text_en": v1.text_en.replace(OLD_PURPOSE_EN, NEW_PURPOSE_EN)}


def publish_version_2(app, **changes_to_values):
    with app.app_context():
        values = {"label": "2", **revised_texts(policy_store.by_label("1")), "change_summary": SUMMARY_JA,
                  "change_summary_en": SUMMARY_EN, "significant": True,
                  "effective_at": utcnow() - timedelta(minutes=1), **changes_to_values}
        return policy_admin.publish_new(values, "test")


def changes_section(page):
    found = re.search(r'<section class="policy-changes".*?</section>', page, re.S)
    return found.group(0) if found else ""


# The rules themselves (madoguchi/policy/changes.py)

def test_only_the_sections_that_differ_are_listed_with_the_words_that_changed():
    v1 = policy_store.TEXTS / "v1.ja.md"
    old = v1.read_text(encoding="utf-8")
    new = old.replace(OLD_PURPOSE_JA, NEW_PURPOSE_JA).replace("3. 電話番号\n", "")
    first, second = changes.what_changed(old, new)        # of the intro and sections 1 to 6
    assert (first.kind, first.id, second.kind, second.id) == ("changed", "section-1", "changed", "section-2")
    assert first.passages == ((changes.Piece("removed", "3. 電話番号"),),)
    assert [piece.text for piece in second.heading] == ["2. 個人情報の利用目的"]
    # Japanese has no spaces: compared character by character, so only the new words are marked.
    assert second.passages == ((changes.Piece("same", "5. "), changes.Piece("added", "お客様からの"),
                                changes.Piece("same", "お問い合わせ"), changes.Piece("added", "への"),
                                changes.Piece("same", "対応のため")),)


def test_english_is_compared_by_words_and_short_common_runs_join_the_change():
    assert changes.word_diff("We use the data for support.", "We use your data only for support.") == (
        changes.Piece("same", "We use "), changes.Piece("removed", "the"), changes.Piece("added", "your"),
        changes.Piece("same", " data"), changes.Piece("added", " only"), changes.Piece("same", " for support."))
    # "の" alone in common between two replacements is not shown as unchanged between them
    pieces = changes.word_diff("利用目的の通知", "保有期間の延長")
    assert pieces == (changes.Piece("removed", "利用目的の通知"), changes.Piece("added", "保有期間の延長"))


def test_a_section_added_in_the_middle_renumbers_no_other_section():
    old = "# 題\n\n## 1. 目的\n\n本文1\n\n## 2. 開示\n\n本文2\n"
    new = "# 題\n\n## 1. 目的\n\n本文1\n\n## 2. 保有期間\n\n一年\n\n## 3. 開示\n\n本文2\n"
    [added] = changes.what_changed(old, new)
    assert added.kind == "added" and added.id == "section-2"
    assert added.passages == ((changes.Piece("added", "一年"),),)
    [removed] = changes.what_changed(new, old)
    assert removed.kind == "removed" and [p.text for p in removed.heading] == ["2. 保有期間"]


def test_sections_carry_the_ids_of_the_rendered_page_and_the_contact_address_is_put_in():
    text = "# T\n\nintro\n\n## 3. A\n\n### sub\n\nx\n\n## B\n\n{privacy_contact_email}\n"
    ids = [part[0] for part in section_texts(text)]
    assert ids == ["intro", "section-3", "part-2"]
    assert all(f'id="{i}"' in render_policy(text, "") for i in ids[1:])
    [change] = changes.what_changed(text, text.replace("x\n", "y\n"))
    assert change.passages[0] == (changes.Piece("removed", "x"), changes.Piece("added", "y"))
    [mail] = changes.what_changed(text, text.replace("\n\n{privacy", "\n\nmail: {privacy"), "p@example.jp")
    assert "".join(piece.text for piece in mail.passages[0]) == "mail: p@example.jp"


# The consent step

def test_a_revision_published_mid_form_shows_its_summary_and_only_what_changed(app, client):
    page = client.get("/contact/form").get_data(as_text=True)       # reading version 1
    publish_version_2(app)
    answer = client.post("/contact/form", data={"csrf_token": token_of(page), "agree": "y", "policy_version": "1"})
    assert answer.status_code == 422
    shown = answer.get_data(as_text=True)
    what_changed = changes_section(shown)
    assert "第1版からの変更点" in what_changed and SUMMARY_JA in what_changed
    assert '<ins><span class="visually-hidden">追加：</span>お客様からの</ins>' in what_changed
    assert "2. 個人情報の利用目的" in what_changed and "1. 取得する個人情報" not in what_changed
    # then the full text, as before
    assert shown.index("policy-changes") < shown.index('id="policy-heading"')
    assert "1. 取得する個人情報" in shown[shown.index('id="policy-heading"'):]


def test_what_changed_stays_through_a_reload_and_a_language_switch_until_they_agree(app, client):
    page = client.get("/contact/form").get_data(as_text=True)       # reading version 1
    publish_version_2(app)
    client.post("/contact/form", data={"csrf_token": token_of(page), "agree": "y", "policy_version": "1"})
    reloaded = client.get("/contact/form")
    assert reloaded.status_code == 200 and SUMMARY_JA in changes_section(reloaded.get_data(as_text=True))
    switched = client.post("/contact/form", data={"csrf_token": token_of(reloaded.get_data(as_text=True)),
                                                  "policy_version": "2", "switch_language": "en"})
    assert switched.status_code == 303
    in_english = client.get("/contact/form").get_data(as_text=True)
    assert "What changed since version 1" in in_english and SUMMARY_EN in changes_section(in_english)
    agreed = client.post("/contact/form", data={"csrf_token": token_of(in_english), "agree": "y",
                                                "policy_version": "2"})
    assert agreed.status_code == 303
    assert "policy-changes" not in client.get("/contact/form").get_data(as_text=True)


def test_in_english_and_with_htmx_the_same_view_comes_in_english(app, client):
    client.set_cookie("lang", "en")
    page = client.get("/contact/form").get_data(as_text=True)
    publish_version_2(app)
    answer = client.post("/contact/form", headers={"HX-Request": "true"},
                         data={"csrf_token": token_of(page), "agree": "y", "policy_version": "1"})
    fragment = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "<html" not in fragment
    what_changed = changes_section(fragment)
    assert "What changed since version 1" in what_changed and SUMMARY_EN in what_changed
    assert '<ins><span class="visually-hidden">Added:</span> and complaints</ins>' in what_changed
    assert SUMMARY_JA not in fragment and "Personal information we collect" not in what_changed


def test_a_customer_who_agreed_to_an_earlier_version_sees_every_summary_since(app, client):
    agree(client)
    post_form(client, "/contact/form/details", GOOD_ANSWERS)
    publish_version_2(app, significant=False, change_summary="字句の修正", change_summary_en="")
    with app.app_context():
        v2 = policy_store.by_label("2")
        policy_admin.publish_new({"label": "3", "text_ja": v2.text_ja.replace("3. 電話番号\n", ""),
                                  "text_en": v2.text_en, "change_summary": "電話番号を削除",
                                  "change_summary_en": "Phone numbers removed", "significant": True,
                                  "effective_at": utcnow() - timedelta(seconds=1)}, "test")
    assert post_form(client, "/contact/form/confirm", {}).headers["Location"].endswith("/contact/form")
    what_changed = changes_section(client.get("/contact/form").get_data(as_text=True))
    assert "第1版からの変更点" in what_changed
    assert "字句の修正" in what_changed and "電話番号を削除" in what_changed
    assert '<del><span class="visually-hidden">削除：</span>3. 電話番号</del>' in what_changed
    assert "お客様からの</ins>" in what_changed


def test_a_first_consent_shows_no_what_changed(app, client):
    publish_version_2(app)
    assert changes_section(client.get("/contact/form").get_data(as_text=True)) == ""


# The public what-changed page, the banner and the policy page's history

def test_the_what_changed_page_in_japanese_and_english(app, client):
    publish_version_2(app)
    answer = client.get("/privacy/2/changes")
    ja = answer.get_data(as_text=True)
    assert answer.status_code == 200 and SUMMARY_JA in ja and "お客様からの</ins>" in ja
    assert 'href="/privacy/2"' in ja and 'href="/privacy/1"' in ja
    client.set_cookie("lang", "en")
    en = client.get("/privacy/2/changes").get_data(as_text=True)
    assert SUMMARY_EN in en and SUMMARY_JA not in en and " and complaints</ins>" in en
    first = client.get("/privacy/1/changes").get_data(as_text=True)
    assert "This is the first version of the policy" in first and "Established" in first
    assert client.get("/privacy/9/changes").status_code == 404
    assert client.get("/privacy/2").status_code == 200


def test_the_banner_and_the_history_lead_to_the_what_changed_page_in_the_page_language(app, client):
    publish_version_2(app)
    contact = client.get("/contact").get_data(as_text=True)
    notice = re.search(r'<div class="policy-notice".*?</div>', contact, re.S).group(0)
    assert SUMMARY_JA in notice and 'href="/privacy/2/changes"' in notice
    history = client.get("/privacy").get_data(as_text=True).split('id="policy-versions"')[1]
    assert SUMMARY_JA in history and "制定" in history and 'href="/privacy/2/changes"' in history
    client.set_cookie("lang", "en")
    assert SUMMARY_EN in client.get("/contact").get_data(as_text=True)
    history = client.get("/privacy").get_data(as_text=True).split('id="policy-versions"')[1]
    assert SUMMARY_EN in history and "Established" in history and SUMMARY_JA not in history


# Publishing: both summaries for a significant change

NEW = "/staff/admin/policies/new"


def draft_data(client, app, **changes_to_data):
    with app.app_context():
        texts = revised_texts(policy_store.by_label("1"))
    data = {"csrf_token": csrf_token(client, "/staff/admin/policies"), "label": "2",
            "effective_at": "2020-01-01T00:00", "change_summary": SUMMARY_JA, "change_summary_en": SUMMARY_EN,
            "significant": "y", **texts, **changes_to_data}
    return {key: value for key, value in data.items() if value is not None}


def test_a_significant_draft_without_its_english_summary_is_refused(app, client):
    client.set_cookie("lang", "en")
    sign_in_staff(app, client, "admin")
    answer = client.post(NEW, data=draft_data(client, app, change_summary_en=" "))
    assert answer.status_code == 400 and "Summarise in English what changed" in answer.get_data(as_text=True)
    client.set_cookie("lang", "ja")
    answer = client.post(NEW, data=draft_data(client, app, change_summary_en=""))
    assert answer.status_code == 400 and "英語" in answer.get_data(as_text=True)
    minor = client.post(NEW, data=draft_data(client, app, change_summary_en="", significant=None))
    assert minor.status_code == 302
    with app.app_context():
        assert [v.label for v in PolicyVersion.select()] == ["1", "2"]


def test_the_publish_confirmation_takes_both_summaries_and_refuses_one_missing(app, client):
    client.set_cookie("lang", "en")
    sign_in_staff(app, client, "admin")
    draft_id = int(client.post(NEW, data=draft_data(client, app)).headers["Location"].rsplit("/", 1)[1])
    publish = f"/staff/admin/policies/{draft_id}/publish"
    confirm = client.get(publish).get_data(as_text=True)
    assert SUMMARY_JA in confirm and SUMMARY_EN in confirm
    refused = client.post(publish, data={"csrf_token": token_of(confirm), "change_summary": SUMMARY_JA,
                                         "change_summary_en": ""})
    assert refused.status_code == 400 and "Summarise in English what changed" in refused.get_data(as_text=True)
    with app.app_context():
        assert policy_admin.version_by_id(draft_id).published_at is None
    published = client.post(publish, data={"csrf_token": token_of(confirm), "change_summary": "利用目的を明確化",
                                           "change_summary_en": "Purposes clarified"})
    assert published.status_code == 302
    with app.app_context():
        version = policy_store.by_label("2")
        assert (version.change_summary, version.change_summary_en) == ("利用目的を明確化", "Purposes clarified")


def test_the_command_line_needs_both_summaries_for_a_significant_change(app, runner, tmp_path):
    with app.app_context():
        texts = revised_texts(policy_store.by_label("1"))
    for language in ("ja", "en"):
        (tmp_path / f"v2.{language}.md").write_text(texts[f"text_{language}"], encoding="utf-8")
    files = ["--ja", str(tmp_path / "v2.ja.md"), "--en", str(tmp_path / "v2.en.md")]
    refused = runner.invoke(args=["policy", "publish", "--label", "2", *files, "--significant",
                                  "--summary-ja", SUMMARY_JA])
    assert refused.exit_code == 1 and "English missing" in refused.output
    published = runner.invoke(args=["policy", "publish", "--label", "2", *files, "--significant",
                                    "--summary-ja", SUMMARY_JA, "--summary-en", SUMMARY_EN])
    assert published.exit_code == 0, published.output
    with app.app_context():
        assert policy_store.by_label("2").change_summary_en == SUMMARY_EN


# Databases made before the English summary

def test_a_database_from_an_earlier_release_gets_the_english_summary_column(tmp_path):
    path = tmp_path / "old.sqlite3"
    url = f"sqlite:///{path}"
    create_app({"DATABASE_URL": url, "TESTING": True, "AUTO_INIT_DB": True})
    connection = sqlite3.connect(path)
    connection.execute("ALTER TABLE policy_version DROP COLUMN change_summary_en")
    connection.commit()
    connection.close()
    upgraded = create_app({"DATABASE_URL": url, "TESTING": True, "AUTO_INIT_DB": True,
                           "POLICY_CACHE_SECONDS": 0})
    models.database.initialize(upgraded.extensions["database"])
    with upgraded.app_context(), database.connection_context():
        assert "change_summary_en" in {column.name for column in database.get_columns("policy_version")}
        assert PolicyVersion.get(PolicyVersion.label == "1").change_summary_en is None   # frozen: left as it was
    client = upgraded.test_client()
    client.set_cookie("lang", "en")
    history = client.get("/privacy").get_data(as_text=True).split('id="policy-versions"')[1]
    assert '<span class="muted" lang="ja">制定</span>' in history      # no English one: the Japanese, marked
    publish_version_2(upgraded)
    assert SUMMARY_EN in client.get("/privacy/2/changes").get_data(as_text=True)
    connection = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="cannot change"):
        connection.execute("UPDATE policy_version SET change_summary_en = 'x' WHERE label = '2'")
    connection.close()


@pytest.mark.postgres
def test_postgresql_adds_the_column_to_a_frozen_table(postgres_cluster, tmp_path):
    import psycopg2

    url = postgres_cluster.fresh_database("t_policy_changes_old_schema")
    settings = {"DATABASE_URL": url, "TESTING": True, "AUTO_INIT_DB": True, "POLICY_CACHE_SECONDS": 0,
                "LEDGER_ANCHOR_PATH": "", "MAIL_SINK_DIR": str(tmp_path / "mail")}
    try:
        create_app(settings).extensions["database"].close_all()
        connection = psycopg2.connect(url)
        with connection, connection.cursor() as cursor:
            cursor.execute("ALTER TABLE policy_version DROP COLUMN change_summary_en")
        upgraded = create_app(settings)
        models.database.initialize(upgraded.extensions["database"])
        publish_version_2(upgraded)
        with upgraded.app_context(), database.connection_context():
            assert [(v.label, v.change_summary_en) for v in PolicyVersion.select().order_by(PolicyVersion.id)] == [
                ("1", None), ("2", SUMMARY_EN)]
        with pytest.raises(psycopg2.Error, match="published policy version"), connection, connection.cursor() as cursor:
            cursor.execute("UPDATE policy_version SET change_summary_en = 'x'")
        connection.close()
        upgraded.extensions["database"].close_all()
    finally:
        models.database.close()
        postgres_cluster.sql('DROP DATABASE "t_policy_changes_old_schema" WITH (FORCE)')


def test_japanese_words_in_the_english_changes_are_marked_as_japanese(app, client):
    with app.app_context():
        v1 = policy_store.by_label("1")
    publish_version_2(app, text_en=v1.text_en.replace("LEGS Co., Ltd. (株式会社レッグス)",
                                                      "LEGS Company, Limited (株式会社レッグス)"))
    client.set_cookie("lang", "en")
    page = client.get("/privacy/2/changes").get_data(as_text=True)
    assert 'Limited</ins> (<span lang="ja">株式会社レッグス</span>)' in page
