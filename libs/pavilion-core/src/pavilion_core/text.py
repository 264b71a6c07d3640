"""The policy every string a caller sends must meet, wherever it arrives (the gateway's
GraphQL documents and variables, the command APIs' bodies): no control characters but
tab and line breaks (NUL included, which PostgreSQL cannot store), Unicode text (no lone
surrogates, which JSON allows and PostgreSQL refuses), and, where given, a length."""

import re
from collections.abc import Iterator
from typing import Any

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_problem(value: str, max_length: int | None = None) -> str | None:
    """Why `value` is not acceptable text, or None."""
    if max_length is not None and len(value) > max_length:
        return f"is longer than {max_length} characters"
    if "\x00" in value:
        return "holds a NUL character"
    if CONTROL.search(value):
        return "holds a control character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text"
    return None


def strings(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every string in `value` (keys included), with where it is."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(str(key), f"{where}.{key}")
            yield from strings(item, f"{where}.{key}")
    elif isinstance(value, list | tuple | set):
        for index, item in enumerate(value):
            yield from strings(item, f"{where}[{index}]")
