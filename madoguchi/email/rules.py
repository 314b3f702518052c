"""Every message the email advisor can give: its code, level, FAQ entry and English template.

Templates are msgids (extracted through `N_`, translated when the advice is built). They follow
the seed's wording: the RFC cases are named "Case 1/2/3" (ケース1/2/3), each says what to do, and
the carrier advice gives the seed's filter settings and the two domains our mail comes from.
"""
from typing import NamedTuple


def N_(text):
    """Mark a message template for extraction (tools/translate.py); translated at runtime."""
    return text


class Rule(NamedTuple):
    code: str
    level: str                  # "error" (the form cannot go on), "warning" or "info"
    faq_anchor: str | None      # id of the FAQ entry on /faq that explains more
    template: str


# The seed's steps for au and docomo (受信拒否設定 ⇒ 解除, 迷惑メールおまかせ規制 ⇒ 規制しない,
# なりすまし規制 ⇒ 低, or a PC address). The Japanese setting names stay in the English text:
# the customer's phone shows them in Japanese.
CARRIER_STEPS = N_(
    "Mail to this %(carrier)s address may be blocked by %(carrier)s's spam filter. In your "
    "%(carrier)s mail settings, set 受信拒否設定 (refusal) to 解除 (off), 迷惑メールおまかせ規制 "
    "(automatic spam blocking) to 規制しない (do not block) and なりすまし規制 (spoofing protection) "
    "to 低 (low), and allow mail from @anymykuji.com and @hubsynch.com. If you are unsure how, "
    "%(carrier)s's website, support centre or shop can help; if it is too difficult, please use a "
    "PC email address instead.")

TEMPLATES = {
    "empty": N_("Please enter your email address."),
    "missing_at": N_("The address has no @. Please enter the whole address, for example taro@example.com."),
    "local_empty": N_(
        "There is nothing before the @. Please enter the whole address, for example taro@example.com."),
    "domain_empty": N_(
        "There is nothing after the @. Please enter the whole address, for example taro@example.com."),
    "fullwidth": N_("The address contains full-width (zenkaku) characters. Email addresses are typed "
                    "in half-width characters: %(fixed)s"),
    "rfc_case1": N_(
        "Case 1: the address has a period (.) at its start or right before @. Our mail cannot be "
        "delivered to such an address. Please check for a typo; if your address really looks like "
        "this (some older docomo and au addresses do), please use another address."),
    "rfc_case2": N_(
        "Case 2: the address has two or more periods in a row (..) before @. Our mail cannot be "
        "delivered to such an address. Please check for a typo; if your address really looks like "
        "this (some older docomo and au addresses do), please use another address."),
    "rfc_case3": N_(
        "Case 3: the part before @ contains characters that cannot be used (%(chars)s). Only "
        "half-width letters, digits and . ! # $ %% & ' * + - / = ? ^ _ { | } ~ are allowed. Please "
        "check for a typo, or use another address."),
    "rfc_case3_at": N_("Case 3: the address contains more than one @. An address has exactly one @, "
                       "as in taro@example.com. Please check what you typed."),
    "local_too_long": N_("The part before @ is %(length)d characters long; at most 64 are allowed."),
    "too_long": N_("The address is %(length)d characters long; at most 254 are allowed."),
    "missing_tld": N_(
        "The ending “.%(tld)s” does not exist, so our mail cannot arrive. Did you mean %(suggestion)s?"),
    "typo": N_("The part after @ (%(domain)s) looks like a typing slip of %(meant)s. If your address "
               "really is written this way, you can send it as it is."),
    "quoted": N_(
        "The part before @ is enclosed in double quotes (\"). We accept such an address, but some "
        "senders still cannot deliver to it. If our reply does not arrive, please use another address."),
    "free_mail": N_(
        "%(domain)s is a free mail service, which may sort our reply into the spam folder. If it "
        "does not arrive, please look in your spam folder, and allow mail from @anymykuji.com and "
        "@hubsynch.com."),
    "carrier_docomo": CARRIER_STEPS,
    "carrier_au": CARRIER_STEPS,
    # SoftBank's own names for the settings: https://www.softbank.jp/mobile/support/mail/antispam/
    "carrier_softbank": N_(
        "Mail to this SoftBank address may be blocked by SoftBank's spam filter. In My SoftBank, "
        "open the mail settings (迷惑メールブロック設定) and add @anymykuji.com and @hubsynch.com to "
        "the list of allowed senders (受信許可リスト). If it is too difficult, please use a PC email "
        "address instead."),
    "carrier_other": N_(
        "%(domain)s is a mobile carrier address. Carrier spam filters often block mail sent from "
        "PCs: in your carrier's spam filter settings, allow mail from @anymykuji.com and "
        "@hubsynch.com. If you are unsure how, your carrier's website, support centre or shop can "
        "help; if it is too difficult, please use a PC email address instead."),
    "icloud": N_(
        "iCloud addresses (@icloud.com, @me.com, @mac.com) filter mail so strictly that our reply "
        "may be deleted without even reaching the spam folder. We strongly recommend that you use "
        "another email address."),
    "allow_domains": N_("Please make sure you can receive mail from @anymykuji.com and @hubsynch.com."),
    # Problems with the part after @, by the code madoguchi.email_hosts reports.
    "domain_no_dot": N_("The part after @ (%(domain)s) is not a complete domain name: it needs a "
                        "period, as in example.com or docomo.ne.jp."),
    "domain_empty_label": N_(
        "The part after @ (%(domain)s) has a period at its start or end, or two periods in a row."),
    "domain_label_too_long": N_(
        "The part after @ (%(domain)s) has a section between periods longer than 63 characters."),
    "domain_chars": N_("The part after @ (%(domain)s) contains characters that cannot be used in a "
                       "domain name (%(chars)s). Only letters, digits, hyphens (-) and periods are "
                       "allowed."),
    "domain_hyphen": N_("In the part after @ (%(domain)s), a section between periods starts or ends "
                        "with a hyphen (-), which is not allowed."),
    "domain_hyphen_34": N_(
        "In the part after @ (%(domain)s), a section between periods has hyphens as its third and "
        "fourth characters (as in ab--cd), which is not allowed."),
    "domain_idn": N_("The part after @ (%(domain)s) is not a valid internationalised (for example "
                     "Japanese) domain name."),
    "domain_tld": N_("The part after @ (%(domain)s) ends in “%(tld)s”, which cannot be a top-level "
                     "domain: it must be letters, as in .com or .jp."),
    "domain_too_long": N_("The part after @ is longer than 253 characters, which is not allowed."),
}

