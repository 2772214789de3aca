"""The real Claude Code CLI (bundled in the claude-agent-sdk wheel), headless, through
`condenser serve` in front of anthropic_upstream.py, which scripts a session of Bash
tool calls whose commands print long, noisy output (BASH_STEPS), then a text answer.

Between Claude Code and the daemon, tap_proxy.py records what Claude Code sent; the
upstream records what the daemon forwarded. The session runs once per module; the tests
compare the two.
"""

import json
import os
import pathlib
import subprocess
import sys

import claude_agent_sdk
import pytest

from anthropic_upstream import BASH_STEPS, FINAL_TEXT
from harness import ANTHROPIC_UPSTREAM_URL, CONDENSER_ROOT, masked, prefix_breaks, received, reset, tool_results, visible_length

pytestmark = pytest.mark.anthropic_front

CLAUDE = pathlib.Path(claude_agent_sdk.__file__).parent / "_bundled" / "claude"
HERE = pathlib.Path(__file__).parent
PROMPT = "Check the worker log, the dependencies and the build, then summarise what is wrong."
# A line of each command's output that compressing must keep.
KEPT_LINES = ["lost lease on shard 17", "unused variable `retries` in src/net.rs:88", "src/parse.c:88: error: expected ; before }"]
# Connection-level headers, which each hop sets for itself.
HOP_HEADERS = {"host", "connection", "content-length", "accept-encoding", "transfer-encoding"}


def is_main(record):
    """A request of Claude Code's main loop: one that offers it the Bash tool."""
    if record["method"] != "POST" or record["path"].split("?", 1)[0] != "/v1/messages":
        return False
    return any(tool.get("name") == "Bash" for tool in json.loads(record["body"]).get("tools") or [])


class Session:
    def __init__(self, completed, sent, forwarded):
        self.completed = completed
        try:
            self.result = json.loads(completed.stdout)
        except json.JSONDecodeError:
            self.result = None
        # The main loop's requests as Claude Code sent them and as the daemon forwarded them.
        self.sent = [record for record in sent if is_main(record)]
        self.forwarded = [record for record in forwarded if is_main(record)]
        self.sent_bodies = [json.loads(record["body"]) for record in self.sent]
        self.forwarded_bodies = [json.loads(record["body"]) for record in self.forwarded]


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    assert CLAUDE.is_file(), f"no Claude Code CLI at {CLAUDE}"
    home = tmp_path_factory.mktemp("home")
    project = tmp_path_factory.mktemp("project")
    tap = subprocess.Popen([sys.executable, str(HERE / "tap_proxy.py"), CONDENSER_ROOT], stdout=subprocess.PIPE, text=True, cwd=HERE)
    try:
        tap_url = f"http://127.0.0.1:{tap.stdout.readline().strip()}"
        reset(ANTHROPIC_UPSTREAM_URL)
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "SHELL": "/bin/bash",
            "ANTHROPIC_BASE_URL": tap_url,
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
        return Session(completed, received(tap_url), received(ANTHROPIC_UPSTREAM_URL))
    finally:
        tap.terminate()
        tap.wait(timeout=10)


def test_session_finishes_through_the_daemon(session):
    assert session.completed.returncode == 0, session.completed.stderr[-2000:]
    assert session.result is not None, session.completed.stdout[-2000:]
    assert session.result["is_error"] is False and session.result["subtype"] == "success"
    assert session.result["result"] == FINAL_TEXT
    # One request per step, and the last one that got the answer; each reached the upstream.
    assert len(session.sent) == len(BASH_STEPS) + 1
    assert len(session.forwarded) == len(session.sent)
    last = session.sent_bodies[-1]
    assert [tool_use_id for tool_use_id, _ in tool_results(last)] == [f"toolu_e2e_bash_{step + 1}" for step in range(len(BASH_STEPS))]
    # The commands really ran: each result holds its command's telling line, among much noise.
    for (_, text), line in zip(tool_results(last), KEPT_LINES):
        assert line in text and len(text) > 5000


def test_only_compressible_text_differs_from_what_claude_code_sent(session):
    assert len(session.forwarded) == len(session.sent) > 0
    for sent, forwarded, sent_body, forwarded_body in zip(session.sent, session.forwarded, session.sent_bodies, session.forwarded_bodies):
        assert forwarded["path"] == sent["path"]
        assert {name: value for name, value in forwarded["headers"].items() if name not in HOP_HEADERS} == \
            {name: value for name, value in sent["headers"].items() if name not in HOP_HEADERS}
        sent_masked, sent_texts = masked(sent_body)
        forwarded_masked, forwarded_texts = masked(forwarded_body)
        # Key order included: ids, signatures, cache_control, tools and system as sent.
        assert json.dumps(forwarded_masked) == json.dumps(sent_masked)
        for (path, before), (_, after) in zip(sent_texts, forwarded_texts):
            assert after or not before, f"{path} was emptied"


@pytest.mark.compression
def test_tool_results_are_compressed(session):
    checked = 0
    for sent_body, forwarded_body in zip(session.sent_bodies, session.forwarded_bodies):
        for (tool_use_id, before), (_, after) in zip(tool_results(sent_body), tool_results(forwarded_body)):
            line = KEPT_LINES[int(tool_use_id.rsplit("_", 1)[1]) - 1]
            assert line in after, f"{tool_use_id} lost {line!r}"
            # Shorter than what Claude Code sent even with its colour escapes dropped: each
            # command's output is mostly lines that repeat, or differ only in their numbers.
            assert len(after) < 0.7 * visible_length(before), \
                f"{tool_use_id}: forwarded {len(after)} characters of the {len(before)} Claude Code sent"
            checked += 1
    assert checked == len(BASH_STEPS) * (len(BASH_STEPS) + 1) // 2


@pytest.mark.compression
def test_each_request_repeats_the_previous_forwarded_messages(session):
    assert len(session.forwarded_bodies) == len(BASH_STEPS) + 1
    assert prefix_breaks(session.forwarded_bodies, "messages") == []
