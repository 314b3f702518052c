"""The load side of bench/bench_service.py: a customer's keep-alive HTTP connection with its cookies
(Browser), and `run_load`, which runs many of them side by side and gathers requests/s, p50 and p99
(Figures). Only the standard library, kept cheap on purpose: on a small machine the client's CPU is
taken from the servers it measures."""
import http.client
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

HIDDEN_INPUT = re.compile(r"<input\b[^>]*\btype=\"hidden\"[^>]*>")
WARM_UP_SECONDS = 0.5

@dataclass
class Answer:
    status: int
    location: str
    body: str


class Browser:
    """One customer's keep-alive connection and cookies; follows 302/303 to a GET, as browsers do.
    Kept cheap on purpose: on a small machine every microsecond here is taken from the server."""

    def __init__(self, port):
        self.port, self.cookies = port, {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.errors = 0

    def request(self, method, path, form=None, headers=None):
        sent = {"Accept-Language": "ja", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = urlencode(form) if form is not None else None
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):   # a keep-alive connection the server closed meanwhile: once more
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.status >= 400:
            self.errors += 1
        answer = Answer(response.status, response.getheader("Location") or "", text)
        if answer.status in (302, 303):
            return self.request("GET", urlsplit(answer.location).path or "/")
        return answer

    def close(self):
        self.connection.close()


def hidden_fields(page):
    fields = {}
    for tag in HIDDEN_INPUT.findall(page):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields



@dataclass
class Figures:
    name: str
    done: int = 0
    failed: int = 0
    seconds: float = 0.0
    latencies: list = field(default_factory=list)
    results: list = field(default_factory=list)

    @property
    def rate(self):
        return self.done / self.seconds if self.seconds else 0.0

    def percentile(self, p):
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def line(self, unit="req/s"):
        failed = f", {self.failed} failed" if self.failed else ""
        return (f"{self.name:<34} {self.rate:8.1f} {unit:<10} p50 {self.percentile(50):7.1f} ms"
                f"  p99 {self.percentile(99):7.1f} ms  ({self.done} in {self.seconds:.1f} s{failed})")


def run_load(name, port, concurrency, prepare, act, seconds=None, rounds=None):
    """`concurrency` threads, each with its own Browser: `prepare(browser, n)` once, then `act(browser,
    state)` again and again. With `seconds`: for WARM_UP_SECONDS (not counted), then `seconds`
    (counted: what began in them). With `rounds`: exactly `rounds` times each, all counted, the rate
    over the wall time from the first start to the last end (journeys take seconds under load, far
    longer than a window should be). `act` returns something truthy on success; every result is
    kept (journeys' references, for the checks)."""
    figures, lock = Figures(name), threading.Lock()
    ready = threading.Barrier(concurrency + 1)
    window = {}

    def customer(number):
        browser = Browser(port)
        try:
            state = prepare(browser, number)
            ready.wait()
            done_rounds = 0
            while True:
                begun = time.monotonic()
                if (rounds is not None and done_rounds == rounds) or (seconds and begun >= window["stop"]):
                    break
                done_rounds += 1
                try:
                    result = act(browser, state)
                except (OSError, http.client.HTTPException):
                    result = None
                took = time.monotonic() - begun
                with lock:
                    if result:
                        figures.results.append(result)
                    if begun >= window["start"]:
                        figures.latencies.append(took)
                        if result:
                            figures.done += 1
                        else:
                            figures.failed += 1
        finally:
            browser.close()

    threads = [threading.Thread(target=customer, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    now = time.monotonic()
    window["start"] = now + WARM_UP_SECONDS if seconds else now
    window["stop"] = window["start"] + (seconds or 0)
    ready.wait()
    for thread in threads:
        thread.join()
    figures.seconds = seconds or time.monotonic() - window["start"]
    return figures


def no_preparation(browser, number):
    return number


def get(path):
    return lambda browser, state: browser.request("GET", path).status == 200


def wait_for_port(process, port, log_file, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{Path(log_file).read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port} within {timeout} s")
