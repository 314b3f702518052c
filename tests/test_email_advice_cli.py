"""`flask --app app email-advice`: what support staff see for a customer's address."""
import json

KEYS = ["input", "normalized", "valid", "rfc_case", "quoted", "provider", "suggestion", "fullwidth", "messages"]


def json_lines(runner, *args):
    result = runner.invoke(args=["email-advice", "--json", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_json_gives_one_object_per_address_in_order_with_exactly_the_issue_keys(runner):
    addresses = ["ta..ro@docomo.ne.jp", "ｔａｒｏ＠ｇｍａｉｌ．ｃｏｍ", "hanako@yahoo.co.jo", "x@icloud.com",
                 '"ta..ro"@example.com', "taro"]
    objects = json_lines(runner, "--lang", "en", *addresses)
    assert [o["input"] for o in objects] == addresses
    assert all(list(o) == KEYS for o in objects)
    assert all(list(m) == ["level", "code", "text"] for o in objects for m in o["messages"])
    case2, fullwidth, typo, icloud, quoted, no_at = objects
    assert case2["valid"] is False and case2["rfc_case"] == 2 and case2["provider"] == "carrier_docomo"
    assert [m["code"] for m in case2["messages"]] == ["rfc_case2", "carrier_docomo"]
    assert case2["messages"][0]["text"].startswith("Case 2:")
    assert fullwidth["fullwidth"] is True and fullwidth["suggestion"] == "taro@gmail.com"
    assert fullwidth["normalized"] == "taro@gmail.com"
    assert typo["valid"] is True and typo["suggestion"] == "hanako@yahoo.co.jp"
    assert icloud["provider"] == "icloud" and icloud["messages"][0]["level"] == "warning"
    assert quoted["quoted"] is True and quoted["valid"] is True and quoted["rfc_case"] is None
    assert no_at["messages"][0] == {"level": "error", "code": "missing_at",
                                    "text": "The address has no @. Please enter the whole address, "
                                            "for example taro@example.com."}


def test_japanese_is_the_default_language(runner):
    case2, carrier = json_lines(runner, "ta..ro@docomo.ne.jp")[0]["messages"]
    assert case2["text"].startswith("ケース2:")
    assert "「迷惑メールおまかせ規制 ⇒ 規制しない」" in carrier["text"]


def test_the_summary_reads_at_a_glance_and_advice_is_not_failure(runner):
    result = runner.invoke(args=["email-advice", "--lang", "en", "ta..ro@docomo.ne.jp", " hanako@gmial.com"])
    assert result.exit_code == 0
    first, second = result.output.strip().split("\n\n")
    assert first.splitlines()[:2] == ["ta..ro@docomo.ne.jp",
                                      "  Can receive our mail: no · RFC case: 2 · Provider: carrier_docomo"]
    assert "  error [rfc_case2] Case 2:" in first and "  warning [carrier_docomo] Mail to this docomo" in first
    assert "  Normalized: hanako@gmial.com" in second and "  Suggestion: hanako@gmail.com" in second


def test_the_summary_speaks_japanese_for_japanese_staff(runner):
    result = runner.invoke(args=["email-advice", "x@icloud.com"])
    assert "当社メールの受信: 可 · 種別: icloud" in result.output
    assert "警告 [icloud] iCloud関連のメールアドレス" in result.output


def test_an_address_is_required(runner):
    result = runner.invoke(args=["email-advice"])
    assert result.exit_code == 2 and "ADDRESSES" in result.output
