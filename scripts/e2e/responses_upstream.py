"""A scripted, recording OpenAI Responses upstream for the end-to-end tests.

POST /v1/responses answers by the request, so that a client's retries get the same answer:
  - model "gpt-error": 429 with an OpenAI error body (RATE_LIMIT_BODY, exact bytes);
  - model "gpt-cut" (streamed): the first events, then the connection closes mid-body;
  - model "gpt-unfinished" (streamed): the first events, then a clean end of the body
    without response.completed;
  - a previous_response_id this server never issued: 400 previous_response_not_found;
  - model "gpt-reasoning": a reasoning item with encrypted_content and a get_weather
    function_call, or a text once a function_call_output came back;
  - a "get_weather" function tool: a function_call, or a text once its output came back;
  - the tools "read_log", "list_dependencies", "run_tests" (the agent's): a call to each
    in turn, one per function_call_output already in the input, then a text answer;
  - otherwise: a text that names the input item count and previous_response_id.
"stream": true gets the same response as events: response.created, response.in_progress,
response.output_item.added, response.content_part.added, response.output_text.delta,
response.output_text.done, response.content_part.done, response.function_call_arguments.delta
and .done, response.output_item.done, response.completed.
Every request is recorded (see recording.py). Prints its port, then serves until killed.
"""

import itertools
import json
import re
import threading
import time

from recording import serve, sse

RATE_LIMIT_BODY = (b'{\n    "error": {\n        "message": "Rate limit reached for gpt-error",\n        "type": "requests",\n'
                   b'        "param": null,\n        "code": "rate_limit_exceeded"\n    }\n}\n')

ENCRYPTED_REASONING = "gAAAAABe2e_" + "cmVhc29uaW5n" * 16 + "=="
AGENT_TOOLS = ["read_log", "list_dependencies", "run_tests"]
AGENT_FINAL_TEXT = "The worker lost its lease on shard 17, one dependency is unused, and test_parse fails."

COUNTER = itertools.count(1)
ISSUED = set()
ISSUED_LOCK = threading.Lock()


def new_id(prefix):
    return f"{prefix}_e2e_{next(COUNTER):04d}"


def text_item(text):
    return {"type": "message", "id": new_id("msg"), "status": "completed", "role": "assistant",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}


def function_call(call_id, name, arguments):
    return {"type": "function_call", "id": new_id("fc"), "call_id": call_id, "name": name,
            "arguments": json.dumps(arguments), "status": "completed"}


def input_items(request):
    items = request.get("input", [])
    return [{"type": "message", "role": "user", "content": items}] if isinstance(items, str) else items


def outputs(items):
    return [item for item in items if item.get("type") == "function_call_output"]


def tool_names(request):
    return {tool.get("name") for tool in request.get("tools") or [] if tool.get("type") == "function"}


def script(request):
    """The output items that answer this request."""
    model = request.get("model", "")
    items = input_items(request)
    names = tool_names(request)
    if model == "gpt-reasoning":
        if outputs(items):
            return [text_item("It is 21 degrees in Paris.")]
        reasoning = {"type": "reasoning", "id": new_id("rs"),
                     "summary": [{"type": "summary_text", "text": "The user wants the weather; call the tool."}],
                     "encrypted_content": ENCRYPTED_REASONING}
        return [reasoning, function_call("call_e2e_reasoned", "get_weather", {"city": "Paris"})]
    if "get_weather" in names:
        if outputs(items):
            return [text_item("It is 21 degrees in Paris.")]
        return [function_call("call_e2e_weather", "get_weather", {"city": "Paris"})]
    if set(AGENT_TOOLS) <= names:
        done = len(outputs(items))
        if done < len(AGENT_TOOLS):
            return [function_call(f"call_e2e_agent_{done + 1}", AGENT_TOOLS[done], {})]
        return [text_item(AGENT_FINAL_TEXT)]
    previous = request.get("previous_response_id")
    return [text_item(f"You sent {len(items)} input items" + (f" after {previous}." if previous else "."))]


