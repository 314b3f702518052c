"""Real servers the tests start on loopback and stop again: a throwaway PostgreSQL cluster and the
site itself under gunicorn (the same gunicorn.conf.py that scripts/serve uses)."""
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Hashing staff passwords with scrypt costs ~0.1 s each; the tests' accounts need no strength.
TEST_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
# The tests (and bench/bench_service.py, which starts its sites with site_environment) post forms
# at once and send many inquiries from one address to one recipient: no minimum fill time, and
# limits far above what they send. tests/test_limits*.py and test_honeypot.py set their own.
TEST_ABUSE_SETTINGS = {
    "INQUIRY_MIN_FILL_SECONDS": 0, "INQUIRY_LIMIT_PER_CLIENT": "100000 per hour",
    "INQUIRY_LIMIT_PER_RECIPIENT": "100000 per hour", "EMAIL_ADVICE_LIMIT_PER_CLIENT": "100000 per minute",
    "STAFF_LOGIN_LIMIT_PER_CLIENT": "100000 per minute", "STAFF_LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bin():
    """The folder of PostgreSQL's server programs (initdb, pg_ctl), or None when not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def as_postgres(command):
    """PostgreSQL refuses to run as root; a root test run starts it as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresServer:
    """A fresh cluster in a temporary folder, listening on 127.0.0.1 at a free port; `url` is the
    superuser's base URL (append "/dbname"). It can be stopped and started again, as an outage."""

    def __init__(self):
        self.bin_dir = postgres_bin()
        self.workdir = tempfile.mkdtemp(prefix="madoguchi-pg-")
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres", "postgres")
        self.data, self.port = os.path.join(self.workdir, "data"), free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"
        subprocess.run(as_postgres([f"{self.bin_dir}/initdb", "-D", self.data, "-U", "postgres",
                                    "--auth=trust", "-E", "UTF8", "--no-locale"]),
                       check=True, capture_output=True)

    def _pg_ctl(self, *args, check=True):
        return subprocess.run(as_postgres([f"{self.bin_dir}/pg_ctl", "-D", self.data, *args]),
                              check=check, capture_output=True)

    def start(self):
        self._pg_ctl("-l", f"{self.workdir}/log", "-w", "-o",
                     f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -F "
                     "-c max_connections=200", "start")

    def stop(self, mode="fast"):
        self._pg_ctl("-m", mode, "-w", "stop", check=False)

    def sql(self, *statements, database="postgres"):
        """Run statements as the superuser, each in its own transaction (autocommit)."""
        import psycopg2

        connection = psycopg2.connect(f"{self.url}/{database}")
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        finally:
            connection.close()

    def rows(self, statement, database="postgres"):
        """The rows a query returns, run as the superuser."""
        import psycopg2

        connection = psycopg2.connect(f"{self.url}/{database}")
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchall()
        finally:
            connection.close()

    def fresh_database(self, name):
        """An empty database `name` (dropped first if it exists); returns its superuser URL."""
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        return f"{self.url}/{name}"

    def remove(self):
        self.stop("immediate")
        shutil.rmtree(self.workdir, ignore_errors=True)


@contextmanager
def running_postgres():
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.remove()


def site_environment(folder, database_url, **settings):
    """The environment of a site process: fixed test keys, its own folders, then `settings`."""
    return dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="site-secret",
                SUBJECT_KEY="site-subject-key", LEDGER_KEY="site-ledger-key",
                MAIL_SINK_DIR=str(Path(folder) / "mail"), PASSWORD_HASH_METHOD=TEST_PASSWORD_HASH_METHOD,
                LEDGER_ANCHOR_PATH=str(Path(folder) / "ledger-anchors.log"),
                FLASK_DEBUG="0", PYTHONUNBUFFERED="1",
                **{k: str(v) for k, v in {**TEST_ABUSE_SETTINGS, **settings}.items()})


def flask_command(env, *args, check=True, timeout=120):
    """`flask --app app ARGS` in the repository with `env`; returns the finished process."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout, check=check)


class RunningSite:
    """The site under gunicorn: its address, environment, process and log."""

    def __init__(self, port, env, process, log_file):
        self.port, self.env, self.process, self.log_file = port, env, process, log_file
        self.base_url = f"http://127.0.0.1:{port}"

    def url(self, path):
        return self.base_url + path

    def flask(self, *args, extra_env=None, check=True):
        return flask_command(dict(self.env, **(extra_env or {})), *args, check=check)

    def log(self):
        return Path(self.log_file).read_text(errors="replace")


def wait_until_listening(process, port, log_file, timeout=30.0, host="127.0.0.1"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the site exited with {process.returncode}:\n{Path(log_file).read_text()}")
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the site did not answer on port {port} within {timeout} s:\n{Path(log_file).read_text()}")


@contextmanager
def running_site(folder, database_url, workers=2, init_db=True, **settings):
    """`flask init-db`, then gunicorn with gunicorn.conf.py and `workers` workers, as scripts/serve
    does (without the install step). Extra keyword arguments become the site's settings."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    port, log_file = free_port(), folder / f"gunicorn-{time.monotonic_ns()}.log"
    env = site_environment(folder, database_url, HOST="127.0.0.1", PORT=port, WORKERS=workers,
                           PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", **settings)
    if init_db:
        flask_command(env, "init-db")
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
    with serving(command, env, port, log_file) as process:
        yield RunningSite(port, env, process, log_file)


@contextmanager
def serving(command, env, port, log_file, cwd=REPO, start_timeout=30.0):
    """A server process started with `command`, once it listens on `port` of loopback; stopped with
    SIGTERM as an operator would (killed when it does not stop within 30 s)."""
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "w") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_listening(process, port, log_file, timeout=start_timeout)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running_redis():
    """A throwaway redis-server on loopback at a free port, nothing saved to disk; yields its URL
    (redis://127.0.0.1:PORT), or None when redis-server is not installed."""
    if shutil.which("redis-server") is None:
        yield None
        return
    port, workdir = free_port(), tempfile.mkdtemp(prefix="madoguchi-redis-")
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", workdir]
    try:
        with serving(command, os.environ, port, os.path.join(workdir, "redis.log"), cwd=workdir):
            yield f"redis://127.0.0.1:{port}"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
