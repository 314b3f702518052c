"""Consent receipts in the Kantara Initiative Consent Receipt Specification v1.1 (JSON).

`consent_receipt(event, policy_text, config)` describes one ledger event: who the controller is, which policy
version the person agreed to (its URL names the exact version), when, how, and for which purposes.
The purposes are the items of the policy's section 2 (利用目的) and the personal-data categories
those of section 1, read from the text of the version in the language the person saw, so a receipt
always says what that version said. The acknowledgement mail shows the same receipt. The caller
hands in that text (policy/store/versions.py `text_of`), so nothing here reads the database.
"""
import hashlib
import re
import uuid
from functools import lru_cache
from datetime import datetime, timezone
from urllib.parse import quote

from madoguchi.ledger import canonical
from madoguchi.policy import document as policy_text

SPEC_VERSION = "KI-CR-v1.1.0"
# The controller's registered name: what every receipt's JSON says (in any language; `ledger receipt`
# prints it), and what a Japanese mail shows. An English mail shows its English form instead
# (controller_name): only the display changes, never a receipt's JSON.
CONTROLLER = "株式会社レッグス"
CONTROLLER_NAMES = {"ja": CONTROLLER, "en": "LEGS Co., Ltd."}
# Brand names are not translated text: the service as the customer knows it in each language.
SERVICE_NAME = {"ja": "エニマイくじ お問い合わせ窓口", "en": "AnyMyKuji customer contact"}
COLLECTION_METHOD = {"web_form_checkbox": "web form: consent checkbox ticked before the inquiry"}
# The purpose the contact form collects data for is the one about inquiries (問い合わせ / inquiries).
PRIMARY_PURPOSE = re.compile(r"問い?合わ?せ|inquir", re.IGNORECASE)
PHONE = re.compile(r"\d{2,4}-\d{2,4}-\d{3,4}")
# Policy texts whose parts are kept (each mail's receipt reads its version's text): a few versions
# in two languages, far fewer than this.
TEXTS_KEPT = 16


def consent_receipt(event, text, config):
    """The receipt of a ConsentEvent (or anything with its fields) as a dict ready for JSON;
    `text` is the policy version's text in the language the person saw ("" if unknown)."""
    policy_url = f"{config['PUBLIC_BASE_URL']}/privacy/{quote(event.policy_version)}"
    categories = _list_items(text, "section-1")
    return {
        "version": SPEC_VERSION,
        "jurisdiction": "JP",
        "consentTimestamp": _epoch_seconds(event.occurred_at),
        "collectionMethod": COLLECTION_METHOD.get(event.method, event.method),
        "consentReceiptID": receipt_id(event.hash),
        "language": event.locale,
        "piiPrincipalId": event.subject_key,
        "piiControllers": [_controller(text, config)],
        "policyUrl": policy_url,
        "services": [{
            "service": SERVICE_NAME.get(event.locale, SERVICE_NAME["ja"]),
            "purposes": [_purpose(purpose, categories, policy_url)
                         for purpose in _list_items(text, "section-2")],
        }],
        "sensitive": False,
        "spiCat": [],
        # Beyond the specification: what ties this receipt to its link in the ledger.
        "ledgerEvent": {"seq": event.seq, "kind": event.kind, "hash": event.hash,
                        "policyVersion": event.policy_version,
                        "policySha256": event.policy_sha256},
    }


def controller_name(language):
    """The controller as a reader of `language` reads its name (the receipt's display in mail)."""
    return CONTROLLER_NAMES.get(language, CONTROLLER)


def purposes(text):
    """The purposes a policy text lists (the items of section 2), as a receipt names them: a mail
    shows them from the version's text in the mail's language."""
    return _list_items(text, "section-2")


def receipt_id(event_hash):
    """A UUID (version 4 layout) derived from the event's hash: the same event always has the
    same receipt ID, in the mail and on the command line alike."""
    return str(uuid.UUID(bytes=hashlib.sha256(event_hash.encode("ascii")).digest()[:16],
                         version=4))


def _epoch_seconds(occurred_at):
    moment = datetime.strptime(occurred_at, canonical.TIME_FORMAT)
    return int(moment.replace(tzinfo=timezone.utc).timestamp())


def _purpose(text, categories, policy_url):
    primary = bool(PRIMARY_PURPOSE.search(text))
    return {
        "purpose": text,
        "purposeCategory": ["Contact Requested"] if primary else [],
        "consentType": "EXPRESSED",
        "piiCategory": categories,
        "primaryPurpose": primary,
        "termination": f"{policy_url}#section-3",
        "thirdPartyDisclosure": False,
    }


def _section_lists(blocks, section_id):
    """The top-level lists of the `##` section with that id."""
    in_section, lists = False, []
    for block in blocks:
        if isinstance(block, policy_text.Heading) and block.level == 2:
            in_section = block.id == section_id
        elif in_section and isinstance(block, policy_text.ListBlock):
            lists.append(block)
    return lists


def _list_items(text, section_id):
    """The first line of every item of the section's lists: "1. …" → "…"."""
    return list(_text_parts(text)[section_id])


@lru_cache(maxsize=TEXTS_KEPT)
def _text_parts(text):
    """What receipts read from a policy text, parsed once per text (the text itself is the key, so
    nothing but that very text is ever described from it): the first line of each list item of
    sections 1 and 2, and the lines of section 3's contact item (the one that holds the privacy
    email token), each as a tuple of strings."""
    blocks = policy_text.parse(text)
    parts = {section_id: tuple(item.parts[0] for block in _section_lists(blocks, section_id)
                               for item in block.items if item.parts and isinstance(item.parts[0], str))
             for section_id in ("section-1", "section-2")}
    contact_lines = ()
    for block in _section_lists(blocks, "section-3"):
        for item in block.items:
            lines = tuple(part for part in item.parts if isinstance(part, str))
            if any(policy_text.CONTACT_EMAIL_TOKEN in line for line in lines):
                contact_lines = lines
    parts["contact"] = contact_lines
    return parts


def _controller(text, config):
    """Name, contact, address and phone from the policy's contact item (section 3, the item that
    holds the privacy email token); the email itself is a setting."""
    lines = _text_parts(text)["contact"]
    contact = lines[1] if len(lines) > 1 else ""
    address = lines[2] if len(lines) > 2 else ""
    phone = next((PHONE.search(line).group(0) for line in lines if PHONE.search(line)), "")
    return {"piiController": CONTROLLER, "onBehalf": False, "contact": contact,
            "address": address, "email": config["PRIVACY_CONTACT_EMAIL"], "phone": phone,
            "piiControllerUrl": config["PUBLIC_BASE_URL"]}
