"""What the end-to-end tests share: where the daemon and the recording upstreams listen
(run.sh exports them), and reading and clearing a recording.
"""

import copy
import json
import os
import re
import urllib.request

# The daemon's /v1 base (OpenAI clients) and its root (Anthropic clients add /v1 themselves).
CONDENSER_URL = os.environ["CONDENSER_URL"]
CONDENSER_ROOT = CONDENSER_URL.removesuffix("/v1")
# The recording upstream of the OpenAI routes, and the one /v1/messages reaches (the same
# one while the daemon has a single upstream).
FAKE_URL = os.environ["FAKE_URL"]
ANTHROPIC_UPSTREAM_URL = os.environ.get("ANTHROPIC_UPSTREAM_URL", FAKE_URL)
MAX_BODY_BYTES = int(os.environ.get("CONDENSER_MAX_BODY_BYTES", str(32 << 20)))

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def received(upstream):
    with urllib.request.urlopen(upstream + "/_received") as response:
        return json.load(response)


def reset(upstream):
    urllib.request.urlopen(urllib.request.Request(upstream + "/_reset", data=b"{}", method="POST")).read()


def bodies(records, path):
    """The JSON bodies of the recorded POSTs to `path` (any query), in order."""
    return [json.loads(record["body"]) for record in records
            if record["method"] == "POST" and record["path"].split("?", 1)[0] == path]


def visible_length(text):
    """Characters a reader sees: what the output would be with its colour escapes dropped."""
    return len(ANSI_ESCAPE.sub("", text))


def without_cache_control(value):
    """`value` with every cache_control removed, and a content of one bare text block
    written as its string: Claude Code moves its breakpoint, and writes the message it
    sits on as a text block, and the same message as a string once it has moved on."""
    if isinstance(value, list):
        return [without_cache_control(item) for item in value]
    if not isinstance(value, dict):
        return value
    result = {key: without_cache_control(item) for key, item in value.items() if key != "cache_control"}
    content = result.get("content")
    if isinstance(content, list) and len(content) == 1 and isinstance(content[0], dict) \
            and set(content[0]) == {"type", "text"} and content[0]["type"] == "text":
        result["content"] = content[0]["text"]
    return result


def prefix_breaks(requests, key):
    """Where a forwarded request does not repeat the previous one's `key` list (messages,
    input items) byte for byte, cache_control aside: (request index, item index, before, after)."""
    breaks = []
    for index in range(1, len(requests)):
        before = [json.dumps(without_cache_control(item), ensure_ascii=False) for item in requests[index - 1][key]]
        after = [json.dumps(without_cache_control(item), ensure_ascii=False) for item in requests[index][key]]
        if len(after) < len(before):
            breaks.append((index, len(after), f"{len(before)} items", f"{len(after)} items"))
            continue
        for position, (old, new) in enumerate(zip(before, after)):
            if old != new:
                breaks.append((index, position, old[:300], new[:300]))
                break
    return breaks


def tool_results(body):
    """(tool_use_id, text) of every tool_result in the request's messages."""
    found = []
    for message in body["messages"]:
        if message["role"] != "user" or not isinstance(message["content"], list):
            continue
        for block in message["content"]:
            if block.get("type") != "tool_result":
                continue
            content = block.get("content", "")
            text = content if isinstance(content, str) else "".join(part.get("text", "") for part in content)
            found.append((block["tool_use_id"], text))
    return found


def masked(body):
    """The body with the texts a front may compress (message strings, text blocks,
    tool_result content) replaced by a placeholder, and (path, text) of each: everything
    else must be forwarded as sent. System prompts are not masked."""
    body = copy.deepcopy(body)
    texts = []

    def mask(container, key, path):
        texts.append((path, container[key]))
        container[key] = "<compressible>"

    for index, message in enumerate(body.get("messages", [])):
        if message.get("role") == "system":
            continue
        if isinstance(message.get("content"), str):
            mask(message, "content", f"messages[{index}].content")
            continue
        for position, block in enumerate(message.get("content") or []):
            path = f"messages[{index}].content[{position}]"
            if block.get("type") == "text":
                mask(block, "text", path + ".text")
            elif block.get("type") == "tool_result":
                if isinstance(block.get("content"), str):
                    mask(block, "content", path + ".content")
                for part_index, part in enumerate(block.get("content") if isinstance(block.get("content"), list) else []):
                    if part.get("type") == "text":
                        mask(part, "text", f"{path}.content[{part_index}].text")
    return body, texts
