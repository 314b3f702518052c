"""The mail domains the email advisor knows, each list with the sources it was built from.

Only domains with a source or a stated reason are listed. The advisor uses them three ways:
which provider an address belongs to (for the seed's delivery advice), which domains a typo is
corrected *to*, and which real domains are never "corrected" *away*.
"""

# --- Japanese mobile carriers -------------------------------------------------------------
# Sources:
#   jpmobile/jpmobile lib/jpmobile/mobile/docomo.rb, au.rb, softbank.rb, vodafone.rb,
#     willcom.rb, emobile.rb (MAIL_ADDRESS_REGEXP of each carrier class)
#   https://ahamo.com/column/column63/index.html (NTT docomo: the carrier-mail domains of
#     docomo, au, SoftBank, Rakuten Mobile, UQ mobile and Y!mobile)
#   https://faq.restaurant-board.airregi.jp/hc/ja/articles/360005174434 (Airレジ: carrier
#     domains incl. @biz.au.com, **.biz.ezweb.ne.jp, the vodafone and disney domains)
#   https://www.dekyo.or.jp/soudan/contents/taisaku/2-4au-details.html (迷惑メール相談センター:
#     the carriers au's "携帯/PHSのみ受信" counts as mobile: incl. Y!mobile and UQ mobile)
DOCOMO_DOMAINS = frozenset({
    "docomo.ne.jp",
    # mopera U, docomo's own internet service, still hands out @mopera.net addresses (from memory:
    # docomo's mopera U pages; not in the seed).
    "mopera.net",
})

AU_DOMAINS = frozenset({
    "ezweb.ne.jp", "au.com", "biz.ezweb.ne.jp", "biz.au.com",
})

SOFTBANK_DOMAINS = frozenset({
    "softbank.ne.jp", "i.softbank.jp", "disney.ne.jp",
    # Vodafone-era SoftBank addresses, still delivered by SoftBank (jpmobile vodafone.rb)
    "d.vodafone.ne.jp", "h.vodafone.ne.jp", "t.vodafone.ne.jp", "c.vodafone.ne.jp",
    "r.vodafone.ne.jp", "k.vodafone.ne.jp", "n.vodafone.ne.jp", "s.vodafone.ne.jp",
    "q.vodafone.ne.jp",
})

# Other carriers' mail: Y!mobile (yahoo.ne.jp, ymobile.ne.jp — ahamo column; yayaue.space/ymail),
# UQ mobile, Rakuten Mobile (ahamo column), the former EMOBILE and WILLCOM (jpmobile).
OTHER_CARRIER_DOMAINS = frozenset({
    "ymobile.ne.jp", "yahoo.ne.jp", "y-mobile.ne.jp", "ymobile1.ne.jp",
    "uqmobile.jp", "rakumail.jp",
    "emnet.ne.jp", "emobile.ne.jp", "emobile-s.ne.jp",
    "pdx.ne.jp", "willcom.com", "wcm.ne.jp",
})

# Carriers that hand out addresses on per-user or per-company subdomains
# (xxx.biz.ezweb.ne.jp for au business, xx.pdx.ne.jp for WILLCOM — Airレジ FAQ; jpmobile willcom.rb).
CARRIER_PARENT_DOMAINS = {
    "ezweb.ne.jp": "carrier_au",
    "pdx.ne.jp": "carrier_other",
}

# --- Apple iCloud ----------------------------------------------------------------------------
# https://support.apple.com/HT201771 (iCloud: about @icloud.com, @me.com and @mac.com addresses)
ICLOUD_DOMAINS = frozenset({"icloud.com", "me.com", "mac.com"})

# --- Free mail ---------------------------------------------------------------------------------
# The seed names Yahoo!メール and Gmail. Sources for the rest:
#   mailcheck/mailcheck src/mailcheck.js (defaultDomains: the big international providers)
#   Nofated095/blog-hugo content/draft/outlook-cctld.md (Outlook.com's Japanese domain outlook.jp)
#   azooKey/AzooKeyKanaKanjiConverter EmailAddress.swift (the domains its keyboard completes:
#     yahoo.co.jp, hotmail.co.jp, live.jp, outlook.jp, excite.co.jp, …)
#   Thunderbird's ISPDB entry for hotmail.com (hotmail.co.jp among Microsoft's domains)
#   https://free-homepage.jp/column/ (Gmail, Yahoo!メール, Outlook as the common free services)
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com",
    "yahoo.co.jp", "ymail.ne.jp", "yahoo.com", "ymail.com", "rocketmail.com",
    "outlook.jp", "outlook.com", "hotmail.co.jp", "hotmail.com", "live.jp", "live.com", "msn.com",
    "aol.jp", "aol.com", "excite.co.jp", "infoseek.jp", "mail.goo.ne.jp",
    "gmx.com", "mail.com", "qq.com", "zoho.com", "proton.me", "protonmail.com",
})

