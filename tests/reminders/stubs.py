"""Local stand-ins for the providers, on 127.0.0.1 only: a tiny HTTP server that
speaks GOV.UK Notify's REST API, and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from aiosmtpd.controller import Controller

SERVICE_ID = str(uuid.UUID(int=1))
SECRET = str(uuid.UUID(int=2))
API_KEY = f"openproms_test-{SERVICE_ID}-{SECRET}"


@dataclass
class NotifyStub:
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)
    answer_code: int = 201  # what the next POSTs answer
    bad_tokens: int = 0


@contextmanager
def notify_stub() -> Iterator[NotifyStub]:
    """POST /v2/notifications/email and /sms, GET /v2/notifications/<id>; every
    request must carry a token signed with the key's secret, as Notify checks."""
    stub = NotifyStub()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _authorised(self) -> bool:
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            try:
                claims = jwt.decode(token, SECRET, algorithms=["HS256"])
            except jwt.PyJWTError:
                stub.bad_tokens += 1
                return False
            return claims.get("iss") == SERVICE_ID

        def _answer(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if not self._authorised():
                self._answer(403, {"errors": [{"message": "Invalid token"}]})
                return
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            kind = self.path.rsplit("/", 1)[-1]
            if self.path not in ("/v2/notifications/email", "/v2/notifications/sms"):
                self._answer(404, {"errors": [{"message": "Not found"}]})
                return
            if stub.answer_code != 201:
                self._answer(
                    stub.answer_code,
                    {"errors": [{"error": "Error", "message": "Stub refused"}]},
                )
                return
            notification_id = str(uuid.uuid4())
            stub.received.append({"kind": kind, "id": notification_id, **body})
            stub.statuses[notification_id] = "sending"
            self._answer(
                201, {"id": notification_id, "reference": body.get("reference")}
            )

        def do_GET(self) -> None:
            if not self._authorised():
                self._answer(403, {"errors": [{"message": "Invalid token"}]})
                return
            notification_id = self.path.rsplit("/", 1)[-1]
            status = stub.statuses.get(notification_id)
            if status is None:
                self._answer(404, {"errors": [{"message": "No result found"}]})
                return
            self._answer(200, {"id": notification_id, "status": status})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class SmtpStub:
    port: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)
    answer: str = "250 OK"


@contextmanager
def smtp_stub() -> Iterator[SmtpStub]:
    stub = SmtpStub()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            if stub.answer.startswith("250"):
                stub.messages.append(
                    {
                        "to": envelope.rcpt_tos,
                        "data": envelope.content.decode("utf8", "replace"),
                    }
                )
            return stub.answer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        stub.port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=stub.port)
    controller.start()
    try:
        yield stub
    finally:
        controller.stop()
