"""The email advisor on the addresses Japanese customers really type (seed 【よくある原因】, issue 2 §3)."""
from pathlib import Path

import hypothesis
import pytest
from babel.support import Translations
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.email import domains as email_domains
from madoguchi.email.advice import advise
from madoguchi.email.rules import RULES

JAPANESE = Translations.load(str(Path(__file__).resolve().parent.parent / "translations"), ["ja"])


def codes(address):
    return [message.code for message in advise(address).messages]


@pytest.mark.parametrize("address, case", [
    (".taro@example.com", 1),
    ("taro.@example.com", 1),
    ("ta..ro@docomo.ne.jp", 2),
    ("taro...yamada@ezweb.ne.jp", 2),
    ("ta[ro@example.com", 3),
    ("ta ro@gmail.com", 3),
    ("たろう@example.jp", 3),
    ("ta`ro@example.com", 3),          # the seed's list has no backtick
    ("ta@ro@example.com", 3),          # a second @: the part before the LAST @ is checked
    ('ta"ro@example.com', 3),          # a quote that does not enclose the whole local part
])
def test_the_three_rfc_cases_are_errors_named_by_the_seed(address, case):
    advice = advise(address)
    assert advice.valid is False and advice.rfc_case == case
    assert advice.errors[0].text.startswith(f"Case {case}:")
    assert advice.errors[0].faq_anchor == "faq-rfc"


def test_an_address_breaking_several_cases_gets_every_message_and_the_lowest_case():
    advice = advise(".ta..r[o@example.com")
    assert advice.rfc_case == 1
    assert [m.code for m in advice.errors] == ["rfc_case1", "rfc_case2", "rfc_case3"]


def test_case_3_names_the_characters_and_the_second_at_gets_its_own_words():
    assert "([ (space))" in advise("ta[ ro@example.com").errors[0].text
    second_at = advise("ta@ro@example.com")
    assert second_at.errors[0].code == "rfc_case3_at"
    assert "more than one @" in second_at.errors[0].text
    assert second_at.normalized == "ta@ro@example.com"


def test_ta_ro_at_docomo_gets_the_case_2_error_and_the_docomo_steps():
    advice = advise("ta..ro@docomo.ne.jp")
    assert [m.code for m in advice.messages] == ["rfc_case2", "carrier_docomo"]
    assert advice.provider == "carrier_docomo"
    steps = advice.warnings[0].text
    for words in ("受信拒否設定", "解除", "迷惑メールおまかせ規制", "規制しない", "なりすまし規制", "低",
                  "@anymykuji.com", "@hubsynch.com", "PC email address"):
        assert words in steps


def test_a_local_part_wholly_in_quotes_is_accepted_with_a_note():
    advice = advise('"ta..ro"@example.com')
    assert advice.valid and advice.quoted and advice.rfc_case is None
    assert [(m.level, m.code, m.faq_anchor) for m in advice.messages] == [("warning", "quoted", "faq-rfc")]
    assert "some senders still cannot deliver" in advice.messages[0].text
    assert advise(r'"ta\"ro"@example.com').quoted
    assert advise('"たろう"@example.com').rfc_case == 3
    assert advise('""@example.com').errors[0].code == "local_empty"


def test_lengths_64_before_at_and_254_in_all():
    assert advise("a" * 64 + "@example.com").valid
    long_local = advise("a" * 65 + "@example.com")
    assert [m.code for m in long_local.errors] == ["local_too_long"]
    assert "65 characters" in long_local.errors[0].text
    domain = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 51]) + ".jp"
    assert len(domain) == 246
    assert advise("t" * 7 + "@" + domain).valid                             # 254 in all
    assert [m.code for m in advise("t" * 8 + "@" + domain).errors] == ["too_long"]


@pytest.mark.parametrize("address", ["taro@例え.jp", "taro@xn--r8jz45g.jp", "hanako@日本語.jp",
                                     "taro@EXAMPLE.CO.JP", "taro@sub-domain.example.jp",
                                     "taro@x.biz.ezweb.ne.jp", "taro@example.xn--zckzah"])
