"""The official anthropic SDK against `condenser serve`, in front of anthropic_upstream.py."""

import json

import anthropic
import pytest

from anthropic_upstream import OVERLOADED_BODY, SIGNATURE, STREAM_ERROR_EVENT, THINKING
from harness import ANTHROPIC_UPSTREAM_URL, CONDENSER_ROOT, MAX_BODY_BYTES, received, reset

pytestmark = pytest.mark.anthropic_front

BETAS = "interleaved-thinking-2025-05-14,e2e-future-beta-2099-01-01"
WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string"}}, "required": ["city"]},
}
QUESTION = [{"role": "user", "content": "What is the weather in Paris? Numbers: 1.0, 1e-9, 12345678901234567890."}]


@pytest.fixture(autouse=True)
def clean():
    reset(ANTHROPIC_UPSTREAM_URL)


@pytest.fixture
def client():
    return anthropic.Anthropic(base_url=CONDENSER_ROOT, api_key="sk-ant-test", max_retries=0)


def messages_requests():
    return [record for record in received(ANTHROPIC_UPSTREAM_URL) if record["path"].split("?", 1)[0] == "/v1/messages"]


def test_text_non_streaming(client):
    message = client.messages.create(
        model="claude-text", max_tokens=256, system="You are terse.", messages=QUESTION,
        stop_sequences=["END"], metadata={"user_id": "e2e"}, extra_body={"e2e_unknown_field": {"kept": [1, 2.5, None]}},
    )
    assert message.content[0].type == "text" and message.content[0].text == "ok"
    assert message.stop_reason == "end_turn" and message.usage.input_tokens > 0
    [request] = messages_requests()
    assert request["headers"]["anthropic-version"] == client.default_headers["anthropic-version"]
    body = json.loads(request["body"])
    assert body["messages"] == QUESTION and body["system"] == "You are terse."
    assert body["e2e_unknown_field"] == {"kept": [1, 2.5, None]}
    assert body["metadata"] == {"user_id": "e2e"} and body["max_tokens"] == 256 and body["stop_sequences"] == ["END"]


def test_text_streaming_relays_every_event(client):
    with client.messages.with_streaming_response.create(model="claude-text", max_tokens=64, messages=QUESTION, stream=True) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = b"".join(response.iter_bytes()).decode()
    events = [line.removeprefix("event: ") for line in raw.splitlines() if line.startswith("event: ")]
    assert events == ["message_start", "ping", "content_block_start", "content_block_delta", "content_block_stop",
                      "message_delta", "message_stop"]
    with client.messages.stream(model="claude-text", max_tokens=64, messages=QUESTION) as stream:
        assert "".join(stream.text_stream) == "ok"
        final = stream.get_final_message()
    assert final.stop_reason == "end_turn" and final.usage.output_tokens == 12
    assert [json.loads(request["body"])["stream"] for request in messages_requests()] == [True, True]


@pytest.mark.parametrize("streamed", [False, True])
def test_tool_use_round_trip(client, streamed):
    def ask(messages):
        if streamed:
            with client.messages.stream(model="claude-tool", max_tokens=128, tools=[WEATHER_TOOL], messages=messages) as stream:
                return stream.get_final_message()
        return client.messages.create(model="claude-tool", max_tokens=128, tools=[WEATHER_TOOL], messages=messages)

    first = ask(QUESTION)
    assert first.stop_reason == "tool_use"
    [call] = first.content
    assert call.type == "tool_use" and call.name == "get_weather" and call.id == "toolu_e2e_weather"
    assert call.input == {"city": "Paris", "unit": "celsius"}
    follow_up = QUESTION + [
        {"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in first.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": '{"temp_c": 21}'}]},
    ]
    second = ask(follow_up)
    assert second.content[0].text == "It is 21 degrees in Paris."
    sent = json.loads(messages_requests()[-1]["body"])
    assert sent["messages"] == follow_up
    assert sent["tools"] == [WEATHER_TOOL]


@pytest.mark.parametrize("streamed", [False, True])
def test_thinking_with_signature(client, streamed):
    thinking = {"type": "enabled", "budget_tokens": 1024}
    if streamed:
        with client.messages.stream(model="claude-thinking", max_tokens=2048, thinking=thinking, messages=QUESTION) as stream:
            deltas = [event.delta.type for event in stream if event.type == "content_block_delta"]
            message = stream.get_final_message()
        assert "thinking_delta" in deltas and deltas.count("signature_delta") == 1 and "text_delta" in deltas
    else:
        message = client.messages.create(model="claude-thinking", max_tokens=2048, thinking=thinking, messages=QUESTION)
    block = message.content[0]
    assert block.type == "thinking" and block.thinking == THINKING and block.signature == SIGNATURE
    assert message.content[1].text == "Sunny, 21 degrees."
    # The signed block goes back with the next turn, and reaches the upstream as it came.
    follow_up = QUESTION + [
        {"role": "assistant", "content": [item.model_dump(exclude_none=True) for item in message.content]},
        {"role": "user", "content": "And tomorrow?"},
    ]
    client.messages.create(model="claude-thinking", max_tokens=2048, thinking=thinking, messages=follow_up)
    sent = json.loads(messages_requests()[-1]["body"])
    assert sent["messages"][1]["content"][0] == {"type": "thinking", "thinking": THINKING, "signature": SIGNATURE}
    assert sent["thinking"] == thinking


