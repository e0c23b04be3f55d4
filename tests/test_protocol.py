from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from roost import protocol

CLIENT_JS = Path(protocol.__file__).parent / "client" / "protocol.js"


def test_messages_encode_as_tagged_positional_arrays():
    assert (
        protocol.encode(protocol.Event(1, "inc", {"by": "5"}, "c")) == '[1,1,"inc",{"by":"5"},"c"]'
    )
    assert protocol.encode(protocol.Ack(7)) == "[3,7]"
    ops = [[0, [1], "3"], [2, [0], 0]]
    assert protocol.encode(protocol.Patch(ops, [4, 5], "c", 2)) == (
        '[0,[[0,[1],"3"],[2,[0],0]],[4,5],"c",2]'
    )


def test_client_frames_decode_to_typed_messages():
    message = protocol.decode_client('[1,3,"select",{"tab":"settings"},"tabs"]')
    assert message == protocol.Event(3, "select", {"tab": "settings"}, "tabs")
    assert protocol.decode_client("[4]") == protocol.Leave()


def test_event_params_and_target_default_to_none_and_the_view():
    assert protocol.decode_client('[1,1,"inc"]') == protocol.Event(1, "inc", {}, "0")
    assert protocol.decode_client('[1,1,"inc",{"by":"2"}]') == protocol.Event(
        1, "inc", {"by": "2"}, protocol.VIEW_TARGET
    )


@pytest.mark.parametrize(
    ("message", "frame"),
    [
        (protocol.Event(1, "inc"), '[1,1,"inc"]'),
        (protocol.Event(1, "inc", {"by": "2"}), '[1,1,"inc",{"by":"2"}]'),
        (protocol.Event(4, "next", {}, "pages"), '[1,4,"next",{},"pages"]'),
        (protocol.Join(1, "tok", "http://x/"), '[0,1,"tok","http://x/"]'),
        (protocol.Render("0", 1), '[1,"0",1]'),
        (protocol.Render("0", 1, ""), '[1,"0",1,""]'),
        (protocol.patch("0", 2, [[0, [0, 1], "1"]], [7]), '[0,[0,[0,1],"1"],7,"0",2]'),
        (protocol.patch("0", 2, [[0, [0, 1], "1"]], [7]).following(), '[0,[0,[0,1],"1"],7]'),
        (
            protocol.patch("0", 2, [[0, [0], "1"], [0, [1], "2"]]).following(),
            '[0,[[0,[0],"1"],[0,[1],"2"]]]',
        ),
        (protocol.patch("tabs", 3, [[2, [0], 0]]), '[0,[2,[0],0],0,"tabs",3]'),
        (protocol.patch("tabs", 3, [[2, [0], 0]]).following(), '[0,[2,[0],0],0,"tabs"]'),
        (
            protocol.patch("tabs", 3, [[2, [0], "class"]], [8, 9]).following(),
            '[0,[2,[0],"class"],[8,9],"tabs"]',
        ),
        (protocol.patch("0", 3, [[4, [0]]], [0]).following(), "[0,[4,[0]],[0]]"),
    ],
)
def test_trailing_fields_at_their_default_are_left_off_and_filled_back_in(message, frame):
    assert protocol.encode(message) == frame
    client = isinstance(message, protocol.ClientMessage)  # type: ignore[arg-type]
    decode = protocol.decode_client if client else protocol.decode_server
    assert decode(frame) == message


@pytest.mark.parametrize("acks", [0, 5, [], [0], [1, 2]])
@pytest.mark.parametrize("target", ["0", "tabs", ""])
@pytest.mark.parametrize("version", [0, 1, 3])
def test_a_patch_leaves_off_exactly_its_trailing_fields_at_their_default(acks, target, version):
    fields = [0, [2, [0], 0], acks, target, version]
    defaults = [0, "0", 0]  # acks, target, version
    while len(fields) > 2:
        value, default = fields[-1], defaults[len(fields) - 3]
        if type(value) is not type(default) or value != default:
            break
        fields.pop()
    frame = protocol.encode(protocol.Patch([2, [0], 0], acks, target, version))
    assert json.loads(frame) == fields
    assert protocol.decode_server(frame) == protocol.Patch([2, [0], 0], acks, target, version)


