"""In Chromium with JavaScript: a person who fills the details faster than the minimum fill time is
asked to send again and gets on by clicking once more; an inquiry over the per-recipient limit
shows the 429 message above the confirm step, which stays as it was."""
import pytest
from playwright.sync_api import expect

from servers import running_site

pytestmark = pytest.mark.browser

SEND_AGAIN = "入力内容をご確認のうえ、もう一度送信してください。"
TOO_MANY = "リクエストの回数が上限を超えました"
FILL_SECONDS = 2


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("limits-site")
    # One worker: memory:// counts per worker (tests/test_limits_service.py shares them via Redis).
    with running_site(folder, f"sqlite:///{folder / 'site.sqlite3'}", workers=1, OUTBOX_SEND_IMMEDIATELY=0,
                      INQUIRY_MIN_FILL_SECONDS=FILL_SECONDS, INQUIRY_LIMIT_PER_RECIPIENT="1 per hour") as running:
        yield running


def fill_details(page, site):
    page.goto(site.url("/contact/form"))
    page.locator("#agree").check()
    page.get_by_role("button", name="同意して進む").click()
    page.locator("#name").fill("山田 太郎")
    page.locator("#email").fill("taro@example.jp")
    page.locator("#email_confirm").fill("taro@example.jp")
    page.locator("#category").select_option("prizes")
    page.locator("#message").fill("賞品がまだ届きません。")


def continue_(page):
    page.get_by_role("button", name="次へ進む", exact=True).click()


def test_too_quick_then_again_and_the_second_inquiry_to_one_address_refused_in_place(site, open_page, screenshot):
    page = open_page("ja")
    fill_details(page, site)
    continue_(page)                             # far sooner than FILL_SECONDS after the page came
    expect(page.locator("#main")).to_contain_text(SEND_AGAIN)
    expect(page.locator("#name")).to_have_value("山田 太郎")
    page.wait_for_timeout(FILL_SECONDS * 1000)
    continue_(page)                             # the same button, a little later
    page.get_by_role("button", name="送信する", exact=True).click()
    expect(page.locator("#main")).to_contain_text("AMK-")

    fill_details(page, site)                    # the next inquiry to the same address
    page.wait_for_timeout(FILL_SECONDS * 1000)
    continue_(page)
    send = page.get_by_role("button", name="送信する", exact=True)
    send.click()
    problem = page.locator("#request-error #problem")
    expect(problem).to_contain_text(TOO_MANY)
    expect(problem).to_contain_text("お問合せはまだ送信されていません。")
    expect(problem).to_be_focused()
    expect(send).to_be_enabled()                # the confirm step is still there
    screenshot(page, "limits-429-in-place-ja")
