"""`flask users ...` and `flask policy ...`: accounts and policy versions from the command line."""
from datetime import datetime

from werkzeug.security import check_password_hash

from madoguchi.policy import revisions
from madoguchi.policy.store import versions as policy_store
from models import PolicyVersion, StaffAction, StaffUser

PASSWORD = "a long enough password"


def create(runner, *args, password=PASSWORD, **kwargs):
    env = {"MADOGUCHI_PASSWORD": password} if password else {}
    return runner.invoke(args=["users", "create", *args], env=env, **kwargs)


def test_users_create_takes_the_password_from_the_environment(app, runner):
    result = create(runner, "--role", "auditor", "--email", "Audit@Example.com")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = StaffUser.get(StaffUser.email == "audit@example.com")
        assert user.role == "auditor" and check_password_hash(user.password_hash, PASSWORD)
        logged = StaffAction.get(StaffAction.action == "user_created")
        assert logged.target == "audit@example.com" and PASSWORD not in logged.detail


def test_users_create_asks_for_the_password_twice_when_not_in_the_environment(app, runner):
    result = create(runner, "--role", "admin", "--email", "a@example.com", password=None,
                    input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output          # hidden input is not echoed
    mismatch = create(runner, "--role", "admin", "--email", "b@example.com", password=None,
                      input=f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n")
    assert "do not match" in mismatch.output and mismatch.exit_code == 0


def test_users_create_refuses_duplicates_short_passwords_and_unknown_roles(app, runner):
    assert create(runner, "--role", "support", "--email", "s@example.com").exit_code == 0
    duplicate = create(runner, "--role", "admin", "--email", "S@example.com")
    assert duplicate.exit_code == 1 and "exists already" in duplicate.output
    short = create(runner, "--role", "admin", "--email", "t@example.com", password="elevenchars")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    assert create(runner, "--role", "root", "--email", "u@example.com").exit_code == 2
    with app.app_context():
        assert [u.role for u in StaffUser.select()] == ["support"]


def test_users_list_and_disable(app, runner):
    create(runner, "--role", "support", "--email", "s@example.com")
    assert "s@example.com\tsupport\tactive" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "disable", "s@example.com"]).exit_code == 0
    assert "s@example.com\tsupport\tdisabled" in runner.invoke(args=["users", "list"]).output
    missing = runner.invoke(args=["users", "disable", "nobody@example.com"])
    assert missing.exit_code == 1 and "no account" in missing.output


def write_texts(tmp_path):
    (tmp_path / "v2.ja.md").write_text("# 個人情報の取扱いについて\n\n第2版の本文です。\n", encoding="utf-8")
    (tmp_path / "v2.en.md").write_text("# Handling of personal information\n\nSecond edition.\n", encoding="utf-8")
    return ["--ja", str(tmp_path / "v2.ja.md"), "--en", str(tmp_path / "v2.en.md")]


def test_policy_publish_with_a_japan_time_and_list(app, runner, tmp_path):
    texts = write_texts(tmp_path)
    result = runner.invoke(args=["policy", "publish", "--label", "2", *texts,
                                 "--effective", "2031-01-01T00:00", "--significant",
                                 "--summary", "第2版", "--summary-en", "Second edition"])
    assert result.exit_code == 0, result.output
    assert "effective 2031-01-01 00:00 JST" in result.output
    with app.app_context():
        v2 = policy_store.by_label("2")
        assert v2.effective_at == datetime(2030, 12, 31, 15, 0) and v2.significant
        assert v2.sha256_ja == revisions.sha256_text("# 個人情報の取扱いについて\n\n第2版の本文です。\n")
        assert v2.published_by.startswith("cli:") and v2.change_summary_en == "Second edition"
    lines = runner.invoke(args=["policy", "list"]).output.splitlines()
    assert lines[0].startswith("1\t2024-06-14 00:00 JST\tcurrent\t-\tja:")
    assert lines[1].startswith("2\t2031-01-01 00:00 JST\tscheduled\tsignificant\tja:" + v2.sha256_ja[:12])


def test_policy_publish_without_effective_or_with_a_past_time_takes_effect_now(app, runner, tmp_path):
    texts = write_texts(tmp_path)
    assert runner.invoke(args=["policy", "publish", "--label", "2", *texts]).exit_code == 0
    with app.app_context():
        assert policy_store.current_version().label == "2"
    result = runner.invoke(args=["policy", "publish", "--label", "3", *texts, "--effective", "2020-01-01T00:00+00:00"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert policy_store.current_version().label == "3"


def test_policy_publish_refuses_bad_input_and_changes_nothing(app, runner, tmp_path):
    texts = write_texts(tmp_path)
    for args, message in ((["--label", "1", *texts], "exists already"),
                          (["--label", "a/b", *texts], "letters, digits"),
                          (["--label", "2", *texts, "--effective", "next week"], "not an ISO 8601 time")):
        result = runner.invoke(args=["policy", "publish", *args])
        assert result.exit_code == 1 and message in result.output, result.output
    with app.app_context():
        assert PolicyVersion.select().count() == 1
