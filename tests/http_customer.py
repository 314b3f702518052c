"""A customer walking the inquiry form over real HTTP, as a browser without JavaScript does (plain
form posts, cookies, redirects followed). Used against the site under gunicorn by the service tests
and by bench/bench_service.py. Standard library only."""
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

from inquiry_helpers import GOOD_ANSWERS


class Answer:
    def __init__(self, status, url, headers, text):
        self.status, self.url, self.headers, self.text = status, url, headers, text


class Customer:
    """One browser: its own cookie jar, talking to the site at `base_url`."""

    def __init__(self, base_url, language="ja", timeout=30):
        self.base_url, self.timeout = base_url.rstrip("/"), timeout
        self.headers = {"Accept-Language": language}
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, method, path, data=None, headers=None):
        """One request (redirects followed); any status comes back as an Answer, never raises."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, method=method,
                                         headers={**self.headers, **(headers or {})})
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return Answer(response.status, response.url, response.headers,
                              response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.url, error.headers, error.read().decode("utf-8", "replace"))

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        return self.request("POST", path, data=data, **kwargs)

    def form_fields(self, path):
        """(page, {hidden field: value}) of the form at `path`: the CSRF token and the like."""
        page = self.get(path)
        hidden = dict(re.findall(r'name="([^"]+)" type="hidden" value="([^"]*)"', page.text))
        return page, hidden

    def agree(self):
        _page, hidden = self.form_fields("/contact/form")
        return self.post("/contact/form", {**hidden, "agree": "y"})

    def fill_details(self, answers=None):
        _page, hidden = self.form_fields("/contact/form/details")
        return self.post("/contact/form/details", {**hidden, **(answers or GOOD_ANSWERS)})

    def confirm_fields(self):
        """The hidden fields of the confirm step's form (CSRF token, one-time key)."""
        return self.form_fields("/contact/form/confirm")[1]

    def send(self, fields=None):
        """Post the confirm step; returns the answer (the done page after the redirect)."""
        return self.post("/contact/form/confirm", fields or self.confirm_fields())

    def journey(self, answers=None):
        """The whole form: consent, details, confirm, done. Returns the reference shown, or None."""
        self.agree()
        self.fill_details(answers)
        done = self.send()
        return reference_on(done.text) if done.status == 200 else None


def reference_on(page):
    """The inquiry reference shown on a page (AMK-YYYYMMDD-XXXX), or None."""
    found = re.search(r"AMK-\d{8}-[0-9A-Z]{4,}", page)
    return found.group(0) if found else None
