"""The Rasa client against a real local HTTP server that misbehaves in each of the ways Rasa can."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.rasa_client import AssistantUnavailable, RasaClient


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        mode = body["sender"]
        if mode == "ok":
            self._send(200, json.dumps([{"recipient_id": "ok", "text": "Hello"}, {"image": "x"},
                                        {"text": f"you said {body['message']}"}]).encode())
        elif mode == "error":
            self._send(500, b"oops")
        elif mode == "html":
            self._send(200, b"<html>not json</html>")
        elif mode == "slow":
            time.sleep(1.5)
            self._send(200, b"[]")
        elif mode == "trickle":  # a byte at a time: each read is quick, the whole answer is not
            payload = json.dumps([{"text": "late"}]).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            for byte in payload:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)

    def _send(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # the client hung up on a late answer: that is the point of the test


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_the_texts_of_a_turn_come_back_in_order(server):
    assert RasaClient(server).reply("ok", "hi", channel="sms") == ["Hello", "you said hi"]


@pytest.mark.parametrize("mode", ["error", "html"])
def test_an_error_or_a_body_that_is_not_json_is_unavailable(server, mode):
    with pytest.raises(AssistantUnavailable):
        RasaClient(server).reply(mode, "hi", channel="sms")


@pytest.mark.parametrize("mode", ["slow", "trickle"])
def test_the_deadline_is_kept_however_the_answer_is_late(server, mode):
    started = time.monotonic()
    with pytest.raises(AssistantUnavailable):
        RasaClient(server, timeout=0.5).reply(mode, "hi", channel="sms")
    assert time.monotonic() - started < 0.9


def test_nothing_listening_is_unavailable_at_once():
    started = time.monotonic()
    with pytest.raises(AssistantUnavailable):
        RasaClient("http://127.0.0.1:9", timeout=3).reply("ok", "hi", channel="sms")
    assert time.monotonic() - started < 1.5
