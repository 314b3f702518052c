"""gunicorn's settings for madoguchi. gunicorn reads this file from the working directory;
scripts/serve starts it after `flask init-db` (the schema is set up once, before any worker runs).

Every value can be changed from the environment: HOST, PORT, WORKERS, THREADS; gunicorn itself
reads FORWARDED_ALLOW_IPS (which proxies may say the request came over https; see README).
"""
import os

from madoguchi.settings import DEFAULT_LEDGER_LOCK_TIMEOUT, DEFAULT_THREADS


def _cpus():
    """The CPUs this process may run on (a container's or taskset's limit, not the host's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# Each worker builds its own app (no preload_app), so each has its own database pool, opened after
# the fork: connections are never shared between processes.
wsgi_app = "app:create_app()"
bind = f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '5000'}"

# Workers: gunicorn's rule of thumb (2 per CPU, plus 1), capped so a big machine does not open
# more database connections than a small PostgreSQL allows (each worker pools up to THREADS + 4,
# see DATABASE_POOL_SIZE). Threads keep a worker answering while one of its requests waits on a
# slow client, on the database or on the ledger's lock.
workers = int(os.environ.get("WORKERS") or min(2 * _cpus() + 1, 8))
worker_class = "gthread"
threads = int(os.environ.get("THREADS") or DEFAULT_THREADS)

# A request waits at most LEDGER_LOCK_TIMEOUT for the ledger (then the customer gets the 503 page);
# a worker is only declared stuck well after that, so gunicorn never kills a request that was
# about to answer, and a truly stuck one is replaced.
timeout = max(30, int(6 * float(os.environ.get("LEDGER_LOCK_TIMEOUT") or DEFAULT_LEDGER_LOCK_TIMEOUT)))
graceful_timeout = 30
keepalive = 5

# No control socket (gunicorn 25+): its one default path in $HOME would be shared, and taken from
# each other, by every gunicorn of the user (two sites, the tests' several); signals do its job.
control_socket_disable = True

# The access log: no client address and no query string (they can hold personal data).
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
