"""A fake OpenAI-compatible upstream for the end-to-end tests, which also serves the
Responses API (responses_upstream.py) and, for a daemon that sends everything to one
upstream, the Anthropic Messages API (anthropic_upstream.py).

Answers POST /v1/chat/completions:
  - model "fake-error": 429 with an OpenAI error body;
  - "tools" in the request: one tool call;
  - "stream": true: server-sent events, one chunk per word, then [DONE];
  - otherwise: a completion that says how many messages it got.
Every request is recorded; GET /_received returns them, POST /_reset clears them.
Prints the port it listens on to stdout, then serves until killed.
"""

import json
import time

import anthropic_upstream
import responses_upstream
from recording import serve


def completion(model, message, finish="stop"):
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def chat_completions(handler, body):
    request = json.loads(body)
    model = request.get("model", "")
    if model == "fake-error":
        handler.send_json(429, {"error": {"message": "Rate limit reached for fake-error", "type": "requests", "param": None, "code": "rate_limit_exceeded"}},
                          headers=[("x-request-id", "req-upstream-429")])
        return
    if request.get("tools"):
        call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": json.dumps({"city": "Paris"})}}
        handler.send_json(200, completion(model, {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"))
        return
    text = f"You sent {len(request['messages'])} messages."
    if request.get("stream"):
        handler.start_chunked()
        words = text.split(" ")
        for index, word in enumerate(words):
            chunk = {
                "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
                "choices": [{"index": 0, "delta": {"content": word + (" " if index < len(words) - 1 else "")}, "finish_reason": None}],
            }
            handler.write_chunk(f"data: {json.dumps(chunk)}\n\n".encode())
            time.sleep(0.02)
        handler.write_chunk(b"data: [DONE]\n\n")
        handler.end_chunked()
        return
    handler.send_json(200, completion(model, {"role": "assistant", "content": text}))


def models(handler, body):
    handler.send_json(200, {"object": "list", "data": [{"id": "fake", "object": "model", "created": 0, "owned_by": "test"}]})


ROUTES = [
    ("POST", "/v1/chat/completions", chat_completions),
    ("GET", "/v1/models", models),
] + responses_upstream.ROUTES + [route for route in anthropic_upstream.ROUTES if route[1] != "/v1/models"]

if __name__ == "__main__":
    serve(ROUTES)
