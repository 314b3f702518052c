"""The site as a service on PostgreSQL, under a real gunicorn with several workers: it boots every
time (workers run no DDL), also as the restricted application role; `flask init-db` may run in
several processes at once; pooled connections survive a restart of PostgreSQL without a restart of
the site. Uses the session's throwaway PostgreSQL (tests/servers.py)."""
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest
from peewee import OperationalError

import models
from app import create_app
from http_customer import Customer
from servers import REPO, running_site, site_environment

pytestmark = pytest.mark.postgres
WORKER_FAILURES = ("Worker failed", "exited with code", "Exception in worker", "Traceback")


def _as_role(url, role):
    """The same database, connected to as `role` (the cluster trusts loopback, no password)."""
    return url.replace("://postgres@", f"://{role}@")


def _answers_from_all_workers(site, requests=16):
    """Many requests at once, so that every worker takes some: all must be 200."""
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: Customer(site.base_url).get("/contact").status,
                                 range(requests)))
    assert statuses == [200] * requests


def _assert_healthy(site, workers):
    log = site.log()
    assert log.count("Booting worker") == workers, log
    assert site.process.poll() is None, log
    assert not [failure for failure in WORKER_FAILURES if failure in log], log


def _flask(url, *args):
    """`flask ARGS` run in this process (no interpreter to start) by a site connecting to `url`;
    returns click's result, after checking it succeeded."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "site-secret",
                      "SUBJECT_KEY": "site-subject-key", "LEDGER_KEY": "site-ledger-key"})
    try:
        result = app.test_cli_runner().invoke(args=list(args))
    finally:
        app.extensions["database"].close_all()      # the pool's connections, so none lingers
    return result


def _restricted_role_on(postgres_cluster, owner_url):
    """init-db as the owner, then a login role that owns nothing, granted what the site needs.
    Returns the role's name and its URL. (Roles are the cluster's: one per database.)"""
    role = owner_url.rsplit("/", 1)[1] + "_site"
    postgres_cluster.sql(f"DROP ROLE IF EXISTS {role}", f"CREATE ROLE {role} LOGIN")
    assert _flask(owner_url, "init-db").exit_code == 0
    granted = _flask(owner_url, "grant-app-role", role)
    assert f"{role} may now read and add to consent_event" in granted.output
    return role, _as_role(owner_url, role)


@pytest.mark.parametrize("connecting_as", ["owner", "restricted role"])
def test_four_workers_boot_five_times_in_a_row(postgres_cluster, tmp_path, connecting_as):
    url = postgres_cluster.fresh_database(f"boots_{connecting_as.replace(' ', '_')}")
    if connecting_as == "restricted role":
        _role, url = _restricted_role_on(postgres_cluster, url)
    # init-db as the site's own role: on the restricted role, the proof it runs no DDL when the
    # schema is complete (it could not).
    assert _flask(url, "init-db").exit_code == 0
    for boot in range(5):
        with running_site(tmp_path / f"boot{boot}", url, workers=4, init_db=False) as site:
            _answers_from_all_workers(site)
            if boot == 4:
                assert Customer(site.base_url).journey() is not None   # the role may do it all
            _assert_healthy(site, workers=4)


def test_init_db_in_four_processes_at_once_sets_up_once(postgres_cluster, tmp_path):
    url = postgres_cluster.fresh_database("init_at_once")
    env = site_environment(tmp_path, url)
    setups = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "init-db"], cwd=REPO,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
              for _ in range(4)]
    outputs = [setup.communicate(timeout=60)[0] for setup in setups]
    assert [setup.returncode for setup in setups] == [0] * 4, outputs
    assert sum("Database ready (created:" in output for output in outputs) == 1, outputs
    assert sum("the schema was complete" in output for output in outputs) == 3, outputs
    database = models.open_database(url)
    with database.bind_ctx([models.PolicyVersion]):
        assert [version.label for version in models.PolicyVersion.select()] == ["1"]
    database.close_all()


def test_the_restricted_role_runs_init_db_but_may_create_nothing(postgres_cluster, tmp_path):
    owner_url = postgres_cluster.fresh_database("restricted_init")
    role, url = _restricted_role_on(postgres_cluster, owner_url)
    assert _flask(url, "init-db").output.strip() == "Database ready (the schema was complete)."
    connection = psycopg2.connect(url)
    try:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege), connection.cursor() as cursor:
            cursor.execute("CREATE TABLE intruder (id integer)")
    finally:
        connection.close()
    # Publishing a policy version (an insert, then the draft's update) is within the role's rights.
    for language in ("ja", "en"):
        (tmp_path / f"v2.{language}.md").write_text(f"# v2 {language}\n\ntext\n", encoding="utf-8")
    published = _flask(url, "policy", "publish", "--label", "2",
                       "--ja", str(tmp_path / "v2.ja.md"), "--en", str(tmp_path / "v2.en.md"))
    assert published.output.startswith("published 2"), published.output
    # Granting again changes nothing; a superuser cannot be made the site's restricted role.
    assert _flask(owner_url, "grant-app-role", role).exit_code == 0
    refused = _flask(owner_url, "grant-app-role", "postgres")
    assert refused.exit_code == 1 and "postgres is a superuser" in refused.output


def test_pooled_connections_survive_a_restart_of_postgresql(postgres_cluster, tmp_path):
    url = postgres_cluster.fresh_database("restart")
    with running_site(tmp_path, url, workers=2) as site:
        before = [Customer(site.base_url).journey() for _ in range(4)]
        assert None not in before
        # Pooled: the connections stay open between requests (one per worker thread used).
        assert _connections_to(postgres_cluster, "restart") >= 1
        postgres_cluster.stop()
        postgres_cluster.start()
        # Every pooled connection is now dead; none may reach a customer, on any worker.
        with ThreadPoolExecutor(6) as pool:
            after = list(pool.map(lambda _: Customer(site.base_url).journey(), range(6)))
        assert None not in after, site.log()
        assert site.process.poll() is None


def _connections_to(postgres_cluster, name):
    return postgres_cluster.rows(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}'")[0][0]


def test_a_full_pool_is_a_database_error_after_the_wait(postgres_cluster):
    """A request that finds every pooled connection taken waits LEDGER_LOCK_TIMEOUT, then gets an
    OperationalError (which the site answers with its 503 page), not a bare ValueError."""
    database = models.open_database(postgres_cluster.fresh_database("full_pool"), lock_timeout=0.3,
                                    pool_size=1)
    held, release = threading.Event(), threading.Event()

    def hold_the_only_connection():
        database.connect()
        held.set()
        release.wait(10)
        database.close()

    holder = threading.Thread(target=hold_the_only_connection)
    holder.start()
    held.wait(10)
    try:
        with pytest.raises(OperationalError, match="pooled connections are in use"):
            database.connect()
    finally:
        release.set()
        holder.join()
    database.connect()          # free again
    database.close()
    database.close_all()


def test_a_connection_lost_during_a_request_is_not_returned_to_the_pool(postgres_cluster):
    database = models.open_database(postgres_cluster.fresh_database("lost_in_use"), pool_size=1)
    database.connect()
    backend = database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    postgres_cluster.sql(f"SELECT pg_terminate_backend({backend})")
    with pytest.raises(OperationalError), database.atomic():
        database.execute_sql("SELECT 1")
    database.close()                                    # the request's teardown
    database.connect()
    assert database.execute_sql("SELECT pg_backend_pid()").fetchone()[0] != backend
    database.close()
    database.close_all()
