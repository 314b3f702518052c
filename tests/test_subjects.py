from madoguchi.ledger.pseudonyms import subject_key, truncate_ip


def test_subject_key_is_keyed_and_ignores_case_width_and_spaces():
    key = subject_key("Taro@Example.com", "k1")
    assert key == subject_key("  ｔａｒｏ＠example.COM ", "k1")
    assert key != subject_key("taro@example.com", "k2")
    assert "taro" not in key and len(key) == 64


def test_ip_addresses_are_truncated():
    assert truncate_ip("203.0.113.77") == "203.0.113.0/24"
    assert truncate_ip("2001:db8:abcd:12:1:2:3:4") == "2001:db8:abcd::/48"
    assert truncate_ip("::ffff:198.51.100.9") == "198.51.100.0/24"
    assert truncate_ip("not an ip") == ""
    assert truncate_ip(None) == ""
