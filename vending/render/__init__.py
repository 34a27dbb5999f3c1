"""Render a request (or the whole fleet) into files: pure functions of (Request, Config).

Each target is a module with `render(request, config) -> Files` and
`owned(name, config) -> globs`; platform artifacts that derive from the schema or
the configuration (not from one request) come from `render_platform(config)`.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

Files = dict[str, bytes]
"""Repository-relative POSIX path -> exact bytes."""


def json_bytes(document: Any) -> bytes:
    """JSON with two-space indent, UTF-8 and a trailing newline, in the order the renderer built it
    (renderers build from sorted mappings, so the order never depends on the input's)."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class _Dumper(yaml.SafeDumper):
    """Block style; multi-line strings as literal blocks so that generated templates stay readable."""

    def ignore_aliases(self, data: Any) -> bool:
        return True  # a shared list must be written out, never as &anchor/*alias


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value and not any(line != line.rstrip() for line in value.splitlines()):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def yaml_bytes(*documents: Any, header: str = "") -> bytes:
    """Deterministic YAML: insertion order kept, no line folding, UTF-8, one trailing newline."""
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    body = yaml.dump_all(
        documents, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=2**31 - 1,
        default_flow_style=False, explicit_start=len(documents) > 1)
    return (comment + body).encode("utf-8")
