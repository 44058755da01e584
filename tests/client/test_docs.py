"""docs/sdk.md: its Python examples run, in order, against a live server."""

from __future__ import annotations

import re
from pathlib import Path

from opensales.client import Client
from tests.conftest import Api

DOC = Path(__file__).resolve().parents[2] / "docs" / "sdk.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def examples() -> list[str]:
    return BLOCK.findall(DOC.read_text())


def test_there_are_examples() -> None:
    assert len(examples()) >= 10


def test_the_examples_run(base_url: str, admin: Api) -> None:
    namespace: dict[str, object] = {"BASE_URL": base_url, "API_KEY": admin.key}
    for number, code in enumerate(examples(), 1):
        try:
            exec(compile(code, f"{DOC.name} example {number}", "exec"), namespace)
        except Exception as error:
            raise AssertionError(f"example {number} failed:\n{code}") from error
    client = namespace["client"]
    assert isinstance(client, Client)
