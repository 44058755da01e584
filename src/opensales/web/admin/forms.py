"""Reading the admin pages' plain HTML forms."""

from __future__ import annotations

from fastapi import Request

from opensales.errors import ValidationError
from opensales.kit.coerce import to_id


async def form_of(request: Request) -> dict[str, str]:
    """The form's text fields, trimmed (the CSRF token left out)."""
    form = await request.form()
    return {k: v.strip() for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}


def id_or_none(value: str | None, key: str) -> int | None:
    """An id chosen in a form (a select's value); blank is none."""
    try:
        return to_id(value)
    except ValueError as exc:
        raise ValidationError(f"Invalid value for {key}: {exc}") from None