def test_valid_host_names_including_idn_are_accepted(address):
    advice = advise(address)
    assert advice.valid, advice.messages
    assert advice.normalized == address.split("@")[0] + "@" + address.split("@")[1].lower()


@pytest.mark.parametrize("address, code", [
    ("taro.example.com", "missing_at"),
    ("@example.co.jp", "local_empty"),
    ("taro@", "domain_empty"),
    ("", "empty"),
    ("   ", "empty"),
    ("user@localhost", "domain_no_dot"),
    ("taro@example..com", "domain_empty_label"),
    ("taro@.example.com", "domain_empty_label"),
    ("taro@example.com.", "domain_empty_label"),
    ("taro@" + "a" * 64 + ".jp", "domain_label_too_long"),
    ("taro@exa_mple.jp", "domain_chars"),
    ("taro@[192.168.0.1]", "domain_chars"),
    ("taro@-example.jp", "domain_hyphen"),
    ("taro@example-.jp", "domain_hyphen"),
    ("taro@ab--cd.jp", "domain_hyphen_34"),
    ("taro@xn--zz.jp", "domain_idn"),
    ("taro@例え😀.jp", "domain_idn"),
    ("taro@example.123", "domain_tld"),
    ("taro@192.168.0.1", "domain_tld"),
    ("taro@example.c", "domain_tld"),
    ("taro@example.j-p", "domain_tld"),
])
def test_no_at_an_empty_part_or_a_domain_that_is_no_valid_host_name_is_an_error(address, code):
    advice = advise(address)
    assert not advice.valid and advice.errors[0].code == code
    assert advice.provider is None


def test_domain_messages_show_the_domain_and_the_wrong_characters():
    assert "(exa_mple.jp)" in advise("taro@exa_mple.jp").errors[0].text
    assert "(_)" in advise("taro@exa_mple.jp").errors[0].text
    assert "“123”" in advise("taro@example.123").errors[0].text


@pytest.mark.parametrize("address, provider, anchor", [
    ("hanako@gmail.com", "free", "faq-spam-folder"),
    ("hanako@yahoo.co.jp", "free", "faq-spam-folder"),
    ("hanako@outlook.jp", "free", "faq-spam-folder"),
    ("z@docomo.ne.jp", "carrier_docomo", "faq-carrier"),
    ("z@ezweb.ne.jp", "carrier_au", "faq-carrier"),
    ("z@au.com", "carrier_au", "faq-carrier"),
    ("z@abc.biz.ezweb.ne.jp", "carrier_au", "faq-carrier"),
    ("a@i.softbank.jp", "carrier_softbank", "faq-carrier"),
    ("a@softbank.ne.jp", "carrier_softbank", "faq-carrier"),
    ("a@disney.ne.jp", "carrier_softbank", "faq-carrier"),
    ("a@ymobile.ne.jp", "carrier_other", "faq-carrier"),
    ("a@uqmobile.jp", "carrier_other", "faq-carrier"),
    ("a@rakumail.jp", "carrier_other", "faq-carrier"),
    ("x@icloud.com", "icloud", "faq-icloud"),
    ("y@me.com", "icloud", "faq-icloud"),
    ("y@MAC.COM", "icloud", "faq-icloud"),
])
def test_providers_get_a_warning_but_the_form_can_go_on(address, provider, anchor):
    advice = advise(address)
    assert advice.valid and advice.provider == provider
    assert [(m.level, m.faq_anchor) for m in advice.messages] == [("warning", anchor)]


def test_provider_advice_says_what_to_do():
    assert "spam folder" in advise("hanako@gmail.com").warnings[0].text
    assert "strongly recommend" in advise("x@icloud.com").warnings[0].text
    softbank = advise("a@i.softbank.jp").warnings[0].text
    assert "受信許可リスト" in softbank and "@anymykuji.com and @hubsynch.com" in softbank
    au = advise("z@ezweb.ne.jp").warnings[0].text
    assert au.startswith("Mail to this au address may be blocked by au's spam filter.")
    assert "ymobile.ne.jp is a mobile carrier address" in advise("a@ymobile.ne.jp").warnings[0].text


