"""Record: a server object with attribute and mapping access that keeps every field."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def wrap(value: Any) -> Any:
    """Dicts (also inside lists) become Records; everything else is left as it is."""
    if isinstance(value, Record):
        return value
    if isinstance(value, Mapping):
        return Record(value)
    if isinstance(value, list):
        return [wrap(item) for item in value]
    return value


def unwrap(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    return value


class Record(Mapping[str, Any]):
    """`rec.id` and `rec["id"]` both work; fields the SDK does not know are kept too.

    `included` holds what the server sideloaded beside the object (`include=owner` puts
    `users` there); it is not one of the record's fields.
    """

    __slots__ = ("_fields", "included")

    def __init__(
        self, fields: Mapping[str, Any], included: Mapping[str, Any] | None = None
    ) -> None:
        self._fields = {str(key): wrap(value) for key, value in fields.items()}
        self.included: dict[str, Any] = {k: wrap(v) for k, v in (included or {}).items()}

    def __getattr__(self, name: str) -> Any:
        # object.__getattribute__: copy and pickle probe attributes before _fields exists.
        try:
            return object.__getattribute__(self, "_fields")[name]
        except (KeyError, AttributeError):
            raise AttributeError(f"record has no field {name!r}") from None

    def __getitem__(self, key: str) -> Any:
        return self._fields[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        return f"Record({self._fields!r})"

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *self._fields]

    def to_dict(self) -> dict[str, Any]:
        """The fields as plain dicts and lists, ready for json.dumps."""
        return {key: unwrap(value) for key, value in self._fields.items()}
