"""The prefix check the compression tests rely on catches what it must, and forgives only
the moving cache_control breakpoint. (Against today's pass-through routes the prefix
tests pass trivially; this shows they can fail.)"""

import copy

from harness import masked, prefix_breaks, tool_results, visible_length

TOOL_RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "3 lines\n[previous line repeated 2 more times]"}


def conversation():
    return [
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "Check it.", "cache_control": {"type": "ephemeral"}}]}]},
        {"messages": [
            {"role": "user", "content": "Check it."},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": "make"}}]},
            {"role": "user", "content": [dict(TOOL_RESULT, cache_control={"type": "ephemeral"})]},
        ]},
        {"messages": [
            {"role": "user", "content": "Check it."},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": "make"}}]},
            {"role": "user", "content": [dict(TOOL_RESULT)]},
            {"role": "assistant", "content": "Done.", "cache_control": {"type": "ephemeral"}},
        ]},
    ]


def test_moving_breakpoint_is_forgiven():
    assert prefix_breaks(conversation(), "messages") == []


def test_a_re_cut_tool_result_is_caught():
    requests = conversation()
    requests[2]["messages"][2]["content"][0]["content"] = "3 lines\n3 lines\n3 lines"
    assert [(request, item) for request, item, _, _ in prefix_breaks(requests, "messages")] == [(2, 2)]


def test_a_changed_id_or_dropped_message_is_caught():
    changed = conversation()
    changed[2]["messages"][1]["content"][0]["id"] = "toolu_2"
    assert [(request, item) for request, item, _, _ in prefix_breaks(changed, "messages")] == [(2, 1)]
    dropped = conversation()
    del dropped[2]["messages"][1:]
    assert [request for request, _, _, _ in prefix_breaks(dropped, "messages")] == [2]


def test_items_compare_as_forwarded():
    requests = [{"input": [{"type": "function_call_output", "call_id": "c1", "output": "a"}]}]
    requests.append(copy.deepcopy(requests[0]))
    requests[1]["input"].append({"type": "message", "role": "user", "content": "more"})
    assert prefix_breaks(requests, "input") == []
    requests[1]["input"][0]["output"] = "b"
    assert len(prefix_breaks(requests, "input")) == 1


def test_visible_length_drops_colour_escapes():
    assert visible_length("\x1b[1;32mok\x1b[0m\n") == 3


def signed_turn():
    return {"messages": [
        {"role": "user", "content": "Check it."},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "Run make.", "signature": "sig-1"},
            {"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": "make"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "noise\nnoise\nnoise",
                                       "cache_control": {"type": "ephemeral"}}]},
    ]}


def test_masking_lets_only_compressible_text_differ():
    sent = signed_turn()
    compressed = copy.deepcopy(sent)
    compressed["messages"][2]["content"][0]["content"] = "noise\n[previous line repeated 2 more times]"
    assert masked(compressed)[0] == masked(sent)[0]
    assert [path for path, _ in masked(sent)[1]] == ["messages[0].content", "messages[2].content[0].content"]
    assert tool_results(compressed) == [("toolu_1", "noise\n[previous line repeated 2 more times]")]
    for change in (lambda body: body["messages"][1]["content"][0].update(signature="sig-2"),
                   lambda body: body["messages"][1]["content"][1].update(id="toolu_2"),
                   lambda body: body["messages"][2]["content"][0].pop("cache_control"),
                   lambda body: body["messages"][1]["content"][0].update(thinking="Run make -j.")):
        changed = copy.deepcopy(sent)
        change(changed)
        assert masked(changed)[0] != masked(sent)[0]