def test_an_ordinary_valid_address_gets_only_the_domains_to_allow():
    advice = advise("taro.yamada@example.co.jp")
    assert advice.valid and advice.provider is None and advice.suggestion is None
    assert [(m.level, m.code, m.faq_anchor) for m in advice.messages] == [("info", "allow_domains", "faq-domains")]


def test_full_width_input_is_fixed_to_the_half_width_address():
    advice = advise("ｔａｒｏ＠ｇｍａｉｌ．ｃｏｍ")
    assert advice.fullwidth and not advice.valid
    assert advice.suggestion == advice.normalized == "taro@gmail.com"
    assert advice.errors[0].code == "fullwidth" and "taro@gmail.com" in advice.errors[0].text
    assert advice.provider == "free"


def test_full_width_parts_and_ideographic_marks_are_fixed_too():
    assert advise("taro＠docomo.ne.jp").suggestion == "taro@docomo.ne.jp"
    assert advise("　ｈａｎａｋｏ@example.co.jp　").suggestion == "hanako@example.co.jp"
    assert advise("taro@example。co。jp").suggestion == "taro@example.co.jp"
    assert advise("ｔａｒｏ").suggestion is None            # no @ yet: "taro" would be no address
    assert advise("taro　@gmail.com").suggestion == "taro@gmail.com"   # the ideographic space dropped
    assert advise("たろう@example.jp").fullwidth is False   # kana have no half-width address form


def test_full_width_fix_and_typo_fix_combine_into_one_suggestion():
    advice = advise("ｔａｒｏ＠ｇｍｉａｌ．ｃｏｍ")
    assert advice.suggestion == "taro@gmail.com"
    assert [m.code for m in advice.messages] == ["fullwidth", "typo"]


@pytest.mark.parametrize("typed, meant", [
    ("gmial.com", "gmail.com"), ("gamil.com", "gmail.com"), ("gmai.com", "gmail.com"),
    ("gmaill.com", "gmail.com"), ("hotmial.com", "hotmail.com"), ("outlok.jp", "outlook.jp"),
    ("yahoo.co.jo", "yahoo.co.jp"), ("yaho.co.jp", "yahoo.co.jp"), ("ezweb.ne.jo", "ezweb.ne.jp"),
    ("softbank.ne.jo", "softbank.ne.jp"), ("i.softbank.jo", "i.softbank.jp"),
    ("docomo.ne.pj", "docomo.ne.jp"), ("docmo.ne.jp", "docomo.ne.jp"), ("icloud.con", "icloud.com"),
    ("gmail.con", "gmail.com"), ("gmail.co.jp", "gmail.com"), ("icloud.jp", "icloud.com"),
    ("example.con", "example.com"), ("company.co.jo", "company.co.jp"), ("gmail,com", "gmail.com"),
    ("gmail..com", "gmail.com"), ("docomo.ne.jp.", "docomo.ne.jp"), ("gmial.con", "gmail.com"),
])
def test_likely_typos_get_a_did_you_mean(typed, meant):
    advice = advise(f"hanako@{typed}")
    assert advice.suggestion == f"hanako@{meant}"
    assert any(m.faq_anchor == "faq-typo" and meant in m.text for m in advice.messages)
    assert advice.short.endswith(f"Did you mean hanako@{meant}?")


def test_an_ending_that_is_no_tld_is_an_error_a_plausible_typo_only_a_warning():
    missing = advise("taro@docomo.ne.pj")
    assert not missing.valid and missing.errors[0].code == "missing_tld"
    assert "“.pj” does not exist" in missing.errors[0].text
    typo = advise("taro@gmial.com")
    assert typo.valid and [m.code for m in typo.warnings] == ["typo"]


@pytest.mark.parametrize("domain", sorted(email_domains.KNOWN_DOMAINS))
def test_a_known_real_domain_is_never_corrected(domain):
    advice = advise(f"taro@{domain}")
    assert advice.suggestion is None and advice.valid


@pytest.mark.parametrize("domain", ["mail.com", "email.com", "ymail.com", "cloud.com", "wahoo.com",
                                    "gmx.com", "live.jp", "kcn.ne.jp", "example.com", "anymykuji.com",
                                    "docomo.co.jp.example", "yahoo.ne.jp", "biz.au.com"])
