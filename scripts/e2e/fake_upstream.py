"""A fake OpenAI-compatible upstream for the end-to-end test.

Answers POST /v1/chat/completions:
  - model "fake-error": 429 with an OpenAI error body;
  - "tools" in the request: one tool call;
  - "stream": true: server-sent events, one chunk per word, then [DONE];
  - otherwise: a completion that says how many messages it got.
Every request is recorded; GET /_received returns them, POST /_reset clears them.
Prints the port it listens on to stdout, then serves until killed.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECEIVED = []
LOCK = threading.Lock()


def completion(model, message, finish="stop"):
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, payload, headers=()):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_received":
            with LOCK:
                self.send_json(200, RECEIVED)
            return
        self.record(b"")
        if self.path.startswith("/v1/models"):
            self.send_json(200, {"object": "list", "data": [{"id": "fake", "object": "model", "created": 0, "owned_by": "test"}]})
        else:
            self.send_json(404, {"error": {"message": "no such path", "type": "invalid_request_error", "param": None, "code": None}})

    def record(self, body):
        with LOCK:
            RECEIVED.append({
                "method": self.command,
                "path": self.path,
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
            })

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path == "/_reset":
            with LOCK:
                RECEIVED.clear()
            self.send_json(200, {})
            return
        self.record(body)
        if self.path != "/v1/chat/completions":
            self.send_json(404, {"error": {"message": "no such path", "type": "invalid_request_error", "param": None, "code": None}})
            return
        request = json.loads(body)
        model = request.get("model", "")
        if model == "fake-error":
            self.send_json(429, {"error": {"message": "Rate limit reached for fake-error", "type": "requests", "param": None, "code": "rate_limit_exceeded"}},
                           headers=[("x-request-id", "req-upstream-429")])
            return
        if request.get("tools"):
            call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": json.dumps({"city": "Paris"})}}
            self.send_json(200, completion(model, {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"))
            return
        text = f"You sent {len(request['messages'])} messages."
        if request.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            words = text.split(" ")
            for index, word in enumerate(words):
                chunk = {
                    "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
                    "choices": [{"index": 0, "delta": {"content": word + (" " if index < len(words) - 1 else "")}, "finish_reason": None}],
                }
                self.write_chunk(f"data: {json.dumps(chunk)}\n\n".encode())
                time.sleep(0.02)
            self.write_chunk(b"data: [DONE]\n\n")
            self.write_chunk(b"")
            return
        self.send_json(200, completion(model, {"role": "assistant", "content": text}))

    def write_chunk(self, data):
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
