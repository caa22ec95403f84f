"""The examples in python/README.md and in the repository's README.md run as written (all
```python blocks of a file, in order, in one namespace), so the documentation cannot drift from
the API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

HERE = Path(__file__).resolve()
READMES = [HERE.parents[1] / "README.md", HERE.parents[2] / "README.md"]


@pytest.mark.parametrize("readme", READMES, ids=["python/README.md", "README.md"])
def test_readme_examples_run(readme: Path) -> None:
    blocks = re.findall(r"^```python\n(.*?)^```$", readme.read_text(), flags=re.S | re.M)
    assert blocks, f"the examples of {readme} went missing"
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(readme), "exec"), namespace)
    assert namespace["acl"].users() == ["alice", "default"]
