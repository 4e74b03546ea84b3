"""A gunicorn worker whose threads only ever see whole requests.

gunicorn's threaded worker hands a connection to a thread as soon as its first bytes
arrive, and the thread then blocks reading the rest: a few clients that send a byte now
and then hold every thread, and nothing else is answered. This worker keeps gunicorn's
threads, process model and request handling, and puts a reading front before them: the
main loop reads every connection without blocking, with h11 (a strict HTTP/1.1 parser)
telling when a request is whole, and only then gives it to a thread. A slow client
costs one socket and a small buffer, never a thread. In front too:

- a request must arrive whole within READ_TIMEOUT seconds of its first byte (of the
  connection, for a new one), or it gets 408 and the connection closes;
- headers over MAX_HEADER_BYTES get 431; a body over the service's limit gets 413 as soon
  as it is known to be over, whether announced by Content-Length or sent chunked;
- framing h11 cannot accept (bad chunk sizes, conflicting lengths) gets 400.
Each refusal is answered with the service's JSON error shape and one log line.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import selectors
import socket
import time
from functools import partial
from http import HTTPStatus
from typing import Any

import h11
from gunicorn.workers.gthread import TConn, ThreadWorker

from skill.webservice import MAX_BODY_BYTES

log = logging.getLogger("skill.webservice")

READ_TIMEOUT = float(os.environ.get("WEB_READ_TIMEOUT", "10"))  # seconds for a whole request
MAX_HEADER_BYTES = 16 * 1024
# Raw bytes buffered for one request: the body limit, plus room for headers and chunk framing.
MAX_BUFFERED_BYTES = 2 * MAX_BODY_BYTES + MAX_HEADER_BYTES
THREAD_IO_TIMEOUT = 10.0  # a thread writing an answer to a client that does not read
LINGER_SECONDS = 2.0  # after a refusal, how long unread input is drained before closing
RECV_BYTES = 64 * 1024


class Refused(Exception):
    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


class RequestReader:
    """Bytes in, whole requests out: one connection's input, checked as it arrives."""

    def __init__(self, max_body: int = MAX_BODY_BYTES) -> None:
        self._http = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEADER_BYTES)
        self._raw = bytearray()
        self._body = 0
        self._max_body = max_body
        self.leftover = b""  # bytes after the whole request: the start of the next one
        self.wants_continue = False  # the client waits for "100 Continue" before its body

    @property
    def started(self) -> bool:
        return bool(self._raw)

    def feed(self, data: bytes) -> bytes | None:
        """The whole request's bytes once they are all in, else None. Raises Refused."""
        self._raw += data
        if len(self._raw) > MAX_BUFFERED_BYTES:
            raise Refused(413, "too_large", f"the body is over {self._max_body} bytes")
        self._http.receive_data(data)
        try:
            while True:
                event = self._http.next_event()
                if event is h11.NEED_DATA or event is h11.PAUSED:
                    self.wants_continue = self._http.they_are_waiting_for_100_continue
                    return None
                if isinstance(event, h11.Request):
                    self._check_length(event)
                elif isinstance(event, h11.Data):
                    self._body += len(event.data)
                    if self._body > self._max_body:
                        raise Refused(413, "too_large", f"the body is over {self._max_body} bytes")
                elif isinstance(event, h11.EndOfMessage):
                    trailing, _closed = self._http.trailing_data
                    whole = len(self._raw) - len(trailing)
                    self.leftover = bytes(trailing)
                    return bytes(self._raw[:whole])
                elif isinstance(event, h11.ConnectionClosed):
                    raise Refused(400, "incomplete", "the connection closed mid-request")
        except h11.RemoteProtocolError as error:
            status = error.error_status_hint
            if status == 431:
                raise Refused(
                    431, "headers_too_large", "the request headers are too large"
                ) from None
            raise Refused(status, "malformed_http", "the request is not valid HTTP/1.1") from None

    def _check_length(self, request: h11.Request) -> None:
        names = {name for name, _ in request.headers}
        if {b"content-length", b"transfer-encoding"} <= names:
            # RFC 9112 6.3: a sender must not send both; readers that disagree on which
            # wins are how requests get smuggled past a front.
            raise Refused(400, "malformed_http", "both Content-Length and Transfer-Encoding")
        for name, value in request.headers:
            if name == b"content-length" and int(value) > self._max_body:
                raise Refused(413, "too_large", f"the body is over {self._max_body} bytes")


