from __future__ import annotations

from pathlib import Path

import pytest

from roost import protocol

CLIENT_JS = Path(protocol.__file__).parent / "client" / "protocol.js"


def test_messages_encode_as_tagged_positional_arrays():
    assert protocol.encode(protocol.Event(1, "0", "inc", {})) == '["e",1,"0","inc",{}]'
    assert protocol.encode(protocol.Ack(7)) == '["r",7]'
    assert protocol.encode(protocol.Patch("0", 2, [[0, [1], "3"]])) == '["p","0",2,[[0,[1],"3"]]]'


def test_client_frames_decode_to_typed_messages():
    message = protocol.decode_client('["e",3,"tabs","select",{"tab":"settings"}]')
    assert message == protocol.Event(3, "tabs", "select", {"tab": "settings"})
    assert protocol.decode_client('["l"]') == protocol.Leave()


def test_event_params_default_to_empty():
    assert protocol.decode_client('["e",1,"0","inc"]') == protocol.Event(1, "0", "inc", {})


@pytest.mark.parametrize(
    "frame",
    ['["p","0",1,[]]', '["e","one","0","inc",{}]', "not json", "{}", "[]", '["j",1]'],
)
def test_malformed_or_server_only_frames_are_a_protocol_error(frame):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_client(frame)


def test_oversized_frame_is_refused_before_parsing():
    frame = '["e",1,"0","inc",{"x":"' + "a" * protocol.MAX_FRAME_BYTES + '"}]'
    with pytest.raises(protocol.ProtocolError, match="exceeds"):
        protocol.decode_client(frame)


def test_server_frames_round_trip_for_the_test_client():
    for message in (
        protocol.Render("0", 1, "<p>hi</p>"),
        protocol.Error(2, protocol.BAD_PARAMS, "count: expected int"),
        protocol.Crash("0", "gone"),
        protocol.Navigate("/x"),
        protocol.PushEvent("ping", {"n": 1}),
    ):
        assert protocol.decode_server(protocol.encode(message)) == message


def test_browser_constants_are_generated_from_this_module():
    assert CLIENT_JS.read_text() == protocol.js_module(), (
        "roost/client/protocol.js is stale: "
        "run `python -m roost.protocol > roost/client/protocol.js`"
    )


def test_a_counter_click_costs_well_under_80_bytes():
    click = protocol.encode(protocol.Event(1, "0", "inc", {}))
    patch = protocol.encode(protocol.Patch("0", 2, [[0, [1, 1, 0], "1"]]))
    ack = protocol.encode(protocol.Ack(1))
    assert len(click) + len(patch) + len(ack) < 80


def test_elements_past_a_messages_last_field_are_refused():
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_client('["e",1,"0","inc",{},"extra"]')
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_client('["h",1,2]')


def test_integers_past_64_bits_are_refused_anywhere_in_the_params():
    assert protocol.decode_client('["e",1,"0","inc",{"n":9223372036854775807}]')
    for params in ['{"n":' + "9" * 4000 + "}", '{"a":[1,{"b":' + "9" * 20 + "}]}"]:
        with pytest.raises(protocol.ProtocolError, match="64 bits"):
            protocol.decode_client(f'["e",1,"0","inc",{params}]')


def test_every_shared_name_is_in_the_generated_client_module():
    js = protocol.js_module()
    attrs = [v for k, v in vars(protocol.ATTR).items() if k.isupper()]
    for value in [*attrs, *protocol.ERROR_CODES, protocol.VIEW_TARGET]:
        assert f'"{value}"' in js
