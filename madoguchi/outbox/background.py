"""One background sender per app and process, woken when mail is queued.

A thread per inquiry piled up behind a hung SMTP server (dozens per worker). Here a wake-up while
the sender is busy only asks for one more run afterwards, so however many inquiries arrive there is
at most one thread, and mail queued during a run is delivered by the next. The thread ends after a
while with nothing to do and the next wake-up starts it again, so idle apps hold no thread.
Retrying later is not its job: `flask outbox send --loop` does that on a schedule.
"""
import threading

THREAD_NAME = "outbox-delivery"


class BackgroundSender:
    """Runs `deliver()` in its thread whenever woken; `deliver` must handle its own errors."""

    def __init__(self, deliver, idle_seconds=60.0):
        self._deliver, self._idle_seconds = deliver, idle_seconds
        self._wanted = threading.Event()      # set: run (again) as soon as possible
        self._lock = threading.Lock()         # guards starting and ending the thread
        self._thread = None

    def wake(self):
        """Ask for a run soon; never blocks and never starts a second thread."""
        with self._lock:
            self._wanted.set()
            if self._thread is None or not self._thread.is_alive():   # not alive: e.g. after a fork
                self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
                self._thread.start()

    def _run(self):
        while True:
            if not self._wanted.wait(self._idle_seconds):
                with self._lock:
                    if not self._wanted.is_set():   # nobody woke us while we decided to stop
                        self._thread = None
                        return
            self._wanted.clear()
            self._deliver()
