"""gunicorn's settings for madoguchi. gunicorn reads this file from the working directory;
scripts/serve starts it after `flask init-db` (the schema is set up once, before any worker runs).

Every value can be changed from the environment: HOST, PORT, WORKERS, THREADS.
"""
import multiprocessing
import os

from madoguchi.settings import DEFAULT_LEDGER_LOCK_TIMEOUT

wsgi_app = "app:create_app()"
bind = f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '5000'}"

# Workers: gunicorn's rule of thumb (2 per core, plus 1), capped so a big machine does not open
# more database connections than a small PostgreSQL allows. Threads keep a worker answering while
# one of its requests waits on a slow client or on the ledger's lock.
workers = int(os.environ.get("WORKERS") or min(2 * multiprocessing.cpu_count() + 1, 8))
worker_class = "gthread"
threads = int(os.environ.get("THREADS") or 4)

# A request waits at most LEDGER_LOCK_TIMEOUT for the ledger (then the customer gets the 503 page);
# a worker is only declared stuck well after that, so gunicorn never kills a request that was
# about to answer, and a truly stuck one is replaced.
timeout = max(30, int(6 * float(os.environ.get("LEDGER_LOCK_TIMEOUT") or DEFAULT_LEDGER_LOCK_TIMEOUT)))
graceful_timeout = 30
keepalive = 5

# The access log: no client address and no query string (they can hold personal data).
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
