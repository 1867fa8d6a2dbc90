"""A fake GOV.UK Notify on 127.0.0.1: it checks the JWT bearer token the way Notify does (HS256 with the key's
secret, `iss` the service id, `iat` within 30 seconds), keeps what it accepted, and answers as told."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

SERVICE_ID, SECRET = str(uuid.uuid4()), str(uuid.uuid4())
API_KEY = f"frontdoor_test-{SERVICE_ID}-{SECRET}"  # Notify's key format: name, service id, secret
EMAIL_TEMPLATE, SMS_TEMPLATE = str(uuid.uuid4()), str(uuid.uuid4())


class FakeNotify:
    """`plan` holds what the next POSTs get: "ok", an HTTP status, or "late" (accepted, then answered after
    the client has given up, as when Notify is slow)."""

    def __init__(self, *, late_seconds: float = 2.0) -> None:
        self.plan: list[str | int] = []
        self.accepted: list[dict[str, Any]] = []
        self.posts = 0
        self.refused_tokens = 0
        self.late_seconds = late_seconds
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeNotify:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                pass

            def answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def error(self, status: int, kind: str, message: str) -> None:
                self.answer(status, {"status_code": status, "errors": [{"error": kind, "message": message}]})

            def authorised(self) -> bool:
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                try:
                    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["iss", "iat"]})
                    fresh = abs(time.time() - int(claims["iat"])) <= 30
                except jwt.PyJWTError:
                    claims, fresh = {}, False
                if claims.get("iss") != SERVICE_ID or not fresh:
                    with fake.lock:
                        fake.refused_tokens += 1
                    self.error(403, "AuthError", "Invalid token: signature, api token not found")
                    return False
                return True

            def do_GET(self) -> None:
                if not self.authorised():
                    return
                url = urlsplit(self.path)
                reference = parse_qs(url.query).get("reference", [None])[0]
                with fake.lock:
                    found = [n for n in fake.accepted if reference is None or n["reference"] == reference]
                self.answer(200, {"notifications": found, "links": {}})

            def do_POST(self) -> None:
                if not self.authorised():
                    return
                channel = self.path.rsplit("/", 1)[-1]
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                with fake.lock:
                    fake.posts += 1
                    step = fake.plan.pop(0) if fake.plan else "ok"
                if isinstance(step, int):
                    self.error(step, "BadRequestError" if step < 500 else "Exception", "as planned")
                    return
                if body.get("template_id") != {"email": EMAIL_TEMPLATE, "sms": SMS_TEMPLATE}.get(channel):
                    self.error(400, "BadRequestError", "Template not found")
                    return
                notification = {"id": str(uuid.uuid4()), "type": channel, **body, "status": "created"}
                with fake.lock:
                    fake.accepted.append(notification)
                if step == "late":
                    time.sleep(fake.late_seconds)
                self.answer(201, {"id": notification["id"], "reference": body.get("reference"),
                                  "content": {}, "template": {"id": body["template_id"]}})

        return Handler
