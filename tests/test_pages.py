"""The contact page and the FAQ as a customer reads them, in Japanese and English, at fixed clocks."""
import html
import re

import pytest

FAQ_ANCHORS = ["faq-domains", "faq-rfc", "faq-spam-folder", "faq-carrier", "faq-icloud", "faq-typo",
               "faq-mailbox-full", "faq-mypage", "faq-reply-time", "faq-disclosure"]
EXAMPLE_ADDRESSES = [".taro@example.com", "taro.@example.com", "ta..ro@example.com",
                     "ta[ro@example.com", "ta@ro@example.com", '"ta..ro"@example.com']


def visible_text(response):
    """The page as a reader sees it: tags dropped, entities decoded, white space folded."""
    without_tags = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(without_tags))


def read(client, path, language="ja"):
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200
    return visible_text(response)


def test_contact_page_in_japanese_keeps_the_seed_copy(client):
    page = read(client, "/contact")
    for seed_text in [
        "お問合せいただく前に「よくあるご質問」をご参照ください。",
        "各種メールが未着のお客様へ",
        "会員登録事務手続き", "登録情報の変更", "ご注文完了メール", "決済失敗メール", "入金不備メール",
        "@hubsynch.com", "@anymykuji.com", "エニマイくじ カスタマーセンター",
        "ケース1:アットマーク(@)の直前やメールアドレスの先頭にピリオド (.) がある",
        "ケース2:アットマーク(@)より前で、ピリオド (.) が連続している",
        "ケース3:半角英数字と一部の記号※以外の文字列を含んでいる",
        ". ! # $ % & ' * + - / = ? ^ _ { | } ~",
        "「迷惑メールフォルダ」をご確認ください。",
        "受信拒否設定 ⇒ 解除", "迷惑メールおまかせ規制 ⇒ 規制しない", "なりすまし規制設定 ⇒ 低",
        "パソコンアドレスでご登録いただきますよう",
        "ご登録情報のご確認をお願いいたします。",
        "受信メールフォルダ、ごみ箱フォルダの整理をしてください。",
        "当社ではその責を一切負いません。",
        "メールが届かない場合には必ず「マイページ」をご確認ください。",
        "迷惑メールフォルダにも入らずに削除されてしまう事例があります。",
        "フォームでのお問合せ",
        "受付時間:平日12:00~17:00 (土日祝、年末年始を除く)",
        "受付時間外のお問合せは、翌営業日以降にご連絡いたします。",
        "営業目的のお問合せには、回答できかねる場合もございます。",
    ]:
        assert seed_text in page, seed_text
    for address in EXAMPLE_ADDRESSES:
        assert address in page
    assert "[email protected]" not in page


def test_contact_page_in_english(client):
    page = read(client, "/contact", "en")
    for text in ["Before you ask", "Not receiving our emails?", "Member registration procedures",
                 "Payment problem email", "AnyMyKuji Customer Center",
                 "Case 2: two or more periods (.) in a row before the at sign (@)",
                 "Please look in your spam folder.",
                 "Automatic spam filter ( 迷惑メールおまかせ規制 ) ⇒ Do not filter ( 規制しない )",  # the names: lang="ja"
                 "can also be seen on My Page", "consider using another email address",
                 "Hours: weekdays 12:00–17:00", "we may not be able to answer sales inquiries"]:
        assert text in page, text
    assert "各種メールが未着" not in page and "よくある原因" not in page


def test_contact_page_read_in_turns_in_each_language_keeps_each_language(make_app):
    """The page's reading is rendered once per language and kept: each visitor still gets their
    own language, whichever language asked first."""
    app = make_app()
    japanese, english = app.test_client(), app.test_client()
    for _turn in range(2):
        assert "よくある原因" in read(english, "/contact", "ja")
        english_page = read(english, "/contact", "en")
        assert "Common causes" in english_page and "よくある原因" not in english_page
        assert "よくある原因" in read(japanese, "/contact", "ja")


def test_contact_page_links_to_the_form_and_the_faq(client):
    page = client.get("/contact").get_data(as_text=True)
    assert 'class="button" href="/contact/form"' in page
    assert 'href="/faq"' in page


def test_language_choice_sticks_across_pages(client):
    client.get("/language/en?next=/contact")
    assert "Frequently asked questions" in read(client, "/faq", "ja")
    assert "Not receiving our emails?" in read(client, "/contact", "ja")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_faq_has_every_anchor_the_email_advice_links_to(client, language):
    page = client.get("/faq", headers={"Accept-Language": language}).get_data(as_text=True)
    for anchor in FAQ_ANCHORS:
        assert re.search(rf'<h[23] id="{anchor}"', page), anchor
        assert f'href="#{anchor}"' in page


def test_faq_answers_come_from_the_seed(client):
    page = read(client, "/faq")
    for text in ["よくあるご質問", "RFC違反メールアドレスとは何ですか?", "ケース3:半角英数字",
                 "iCloud関連のメールアドレス(@icloud.com等)", "なりすまし規制設定 ⇒ 低",
                 "購入履歴、振込先情報は「マイページ」からもご確認いただけます。",
                 "受付時間:平日12:00~17:00", "「開示等請求」を選んでお送りください。",
                 "手数料1,000円(+消費税)", "回答に最長で10日間かかることがあります"]:
        assert text in page, text
    english = read(client, "/faq", "en")
    assert "How do I ask for disclosure of my personal information?" in english
    assert "a fee of 1,000 yen (plus consumption tax)" in english


@pytest.fixture
def clock(app):
    """Set the site's clock: an ISO 8601 moment in app.config["CLOCK_NOW"]."""
    def set_clock(moment):
        app.config["CLOCK_NOW"] = moment
    return set_clock


STATUS_CASES = [
    # (the clock, Japanese status, English status)
    ("2026-11-24T13:00:00+09:00", "ただいま受付中です(本日17:00まで)", "Open now — until 17:00"),
    ("2026-11-27T18:00:00+09:00", "ただいま受付時間外です。2026年11月30日（月）12:00以降にご連絡いたします。",
     "Closed now — we reply from Mon 30 November 2026, 12:00 JST"),
    ("2026-11-27T17:00:00+09:00", "2026年11月30日（月）12:00以降にご連絡いたします。",
     "Closed now — we reply from Mon 30 November 2026, 12:00 JST"),
    ("2026-12-28T18:00:00+09:00", "ただいま受付時間外です。2027年1月4日（月）12:00以降にご連絡いたします。",
     "Closed now — we reply from Mon 4 January 2027, 12:00 JST"),
    ("2026-11-24T00:30:00", "ただいま受付時間外です。2026年11月24日（火）12:00以降にご連絡いたします。",
     "Closed now — we reply from Tue 24 November 2026, 12:00 JST"),   # naive = UTC: 09:30 in Tokyo
]


@pytest.mark.parametrize("moment, japanese, english", STATUS_CASES)
def test_status_at_a_fixed_clock_on_a_server_far_from_tokyo(client, clock, server_in_los_angeles,
                                                            moment, japanese, english):
    clock(moment)
    assert japanese in read(client, "/contact")
    assert english in read(client, "/contact", "en")
    assert english in read(client, "/faq", "en")


def test_without_a_fixed_clock_the_status_follows_real_time(client):
    page = client.get("/contact").get_data(as_text=True)
    assert ('class="status status-open"' in page) != ('class="status status-closed"' in page)