def test_count_tokens(client):
    counted = client.messages.count_tokens(model="claude-text", system="You are terse.", messages=QUESTION, tools=[WEATHER_TOOL])
    assert isinstance(counted.input_tokens, int) and counted.input_tokens > 0
    forwarded = [record for record in received(ANTHROPIC_UPSTREAM_URL) if record["path"] == "/v1/messages/count_tokens"]
    # Answered by the upstream (for what Condenser forwards) or by Condenser itself; never a
    # conversation turn.
    assert messages_requests() == []
    if forwarded:
        [request] = forwarded
        assert counted.input_tokens == max(1, len(request["body"].encode()) // 4)
        assert json.loads(request["body"])["tools"] == [WEATHER_TOOL]


@pytest.mark.parametrize("streamed", [False, True])
def test_overloaded_529_relayed_byte_for_byte(client, streamed):
    with pytest.raises(anthropic.APIStatusError) as raised:
        client.messages.create(model="claude-overloaded", max_tokens=64, messages=QUESTION, stream=streamed)
    error = raised.value
    assert error.status_code == 529
    assert error.response.content == OVERLOADED_BODY
    assert error.response.headers["request-id"] == "req_e2e_529"
    assert error.body["error"]["type"] == "overloaded_error"
    assert len(messages_requests()) == 1


def test_error_event_mid_stream_relayed(client):
    with client.messages.with_streaming_response.create(
            model="claude-stream-error", max_tokens=64, messages=QUESTION, stream=True) as response:
        assert response.status_code == 200
        raw = b"".join(response.iter_bytes())
    assert raw.endswith(STREAM_ERROR_EVENT)
    assert [line for line in raw.split(b"\n") if line.startswith(b"event: ")] == [b"event: message_start", b"event: ping", b"event: error"]
    with pytest.raises(anthropic.APIStatusError) as raised:
        for _ in client.messages.create(model="claude-stream-error", max_tokens=64, messages=QUESTION, stream=True):
            pass
    assert raised.value.body["error"]["type"] == "overloaded_error"


def oversized(client):
    filler = "x" * (MAX_BODY_BYTES + 1024)
    with pytest.raises(anthropic.APIStatusError) as raised:
        client.messages.create(model="claude-text", max_tokens=64, messages=[{"role": "user", "content": filler}])
    return raised.value


def test_oversized_body_answered_by_condenser(client):
    error = oversized(client)
    assert error.status_code == 413
    assert received(ANTHROPIC_UPSTREAM_URL) == []


@pytest.mark.fronts
def test_oversized_body_gets_anthropic_shaped_413(client):
    error = oversized(client)
    assert error.status_code == 413
    body = error.response.json()
    assert body["type"] == "error"
    assert body["error"]["type"] == "request_too_large"
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


# Connection-level headers, which a proxy may set for its own hop.
HOP_HEADERS = {"host", "connection", "content-length", "accept-encoding", "transfer-encoding"}


@pytest.mark.fronts
def test_bad_body_gets_anthropic_shaped_400(client):
    with pytest.raises(anthropic.BadRequestError) as raised:
        client.messages.create(model="claude-text", max_tokens=64, messages=[{"role": "user", "content": 5}])
    body = raised.value.response.json()
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
    assert "messages[0].content" in body["error"]["message"]
    assert received(ANTHROPIC_UPSTREAM_URL) == []


@pytest.mark.parametrize("api_key_header", ["authorization", "x-api-key"])
def test_client_headers_reach_upstream_unchanged(client, api_key_header):
    headers = {"anthropic-beta": BETAS, "anthropic-version": "2023-06-01"}
    if api_key_header == "x-api-key":
        # Claude Code's way: the key in x-api-key, no Authorization.
        headers["x-api-key"] = "sk-ant-test"
        client = anthropic.Anthropic(base_url=CONDENSER_ROOT, api_key=None, auth_token=None, max_retries=0)
    raw = client.with_options(default_headers=headers).messages.with_raw_response.create(
        model="claude-text", max_tokens=64, messages=QUESTION, extra_query={"beta": "true"})
    assert raw.parse().content[0].text == "ok"
    sent = {name.lower(): value for name, value in raw.http_request.headers.items() if name.lower() not in HOP_HEADERS}
    assert sent["anthropic-beta"] == BETAS and sent[api_key_header].endswith("sk-ant-test")
    assert ("authorization" in sent) == (api_key_header == "authorization")
    [request] = messages_requests()
    assert request["path"] == "/v1/messages?beta=true"
    forwarded = {name: value for name, value in request["headers"].items() if name not in HOP_HEADERS}
    assert forwarded == sent


def test_default_version_header_reaches_upstream(client):
    client.messages.create(model="claude-text", max_tokens=64, messages=QUESTION)
    [request] = messages_requests()
    assert request["headers"]["anthropic-version"] == client.default_headers["anthropic-version"]
