"""The load side of bench/bench_service.py: a customer's keep-alive HTTP connection with its cookies
(Browser), `run_load`, which runs many of them side by side and gathers requests/s, p50 and p99
(Figures), and `Paired`, one figure measured in rounds, each round next to a slice of the floor.
Only the standard library, kept cheap on purpose: on a small machine the client's CPU is taken
from the servers it measures."""
import http.client
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
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
    """The hidden inputs of a page's forms (CSRF token, step state), as a form to send back."""
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


@dataclass
class Paired:
    """One figure measured in rounds, each round's slice right next to a slice of the floor, so both
    see the same moment of a shared, noisy machine; a round's ratio is its rate over the floor's."""
    name: str
    floor_name: str
    unit: str = "req/s"
    mine: list = field(default_factory=list)
    floors: list = field(default_factory=list)

    def add(self, mine, floor):
        self.mine.append(mine)
        self.floors.append(floor)

    @property
    def ratios(self):
        return [m.rate / f.rate if f.rate else 0.0 for m, f in zip(self.mine, self.floors)]

    @property
    def ratio(self):
        return statistics.median(self.ratios) if self.mine else 0.0

    @property
    def failed(self):
        return sum(figures.failed for figures in self.mine)

    @property
    def results(self):
        return [result for figures in self.mine for result in figures.results]

    def lines(self):
        """The median rate and the pooled p50/p99 of both sides, then the ratio: median (min-max)."""
        ratios = self.ratios
        return [summary(self.name, self.mine, self.unit),
                summary(f"  next to {self.floor_name}", self.floors, self.unit)
                + f"   ratio {self.ratio:4.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"]


def summary(name, slices, unit):
    """Median rate over the slices, p50 and p99 over all their requests pooled, failures summed."""
    pooled = Figures(name, latencies=[t for figures in slices for t in figures.latencies])
    failed = sum(figures.failed for figures in slices)
    rate = statistics.median(figures.rate for figures in slices)
    return (f"{name:<36} {rate:8.1f} {unit:<10} p50 {pooled.percentile(50):7.1f} ms  p99 "
            f"{pooled.percentile(99):7.1f} ms  ({len(slices)} rounds"
            + (f", {failed} failed)" if failed else ")"))


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


def slice_pair(round_number, floor, mine):
    """Two slices back to back (run_load's keyword arguments), the floor first in even rounds and
    last in odd ones, so a machine speeding up or slowing down favours neither side."""
    if round_number % 2:
        mine_figures = run_load(**mine)
        return mine_figures, run_load(**floor)
    floor_figures = run_load(**floor)
    return run_load(**mine), floor_figures


def no_preparation(browser, number):
    return number


def get(path):
    return lambda browser, state: browser.request("GET", path).status == 200