def response(request, output, request_bytes, status="completed"):
    input_tokens = max(1, request_bytes // 4)
    return {
        "id": new_id("resp"),
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "error": None,
        "incomplete_details": None,
        "instructions": request.get("instructions"),
        "max_output_tokens": request.get("max_output_tokens"),
        "model": request.get("model", ""),
        "output": output,
        "parallel_tool_calls": request.get("parallel_tool_calls", True),
        "previous_response_id": request.get("previous_response_id"),
        "reasoning": request.get("reasoning") or {"effort": None, "summary": None},
        "store": request.get("store", True),
        "temperature": request.get("temperature", 1.0),
        "text": {"format": {"type": "text"}},
        "tool_choice": request.get("tool_choice", "auto"),
        "tools": request.get("tools", []),
        "top_p": request.get("top_p", 1.0),
        "truncation": "disabled",
        "usage": {
            "input_tokens": input_tokens, "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 9, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": input_tokens + 9,
        },
        "metadata": request.get("metadata") or {},
    }


def stream(handler, whole):
    handler.start_chunked(headers=[("x-request-id", "req_e2e_stream")])
    sequence = itertools.count()

    def send(kind, **fields):
        handler.write_chunk(sse(kind, {"type": kind, "sequence_number": next(sequence), **fields}))

    opening = dict(whole, status="in_progress", output=[], usage=None)
    send("response.created", response=opening)
    send("response.in_progress", response=opening)
    if whole["model"] in ("gpt-cut", "gpt-unfinished"):
        item = whole["output"][0]
        send("response.output_item.added", output_index=0, item=dict(item, status="in_progress", content=[]))
        send("response.output_text.delta", item_id=item["id"], output_index=0, content_index=0, delta="You ", logprobs=[])
        if whole["model"] == "gpt-unfinished":
            handler.end_chunked()
        else:
            handler.close_connection = True
        return
    for index, item in enumerate(whole["output"]):
        if item["type"] == "message":
            text = item["content"][0]["text"]
            send("response.output_item.added", output_index=index, item=dict(item, status="in_progress", content=[]))
            part = {"type": "output_text", "text": "", "annotations": []}
            send("response.content_part.added", item_id=item["id"], output_index=index, content_index=0, part=part)
            for piece in re.findall(r"\S+\s*", text):
                send("response.output_text.delta", item_id=item["id"], output_index=index, content_index=0, delta=piece, logprobs=[])
            send("response.output_text.done", item_id=item["id"], output_index=index, content_index=0, text=text, logprobs=[])
            send("response.content_part.done", item_id=item["id"], output_index=index, content_index=0, part=item["content"][0])
        elif item["type"] == "function_call":
            send("response.output_item.added", output_index=index, item=dict(item, arguments="", status="in_progress"))
            arguments = item["arguments"]
            for start in range(0, len(arguments), 8):
                send("response.function_call_arguments.delta", item_id=item["id"], output_index=index, delta=arguments[start:start + 8])
            send("response.function_call_arguments.done", item_id=item["id"], output_index=index, arguments=arguments)
        else:
            send("response.output_item.added", output_index=index, item=item)
        send("response.output_item.done", output_index=index, item=item)
    send("response.completed", response=whole)
    handler.end_chunked()


def responses(handler, body):
    request = json.loads(body)
    if request.get("model") == "gpt-error":
        handler.send_bytes(429, RATE_LIMIT_BODY, headers=[("x-request-id", "req_e2e_429")])
        return
    previous = request.get("previous_response_id")
    if previous is not None:
        with ISSUED_LOCK:
            known = previous in ISSUED
        if not known:
            handler.send_json(400, {"error": {"message": f"Previous response with id '{previous}' not found.",
                                              "type": "invalid_request_error", "param": "previous_response_id",
                                              "code": "previous_response_not_found"}})
            return
    whole = response(request, script(request), len(body))
    with ISSUED_LOCK:
        ISSUED.add(whole["id"])
    if request.get("stream"):
        stream(handler, whole)
    else:
        handler.send_json(200, whole, headers=[("x-request-id", "req_e2e_json")])


ROUTES = [("POST", "/v1/responses", responses)]

if __name__ == "__main__":
    serve(ROUTES)
