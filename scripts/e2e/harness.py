"""What the end-to-end tests share: where the daemon and the recording upstreams listen
(run.sh exports them), and reading and clearing a recording.
"""

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
