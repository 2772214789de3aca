"""The real Claude Code CLI (bundled in the claude-agent-sdk wheel), headless, through
`condenser serve` in front of anthropic_upstream.py, which scripts a session of Bash
tool calls whose commands print long, noisy output (BASH_STEPS), then a text answer.

The session runs once per module; the tests read its outcome and the requests the
upstream recorded.
"""

import json
import os
import pathlib
import subprocess

import claude_agent_sdk
import pytest

from anthropic_upstream import BASH_STEPS, FINAL_TEXT
from harness import ANTHROPIC_UPSTREAM_URL, CONDENSER_ROOT, bodies, prefix_breaks, received, reset, visible_length

CLAUDE = pathlib.Path(claude_agent_sdk.__file__).parent / "_bundled" / "claude"
PROMPT = "Check the worker log, the dependencies and the tests, then summarise what is wrong."
# A line of each command's output that compressing must keep.
KEPT_LINES = ["lost lease on shard 17", "unused variable `retries` in src/net.rs:88", "src/parse.c:88: error: expected ; before }"]


class Session:
    def __init__(self, completed, result, requests, printed):
        self.completed = completed
        self.result = result
        # Claude Code's main loop: the requests that offer it the Bash tool.
        self.main = [body for body in requests if any(tool.get("name") == "Bash" for tool in body.get("tools") or [])]
        self.requests = requests
        # What each command printed, by tool_use id, run here the way Claude Code runs it.
        self.printed = printed


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    assert CLAUDE.is_file(), f"no Claude Code CLI at {CLAUDE}"
    home = tmp_path_factory.mktemp("home")
    project = tmp_path_factory.mktemp("project")
    reset(ANTHROPIC_UPSTREAM_URL)
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "SHELL": "/bin/bash",
        "ANTHROPIC_BASE_URL": CONDENSER_ROOT,
        "ANTHROPIC_API_KEY": "sk-ant-test",
        "ANTHROPIC_MODEL": "claude-sonnet-4-5",
        "ANTHROPIC_SMALL_FAST_MODEL": "claude-haiku-4-5",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": "claude-haiku-4-5",
        # Offline: no telemetry, error reports, update checks or other side traffic.
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "DISABLE_AUTOUPDATER": "1",
    }
    completed = subprocess.run(
        [str(CLAUDE), "-p", PROMPT, "--output-format", "json", "--allowedTools", "Bash Read Grep", "--model", "claude-sonnet-4-5"],
        cwd=project, env=environment, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    try:
        result = json.loads(completed.stdout)
    except json.JSONDecodeError:
        result = None
    printed = {}
    for index, step in enumerate(BASH_STEPS):
        output = subprocess.run(["bash", "-c", step["command"]], cwd=project, capture_output=True, text=True, timeout=30).stdout
        printed[f"toolu_e2e_bash_{index + 1}"] = output
    return Session(completed, result, bodies(received(ANTHROPIC_UPSTREAM_URL), "/v1/messages"), printed)


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


def test_session_finishes_through_the_daemon(session):
    assert session.completed.returncode == 0, session.completed.stderr[-2000:]
    assert session.result is not None, session.completed.stdout[-2000:]
    assert session.result["is_error"] is False and session.result["subtype"] == "success"
    assert session.result["result"] == FINAL_TEXT
    # One request per step, and the last one that got the answer.
    assert len(session.main) == len(BASH_STEPS) + 1
    last = session.main[-1]
    assert [tool_use_id for tool_use_id, _ in tool_results(last)] == list(session.printed)
    # The commands really ran: each result holds its command's telling line.
    for (_, text), line in zip(tool_results(last), KEPT_LINES):
        assert line in text


@pytest.mark.compression
def test_tool_results_are_compressed(session):
    assert len(session.main) == len(BASH_STEPS) + 1
    checked = 0
    for body in session.main:
        for tool_use_id, text in tool_results(body):
            printed = session.printed[tool_use_id]
            line = KEPT_LINES[list(session.printed).index(tool_use_id)]
            assert line in text, f"{tool_use_id} lost {line!r}"
            # Shorter than the output even with its colour escapes dropped: each command's
            # output is mostly lines that repeat, or differ only in their numbers.
            assert len(text) < 0.7 * visible_length(printed), \
                f"{tool_use_id}: forwarded {len(text)} characters of a {len(printed)}-character output"
            checked += 1
    assert checked == len(BASH_STEPS) * (len(BASH_STEPS) + 1) // 2


@pytest.mark.compression
def test_each_request_repeats_the_previous_forwarded_messages(session):
    assert len(session.main) == len(BASH_STEPS) + 1
    assert prefix_breaks(session.main, "messages") == []
    for before, after in zip(session.main, session.main[1:]):
        assert json.dumps(before["system"]) == json.dumps(after["system"])
        assert before["tools"] == after["tools"]