class _BufferedSocket:
    """The client socket as gunicorn's parser sees it: the whole request, then the socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.raw = sock
        self.ready = bytearray()

    def recv(self, size: int, *flags: int) -> bytes:
        if self.ready:
            data = bytes(self.ready[:size])
            del self.ready[:size]
            return data
        return self.raw.recv(size, *flags)

    def setblocking(self, flag: bool) -> None:
        # Blocking, for a thread, means blocking for a bounded time.
        if flag:
            self.raw.settimeout(THREAD_IO_TIMEOUT)
        else:
            self.raw.setblocking(False)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def _answer(status: int, reason: str, message: str) -> bytes:
    body = json.dumps({"error": reason, "message": message}).encode()
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def _receive(conn: TConn) -> bytes | None:
    """What a readable connection has sent: b"" once it has closed or failed, None for nothing."""
    try:
        data: bytes = conn.sock.raw.recv(RECV_BYTES)
    except (BlockingIOError, InterruptedError):
        return None
    except OSError:
        return b""
    return data


class ReadingWorker(ThreadWorker):
    """gunicorn's gthread worker with a non-blocking reading front (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reading: dict[TConn, float] = {}  # connection -> when its request must be in
        self.lingering: dict[TConn, float] = {}  # refused connections, drained until then

    @classmethod
    def check_config(cls, cfg: Any, log: Any) -> None:
        super().check_config(cfg, log)
        if cfg.is_ssl:
            raise RuntimeError("terminate TLS in front of this worker (see the README)")

    def accept(self, listener: socket.socket) -> None:
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client, address, listener.getsockname())  # non-blocking
        conn.sock = _BufferedSocket(client)
        conn.leftover = b""
        self._read(conn, time.monotonic() + READ_TIMEOUT)

    def on_client_socket_readable(self, conn: TConn, client: Any) -> None:
        """A kept-alive connection has its next request coming: read it in front too."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._read(conn, time.monotonic() + READ_TIMEOUT)
        self._on_readable(conn, client)

    def finish_request(self, conn: TConn, fs: Any) -> None:
        super().finish_request(conn, fs)
        # Pipelined bytes already read in front will not make the socket readable again.
        if conn in self.keepalived_conns and conn.leftover:
            self.poller.unregister(conn.sock)
            self.keepalived_conns.remove(conn)
            self._read(conn, time.monotonic() + READ_TIMEOUT)
            self._take(conn, b"")

    def _read(self, conn: TConn, deadline: float) -> None:
        conn.reader = RequestReader()
        self.reading[conn] = deadline
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn: TConn, _sock: Any) -> None:
        data = _receive(conn)
        if data == b"":
            self._close(conn)
        elif data is not None:
            self._take(conn, data)

    def _take(self, conn: TConn, data: bytes) -> None:
        reader: RequestReader = conn.reader
        data, conn.leftover = conn.leftover + data, b""
        try:
            whole = reader.feed(data)
        except Refused as refused:
            self._refuse(conn, refused.status, refused.reason, str(refused))
            return
        if whole is None:
            if reader.wants_continue:
                reader.wants_continue = False
                self._send(conn, b"HTTP/1.1 100 Continue\r\n\r\n")
            return
        self.poller.unregister(conn.sock)
        del self.reading[conn]
        conn.sock.ready += whole
        conn.leftover = reader.leftover
        conn.data_ready = True
        self.enqueue_req(conn)

    def _send(self, conn: TConn, data: bytes) -> None:
        with contextlib.suppress(OSError):
            conn.sock.raw.send(data)  # small, into an empty send buffer: best effort

    def _refuse(self, conn: TConn, status: int, reason: str, message: str) -> None:
        log.info(json.dumps({"outcome": f"refused:{reason}", "status": status}))
        self._send(conn, _answer(status, reason, message))
        self.poller.unregister(conn.sock)
        self.reading.pop(conn, None)
        try:
            conn.sock.raw.shutdown(socket.SHUT_WR)
        except OSError:
            self._close(conn, registered=False)
            return
        # Drain what the client is still sending, so closing does not reset the connection
        # before it has read the answer.
        self.lingering[conn] = time.monotonic() + LINGER_SECONDS
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_lingering, conn))

    def _on_lingering(self, conn: TConn, _sock: Any) -> None:
        if _receive(conn) == b"":
            self._close(conn)

    def _close(self, conn: TConn, registered: bool = True) -> None:
        if registered:
            with contextlib.suppress(KeyError, ValueError, OSError):
                self.poller.unregister(conn.sock)
        self.reading.pop(conn, None)
        self.lingering.pop(conn, None)
        self.nr_conns -= 1
        conn.sock.raw.close()

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for conn, deadline in list(self.reading.items()):
            if deadline <= now:
                if conn.reader.started:
                    self._refuse(conn, 408, "timeout", "the request did not arrive in time")
                else:
                    self._close(conn)
        for conn, deadline in list(self.lingering.items()):
            if deadline <= now:
                self._close(conn)
