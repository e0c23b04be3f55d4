"""The complete test module in docs/testing.md runs and passes as written."""

import pathlib
import re

DOC = pathlib.Path(__file__).parents[2] / "docs" / "testing.md"


async def test_the_example_module_in_docs_testing_md_passes():
    module = re.search(r"```python\n(# tests/test_counter\.py\n.*?)```", DOC.read_text(), re.S)
    assert module is not None, "docs/testing.md lost its complete example"
    namespace: dict = {"__name__": "docs_testing_example"}
    exec(compile(module.group(1), str(DOC), "exec"), namespace)
    tests = {name: fn for name, fn in namespace.items() if name.startswith("test_")}
    assert len(tests) == 4
    for test in tests.values():
        await test()