def test_real_or_unrelated_domains_near_a_popular_one_are_left_alone(domain):
    assert advise(f"taro@{domain}").suggestion is None


def test_surrounding_ascii_whitespace_is_trimmed_and_the_domain_lower_cased():
    advice = advise(" \tTaro.Yamada@GMAIL.COM \n")
    assert advice.valid and advice.normalized == "Taro.Yamada@gmail.com"
    assert advice.input == " \tTaro.Yamada@GMAIL.COM \n" and advice.suggestion is None


def test_to_json_has_exactly_the_issue_keys():
    data = advise("ta..ro@docomo.ne.jp").to_json()
    assert list(data) == ["input", "normalized", "valid", "rfc_case", "quoted", "provider",
                          "suggestion", "fullwidth", "messages"]
    assert data["messages"][0] == {"level": "error", "code": "rfc_case2", "text": advise("ta..ro@docomo.ne.jp").messages[0].text}


def test_messages_are_translated_with_the_given_gettext():
    advice = advise("ta..ro@docomo.ne.jp", translate=JAPANESE.gettext)
    assert advice.errors[0].text.startswith("ケース2:")
    assert "「受信拒否設定 ⇒ 解除」" in advice.warnings[0].text
    assert "ケース3" in advise("ta%ro[@example.com", translate=JAPANESE.gettext).errors[0].text
    assert "(スペース)" in advise("ta ro@example.com", translate=JAPANESE.gettext).errors[0].text


SAMPLE_PARAMS = {"fixed": "taro@gmail.com", "chars": "[", "length": 65, "tld": "con",
                 "suggestion": "taro@gmail.com", "domain": "ymobile.ne.jp", "carrier": "docomo",
                 "meant": "gmail.com", "problem": "Check your email address"}


@pytest.mark.parametrize("rule", RULES.values(), ids=lambda rule: rule.code)
def test_every_message_has_japanese_that_formats(rule):
    japanese = JAPANESE.gettext(rule.template)
    assert japanese != rule.template
    japanese % SAMPLE_PARAMS  # the same placeholders (and %% for a literal %) as the English
    assert rule.faq_anchor in (None, "faq-rfc", "faq-spam-folder", "faq-carrier", "faq-icloud",
                               "faq-typo", "faq-domains")


def test_tld_fixes_only_replace_endings_the_root_zone_does_not_have():
    iana = Path(hypothesis.__file__).parent / "vendor" / "tlds-alpha-by-domain.txt"
    tlds = {line.strip().lower() for line in iana.read_text().splitlines() if not line.startswith("#")}
    assert "jp" in tlds and "com" in tlds
    assert not set(email_domains.MISSING_TLD_FIXES) & tlds


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_advise_never_raises_and_stays_consistent(text):
    advice = advise(text)
    assert advice.valid == (not advice.errors)
    assert all(m.level in ("error", "warning", "info") and m.text for m in advice.messages)
    assert set(advice.to_json()) == {"input", "normalized", "valid", "rfc_case", "quoted", "provider",
                                     "suggestion", "fullwidth", "messages"}


ADDRESS_PIECES = st.sampled_from(["taro", "@", ".", "..", '"', "ｔａｒｏ", "＠", "．", "gmial.com",
                                  "docomo.ne.jp", "例え", "xn--", "-", " ", "\\", "。", "\x00", "😀"])


@settings(max_examples=300, deadline=None)
@given(st.lists(ADDRESS_PIECES, max_size=12).map("".join))
def test_advise_never_raises_on_address_like_junk(text):
    advice = advise(text)
    if advice.suggestion:
        assert not advise(advice.suggestion).fullwidth   # a suggestion is always half-width


@settings(max_examples=200, deadline=None)
@given(st.emails())
def test_rfc_valid_addresses_pass_unless_the_seed_forbids_the_backtick(address):
    local = address.rpartition("@")[0]
    hypothesis.assume("`" not in local and len(address) <= 254)
    assert advise(address).valid, advise(address).messages
