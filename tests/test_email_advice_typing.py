"""The email advice never misleads (issue 10): while typing it says only what is certain, the
typo rules cover the slips Japanese customers make, legacy carrier domains are that carrier's,
every suggestion is itself a good address, and the form says each thing once."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inquiry_helpers import GOOD_ANSWERS, agree, post_form

from madoguchi.email import domains as email_domains
from madoguchi.email.advice import advise, is_deliverable

HX = {"HX-Request": "true"}


def shown_while_typing(address):
    advice = advise(address, typing=True)
    return [m.code for m in advice.messages], advice.suggestion


# --- progressive: typing vs final ------------------------------------------------------------

@pytest.mark.parametrize("address", ["taro", "taro@", "taro@yahoo", "taro@yahoo.", "taro@yahoo.co",
                                     "taro@yahoo.co.", "taro@yahoo.co.j", "taro@gmail.", "taro@gmail.co",
                                     "taro@docomo.ne.", "taro@docomo.ne", "taro@example.c", "taro@example.",
                                     "taro@my-", "taro@192.168.0.1", "ｔａｒｏ"])
def test_while_typing_a_domain_that_may_still_become_right_gets_no_error_and_no_fix(address):
    assert shown_while_typing(address) == ([], None)


@pytest.mark.parametrize("address, codes", [
    ("taro.@", ["rfc_case1"]), ("ta..ro@yah", ["rfc_case2"]), ("ta ro@", ["rfc_case3"]),
    ("ｔａｒｏ＠ｇｍ", ["fullwidth"]),                      # certain, but "taro@gm" is no address to offer
    ("taro@exa_mple", ["domain_chars"]),                    # no more typing can mend an underscore
    ("taro@gmial.com", ["typo"]), ("taro@dokomo.ne.jp", ["typo"]), ("taro@docomo.ne.pj", ["missing_tld"]),
    ("taro@docomo.ne.jp", ["carrier_docomo"]), ("taro@yahoo.co.jp", ["free_mail"]),
    ("taro@example.co", ["allow_domains"]),
])
def test_while_typing_what_is_certain_is_said(address, codes):
    assert shown_while_typing(address)[0] == codes


@pytest.mark.parametrize("address, codes, suggestion", [
    ("taro@yahoo.co.", ["domain_empty_label"], None),          # never taro@yahoo or taro@yahoo.com
    ("taro@yahoo", ["domain_no_dot"], None),                    # yahoo.co.jp? yahoo.ne.jp? yahoo.com?
    ("taro@yahoo.co", ["allow_domains"], None),                 # .co exists; yahoo.com or yahoo.co.jp?
    ("taro@gmail.", ["domain_empty_label", "typo"], "taro@gmail.com"),
    ("taro@docomo.ne.", ["domain_empty_label", "typo"], "taro@docomo.ne.jp"),
    ("taro@example.c", ["domain_tld"], None),
    ("taro", ["missing_at"], None),
])
def test_leaving_the_field_or_sending_judges_everything(address, codes, suggestion):
    advice = advise(address)
    assert [m.code for m in advice.messages] == codes and advice.suggestion == suggestion


def test_the_verdict_key_is_the_same_for_the_same_advice_and_empty_while_nothing_is_certain():
    assert advise("taro@gmial.com", typing=True).key == advise("taro@gmial.com").key != ""
    assert advise("taro@yahoo.co.", typing=True).key == "" and advise("taro@yahoo.co.", typing=True).short == ""
    assert advise("ta[ro@x.jp").key != advise("ta]ro@x.jp").key           # other characters named
    assert advise("taro@gmial.com").key != advise("jiro@gmial.com").key    # another fix


KNOWN = sorted(email_domains.KNOWN_DOMAINS)
LOCAL_PARTS = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,14}[a-z0-9]", fullmatch=True).filter(lambda s: ".." not in s)


@settings(max_examples=150, deadline=None)
@given(LOCAL_PARTS, st.sampled_from(KNOWN))
def test_no_start_of_an_address_at_a_known_domain_gets_an_error_or_a_fix_while_typing(local, domain):
    address = f"{local}@{domain}"
    for end in range(1, len(address) + 1):
        advice = advise(address[:end], typing=True)
        assert not advice.errors and advice.suggestion is None, (address[:end], advice.messages)


# --- typo rules ------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, meant", [
    # romanisation: the same kana in other letters (ドコモ, ウェブ, ソフトバンク)
    ("dokomo.ne.jp", "docomo.ne.jp"), ("ezueb.ne.jp", "ezweb.ne.jp"), ("ezwebu.ne.jp", "ezweb.ne.jp"),
    ("softbanku.ne.jp", "softbank.ne.jp"), ("i.sofutobank.jp", "i.softbank.jp"), ("yafoo.co.jp", "yahoo.co.jp"),
    # a QWERTY neighbour
    ("xocomo.ne.jp", "docomo.ne.jp"), ("ezqeb.ne.jp", "ezweb.ne.jp"), ("softbamk.ne.jp", "softbank.ne.jp"),
    ("ymobike.ne.jp", "ymobile.ne.jp"), ("icloid.com", "icloud.com"), ("hotmaul.com", "hotmail.com"),
    # a letter too many, missed or doubled
    ("gmaill.com", "gmail.com"), ("yahooo.co.jp", "yahoo.co.jp"), ("docommo.ne.jp", "docomo.ne.jp"),
    ("gmal.com", "gmail.com"), ("ezwb.ne.jp", "ezweb.ne.jp"), ("outllok.jp", "outlook.jp"),
    # mixed-up endings
    ("docomo.co.jp", "docomo.ne.jp"), ("ezweb.co.jp", "ezweb.ne.jp"), ("gmail.co.jp", "gmail.com"),
    ("gmail.ne.jp", "gmail.com"), ("yahoo.com.jp", "yahoo.co.jp"), ("icloud.ne.jp", "icloud.com"),
    ("hotmail.ne.jp", "hotmail.co.jp"), ("outlook.co.jp", "outlook.jp"), ("softbank.co.jp", "softbank.ne.jp"),
])
def test_each_class_of_slip_gets_its_fix(typed, meant):
    advice = advise(f"taro@{typed}")
    assert advice.suggestion == f"taro@{meant}", advice.messages
    assert advise(f"taro@{typed}", typing=True).suggestion == f"taro@{meant}"   # judged on a pause too


@pytest.mark.parametrize("domain, provider", [
    *[(d, "carrier_au") for d in ("ezweb.ne.jp", "au.com", "biz.ezweb.ne.jp", "biz.au.com", "shop.biz.ezweb.ne.jp")],
    *[(d, "carrier_softbank") for d in ("softbank.ne.jp", "i.softbank.jp", "disney.ne.jp")],
    *[(f"{letter}.vodafone.ne.jp", "carrier_softbank") for letter in "dhtcrknsq"],
    *[(d, "carrier_docomo") for d in ("docomo.ne.jp", "mopera.net")],
    *[(d, "carrier_other") for d in ("ymobile.ne.jp", "yahoo.ne.jp", "pdx.ne.jp", "di.pdx.ne.jp", "wcm.ne.jp",
                                     "willcom.com", "emnet.ne.jp")],
])
def test_legacy_carrier_domains_are_that_carriers(domain, provider):
    advice = advise(f"taro@{domain}")
    assert advice.valid and advice.provider == provider and advice.suggestion is None


def slips_of(domain):
    """Every one-character deletion, doubling and neighbour swap of `domain`."""
    for i in range(len(domain)):
        yield domain[:i] + domain[i + 1:]
        yield domain[:i] + domain[i] + domain[i:]
        yield domain[:i] + domain[i + 1:i + 2] + domain[i] + domain[i + 2:]


SLIPPED = st.sampled_from(sorted({slip for target in email_domains.SLIP_TARGETS for slip in slips_of(target)}))
JUNK = st.lists(st.sampled_from(["taro", "@", ".", "..", "ｔａｒｏ", "＠", "．", "　", " ", "。", "gmial", "co",
                                 "jp", "docomo", "ne", "-", '"', "例え"]), max_size=10).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(SLIPPED.map("taro@{}".format), JUNK), st.booleans())
def test_no_suggestion_is_ever_invalid_or_the_address_as_typed(address, typing):
    suggestion = advise(address, typing=typing).suggestion
    if suggestion:
        assert is_deliverable(suggestion) and advise(suggestion).valid, (address, suggestion)
        assert suggestion != address.strip()


@pytest.mark.parametrize("typed, fixed", [("taro　@gmail.com", "taro@gmail.com"),
                                          ("ｔａ　ｒｏ＠ｇｍａｉｌ．ｃｏｍ", "taro@gmail.com"),
                                          ("ｔａ．．ｒｏ＠ｇｍａｉｌ．ｃｏｍ", None),    # ta..ro: no address
                                          ("＂ｔａ　ｒｏ＂＠ｅｘａｍｐｌｅ．ｊｐ", '"taro"@example.jp')])
def test_ideographic_spaces_never_make_a_fix_that_is_no_address(typed, fixed):
    advice = advise(typed)
    assert advice.suggestion == fixed and advice.errors[0].code == "fullwidth"


# --- the form: one short error, the long text once, the no-JS typo ---------------------------

def email_input(page):
    return re.search(r'<input[^>]* id="email" [^>]*>', page).group(0)


def test_the_field_error_is_short_and_the_long_explanation_is_said_once(client):
    agree(client)
    case2 = {**GOOD_ANSWERS, "email": "ta..ro@docomo.ne.jp", "email_confirm": "ta..ro@docomo.ne.jp"}
    page = post_form(client, "/contact/form/details", case2).get_data(as_text=True)
    short = "メールアドレスの @ より前をご確認ください"
    shown = re.sub(r'data-status="[^"]*"', "", page)   # what the status line would say: not shown
    assert shown.count(short) == 2                   # the summary's link and the field's error
    assert page.count("ケース2") == 1                 # the advice box only
    assert re.search(r'<span class="visually-hidden">エラー: </span>ケース2', page)
    assert 'aria-describedby="email-hint email-error email-advice"' in email_input(page)
    assert '<p id="email-advice-status" class="visually-hidden" role="status"></p>' in page
    assert 'aria-live' not in page.split('id="email-advice"')[1].split("</div>")[0]


def test_without_javascript_a_likely_typo_is_an_error_once_then_moves_on(client):
    agree(client)
    typo = {**GOOD_ANSWERS, "email": "taro@gmial.com", "email_confirm": "taro@gmial.com"}
    first = post_form(client, "/contact/form/details", typo)
    page = first.get_data(as_text=True)
    assert first.status_code == 422
    assert re.search(r'<a href="#email">メールアドレスをご確認ください。taro@gmail.com ではありませんか</a>', page)
    assert re.search(r"<title>エラー", page)
    assert 'name="apply_fix" value="taro@gmail.com">taro@gmail.com に修正する</button>' in page
    again = post_form(client, "/contact/form/details", {**typo, "checked_email": "taro@gmial.com"})
    assert again.status_code == 303


def test_the_fix_puts_the_customer_back_in_the_corrected_field(client):
    agree(client)
    typo = {**GOOD_ANSWERS, "email": "taro@gmial.com", "email_confirm": "taro@gmial.com"}
    page = post_form(client, "/contact/form/details", {**typo, "apply_fix": "taro@gmail.com"}).get_data(as_text=True)
    field = email_input(page)
    assert " autofocus " in field and 'value="taro@gmail.com"' in field


def advice_fragment(client, address, final):
    page = client.get("/contact/form/details").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    data = {"email": address, **({"final": "1"} if final else {})}
    return client.post("/contact/form/email-advice", data=data,
                       headers={**HX, "X-CSRFToken": token}).get_data(as_text=True)


def test_the_inline_advice_judges_a_pause_and_leaving_the_field_differently(client):
    agree(client)
    pause = advice_fragment(client, "taro@yahoo.co.", final=False)
    assert 'data-verdict=""' in pause and "message" not in pause and "apply_fix" not in pause
    left = advice_fragment(client, "taro@yahoo.co.", final=True)
    assert 'data-status="メールアドレスの @ より後ろをご確認ください"' in left and "apply_fix" not in left
