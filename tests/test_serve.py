"""`./scripts/serve`, the README's first command: it sets the schema up, then serves under gunicorn
with the repository's gunicorn.conf.py, honouring HOST, PORT, WORKERS, DATABASE_URL and
MAIL_SERVER/MAIL_PORT. Runs the script itself, reusing the repository's .venv (its install step
then finds everything in place)."""
import subprocess
import time

import pytest
from http_customer import Customer
from servers import REPO, free_port, site_environment, wait_until_listening


@pytest.mark.skipif(not (REPO / ".venv" / "bin" / "python").exists(),
                    reason="scripts/serve installs into .venv; run scripts/install-test-deps first")
def test_scripts_serve_runs_gunicorn_with_the_settings_given(tmp_path, smtp_sink):
    port, log_file = free_port(), tmp_path / "serve.log"
    # 127.0.0.2 (loopback too, on Linux) rather than the default 127.0.0.1: HOST is honoured.
    env = site_environment(tmp_path, f"sqlite:///{tmp_path / 'site.sqlite3'}", HOST="127.0.0.2",
                           PORT=port, WORKERS=3, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port)
    with open(log_file, "w") as log:
        serve = subprocess.Popen([str(REPO / "scripts" / "serve")], cwd=tmp_path, env=env,
                                 stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_listening(serve, port, log_file, host="127.0.0.2", timeout=120)
        customer = Customer(f"http://127.0.0.2:{port}")
        assert customer.get("/contact").status == 200
        assert customer.journey() is not None
        deadline = time.monotonic() + 15
        while not smtp_sink.messages and time.monotonic() < deadline:
            time.sleep(0.1)
        assert smtp_sink.messages, "no mail reached MAIL_SERVER:MAIL_PORT"
    finally:
        serve.terminate()
        serve.wait(timeout=30)
    log = log_file.read_text()
    assert "Database ready" in log                      # init-db ran before gunicorn
    assert f"Listening at: http://127.0.0.2:{port}" in log
    assert "Using worker: gthread" in log
    assert log.count("Booting worker") == 3
    assert "development server" not in log
