"""The OpenAI Agents SDK: an agent with three function tools that return long, noisy
output, through `condenser serve`, against responses_upstream.py, which calls the tools in
turn (AGENT_TOOLS) and then answers. The run happens once per module; the tests read its
outcome and the requests the upstream recorded.
"""

import json
import os

import pytest

os.environ["OPENAI_AGENTS_DISABLE_TRACING"] = "1"

from agents import Agent, ModelSettings, OpenAIResponsesModel, Runner, function_tool, set_tracing_disabled  # noqa: E402
from openai import AsyncOpenAI  # noqa: E402

from harness import CONDENSER_URL, FAKE_URL, bodies, prefix_breaks, received, reset, visible_length  # noqa: E402
from responses_upstream import AGENT_FINAL_TEXT, AGENT_TOOLS  # noqa: E402

pytestmark = pytest.mark.responses_front

GREEN, RESET = "\x1b[32m", "\x1b[0m"
# What each tool returns, and a line of it that compressing must keep.
OUTPUTS = {
    "read_log": "".join(f"{GREEN}INFO{RESET}  [worker-1] heartbeat ok, queue depth 0, lag 0ms\n" for _ in range(300))
    + "ERROR [worker-1] lost lease on shard 17\n",
    "list_dependencies": "".join(f"{GREEN}Fetching{RESET} crates.io index ... done\n" for _ in range(300))
    + "warning: unused variable `retries` in src/net.rs:88\n",
    "run_tests": "".join(f"2026-12-03T04:{i // 60:02d}:{i % 60:02d}Z INFO [test] waiting for the database, held {i * 7 % 97}ms\n" for i in range(250))
    + "FAILED tests/test_parse.py::test_parse - AssertionError: expected 3, got 4\n",
}
KEPT = {"read_log": "lost lease on shard 17", "list_dependencies": "unused variable `retries`", "run_tests": "expected 3, got 4"}
assert list(OUTPUTS) == AGENT_TOOLS

CALLS = []


@function_tool
def read_log() -> str:
    """Print the worker's log."""
    CALLS.append("read_log")
    return OUTPUTS["read_log"]


@function_tool
def list_dependencies() -> str:
    """Fetch and list the project's dependencies."""
    CALLS.append("list_dependencies")
    return OUTPUTS["list_dependencies"]


@function_tool
def run_tests() -> str:
    """Run the test suite."""
    CALLS.append("run_tests")
    return OUTPUTS["run_tests"]


class Run:
    def __init__(self, result, requests):
        self.result = result
        self.requests = requests


@pytest.fixture(scope="module")
def run():
    set_tracing_disabled(True)
    reset(FAKE_URL)
    CALLS.clear()
    client = AsyncOpenAI(base_url=CONDENSER_URL, api_key="sk-test-key", max_retries=0)
    agent = Agent(
        name="checker",
        instructions="Check the worker log, the dependencies and the tests, then say what is wrong.",
        tools=[read_log, list_dependencies, run_tests],
        model=OpenAIResponsesModel(model="gpt-4.1", openai_client=client),
        model_settings=ModelSettings(parallel_tool_calls=False),
    )
    result = Runner.run_sync(agent, "What is wrong with the project?", max_turns=8)
    return Run(result, bodies(received(FAKE_URL), "/v1/responses"))


def function_outputs(body):
    return [(item["call_id"], item["output"]) for item in body["input"] if isinstance(item, dict) and item.get("type") == "function_call_output"]


def output_text(output):
    return output if isinstance(output, str) else "".join(part.get("text", "") for part in output)


def test_agent_finishes_through_the_daemon(run):
    assert run.result.final_output == AGENT_FINAL_TEXT
    assert CALLS == AGENT_TOOLS
    assert len(run.requests) == len(AGENT_TOOLS) + 1
    assert all(body["model"] == "gpt-4.1" for body in run.requests)
    calls = [call_id for call_id, _ in function_outputs(run.requests[-1])]
    assert calls == [f"call_e2e_agent_{index + 1}" for index in range(len(AGENT_TOOLS))]


@pytest.mark.compression
def test_function_outputs_are_compressed(run):
    checked = 0
    for body in run.requests:
        for index, (call_id, output) in enumerate(function_outputs(body)):
            name = AGENT_TOOLS[index]
            text = output_text(output)
            assert KEPT[name] in text, f"{name} lost {KEPT[name]!r}"
            assert len(text) < 0.5 * visible_length(OUTPUTS[name]), \
                f"{name}: forwarded {len(text)} characters of a {len(OUTPUTS[name])}-character output"
            checked += 1
    assert checked == len(AGENT_TOOLS) * (len(AGENT_TOOLS) + 1) // 2


@pytest.mark.compression
def test_each_request_repeats_the_previous_forwarded_items(run):
    assert len(run.requests) == len(AGENT_TOOLS) + 1
    assert prefix_breaks(run.requests, "input") == []
    for before, after in zip(run.requests, run.requests[1:]):
        assert json.dumps(before["instructions"]) == json.dumps(after["instructions"])
        assert before["tools"] == after["tools"]
