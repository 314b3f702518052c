"""The privacy policy pages (/privacy, /privacy/<label>), version 1's texts and their renderer."""
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import models
from madoguchi.clock import utcnow
from madoguchi.policy import revisions
from madoguchi.policy.document import render_policy, summary_sections
from madoguchi.policy.store import versions as policy_store
from models import PolicyVersion

CONTACT = "kojinjoho-madoguchi@anymykuji.com"
TEXTS = Path(policy_store.TEXTS)
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "contact-page.ja.txt"
JA_SECTIONS = ["1. 取得する個人情報", "2. 個人情報の利用目的", "3. 個人情報の開示等の請求について",
               "4. 全ての個人データ等の安全管理措置のために講じた措置",
               "5. WEBサイトにおける個人情報の取り扱いについて", "6.苦情及び相談のお問い合わせ先"]
EN_SECTIONS = ["1. Personal information we collect", "2. Purposes of use of personal information",
               "3. Requests for disclosure and other requests concerning personal information",
               "4. Measures taken for the safe management of all personal data, etc.",
               "5. Handling of personal information on the website",
               "6. Contact for complaints and consultations"]


@pytest.fixture
def site(app):
    app.config["PRIVACY_CONTACT_EMAIL"] = CONTACT
    return app


def page(site, path, lang="ja"):
    response = site.test_client().get(path, headers={"Accept-Language": lang})
    return response.status_code, response.get_data(as_text=True)


def add_version(site, label, effective_at, published=True, title="改定版"):
    with site.app_context(), models.database.connection_context():
        text = f"# {title}\n\n## 1. 変更点\n\n本文です。\n"
        PolicyVersion.create(
            label=label, effective_at=effective_at, text_ja=text, text_en=text.replace("本文", "Text"),
            sha256_ja=revisions.sha256_text(text), sha256_en=revisions.sha256_text(text),
            published_at=utcnow() if published else None)


def test_japanese_policy_shows_every_section_the_accredited_body_and_the_contact_address(site):
    status, html = page(site, "/privacy")
    assert status == 200
    assert "<h1>エニマイくじが取得する個人情報の取扱いについて</h1>" in html
    for heading in JA_SECTIONS:
        assert heading in html
    for line in ["【当社が所属する認定個人情報保護団体】", "名称:一般財団法人日本情報経済社会推進協会",
                 "苦情の解決の申出先:個人情報保護苦情相談室",
                 "住所:〒106-0032 東京都港区六本木1-9-9六本木ファーストビル 12階",
                 "TEL:03-5860-7565 / 0120-700-779", "制定日:2024年6月14日",
                 "手数料1,000円(+消費税)", "最長で10日間"]:
        assert line in html
    assert f'電子メール:<a href="mailto:{CONTACT}">{CONTACT}</a>' in html
    assert "[email" not in html and "{privacy_contact_email}" not in html
    assert '<a href="http://www.google.com/analytics">' in html
    # The effective date is shown in Tokyo time: 2024-06-13 15:00 UTC is 14 June there.
    assert "第1版(2024年6月14日から適用)" in html


def test_english_policy_is_the_translation_with_the_same_sections(site):
    status, html = page(site, "/privacy", lang="en")
    assert status == 200
    assert "<h1>Handling of Personal Information Collected by AnyMyKuji</h1>" in html
    for number, heading in enumerate(EN_SECTIONS, start=1):
        assert f'<h2 id="section-{number}">{heading}</h2>' in html
        assert f'<a href="#section-{number}">{heading}</a>' in html
    assert "Japan Institute for Promotion of Digital Economy and Community (JIPDEC)" in html
    assert "Personal Information Protection Complaints Office" in html
    assert "Established: 14 June 2024" in html and "June 14, 2024" in html
    assert "a fee of 1,000 yen (plus consumption tax)" in html
    assert f'href="mailto:{CONTACT}"' in html and "取得する個人情報" not in html


def test_version_1_has_its_own_address_and_unknown_versions_are_not_found(site):
    status, html = page(site, "/privacy/1")
    assert status == 200 and "6.苦情及び相談のお問い合わせ先" in html
    assert "以前の版" not in html
    assert page(site, "/privacy/nope")[0] == 404
    assert page(site, "/privacy/1/extra")[0] == 404


def test_a_draft_is_never_shown(site):
    add_version(site, "2", utcnow() - timedelta(days=1), published=False, title="下書きの方針")
    assert page(site, "/privacy/2")[0] == 404
    status, html = page(site, "/privacy")
    assert "下書きの方針" not in html and "エニマイくじが取得する個人情報の取扱いについて" in html


