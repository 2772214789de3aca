"""A scripted, recording Anthropic Messages upstream for the end-to-end tests.

POST /v1/messages answers by the request, so that a client's retries and side requests
get the same answer:
  - model "claude-overloaded": 529 with an overloaded_error body (OVERLOADED_BODY, exact bytes);
  - model "claude-stream-error" (streamed): message_start, ping, then an error event
    (STREAM_ERROR_EVENT, exact bytes) and the end of the stream;
  - model "claude-tool": a get_weather tool_use, or a text once a tool_result came back;
  - model "claude-thinking": a signed thinking block, then text;
  - tools that include "Bash" (Claude Code's main loop): the next of BASH_STEPS as a
    tool_use, one per tool_result already in the conversation, then a text answer;
  - otherwise: a short text.
"stream": true gets the same message as events: message_start, content_block_start,
ping, content_block_delta (text_delta, input_json_delta, thinking_delta, signature_delta),
content_block_stop, message_delta with usage, message_stop.
POST /v1/messages/count_tokens: {"input_tokens": n}, n from the body's size.
GET /v1/models: one model. Every request is recorded (see recording.py).
Prints the port it listens on, then serves until killed.
"""

import json
import time

from recording import serve, sse

# Deliberately unlike json.dumps output (spacing, key order, a trailing newline), so a
# relay that re-encodes it shows.
OVERLOADED_BODY = b'{"type": "error",  "error": {"type": "overloaded_error", "message": "Overloaded"}, "request_id": "req_e2e_529"}\n'

STREAM_ERROR_EVENT = b'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n'

SIGNATURE = "EqQBCkYIBxgCKkBe2e" + "Zm9vYmFy" * 12 + "=="
THINKING = "The user asks for the weather; I should answer briefly."
FINAL_TEXT = "All three checks ran: the worker lost a lease, a variable is unused, and src/parse.c fails to build."

# Claude Code's scripted session: each command prints long, noisy output (ANSI colours,
# repeated lines, lines alike but for their numbers) with one line worth keeping.
BASH_STEPS = [
    {
        "command": "seq 1 400 | awk '{ printf \"\\033[32mINFO\\033[0m  [worker-1] heartbeat ok, queue depth 0, lag 0ms\\n\" } "
                   "$1 == 321 { printf \"\\033[31mERROR\\033[0m [worker-1] lost lease on shard 17\\n\" }'",
        "description": "Show the worker log",
    },
    {
        "command": "for i in $(seq 1 300); do printf '\\033[1;32mFetching\\033[0m crates.io index ... \\033[32mdone\\033[0m\\n'; done; "
                   "echo 'warning: unused variable `retries` in src/net.rs:88'",
        "description": "Fetch the dependencies",
    },
    {
        "command": "for i in $(seq 1 250); do printf '2026-12-03T04:%02d:%02dZ INFO [build] waiting for the lock on target/debug, held %dms\\n' "
                   "$((i / 60)) $((i % 60)) $((i * 7 % 97)); done; "
                   "echo 'src/parse.c:88: error: expected ; before }'; echo 'make: *** [Makefile:12: all] Error 1'",
        "description": "Build",
    },
]


def text_blocks(text):
    return [{"type": "text", "text": text}]


def tool_use(call_id, name, arguments):
    return {"type": "tool_use", "id": call_id, "name": name, "input": arguments}


def tool_results(messages):
    count = 0
    for message in messages:
        content = message.get("content")
        if message.get("role") == "user" and isinstance(content, list):
            count += sum(1 for block in content if isinstance(block, dict) and block.get("type") == "tool_result")
    return count


def has_tool(request, name):
    return any(tool.get("name") == name for tool in request.get("tools") or [])