# (level, FAQ entry) of each code; every code not listed is an error the typo entry explains.
KINDS = {
    "empty": ("error", None), "local_too_long": ("error", None), "too_long": ("error", None),
    "fullwidth": ("error", "faq-rfc"), "rfc_case1": ("error", "faq-rfc"),
    "rfc_case2": ("error", "faq-rfc"), "rfc_case3": ("error", "faq-rfc"),
    "rfc_case3_at": ("error", "faq-rfc"), "quoted": ("warning", "faq-rfc"),
    "typo": ("warning", "faq-typo"), "free_mail": ("warning", "faq-spam-folder"),
    "carrier_docomo": ("warning", "faq-carrier"), "carrier_au": ("warning", "faq-carrier"),
    "carrier_softbank": ("warning", "faq-carrier"), "carrier_other": ("warning", "faq-carrier"),
    "icloud": ("warning", "faq-icloud"), "allow_domains": ("info", "faq-domains"),
}

RULES = {code: Rule(code, *KINDS.get(code, ("error", "faq-typo")), template)
         for code, template in TEMPLATES.items()}

# The warning each provider gets.
PROVIDER_RULES = {provider: RULES[provider] for provider in KINDS if provider.startswith("carrier_")}
PROVIDER_RULES.update(free=RULES["free_mail"], icloud=RULES["icloud"])

# The verdict in one short sentence (GOV.UK: one short error message per field; the long
# explanation is said once, in the advice box): the field's error and the error summary's entry,
# and what the status region says when the verdict changes.
SHORT = {
    "empty": N_("Enter your email address"),
    "missing_at": N_("Enter your whole email address with its @, like taro@example.com"),
    "fullwidth": N_("Enter your email address in half-width characters"),
    "local": N_("Check the part of your email address before the @"),
    "domain": N_("Check the part of your email address after the @"),
    "too_long": N_("The email address must be 254 characters or fewer"),
    "typo": N_("Check your email address"),
    "with_fix": N_("%(problem)s. Did you mean %(suggestion)s?"),
    "quoted": N_("Address in double quotes: our reply may not arrive"),
    "free": N_("Free mail address: our reply may go to your spam folder"),
    "carrier": N_("Mobile carrier address: please allow our mail in its spam filter settings"),
    "icloud": N_("iCloud address: our reply may not arrive"),
    "ok": N_("No problem found in the email address"),
}
SHORT_KIND = {
    "empty": "empty", "missing_at": "missing_at", "fullwidth": "fullwidth", "too_long": "too_long",
    "local_empty": "local", "rfc_case1": "local", "rfc_case2": "local", "rfc_case3": "local",
    "rfc_case3_at": "local", "local_too_long": "local", "typo": "typo", "quoted": "quoted",
    "free_mail": "free", "icloud": "icloud", "allow_domains": "ok",
}


def short_template(code):
    """The short sentence of a message's kind: every domain problem and carrier has one each."""
    kind = SHORT_KIND.get(code) or ("carrier" if code.startswith("carrier_") else "domain")
    return SHORT[kind]
