"""Where each value and key of a JSON text is, in one linear pass, with the problems only a position
can name: duplicate keys, nesting deeper than the limit, and lone surrogates (`"\\ud800"`).

Run only on a text `json.loads` accepted (or refused for its depth), so the scanner can trust the
grammar; valid requests, the common case, never pay for it. Positions are 1-based (line, column) in
characters, as the YAML loader reports them. The scanner is iterative: no input can exhaust the stack.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Protocol

from vending.errors import Problem

_SPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"[^\s,\]}]+")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class MarkSink(Protocol):
    @property
    def values(self) -> dict[str, tuple[int, int]]: ...

    @property
    def keys(self) -> dict[str, tuple[int, int]]: ...


def may_hold_surrogates(text: str) -> bool:
    return _SURROGATE_ESCAPE.search(text) is not None


def _pointer(parent: str, token: str | int) -> str:
    return f"{parent}/{str(token).replace('~', '~0').replace('/', '~1')}"


@dataclass
class _Frame:
    pointer: str
    is_object: bool
    index: int = 0
    seen: dict[str, tuple[int, int]] = field(default_factory=dict)


def _skip(text: str, i: int) -> int:
    if i < len(text) and text[i] in " \t\n\r":
        return _SPACE.match(text, i).end()  # type: ignore[union-attr]
    return i


class _Positions:
    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __call__(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


def scan(text: str, marks: MarkSink, problems: list[Problem], *, max_depth: int) -> None:
    """Fill `marks` with the position of every value and key of the JSON `text`, and add to `problems`
    its duplicate keys, lone surrogates, and the first place it nests deeper than `max_depth`."""
    position = _Positions(text)
    values, keys = marks.values, marks.keys
    surrogates = may_hold_surrogates(text)
    stack: list[_Frame] = []
    pointer = ""
    i = _skip(text, 0)

    def string_at(start: int, where: str) -> tuple[str, int]:
        match = _STRING.match(text, start)
        if match is None:
            raise ValueError(f"expected a string at offset {start}")
        raw = match.group()
        value: str = json.loads(raw) if "\\" in raw else raw[1:-1]
        if surrogates and _LONE_SURROGATE.search(value):
            line, column = position(start)
            problems.append(Problem(
                "the text holds a lone surrogate escape (such as \\ud800), which is not a Unicode character; "
                "requests must be valid Unicode", pointer=where, line=line, column=column))
        return value, match.end()

    def key_at(start: int, frame: _Frame) -> tuple[str, int]:
        at = position(start)
        key, end = string_at(start, frame.pointer)
        child = _pointer(frame.pointer, key)
        if key in frame.seen:
            first = frame.seen[key]
            problems.append(Problem(f"duplicate key {key!r} (first defined at line {first[0]}, column {first[1]})",
                                    pointer=child, line=at[0], column=at[1]))
        else:
            frame.seen[key] = at
            keys.setdefault(child, at)
        end = _skip(text, end)
        return child, _skip(text, end + 1)  # past ':'

    while i < len(text):
        values.setdefault(pointer, position(i))
        char = text[i]
        if char in "{[":
            if len(stack) >= max_depth:
                line, column = position(i)
                problems.append(Problem(f"values are nested more than {max_depth} levels deep", line=line,
                                        column=column))
                return
            frame = _Frame(pointer, char == "{")
            i = _skip(text, i + 1)
            if text[i] not in "}]":
                stack.append(frame)
                pointer, i = key_at(i, frame) if frame.is_object else (_pointer(pointer, 0), i)
                continue
            i += 1
        elif char == '"':
            _, i = string_at(i, pointer)
        else:
            i = _SCALAR.match(text, i).end()  # type: ignore[union-attr]
        # A value ended: close containers, or move to the next member.
        while stack:
            i = _skip(text, i)
            frame = stack[-1]
            if text[i] == ",":
                i = _skip(text, i + 1)
                if frame.is_object:
                    pointer, i = key_at(i, frame)
                else:
                    frame.index += 1
                    pointer = _pointer(frame.pointer, frame.index)
                break
            stack.pop()
            i += 1
        else:
            return