def script(request):
    """The content blocks and stop reason that answer this request."""
    model = request.get("model", "")
    messages = request.get("messages", [])
    if model == "claude-tool":
        if tool_results(messages):
            return text_blocks("It is 21 degrees in Paris."), "end_turn"
        return [tool_use("toolu_e2e_weather", "get_weather", {"city": "Paris", "unit": "celsius"})], "tool_use"
    if model == "claude-thinking":
        return [{"type": "thinking", "thinking": THINKING, "signature": SIGNATURE}] + text_blocks("Sunny, 21 degrees."), "end_turn"
    if has_tool(request, "Bash"):
        done = tool_results(messages)
        if done < len(BASH_STEPS):
            return [
                {"type": "thinking", "thinking": f"Step {done + 1} of the checks.", "signature": SIGNATURE + str(done + 1)},
                {"type": "text", "text": f"Step {done + 1}: running a command."},
                tool_use(f"toolu_e2e_bash_{done + 1}", "Bash", BASH_STEPS[done]),
            ], "tool_use"
        return text_blocks(FINAL_TEXT), "end_turn"
    return text_blocks("ok"), "end_turn"


def usage(request_bytes):
    return {"input_tokens": max(1, request_bytes // 4), "output_tokens": 12,
            "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}


def message(request, blocks, stop_reason, request_bytes):
    return {
        "id": "msg_e2e_" + str(int(time.time() * 1000)),
        "type": "message",
        "role": "assistant",
        "model": request.get("model", ""),
        "content": blocks,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": usage(request_bytes),
    }


def pieces(text, size):
    return [text[index:index + size] for index in range(0, len(text), size)] or [""]


def stream(handler, whole):
    handler.start_chunked(headers=[("request-id", "req_e2e_stream")])
    start = dict(whole, content=[], stop_reason=None)
    start["usage"] = dict(whole["usage"], output_tokens=1)
    handler.write_chunk(sse("message_start", {"type": "message_start", "message": start}))
    handler.write_chunk(sse("ping", {"type": "ping"}))
    if whole["model"] == "claude-stream-error":
        handler.write_chunk(STREAM_ERROR_EVENT)
        handler.end_chunked()
        return
    for index, block in enumerate(whole["content"]):
        kind = block["type"]
        if kind == "text":
            opening, deltas = {"type": "text", "text": ""}, [{"type": "text_delta", "text": piece} for piece in pieces(block["text"], 16)]
        elif kind == "tool_use":
            opening = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in pieces(json.dumps(block["input"]), 20)]
        elif kind == "thinking":
            opening = {"type": "thinking", "thinking": ""}
            deltas = [{"type": "thinking_delta", "thinking": piece} for piece in pieces(block["thinking"], 16)]
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
        else:
            raise ValueError(kind)
        handler.write_chunk(sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": opening}))
        for delta in deltas:
            handler.write_chunk(sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}))
        handler.write_chunk(sse("content_block_stop", {"type": "content_block_stop", "index": index}))
    handler.write_chunk(sse("message_delta", {
        "type": "message_delta",
        "delta": {"stop_reason": whole["stop_reason"], "stop_sequence": None},
        "usage": {"output_tokens": whole["usage"]["output_tokens"]},
    }))
    handler.write_chunk(sse("message_stop", {"type": "message_stop"}))
    handler.end_chunked()


def messages(handler, body):
    request = json.loads(body)
    if request.get("model") == "claude-overloaded":
        handler.send_bytes(529, OVERLOADED_BODY, headers=[("request-id", "req_e2e_529"), ("x-should-retry", "true")])
        return
    blocks, stop_reason = script(request)
    whole = message(request, blocks, stop_reason, len(body))
    if request.get("stream"):
        stream(handler, whole)
    else:
        handler.send_json(200, whole, headers=[("request-id", "req_e2e_json")])


def count_tokens(handler, body):
    handler.send_json(200, {"input_tokens": max(1, len(body) // 4)})


def models(handler, body):
    handler.send_json(200, {
        "data": [{"type": "model", "id": "claude-sonnet-4-5", "display_name": "Claude Sonnet 4.5", "created_at": "2025-09-29T00:00:00Z"}],
        "has_more": False, "first_id": "claude-sonnet-4-5", "last_id": "claude-sonnet-4-5",
    })


ROUTES = [
    ("POST", "/v1/messages", messages),
    ("POST", "/v1/messages/count_tokens", count_tokens),
    ("GET", "/v1/models", models),
]

if __name__ == "__main__":
    serve(ROUTES)