def test_a_patch_reads_as_lists_of_ops_and_refs_whatever_its_compact_form():
    one = protocol.decode_server('[0,[0,[0,1],"1"],7]')
    assert isinstance(one, protocol.Patch)
    assert (one.op_list, one.acked, one.target, one.version) == ([[0, [0, 1], "1"]], [7], "0", 0)
    many = protocol.decode_server('[0,[[0,[0],"1"],[4,[1]]],[8,9],"tabs",3]')
    assert isinstance(many, protocol.Patch)
    assert (many.op_list, many.acked, many.target) == ([[0, [0], "1"], [4, [1]]], [8, 9], "tabs")
    assert many.version == 3
    none = protocol.decode_server("[0,[4,[1]]]")
    assert isinstance(none, protocol.Patch)
    assert none.acked == [] and none.op_list == [[4, [1]]]
    assert protocol.decode_server("[0,[4,[1]],[0]]").acked == [0]  # type: ignore[union-attr]


def test_patches_of_other_targets_share_a_frame_that_decodes_to_each_in_order():
    one = protocol.encode(protocol.patch("tabs", 3, [[0, [0], "b"]], [2]))
    two = protocol.encode(protocol.patch("0", 8, [[0, [1], "b"]]))
    assert (protocol.joinable(one), protocol.joinable(two)) == ("tabs", "0")
    assert protocol.joinable(protocol.encode(protocol.patch("0", 2, [[0, [0], "x"]]))) == "0"
    # The version written out (the first patch after a render) or left off,
    # the target is found either way.
    for target in ("0", "tabs", "a]b"):
        for acks in ([], [4], [4, 5]):
            patch = protocol.patch(target, 9, [[0, [0], 'x"]']], acks)
            for message in (patch, patch.following()):
                assert protocol.joinable(protocol.encode(message)) == target
    assert protocol.joinable(protocol.encode(protocol.Ack(2))) is None
    assert protocol.joinable(protocol.encode(protocol.Render("0", 1, "<p>"))) is None
    frame = protocol.join_frame([one, two])
    assert frame == f"[{one},{two}]"
    assert protocol.decode_server_frame(frame) == [
        protocol.decode_server(one),
        protocol.decode_server(two),
    ]
    assert protocol.join_frame([one]) == one
    assert protocol.decode_server_frame(one) == [protocol.decode_server(one)]
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_server_frame('[[0,[0,[0],"x"]],["z"]]')


def test_a_render_without_html_says_the_page_holds_it_as_served():
    held = protocol.decode_server('[1,"tabs",1]')
    assert held == protocol.Render("tabs", 1) and held.html is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "frame",
    [
        "[0,1,[]]",
        '[1,"one","inc"]',
        '[1,1,"0","inc",{}]',  # version 1's order: params cannot be a string
        "[1,1]",
        "not json",
        "{}",
        "[]",
        "[0,1]",
    ],
)
def test_malformed_or_server_only_frames_are_a_protocol_error(frame):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_client(frame)


def test_oversized_frame_is_refused_before_parsing():
    frame = '[1,1,"inc",{"x":"' + "a" * protocol.MAX_FRAME_BYTES + '"}]'
    with pytest.raises(protocol.ProtocolError, match="exceeds"):
        protocol.decode_client(frame)


