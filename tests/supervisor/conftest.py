import inspect
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sup_helpers import Children

from roost.supervisor import events
from roost.testing._leaks import assert_no_leaked_tasks, running_tasks

HERE = Path(__file__).parent


@pytest.fixture
async def no_leaks() -> AsyncIterator[None]:
    """The test ends with no task of its supervision trees still running."""
    baseline = running_tasks()
    yield
    assert_no_leaked_tasks(baseline)


@pytest.fixture
def recorder(no_leaks: None) -> Iterator[events.Recorder]:
    """Every supervision event of the test, awaitable with ``wait_for``."""
    with events.listen() as rec:
        yield rec


@pytest.fixture
def kids(no_leaks: None) -> Children:
    """Test children driven by the test (see sup_helpers.Children)."""
    return Children()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # pytest-trio cannot run an autouse async fixture, so every async test here
    # must reach `no_leaks` through its arguments; fail loudly if one does not.
    for item in items:
        if not isinstance(item, pytest.Function) or HERE not in Path(item.path).parents:
            continue
        if inspect.iscoroutinefunction(item.obj) and "no_leaks" not in item.fixturenames:
            raise pytest.UsageError(
                f"{item.nodeid}: supervisor tests must use the no_leaks fixture "
                "(directly or through kids/recorder)"
            )
