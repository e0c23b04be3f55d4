import pytest

from roost.supervisor import ChildSpec, DynamicSupervisor, Supervisor


async def start(*, task_status):
    task_status.started()


def test_defaults_follow_otp_for_workers():
    spec = ChildSpec("a", start)
    assert (spec.args, spec.restart, spec.shutdown, spec.type) == ((), "permanent", 5.0, "worker")
    assert spec.shutdown_timeout == 5.0


@pytest.mark.parametrize("shutdown", ["infinity", "brutal_kill"])
def test_keyword_shutdowns_have_no_report_deadline(shutdown):
    assert ChildSpec("a", start, shutdown=shutdown).shutdown_timeout is None


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"restart": "always"}, ValueError),
        ({"type": "thread"}, ValueError),
        ({"shutdown": "never"}, ValueError),
        ({"shutdown": -1}, ValueError),
        ({"shutdown": float("nan")}, ValueError),
        ({"shutdown": True}, TypeError),
        ({"shutdown": "5"}, ValueError),
    ],
)
def test_invalid_specs_are_rejected_at_construction(options, error):
    with pytest.raises(error):
        ChildSpec("a", start, **options)


def test_start_must_be_callable():
    with pytest.raises(TypeError):
        ChildSpec("a", "not callable")  # type: ignore[arg-type]


def test_args_are_kept_as_a_tuple():
    assert ChildSpec("a", start, args=[1, 2]).args == (1, 2)  # type: ignore[arg-type]


def test_a_supervisor_child_spec_runs_the_supervisor_and_waits_for_it_by_default():
    sup = Supervisor([], name="sub")
    spec = sup.child_spec()
    assert spec.id == "sub"
    assert spec.start == sup.run
    assert (spec.type, spec.restart, spec.shutdown) == ("supervisor", "permanent", "infinity")
    assert sup.child_spec(id="x", restart="transient", shutdown=10).id == "x"


def test_a_dynamic_supervisor_has_a_child_spec_too():
    dyn = DynamicSupervisor(name="sessions")
    assert dyn.child_spec(restart="temporary").restart == "temporary"
    assert dyn.child_spec().type == "supervisor"


def test_supervisor_arguments_are_validated():
    with pytest.raises(ValueError, match="strategy"):
        Supervisor([], strategy="one_for_some")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="duplicate"):
        Supervisor([ChildSpec("a", start), ChildSpec("a", start)])
    with pytest.raises(ValueError):
        Supervisor([], max_restarts=-1)
    with pytest.raises(ValueError):
        Supervisor([], max_seconds=0)
    with pytest.raises(ValueError):
        DynamicSupervisor(max_children=-1)


def test_supervisors_get_distinct_default_names():
    assert Supervisor([]).name != Supervisor([]).name
