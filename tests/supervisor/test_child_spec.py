"""Child specs and supervisor flags: OTP's defaults, and everything OTP refuses refused
with an error naming the problem (OTP's sup_start_map, sup_start_map_faulty_specs,
child_specs and sup_flags)."""

import math

import pytest
import trio

from roost.supervisor import (
    ChildNotFound,
    ChildSpec,
    DynamicSupervisor,
    InvalidChildSpec,
    NotRunning,
    Supervisor,
)


async def start(*, task_status):
    task_status.started()
    await trio.sleep_forever()


def test_defaults_follow_otp_for_workers():
    spec = ChildSpec("a", start)
    assert (spec.args, spec.restart, spec.shutdown, spec.type) == ((), "permanent", 5.0, "worker")
    assert spec.significant is False
    assert spec.shutdown_timeout == 5.0


def test_a_supervisor_spec_waits_for_its_children_by_default_however_it_was_built():
    built_by_hand = ChildSpec("sub", Supervisor([]).run, type="supervisor")
    assert built_by_hand.shutdown == "infinity" and built_by_hand.shutdown_timeout is None
    assert ChildSpec("sub", start, type="supervisor", shutdown=7).shutdown == 7
    assert Supervisor([], name="sub").child_spec().shutdown == "infinity"
    assert DynamicSupervisor(name="d").child_spec().shutdown == "infinity"


@pytest.mark.parametrize("shutdown", ["infinity", "brutal_kill"])
def test_keyword_shutdowns_have_no_deadline(shutdown):
    assert ChildSpec("a", start, shutdown=shutdown).shutdown_timeout is None


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"restart": "prmanent"}, "restart"),
        ({"type": "wrker"}, "type"),
        ({"shutdown": "never"}, "shutdown"),
        ({"shutdown": -10}, "shutdown"),
        ({"shutdown": math.nan}, "shutdown"),
        ({"shutdown": True}, "shutdown"),
        ({"shutdown": "5"}, "shutdown"),
        ({"args": "abc"}, "args"),
        ({"args": 3}, "args"),
        ({"significant": "yes"}, "significant"),
        ({"significant": True}, "significant"),  # permanent
    ],
)
def test_a_faulty_field_is_refused_naming_it(options, named):
    with pytest.raises(InvalidChildSpec, match=named) as info:
        ChildSpec("child", start, **options)
    assert "'child'" in str(info.value)
    assert isinstance(info.value, ValueError)  # what it was before InvalidChildSpec


def test_start_must_be_callable():
    with pytest.raises(InvalidChildSpec, match="start must be an async callable"):
        ChildSpec("a", "mfa")  # type: ignore[arg-type]


def test_an_id_must_be_hashable():
    with pytest.raises(InvalidChildSpec, match="hashable"):
        ChildSpec(["a"], start)  # type: ignore[arg-type]


def test_a_significant_child_must_be_transient_or_temporary():
    with pytest.raises(InvalidChildSpec, match="transient or temporary"):
        ChildSpec("a", start, significant=True)
    assert ChildSpec("a", start, restart="transient", significant=True).significant
    assert ChildSpec("a", start, restart="temporary", significant=True).significant


def test_args_are_kept_as_a_tuple():
    assert ChildSpec("a", start, args=[1, 2]).args == (1, 2)  # type: ignore[arg-type]


# -- specs given to a supervisor ------------------------------------------------------


async def test_mapping_specs_get_otps_defaults_and_get_childspec_returns_them(
    no_leaks, autojump_clock
):
    sup = Supervisor(
        [
            {"id": "child1", "start": start},
            {"id": "child2", "start": start, "shutdown": "brutal_kill"},
            {"id": "child3", "start": start, "type": "supervisor"},
        ],
        name="s",
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        assert sup.get_childspec("child1") == ChildSpec("child1", start)
        assert sup.get_childspec("child1").shutdown == 5.0
        assert sup.get_childspec("child2").shutdown == "brutal_kill"
        child3 = sup.get_childspec("child3")
        assert (child3.type, child3.shutdown, child3.restart) == (
            "supervisor",
            "infinity",
            "permanent",
        )
        with pytest.raises(ChildNotFound):
            sup.get_childspec("child4")
        await sup.stop()
    with pytest.raises(NotRunning):
        sup.get_childspec("child1")


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ({"start": start}, "missing 'id'"),
        ({"id": "child2"}, "missing 'start'"),
        ({"id": "child3", "start": start, "silly_flag": True}, "unknown 'silly_flag'"),
        ("child4", "not str 'child4'"),
        (("child5", start), "not tuple"),
        (None, "not NoneType"),
    ],
)
def test_a_faulty_spec_in_a_supervisors_children_is_refused_naming_the_problem(spec, named):
    with pytest.raises(InvalidChildSpec, match=named):
        Supervisor([spec], name="s")


