"""`flask ledger receipt SEQ`: a Kantara Consent Receipt v1.1 whose purposes and controller come from
the exact policy version the person saw, in the language they saw it in."""
import json
from datetime import datetime, timezone

from ledger_helpers import grant
from madoguchi.ledger.pseudonyms import subject_key


def receipt(runner, seq):
    result = runner.invoke(args=["ledger", "receipt", str(seq)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_receipt_names_the_version_the_time_the_person_and_the_controller(app, runner):
    app.config["PUBLIC_BASE_URL"] = "https://support.anymykuji.com"
    event = grant(app, "taro.yamada@example.jp", reference="AMK-20261124-TARO")
    shown = receipt(runner, event.seq)
    assert shown["version"] == "KI-CR-v1.1.0" and shown["jurisdiction"] == "JP"
    agreed = datetime.strptime(event.occurred_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    assert shown["consentTimestamp"] == int(agreed.timestamp())
    assert shown["piiPrincipalId"] == subject_key("taro.yamada@example.jp", "test-subject-key")
    assert shown["policyUrl"] == "https://support.anymykuji.com/privacy/1"
    assert shown["language"] == "ja" and shown["sensitive"] is False and shown["spiCat"] == []
    assert "checkbox" in shown["collectionMethod"]
    controller = shown["piiControllers"][0]
    assert controller["piiController"] == "株式会社レッグス"
    assert controller["email"] == app.config["PRIVACY_CONTACT_EMAIL"]
    assert controller["address"].startswith("〒107-0062 東京都港区南青山")
    assert controller["phone"] == "03-3408-3090"
    assert shown["ledgerEvent"]["hash"] == event.hash
    assert receipt(runner, event.seq)["consentReceiptID"] == shown["consentReceiptID"]


def test_the_purposes_are_section_2_of_the_policy_in_the_language_seen(app, runner):
    grant(app, locale="ja")
    grant(app, "hanako@example.jp", locale="en")
    japanese = receipt(runner, 1)["services"][0]["purposes"]
    english = receipt(runner, 2)["services"][0]["purposes"]
    assert len(japanese) == len(english) == 9
    assert japanese[4]["purpose"] == "お問い合わせ対応のため" and japanese[4]["primaryPurpose"] is True
    assert english[4]["purpose"] == "To respond to inquiries" and english[4]["primaryPurpose"] is True
    assert japanese[0]["consentType"] == "EXPRESSED" and "メールアドレス" in japanese[0]["piiCategory"]
    assert receipt(runner, 1)["consentReceiptID"] != receipt(runner, 2)["consentReceiptID"]


def test_an_unknown_seq_is_refused(app, runner):
    result = runner.invoke(args=["ledger", "receipt", "42"])
    assert result.exit_code == 1 and "there is no event with seq 42" in result.output