PROVIDER_BY_DOMAIN = {
    **dict.fromkeys(FREE_MAIL_DOMAINS, "free"),
    **dict.fromkeys(DOCOMO_DOMAINS, "carrier_docomo"),
    **dict.fromkeys(AU_DOMAINS, "carrier_au"),
    **dict.fromkeys(SOFTBANK_DOMAINS, "carrier_softbank"),
    **dict.fromkeys(OTHER_CARRIER_DOMAINS, "carrier_other"),
    **dict.fromkeys(ICLOUD_DOMAINS, "icloud"),
}

# --- Real domains that must never be "corrected" --------------------------------------------
# Japanese ISP mail domains (so-net, OCN, BIGLOBE, …) and the real domains one typing slip away
# from a correction target (email.com next to gmail.com, cloud.com next to icloud.com, live.cn;
# hotmail.co.uk and yahoo.co.uk from mailcheck's first default list). ISP list: the Japanese additions of a public free-mail
# list (HubSpot free-domains-2.csv + "Additional domains") and the ahamo/Airレジ pages above.
OTHER_REAL_DOMAINS = frozenset({
    "nifty.com", "ocn.ne.jp", "biglobe.ne.jp", "so-net.ne.jp", "plala.or.jp", "ybb.ne.jp",
    "dion.ne.jp", "auone-net.jp", "eonet.ne.jp", "commufa.jp", "zaq.ne.jp", "jcom.zaq.ne.jp",
    "jcom.home.ne.jp", "asahi-net.or.jp", "dti.ne.jp", "hi-ho.ne.jp", "bbiq.jp", "odn.ne.jp",
    "kcn.ne.jp", "megaegg.ne.jp", "pikara.ne.jp", "mineo.jp", "iij4u.or.jp",
    "email.com", "cloud.com", "live.cn", "hotmail.co.uk", "yahoo.co.uk", "outlook.kr",
})

KNOWN_DOMAINS = frozenset(PROVIDER_BY_DOMAIN) | OTHER_REAL_DOMAINS

# --- Typo correction -----------------------------------------------------------------------
# The domains a mistyped domain may be corrected to: the providers our customers use most,
# most popular first (on a tie, the first wins). Only domains of 9+ characters: shorter ones
# (au.com, me.com, live.jp) sit one slip away from too many real domains.
SLIP_TARGETS = (
    "docomo.ne.jp", "ezweb.ne.jp", "gmail.com", "yahoo.co.jp", "i.softbank.jp", "softbank.ne.jp",
    "icloud.com", "outlook.jp", "outlook.com", "hotmail.co.jp", "hotmail.com", "yahoo.ne.jp",
    "ymobile.ne.jp", "uqmobile.jp", "rakumail.jp", "yahoo.com", "googlemail.com", "nifty.com",
    "biglobe.ne.jp",
)

# Endings customers mix up: .jp's second levels (co.jp companies, ne.jp network services, or.jp
# organisations — JPRS, https://jprs.jp/about/dom-rule/; com.jp and net.jp do not exist), the bare
# .jp, and .com. "docomo.co.jp" is docomo.ne.jp, "gmail.co.jp" is gmail.com (Gmail addresses exist
# only at gmail.com and googlemail.com; iCloud ones only at Apple's three domains, HT201771).
# Longest first: an ending is matched from the end of the domain.
MIXED_ENDINGS = ("com.jp", "net.jp", "co.jp", "ne.jp", "or.jp", "jp", "com")

# Endings that are no top-level domain at all (checked against the IANA root zone list,
# https://data.iana.org/TLD/tlds-alpha-by-domain.txt; tests re-check them against the copy
# vendored by hypothesis) mapped to the ending that was meant. Mail to them cannot arrive.
MISSING_TLD_FIXES = {
    "con": "com", "cpm": "com", "cmo": "com", "ocm": "com", "comm": "com", "coom": "com",
    "cim": "com", "vom": "com", "xom": "com",
    "pj": "jp", "jpp": "jp", "jpn": "jp", "ja": "jp",
}

# Japanese second-level endings with ".jp" slipped to ".jo" (o is next to p). .jo is Jordan,
# whose registry has no co./ne./or./ac./go. second level (com.jo, net.jo, org.jo, edu.jo, …:
# https://en.wikipedia.org/wiki/.jo), so these are almost surely meant as .jp — a suggestion only.
JP_ENDING_SLIPS = {
    "co.jo": "co.jp", "ne.jo": "ne.jp", "or.jo": "or.jp", "ac.jo": "ac.jp", "go.jo": "go.jp",
}
