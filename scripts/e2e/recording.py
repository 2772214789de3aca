"""What every scripted upstream of the end-to-end tests shares: a threaded HTTP server on
loopback that records each request (method, path with query, headers, body) and answers
through per-route functions.

GET /_received returns the recording, POST /_reset clears it. A route function receives
the handler and the raw body and writes a whole response with the helpers below.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NOT_FOUND = {"error": {"message": "no such path", "type": "invalid_request_error", "param": None, "code": None}}


class RecordingHandler(BaseHTTPRequestHandler):
    """Subclasses set `routes`: a list of (method, path prefix, function(handler, body))."""

    protocol_version = "HTTP/1.1"
    routes = []
    received = []
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    # MARK: answering

    def send_bytes(self, status, body, content_type="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status, payload, headers=()):
        self.send_bytes(status, json.dumps(payload).encode(), headers=headers)

    def start_chunked(self, content_type="text/event-stream", headers=()):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()

    def write_chunk(self, data):
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def end_chunked(self):
        self.write_chunk(b"")

    # MARK: recording and dispatch

    def record(self, body):
        with self.lock:
            self.received.append({
                "method": self.command,
                "path": self.path,
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
            })

    def dispatch(self, body):
        path = self.path.split("?", 1)[0]
        for method, prefix, function in self.routes:
            if method == self.command and path == prefix:
                function(self, body)
                return
        self.send_json(404, NOT_FOUND)

    def do_GET(self):
        if self.path == "/_received":
            with self.lock:
                self.send_json(200, self.received)
            return
        self.record(b"")
        self.dispatch(b"")

    def do_HEAD(self):
        self.record(b"")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path == "/_reset":
            with self.lock:
                self.received.clear()
            self.send_json(200, {})
            return
        self.record(body)
        self.dispatch(body)


def handler_with(routes):
    """A handler class of its own (its own recording) serving `routes`."""
    return type("Handler", (RecordingHandler,), {"routes": routes, "received": [], "lock": threading.Lock()})


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client (the daemon's pool) closing a kept-alive connection, when it stops for
        # instance, is no error of the upstream's.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def serve(routes):
    """Listens on the port in argv[1] (0 or none: any), prints it, serves until killed."""
    server = QuietServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), handler_with(routes))
    print(server.server_address[1], flush=True)
    server.serve_forever()


def sse(event, payload):
    """One server-sent event with a name, as Anthropic and the Responses API send them."""
    return f"event: {event}\ndata: {json.dumps(payload)}\n\n".encode()
