#!/usr/bin/env python3
"""The upstream for the real-systemd test: an OpenAI-compatible chat endpoint that records what reaches it.

POST /v1/chat/completions  answers a chat completion (JSON; with "stream": true, SSE chunks, then [DONE])
GET /_recorded             the requests received so far: path, headers, body size and body
DELETE /_recorded          forgets them
Usage: mock_upstream.py PORT   (listens on 127.0.0.1; Python's standard library only)
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECORDED = []
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_recorded":
            with LOCK:
                return self.send_json(200, RECORDED)
        self.send_json(404, {"error": {"message": "no such path", "type": "invalid_request_error"}})

    def do_DELETE(self):
        with LOCK:
            RECORDED.clear()
        self.send_json(200, {"ok": True})

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            request = json.loads(raw)
        except ValueError:
            return self.send_json(400, {"error": {"message": "the body is not JSON", "type": "invalid_request_error"}})
        with LOCK:
            RECORDED.append({"path": self.path, "headers": dict(self.headers), "bytes": len(raw), "body": request})
        prompt_tokens = len(json.dumps(request.get("messages", []))) // 4
        base = {"id": "chatcmpl-mock", "created": int(time.time()), "model": request.get("model", "mock")}
        if not request.get("stream"):
            return self.send_json(200, dict(base, object="chat.completion",
                                            usage={"prompt_tokens": prompt_tokens, "completion_tokens": 2,
                                                   "total_tokens": prompt_tokens + 2},
                                            choices=[{"index": 0, "finish_reason": "stop",
                                                      "message": {"role": "assistant", "content": "mock answer"}}]))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for delta, finish in [({"role": "assistant", "content": "mock"}, None), ({"content": " answer"}, None), ({}, "stop")]:
            event = dict(base, object="chat.completion.chunk", choices=[{"index": 0, "delta": delta, "finish_reason": finish}])
            self.write_chunk(b"data: " + json.dumps(event).encode() + b"\n\n")
        self.write_chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()


if __name__ == "__main__":
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
