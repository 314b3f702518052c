"""Walking the inquiry form as a browser without JavaScript would: GET, then POST with the token."""
import re

GOOD_ANSWERS = {
    "name": "山田 太郎", "email": "taro.yamada@example.jp", "email_confirm": "taro.yamada@example.jp",
    "phone": "090-1234-5678", "category": "prizes", "order_number": "A-10023",
    "message": "当選した賞品がまだ届きません。\n発送状況を教えてください。",
}


def token_of(page):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def post_form(client, path, data, **kwargs):
    page = client.get(path, **kwargs).get_data(as_text=True)
    return client.post(path, data={"csrf_token": token_of(page), **data}, **kwargs)


def agree(client, **kwargs):
    page = client.get("/contact/form", **kwargs).get_data(as_text=True)
    version = re.search(r'name="policy_version" type="hidden" value="([^"]*)"', page).group(1)
    return client.post("/contact/form", data={"csrf_token": token_of(page), "agree": "y",
                                              "policy_version": version}, **kwargs)


def send_inquiry(client, answers=None, **kwargs):
    """Consent, details, confirm, send; returns the final response (the redirect to done)."""
    agree(client, **kwargs)
    post_form(client, "/contact/form/details", answers or GOOD_ANSWERS, **kwargs)
    return post_form(client, "/contact/form/confirm", {}, **kwargs)
