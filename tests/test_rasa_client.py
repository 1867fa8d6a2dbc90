"""The Rasa parser against real local HTTP servers that misbehave in each of the ways Rasa can."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.rasa_client import AssistantUnavailable, RasaParser
from bot.reader import Reading

TOKEN = "rasa-test-token"
NOTHING = "http://127.0.0.1:9"  # the discard port: nothing listens there, a connection is refused at once
PARSED = {
    "text": "my 4 year old won't sleep, we're in RG40 1BN",
    "intent": {"name": "ask_help", "confidence": 0.93},
    "entities": [{"entity": "child_age", "value": "4", "start": 3, "end": 4, "extractor": "DIETClassifier"},
                 {"entity": "postcode", "value": "RG40 1BN", "start": 36, "end": 44},
                 {"entity": "child_age", "value": 7},
                 {"entity": "no_value"}, {"value": "no entity"}, "not an object"],
    "intent_ranking": [{"name": "ask_help", "confidence": 0.93}, {"name": "greet", "confidence": 0.02}],
}


class Handler(BaseHTTPRequestHandler):
    """Rasa's `POST /model/parse?token=...`; the message text chooses how it misbehaves."""

    server: RasaServer

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        url = urlsplit(self.path)
        self.server.hits.append({"path": url.path, "query": parse_qs(url.query, keep_blank_values=True),
                                 "body": body})
        if url.path != "/model/parse":
            self._send(404, b'{"status": "failure"}')
            return
        if parse_qs(url.query).get("token") != [TOKEN]:  # what `rasa run --auth-token` answers
            self._send(401, b'{"status": "failure", "reason": "NotAuthenticated"}')
            return
        mode = body["text"]
        if self.server.broken or mode == "error":
            self._send(500, b"oops")
        elif mode == "html":
            self._send(200, b"<html>not json</html>")
        elif mode == "list":
            self._send(200, b"[]")
        elif mode == "odd":  # every field the wrong shape: a reading with nothing in it, not a crash
            self._send(200, json.dumps({"intent": {"name": 5, "confidence": "very"}, "entities": None}).encode())
        elif mode == "no intent":
            self._send(200, json.dumps({"text": mode, "intent": None, "entities": []}).encode())
        elif mode == "slow":
            time.sleep(1.5)
            self._send(200, json.dumps(PARSED).encode())
        elif mode == "trickle":  # a byte at a time: each read is quick, the whole answer is not
            payload = json.dumps(PARSED).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            for byte in payload:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self._send(200, json.dumps({**PARSED, "text": mode, "served_by": self.server.name}).encode())

    def _send(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class RasaServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, name: str) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.name, self.hits, self.broken = name, [], False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def handle_error(self, request, client_address) -> None:
        pass  # the client hung up on a late answer: that is the point of the test


@pytest.fixture
def start_server() -> Iterator[Callable[[str], RasaServer]]:
    started: list[RasaServer] = []

    def start(name: str) -> RasaServer:
        httpd = RasaServer(name)
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        started.append(httpd)
        return httpd

    yield start
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server(start_server) -> RasaServer:
    return start_server("one")


def test_the_text_goes_to_model_parse_with_the_token_and_comes_back_as_a_reading(server):
    reading = RasaParser([server.url], auth_token=TOKEN).parse("my 4 year old won't sleep")
    assert reading == Reading(intent="ask_help", confidence=0.93,
                              entities={"child_age": ["4", "7"], "postcode": ["RG40 1BN"]})
    [hit] = server.hits
    assert hit["path"] == "/model/parse" and hit["query"] == {"token": [TOKEN]}
    # Only the words: no sender, no phone number, no conversation id ever reaches the model.
    assert hit["body"] == {"text": "my 4 year old won't sleep"}


def test_a_trailing_slash_on_the_url_is_allowed(server):
    assert RasaParser([server.url + "/"], auth_token=TOKEN).parse("hi").intent == "ask_help"
    assert server.hits[0]["path"] == "/model/parse"