def test_children_must_be_a_list_of_specs():
    with pytest.raises(InvalidChildSpec, match="children must be a list"):
        Supervisor(ChildSpec("a", start), name="s")  # type: ignore[arg-type]
    with pytest.raises(InvalidChildSpec, match="children must be a list"):
        Supervisor("abc", name="s")  # type: ignore[arg-type]


def test_duplicate_ids_are_refused():
    with pytest.raises(InvalidChildSpec, match="duplicate"):
        Supervisor([ChildSpec("child", start), {"id": "child", "start": start}])


@pytest.mark.parametrize("make", [lambda: Supervisor([], name="s"), DynamicSupervisor])
@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ("hej", "not str 'hej'"),
        ({"id": "child"}, "missing 'start'"),
        ({"id": "child", "start": start, "restart": "prmanent"}, "restart"),
        (ChildSpec("child", start, restart="transient", significant=True), "auto_shutdown"),
    ],
)
async def test_start_child_refuses_a_faulty_spec_and_keeps_nothing(
    make, spec, named, no_leaks, autojump_clock
):
    sup = make()
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        with pytest.raises(InvalidChildSpec, match=named):
            await sup.start_child(spec)
        assert sup.which_children() == []
        assert await sup.start_child({"id": "ok", "start": start}) is None
        await sup.stop()


# -- supervisor flags ---------------------------------------------------------------


@pytest.mark.parametrize("make", [Supervisor, DynamicSupervisor], ids=["static", "dynamic"])
@pytest.mark.parametrize(
    ("flags", "error", "named"),
    [
        ({"max_restarts": math.inf}, TypeError, "max_restarts must be an int"),
        ({"max_restarts": 2.5}, TypeError, "max_restarts must be an int"),
        ({"max_restarts": True}, TypeError, "max_restarts must be an int"),
        ({"max_restarts": "3"}, TypeError, "max_restarts must be an int"),
        ({"max_restarts": -1}, ValueError, "max_restarts must be >= 0"),
        ({"max_seconds": 0}, ValueError, "max_seconds must be a finite number > 0"),
        ({"max_seconds": -5}, ValueError, "max_seconds must be a finite number > 0"),
        ({"max_seconds": math.inf}, ValueError, "max_seconds must be a finite number > 0"),
        ({"max_seconds": math.nan}, ValueError, "max_seconds must be a finite number > 0"),
        ({"max_seconds": "5"}, TypeError, "max_seconds must be a number"),
        ({"auto_shutdown": "sometimes"}, ValueError, "auto_shutdown must be one of"),
        ({"name": 42}, TypeError, "name must be a str"),
    ],
)
def test_flags_otp_refuses_are_refused_naming_them(make, flags, error, named):
    args = ([],) if make is Supervisor else ()
    with pytest.raises(error, match=named):
        make(*args, **flags)


def test_valid_flags_are_taken_as_given():
    sup = Supervisor([], max_restarts=0, max_seconds=0.5, auto_shutdown="all_significant")
    assert (sup.max_restarts, sup.max_seconds, sup.auto_shutdown) == (0, 0.5, "all_significant")
    assert Supervisor([], max_seconds=3600).max_seconds == 3600


def test_strategy_and_max_children_are_validated():
    with pytest.raises(ValueError, match="strategy"):
        Supervisor([], strategy="none_for_one")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_children"):
        DynamicSupervisor(max_children=-1)
    with pytest.raises(TypeError, match="max_children"):
        DynamicSupervisor(max_children=2.5)  # type: ignore[arg-type]


def test_a_significant_child_needs_a_supervisor_that_shuts_down_automatically():
    spec = ChildSpec("a", start, restart="temporary", significant=True)
    with pytest.raises(InvalidChildSpec, match="auto_shutdown='never'"):
        Supervisor([spec], name="s")
    assert Supervisor([spec], auto_shutdown="any_significant").auto_shutdown == "any_significant"


def test_a_supervisor_child_spec_runs_the_supervisor():
    sup = Supervisor([], name="sub")
    spec = sup.child_spec()
    assert spec.id == "sub"
    assert spec.start == sup.run
    assert (spec.type, spec.restart, spec.shutdown) == ("supervisor", "permanent", "infinity")
    assert sup.child_spec(id="x", restart="transient", shutdown=10).shutdown == 10
    assert sup.child_spec(restart="temporary", significant=True).significant


def test_a_dynamic_supervisor_has_a_child_spec_too():
    dyn = DynamicSupervisor(name="sessions")
    assert dyn.child_spec(restart="temporary").restart == "temporary"
    assert dyn.child_spec().type == "supervisor"


def test_supervisors_get_distinct_default_names():
    assert Supervisor([]).name != Supervisor([]).name