def test_a_newer_published_version_becomes_current_and_version_1_is_marked_earlier(site):
    add_version(site, "2", utcnow() - timedelta(minutes=1), title="第2版の方針")
    status, html = page(site, "/privacy")
    assert status == 200 and "<h1>第2版の方針</h1>" in html
    assert 'href="/privacy/1"' in html and "以前の版" not in html
    status, html = page(site, "/privacy/1")
    assert "<h1>エニマイくじが取得する個人情報の取扱いについて</h1>" in html
    assert "これは以前の版です" in html and 'href="/privacy"' in html
    status, html = page(site, "/privacy/1", lang="en")
    assert "This is an earlier version of the policy" in html
    assert "See the current version" in html


def test_a_version_effective_in_the_future_is_announced_but_not_current_yet(site):
    add_version(site, "3", utcnow() + timedelta(days=2), title="予定されている方針")
    status, html = page(site, "/privacy")
    assert "<h1>エニマイくじが取得する個人情報の取扱いについて</h1>" in html
    assert 'href="/privacy/3"' in html and "(まだ適用されていません)" in html
    status, html = page(site, "/privacy/3")
    assert "<h1>予定されている方針</h1>" in html and "から適用されます" in html


def test_version_1_files_are_stored_exactly_with_the_contact_token(site):
    for locale in ("ja", "en"):
        raw = (TEXTS / f"v1.{locale}.md").read_bytes()
        text = raw.decode("utf-8")
        assert text.endswith("\n") and not text.endswith("\n\n") and "\r" not in text
        assert text.count("{privacy_contact_email}") == 1
        with site.app_context(), models.database.connection_context():
            version = policy_store.by_label("1")
            assert revisions.text_for(version, locale) == text
            assert revisions.sha256_for(version, locale) == revisions.sha256_text(text)
        assert [id for id, _ in summary_sections(text)] == [
            "part-1", "section-1", "section-2", "section-3", "section-4", "section-5", "section-6"]


def _strip(line):
    """A line without its markup: heading marks, list numbers and bullets, surrounding spaces."""
    line = re.sub(r"^#{1,3} ", "", line.replace("\xa0", " ").strip())
    return re.sub(r"^(?:\d+\.|[•-])\s*", "", line).strip()


@pytest.mark.skipif(not SEED.exists(), reason="the seed (../shared/seed) is not next to this checkout")
def test_version_1_japanese_is_the_seed_text_verbatim():
    seed = SEED.read_text(encoding="utf-8")
    policy = seed[seed.index("エニマイくじが取得する個人情報の取扱いについて"):seed.index("制定日")]
    policy_lines = [_strip(line) for line in (policy + "制定日:2024年6月14日").splitlines()]
    ours = (TEXTS / "v1.ja.md").read_text(encoding="utf-8")
    ours_lines = [_strip(line) for line in ours.splitlines()]
    for line in filter(None, policy_lines):
        if "[email" not in line:
            assert line in ours_lines, line
    for line in filter(None, ours_lines):                    # and nothing was added
        if "{privacy_contact_email}" not in line:
            assert line in policy_lines, line


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "p", "br", "ol", "ul", "li", "a"}
MARKUP_PIECES = ["# ", "## ", "### ", "1. ", "12. ", "- ", "  ", "    ", "\n", "\n\n", "\t", "\r",
                 "<script>alert(1)</script>", "<SCRIPT>", "</p>", "&", '"', "'", "6.", "\x00",
                 "\u2028", "{privacy_contact_email}", "http://example.com/<script>", "https://a.b/\"x",
                 "javascript:alert(1)", "見出し"]
policy_like_text = st.lists(st.one_of(st.sampled_from(MARKUP_PIECES), st.text(max_size=6)),
                            max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(policy_like_text, st.one_of(st.none(), st.sampled_from(["<script>x@y", CONTACT, ""])))
def test_any_text_renders_to_safe_html(text, contact_email):
    html = str(render_policy(text, contact_email, heading_offset=1))
    assert "<script" not in html.lower()
    collector = TagCollector()
    collector.feed(html)
    assert collector.tags <= ALLOWED_TAGS
    assert 'href="javascript' not in html
    summary_sections(text)


def test_markup_renders_nested_lists_line_breaks_and_escapes_html():
    html = str(render_policy("## 3. 手続\n\n9. 次の場合\n    1. 一\n    2. 二\n<b>太字</b>\n", "a@b.jp"))
    assert '<h2 id="section-3">3. 手続</h2>' in html
    assert "<li>次の場合\n<ol>\n<li>一</li>\n<li>二</li>\n</ol>\n&lt;b&gt;太字&lt;/b&gt;</li>" in html
    assert '<ol start="9">' in html