def test_a_wrong_token_is_unavailable_not_a_reading(server):
    with pytest.raises(AssistantUnavailable, match="HTTP 401"):
        RasaParser([server.url], auth_token="not-the-token").parse("hi")
    assert server.hits[0]["query"] == {"token": ["not-the-token"]}


@pytest.mark.parametrize("mode, reason", [("error", "HTTP 500"), ("html", "not JSON"), ("list", "not an object")])
def test_an_error_or_a_body_that_is_not_a_json_object_is_unavailable(server, mode, reason):
    with pytest.raises(AssistantUnavailable, match=reason):
        RasaParser([server.url], auth_token=TOKEN).parse(mode)


@pytest.mark.parametrize("mode", ["odd", "no intent"])
def test_a_reading_without_a_usable_intent_is_an_empty_reading(server, mode):
    assert RasaParser([server.url], auth_token=TOKEN).parse(mode) == Reading(intent=None, confidence=0.0,
                                                                             entities={})


@pytest.mark.parametrize("mode", ["slow", "trickle"])
def test_the_deadline_is_kept_however_the_answer_is_late(server, mode):
    started = time.monotonic()
    with pytest.raises(AssistantUnavailable):
        RasaParser([server.url], timeout=0.5, auth_token=TOKEN).parse(mode)
    assert time.monotonic() - started < 0.9


def test_nothing_listening_is_unavailable_at_once():
    started = time.monotonic()
    with pytest.raises(AssistantUnavailable):
        RasaParser([NOTHING, "http://127.0.0.1:7"], timeout=3, auth_token=TOKEN).parse("hi")
    assert time.monotonic() - started < 1.5


def test_no_rasa_configured_is_unavailable():
    with pytest.raises(AssistantUnavailable):
        RasaParser([], auth_token=TOKEN).parse("hi")


def test_when_the_first_rasa_is_down_the_next_answers_within_the_same_call(start_server):
    second = start_server("second")
    parser = RasaParser([NOTHING, second.url], timeout=3, auth_token=TOKEN)
    started = time.monotonic()
    for _ in range(4):  # whichever URL a call starts at
        assert parser.parse("hi").intent == "ask_help"
    assert time.monotonic() - started < 2
    assert len(second.hits) == 4


def test_when_the_first_rasa_answers_with_an_error_the_next_answers(start_server):
    broken, healthy = start_server("broken"), start_server("healthy")
    broken.broken = True
    parser = RasaParser([broken.url, healthy.url], timeout=3, auth_token=TOKEN)
    assert parser.parse("hi") == Reading("ask_help", 0.93, {"child_age": ["4", "7"], "postcode": ["RG40 1BN"]})
    assert len(broken.hits) == 1 and len(healthy.hits) == 1


def test_a_late_first_rasa_leaves_no_time_for_the_next_so_the_deadline_still_holds(start_server):
    slow, healthy = start_server("slow"), start_server("healthy")
    parser = RasaParser([slow.url, healthy.url], timeout=0.5, auth_token=TOKEN)
    started = time.monotonic()
    with pytest.raises(AssistantUnavailable):
        parser.parse("slow")  # the first call starts at the first URL
    assert time.monotonic() - started < 0.9


def test_calls_are_spread_over_healthy_rasas_in_turn(start_server):
    one, two = start_server("one"), start_server("two")
    parser = RasaParser([one.url, two.url], auth_token=TOKEN)
    for number in range(6):
        parser.parse(f"message {number}")
    assert [h["body"]["text"] for h in one.hits] == ["message 0", "message 2", "message 4"]
    assert [h["body"]["text"] for h in two.hits] == ["message 1", "message 3", "message 5"]


def test_parallel_calls_from_many_threads_all_get_their_own_reading(start_server):
    one, two = start_server("one"), start_server("two")
    parser = RasaParser([one.url, two.url], auth_token=TOKEN)
    results: dict[int, Reading] = {}

    def call(number: int) -> None:
        results[number] = parser.parse(f"message {number}")

    threads = [threading.Thread(target=call, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(results) == list(range(12)) and all(r.intent == "ask_help" for r in results.values())
    assert len(one.hits) == len(two.hits) == 6