def test_server_frames_round_trip_for_the_test_client():
    for message in (
        protocol.Render("0", 1, "<p>hi</p>"),
        protocol.Render("c", 1),
        protocol.Patch([[0, [0], "x"]], [1, 2], "c", 3),
        protocol.Patch([[0, [0], "x"]], [1, 2], "c"),
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


def test_a_counter_click_answered_in_its_patch_costs_at_most_40_bytes_both_ways():
    # examples/counter after 150 clicks: the count's text is at [0, 1, 1, 0] in
    # the view; the page's one event in flight has ref 1.
    click = protocol.encode(protocol.Event(1, "inc"))
    patch = protocol.encode(protocol.patch("0", 152, [[0, [0, 1, 1, 0], "151"]], [1]).following())
    assert (click, patch) == ('[1,1,"inc"]', '[0,[0,[0,1,1,0],"151"],1]')
    assert len(click) + len(patch) <= 40


def test_a_tab_switch_of_a_component_costs_at_most_90_bytes_both_ways():
    # examples/dashboard: the tab bar is a LiveComponent ("tabs"); a click moves
    # class="active" from one button to the next.
    click = protocol.encode(protocol.Event(1, "select", {"tab": "Settings"}, "tabs"))
    ops = [[protocol.OP.REMOVE_ATTR, [0, 0], 0], [protocol.OP.SET_ATTR, [0, 1], 0, "active"]]
    patch = protocol.encode(protocol.patch("tabs", 152, ops, [1]).following())
    assert patch == '[0,[[2,[0,0],0],[1,[0,1],0,"active"]],1,"tabs"]'
    assert len(click) + len(patch) <= 90


def test_attribute_names_in_ops_are_themselves_or_an_index_into_the_shared_table():
    assert protocol.ATTR_NAMES[0] == "class" and protocol.ATTR_CODES["class"] == 0
    assert all(protocol.attr_name(i) == name for i, name in enumerate(protocol.ATTR_NAMES))
    assert protocol.attr_name("data-x") == "data-x"
    for bad in (len(protocol.ATTR_NAMES), -1):
        with pytest.raises(IndexError):
            protocol.attr_name(bad)
    for bad in (None, 1.5, ["class"], True):
        with pytest.raises((TypeError, IndexError)):
            protocol.attr_name(bad)  # type: ignore[arg-type]
    js = protocol.js_module()
    assert "export const ATTR_NAMES = " + json.dumps(list(protocol.ATTR_NAMES)) in js


def test_elements_past_a_messages_last_field_are_refused():
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_client('[1,1,"inc",{},"0","extra"]')
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_client("[2,1,2]")


def test_integers_past_64_bits_are_refused_anywhere_in_the_params():
    assert protocol.decode_client('[1,1,"inc",{"n":9223372036854775807}]')
    for params in ['{"n":' + "9" * 4000 + "}", '{"a":[1,{"b":' + "9" * 20 + "}]}"]:
        with pytest.raises(protocol.ProtocolError, match="64 bits"):
            protocol.decode_client(f'[1,1,"inc",{params}]')


def shared(namespace: type) -> list[str]:
    return [v for k, v in vars(namespace).items() if k.isupper()]


def test_every_shared_name_is_in_the_generated_client_module():
    js = protocol.js_module()
    for value in [
        *shared(protocol.ATTR),
        *shared(protocol.VALUE),
        *protocol.ERROR_CODES,
        protocol.VIEW_TARGET,
        protocol.CRASH_CLASS,
    ]:
        assert f'"{value}"' in js
    assert 'export const VALUE = {"IGNORE": "ignore", "STREAM": "stream"};' in js
    assert 'export const CRASH_CLASS = "roost-error";' in js


ROOST = Path(protocol.__file__).parent
# Written out elsewhere, to be taken from roost.protocol by the change that owns
# that module; the test below fails on any other.
PENDING: set[tuple[str, str]] = set()


def written_out(source: str) -> list[str]:
    """The shared names Python code spells as string literals instead of taking them
    from roost.protocol: docstrings and keyword arguments (``errors="ignore"``) aside."""
    tree = ast.parse(source)
    skip = set()
    for node in ast.walk(tree):
        # A keyword argument's value, or a string standing alone (a docstring).
        if isinstance(node, (ast.keyword, ast.Expr)):
            skip.add(id(node.value))
    words = {*shared(protocol.VALUE), *protocol.ERROR_CODES}
    names = [*shared(protocol.ATTR), protocol.CRASH_CLASS]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            found += [node.value] if node.value in words else []
            found += [
                n for n in names if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", node.value)
            ]
    return found


def test_no_python_module_but_protocol_writes_out_a_shared_name():
    found = {
        (str(path.relative_to(ROOST)), name)
        for path in ROOST.rglob("*.py")
        if path.name != "protocol.py"
        for name in written_out(path.read_text())
    }
    assert found <= PENDING, f"take these from roost.protocol: {sorted(found - PENDING)}"


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('Element("p", {"class": "roost-error"})', ["roost-error"]),
        ('if node.attrs.get(ATTR.UPDATE) == "stream": pass', ["stream"]),
        ("html = f'<div roost-click=\"{name}\">'", ["roost-click"]),
        ('if code == "bad_token": pass', ["bad_token"]),
        ('"""roost-update="stream" in a docstring"""', []),
        ('data.decode(errors="ignore")', []),
        ('prefix = "roost-upload-tmp"', []),
        ("cls = CRASH_CLASS", []),
    ],
)
def test_a_written_out_name_is_found_in_python(source, found):
    assert written_out(source) == found


def test_the_version_is_3_and_the_generated_client_knows_each_fields_position():
    assert protocol.VERSION == 3
    js = protocol.js_module()
    assert "export const VERSION = 3;" in js
    assert '"PATCH": {"ACKS": 2, "OPS": 1, "TARGET": 3, "VERSION": 4}' in js
    assert '"PATCH": 0' in js and '"EVENT": 1' in js
    assert '"EVENT": {"HANDLER": 2, "PARAMS": 3, "REF": 1, "TARGET": 4}' in js
