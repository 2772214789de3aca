"""The real openai SDK against `condenser serve`, itself in front of fake_upstream.py.

run.sh sets CONDENSER_URL (the daemon's /v1 base) and FAKE_URL (the fake upstream).
"""

import json
import os
import urllib.request

import openai
import pytest

CONDENSER_URL = os.environ["CONDENSER_URL"]
FAKE_URL = os.environ["FAKE_URL"]


def received():
    with urllib.request.urlopen(FAKE_URL + "/_received") as response:
        return json.load(response)


@pytest.fixture(autouse=True)
def reset():
    urllib.request.urlopen(urllib.request.Request(FAKE_URL + "/_reset", data=b"{}", method="POST")).read()


@pytest.fixture
def client():
    return openai.OpenAI(base_url=CONDENSER_URL, api_key="sk-test-key", max_retries=0)


MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Say hello. Numbers: 1.0, 1e-9, 12345678901234567890."},
]


def test_non_streaming(client):
    completion = client.chat.completions.create(
        model="fake", messages=MESSAGES, temperature=1.0, extra_body={"top_k": 40, "repetition_penalty": 1.1}
    )
    assert completion.choices[0].message.content == "You sent 2 messages."
    [request] = received()
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == "Bearer sk-test-key"
    assert request["headers"]["accept-encoding"] == "identity"
    body = json.loads(request["body"])
    assert body["messages"] == MESSAGES
    assert body["top_k"] == 40 and body["repetition_penalty"] == 1.1 and body["temperature"] == 1.0


def test_streaming(client):
    stream = client.chat.completions.create(model="fake", messages=MESSAGES, stream=True)
    pieces = [chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices]
    assert len(pieces) == 4
    assert "".join(pieces) == "You sent 2 messages."
    [request] = received()
    assert json.loads(request["body"])["stream"] is True


def test_tool_calls(client):
    tools = [{
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }]
    first = client.chat.completions.create(model="fake", messages=MESSAGES, tools=tools, tool_choice="auto")
    call = first.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris"}

    follow_up = MESSAGES + [
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "content": '{"temp_c": 21}'},
    ]
    second = client.chat.completions.create(model="fake", messages=follow_up, tools=tools)
    assert second.choices[0].message.tool_calls[0].id == "call_1"
    sent = json.loads(received()[-1]["body"])
    assert sent["messages"][3] == {"role": "tool", "tool_call_id": "call_1", "content": '{"temp_c": 21}'}
    assert sent["messages"][2]["tool_calls"][0]["id"] == "call_1"
    assert json.loads(received()[0]["body"])["tool_choice"] == "auto"


def test_upstream_error(client):
    with pytest.raises(openai.RateLimitError) as raised:
        client.chat.completions.create(model="fake-error", messages=MESSAGES)
    error = raised.value
    assert error.status_code == 429
    assert error.body["code"] == "rate_limit_exceeded"
    assert "Rate limit reached for fake-error" in error.message
    assert error.response.headers["x-request-id"] == "req-upstream-429"
    assert len(received()) == 1


def test_other_paths_pass_through(client):
    models = client.models.list()
    assert [model.id for model in models.data] == ["fake"]
    assert received()[0]["path"] == "/v1/models"


def test_bad_request_is_answered_by_condenser(client):
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="fake", messages=[{"role": "user", "content": 5}])
    assert raised.value.body["param"] == "messages[0].content"
    assert received() == []
