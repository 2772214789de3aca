"""The openai SDK's Responses API (`client.responses.create`) against `condenser serve`,
in front of responses_upstream.py (served by fake_upstream.py)."""

import json

import openai
import pytest

from harness import CONDENSER_URL, FAKE_URL, bodies, received, reset, visible_length
from responses_upstream import ENCRYPTED_REASONING, RATE_LIMIT_BODY

pytestmark = pytest.mark.responses_front

WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False},
    "strict": True,
}
QUESTION = [{"role": "user", "content": [{"type": "input_text", "text": "Weather in Paris? Numbers: 1.0, 1e-9, 12345678901234567890."}]}]


@pytest.fixture(autouse=True)
def clean():
    reset(FAKE_URL)


@pytest.fixture
def client():
    return openai.OpenAI(base_url=CONDENSER_URL, api_key="sk-test-key", max_retries=0)


def forwarded():
    return bodies(received(FAKE_URL), "/v1/responses")


def test_non_streaming(client):
    response = client.responses.create(
        model="gpt-4.1", instructions="Be terse.", input="Say hello.", temperature=0.5,
        extra_body={"e2e_unknown_field": {"kept": [1, 2.5, None]}},
    )
    assert response.output_text == "You sent 1 input items."
    assert response.status == "completed" and response.usage.input_tokens > 0
    [request] = received(FAKE_URL)
    assert request["path"] == "/v1/responses"
    assert request["headers"]["authorization"] == "Bearer sk-test-key"
    body = json.loads(request["body"])
    assert body["input"] == "Say hello." and body["instructions"] == "Be terse."
    assert body["temperature"] == 0.5 and body["e2e_unknown_field"] == {"kept": [1, 2.5, None]}


def test_streaming(client):
    events = list(client.responses.create(model="gpt-4.1", input=QUESTION, stream=True))
    kinds = [event.type for event in events]
    assert kinds[:2] == ["response.created", "response.in_progress"] and kinds[-1] == "response.completed"
    assert [event.sequence_number for event in events] == list(range(len(events)))
    text = "".join(event.delta for event in events if event.type == "response.output_text.delta")
    assert text == "You sent 1 input items."
    assert events[-1].response.output_text == text
    [body] = forwarded()
    assert body["stream"] is True and body["input"] == QUESTION


@pytest.mark.parametrize("streamed", [False, True])
def test_function_calling_loop(client, streamed):
    def ask(items):
        if streamed:
            with client.responses.stream(model="gpt-4.1", input=items, tools=[WEATHER_TOOL]) as stream:
                return stream.get_final_response()
        return client.responses.create(model="gpt-4.1", input=items, tools=[WEATHER_TOOL])

    first = ask(QUESTION)
    [call] = first.output
    assert call.type == "function_call" and call.name == "get_weather" and call.call_id == "call_e2e_weather"
    assert json.loads(call.arguments) == {"city": "Paris"}
    items = QUESTION + [call.model_dump(exclude_none=True), {"type": "function_call_output", "call_id": call.call_id, "output": '{"temp_c": 21}'}]
    second = ask(items)
    assert second.output_text == "It is 21 degrees in Paris."
    sent = forwarded()[-1]
    assert sent["input"] == items
    assert sent["tools"] == [WEATHER_TOOL]


def test_reasoning_item_with_encrypted_content_sent_back(client):
    first = client.responses.create(
        model="gpt-reasoning", input=QUESTION, tools=[WEATHER_TOOL], store=False,
        include=["reasoning.encrypted_content"], reasoning={"effort": "low", "summary": "auto"},
    )
    reasoning, call = first.output
    assert reasoning.type == "reasoning" and reasoning.encrypted_content == ENCRYPTED_REASONING
    assert call.type == "function_call"
    returned = [item.model_dump(exclude_none=True) for item in first.output]
    items = QUESTION + returned + [{"type": "function_call_output", "call_id": call.call_id, "output": "21 C, sunny"}]
    second = client.responses.create(
        model="gpt-reasoning", input=items, tools=[WEATHER_TOOL], store=False, include=["reasoning.encrypted_content"])
    assert second.output_text == "It is 21 degrees in Paris."
    sent = forwarded()[-1]
    assert sent["input"] == items
    assert sent["input"][1]["encrypted_content"] == ENCRYPTED_REASONING
    assert sent["include"] == ["reasoning.encrypted_content"] and sent["store"] is False


def test_previous_response_id(client):
    first = client.responses.create(model="gpt-4.1", input="Remember the number 42.")
    follow_up = [{"role": "user", "content": "Which number?"}]
    second = client.responses.create(model="gpt-4.1", previous_response_id=first.id, input=follow_up)
    assert second.output_text == f"You sent 1 input items after {first.id}."
    assert second.previous_response_id == first.id
    sent = forwarded()[-1]
    assert sent["previous_response_id"] == first.id and sent["input"] == follow_up


def test_upstream_error_relayed_byte_for_byte(client):
    with pytest.raises(openai.RateLimitError) as raised:
        client.responses.create(model="gpt-error", input="hi")
    error = raised.value
    assert error.status_code == 429
    assert error.response.content == RATE_LIMIT_BODY
    assert error.response.headers["x-request-id"] == "req_e2e_429"
    assert error.code == "rate_limit_exceeded"
    assert len(forwarded()) == 1


def test_unknown_previous_response_id_relayed(client):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model="gpt-4.1", previous_response_id="resp_never_issued", input="hi")
    assert raised.value.code == "previous_response_not_found"
    assert raised.value.body["param"] == "previous_response_id"


@pytest.mark.fronts
def test_bad_body_gets_openai_shaped_400(client):
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model="gpt-4.1", instructions=5, input="hi")
    assert raised.value.body["param"] == "instructions"
    assert isinstance(raised.value.body["message"], str)
    assert forwarded() == []


def read_until_cut(client, model):
    seen = []
    with pytest.raises(Exception) as raised:
        for event in client.responses.create(model=model, input="hi", stream=True):
            seen.append(event.type)
    assert seen[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert "response.completed" not in seen
    return raised.value


def test_stream_cut_by_the_upstream_reaches_the_client_cut(client):
    error = read_until_cut(client, "gpt-cut")
    assert not isinstance(error, AssertionError)


@pytest.mark.fronts
def test_stream_ended_without_completed_reaches_the_client_cut(client):
    error = read_until_cut(client, "gpt-unfinished")
    assert not isinstance(error, AssertionError)


NOISY_OUTPUT = "".join(f"2026-12-03T04:{i // 60:02d}:{i % 60:02d}Z INFO [sync] waiting for the replica, lag {i * 7 % 97}ms\n" for i in range(300)) \
    + "ERROR [sync] replica 3 diverged at offset 88812\n"


@pytest.mark.compression
def test_function_output_compressed(client):
    call = {"type": "function_call", "id": "fc_e2e_noisy", "call_id": "call_e2e_noisy", "name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}
    items = QUESTION + [call, {"type": "function_call_output", "call_id": "call_e2e_noisy", "output": NOISY_OUTPUT}]
    assert client.responses.create(model="gpt-4.1", input=items, tools=[WEATHER_TOOL]).output_text == "It is 21 degrees in Paris."
    [sent] = forwarded()
    assert sent["input"][:2] == items[:2] and sent["input"][2]["call_id"] == "call_e2e_noisy"
    output = sent["input"][2]["output"]
    assert "replica 3 diverged at offset 88812" in output
    assert len(output) < 0.5 * visible_length(NOISY_OUTPUT)
