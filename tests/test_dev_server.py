"""`frontdoor run`, the development server `make run` starts: no `Server` header naming Werkzeug and Python."""

from __future__ import annotations

import urllib.request

from portal.cli import cli
from tests.browser_support import LiveServer


def served_headers(app, request_handler=None) -> dict[str, str]:
    server = LiveServer(app, request_handler).start()
    try:
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=30) as response:
            return dict(response.headers)
    finally:
        server.stop()


def test_frontdoor_run_serves_without_a_server_version_header(app, monkeypatch):
    started: dict = {}

    def run_simple(host, port, wsgi, **options) -> None:
        started.update(host=host, port=port, app=wsgi, **options)

    monkeypatch.setattr("werkzeug.serving.run_simple", run_simple)
    monkeypatch.setattr("flask.cli.run_simple", run_simple)  # Flask's own `run` uses its copy: never serve here
    result = app.test_cli_runner().invoke(cli, ["run", "--port", "5999", "--no-reload"])
    assert result.exit_code == 0, result.output
    assert (started["host"], started["port"], started["app"], started["use_reloader"]) == \
        ("127.0.0.1", 5999, app, False)
    assert "Werkzeug" in served_headers(app).get("Server", "")  # what the server says by itself
    headers = served_headers(app, started["request_handler"])
    assert "Server" not in headers and headers["Content-Type"] == "application/json"
