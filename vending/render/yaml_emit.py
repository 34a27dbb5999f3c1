"""A small YAML emitter for generated manifests: deterministic, fast, and read the same by
YAML 1.1 and YAML 1.2 parsers (PyYAML, Kubernetes, Flux, Argo CD).

PyYAML's Python emitter takes ~4 ms per manifest (40 s for 10,000 subscriptions), and
its C emitter is optional, so bytes would depend on how PyYAML was built. Our output
needs only mappings, sequences and scalars, so we emit them ourselves: plain scalars
only where no parser could read them as anything but that string, double quotes
otherwise, and literal blocks for multi-line text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./@+()-]*(?: [A-Za-z0-9_./@+()-]+)*")
# Words YAML 1.1 reads as booleans or null (1.2 reads fewer; quoting them is always safe).
_RESERVED = re.compile(
    r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|null|Null|NULL|\.inf|\.Inf|\.INF|\.nan|\.NaN|\.NAN)")
_UNSAFE_IN_BLOCK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")


def dump(document: Any, header: str = "") -> str:
    """`document` as one YAML document, after `header` as comment lines."""
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + "".join(_node(document, 0, top=True))


def _node(value: Any, indent: int, *, top: bool = False) -> list[str]:
    pad = " " * indent
    if isinstance(value, Mapping) and value:
        lines = []
        for key, item in value.items():
            head = f"{pad}{_key(key)}:"
            if isinstance(item, Mapping) and item:
                lines.append(head + "\n")
                lines.extend(_node(item, indent + 2))
            elif isinstance(item, list) and item:
                lines.append(head + "\n")
                lines.extend(_node(item, indent))
            else:
                lines.append(head + _inline(item, indent + 2))
        return lines
    if isinstance(value, list) and value:
        lines = []
        for item in value:
            if isinstance(item, Mapping) and item:
                body = _node(item, indent + 2)
                lines.append(f"{pad}- {body[0][indent + 2:]}")
                lines.extend(body[1:])
            elif isinstance(item, list) and item:
                lines.append(f"{pad}-\n")
                lines.extend(_node(item, indent + 2))
            else:
                lines.append(f"{pad}-{_inline(item, indent + 2)}")
        return lines
    if top:
        return [_inline(value, indent).lstrip(" ")]
    return [pad + _inline(value, indent).lstrip(" ")]


def _inline(value: Any, indent: int) -> str:
    """` value\\n` for a scalar or an empty collection after `key:` or `-`."""
    if isinstance(value, str) and "\n" in value and value.split("\n", 1)[0].strip() \
            and not _UNSAFE_IN_BLOCK.search(value) and all(line == line.rstrip() for line in value.split("\n")):
        return " " + _literal_block(value, indent)
    return f" {scalar(value)}\n"


def _literal_block(text: str, indent: int) -> str:
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
    indicator = "2" if body.startswith((" ", "\t")) else ""  # a leading tab cannot set the indentation either
    pad = " " * indent
    lines = "".join(f"{pad}{line}\n" if line else "\n" for line in body.split("\n"))
    return f"|{indicator}{chomp}\n{lines}" + "\n" * max(trailing - 1, 0)


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"mapping keys must be strings, not {type(key).__name__}")
    return scalar(key)


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("generated YAML holds only finite numbers")
        text = repr(value)
        if "e" in text:
            mantissa, exponent = text.split("e")
            mantissa = mantissa if "." in mantissa else mantissa + ".0"
            exponent = exponent if exponent[0] in "+-" else "+" + exponent
            text = f"{mantissa}e{exponent}"
        return text
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, list):
        return "[]"
    if isinstance(value, str):
        return value if _is_plain(value) else _quoted(value)
    raise TypeError(f"cannot emit {type(value).__name__}")


def _is_plain(text: str) -> bool:
    return bool(_PLAIN.fullmatch(text)) and not _RESERVED.fullmatch(text)


def _quoted(text: str) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif 0x20 <= code < 0x7F or (code >= 0xA0 and not _UNSAFE_IN_BLOCK.match(char)):
            out.append(char)
        elif char in "\n\t":
            out.append(json.dumps(char)[1:-1])
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)
