"""Render a request (or the whole fleet) into files: pure functions of (Request, Config).

Each target is a module with `render(request, config) -> Files` and
`owned(name, config) -> globs`; platform artifacts that derive from the schema or
the configuration (not from one request) come from `render_platform(config)`.
"""

from __future__ import annotations

import json
from typing import Any

Files = dict[str, bytes]
"""Repository-relative POSIX path -> exact bytes."""


def json_bytes(document: Any) -> bytes:
    """JSON with two-space indent, UTF-8 and a trailing newline, in the order the renderer built it
    (renderers build from sorted mappings, so the order never depends on the input's).

    Byte-identical to `json.dumps(document, indent=2, ensure_ascii=False)`, whose indenting
    encoder is pure Python; this one hands every scalar to the C encoder (3x faster)."""
    parts: list[str] = []
    _json_into(document, "", parts)
    parts.append("\n")
    return "".join(parts).encode("utf-8")


_scalar = json.JSONEncoder(ensure_ascii=False).encode


def _json_into(value: Any, indent: str, parts: list[str]) -> None:
    if isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = indent + "  "
        parts.append("{")
        for index, (key, item) in enumerate(value.items()):
            parts.append(f"{',' if index else ''}\n{inner}{_scalar(key)}: ")
            _json_into(item, inner, parts)
        parts.append(f"\n{indent}}}")
    elif isinstance(value, list | tuple):
        if not value:
            parts.append("[]")
            return
        inner = indent + "  "
        parts.append("[")
        for index, item in enumerate(value):
            parts.append(f"{',' if index else ''}\n{inner}")
            _json_into(item, inner, parts)
        parts.append(f"\n{indent}]")
    else:
        parts.append(_scalar(value))


def yaml_bytes(*documents: Any, header: str = "") -> bytes:
    """Deterministic YAML (see `yaml_emit`): insertion order kept, UTF-8, one trailing newline."""
    from vending.render.yaml_emit import dump  # noqa: PLC0415 - avoids an import cycle

    texts = [dump(document, header if index == 0 else "") for index, document in enumerate(documents)]
    return "---\n".join(texts).encode("utf-8")
