"""Load a request file safely into plain JSON data, remembering where each value was.

Requests come from people and pipelines, so the loader is strict: UTF-8 only,
a size limit, exactly one document with a mapping at its root, no YAML tags,
anchors or aliases (no "billion laughs"), no duplicate keys, and plain scalars typed only where
YAML 1.1 and 1.2 agree (`yes`, `no`, `on`, `08` and dates stay strings). Every problem carries the
line, column and JSON pointer it was found at, and all of a file's problems are
reported together.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, CollectionStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from vending.errors import InvalidInput, Problem

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_DIGITS = 4000  # Python refuses to parse longer integers (and no request field needs them)

Json = Any  # a value made of dict, list, str, int, float, bool and None only


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(parent: str, token: str | int) -> str:
    return f"{parent}/{escape_pointer_token(token)}"


class Marks:
    """1-based (line, column) of values, and of mapping keys, by JSON pointer.

    For JSON the positions are worked out only when a problem needs one (`fill`):
    valid requests, the common case, never pay for it.
    """

    __slots__ = ("_fill", "_keys", "_values")

    def __init__(self, fill: Callable[[Marks], None] | None = None) -> None:
        self._values: dict[str, tuple[int, int]] = {}
        self._keys: dict[str, tuple[int, int]] = {}
        self._fill = fill

    def _filled(self) -> None:
        if self._fill is not None:
            fill, self._fill = self._fill, None
            fill(self)

    @property
    def values(self) -> dict[str, tuple[int, int]]:
        self._filled()
        return self._values

    @property
    def keys(self) -> dict[str, tuple[int, int]]:
        self._filled()
        return self._keys

    def locate(self, pointer: str, *, key: bool = False) -> tuple[int | None, int | None]:
        """The position of `pointer`, or of its nearest ancestor that has one."""
        if key and pointer in self.keys:
            return self.keys[pointer]
        probe = pointer
        while True:
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return (None, None)
            probe = probe.rsplit("/", 1)[0]

    def problem(self, message: str, pointer: str, *, key: bool = False, kind: str = "") -> Problem:
        line, column = self.locate(pointer, key=key)
        return Problem(message=message, pointer=pointer, line=line, column=column, kind=kind)


@dataclass(frozen=True)
class Document:
    path: str
    data: dict[str, Json]
    marks: Marks
    syntax: str = "yaml"
    """json or yaml: how the file was read."""


class _CoreResolver(BaseResolver):
    """Plain scalars become null, booleans or numbers only where YAML 1.1 and 1.2 agree.

    `yes`, `no`, `on`, dates, `08`, `010`, `0x1f` and `1e3` stay strings: YAML 1.1
    and 1.2 read them differently, so a request written by a 1.1 tool (PyYAML) and
    read as 1.2 (or the reverse) would silently change meaning. As strings, a
    misplaced one is reported by the schema instead.
    """


_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"),
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)\.[0-9]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"),
)


class _TooDeep(Exception):
    def __init__(self, mark: Any) -> None:
        self.mark = mark


class _StrictComposer(Composer, _CoreResolver):
    """Composes nodes only (never constructs objects) and notes forbidden features.

    Events come from libyaml's C parser where PyYAML has it (ten times faster than the
    Python scanner), else from PyYAML's Python parser; composing stays in Python, so
    every check below runs event by event, before any nesting can grow deep.
    """

    def __init__(self) -> None:
        Composer.__init__(self)
        _CoreResolver.__init__(self)
        self.forbidden: list[tuple[str, Any]] = []
        self.depth = 0

    if TYPE_CHECKING:  # provided by the event source it is mixed with
        def check_event(self, *choices: Any) -> bool: ...
        def get_event(self) -> Any: ...
        def peek_event(self) -> Any: ...

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event: Any = self.get_event()
            self.forbidden.append(
                (f"YAML aliases (*{event.anchor}) are not allowed in a request; write the value out",
                 event.start_mark)
            )
            return ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            self.forbidden.append(
                (f"YAML anchors (&{event.anchor}) are not allowed in a request; write the value out",
                 event.start_mark)
            )
        tag = getattr(event, "tag", None)
        # Plain and quoted scalars carry no tag; any other was written by the author.
        if tag is not None and tag != "!":
            self.forbidden.append(
                (f"YAML tags ({tag}) are not allowed in a request; use plain values", event.start_mark)
            )
        if isinstance(event, CollectionStartEvent):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _TooDeep(event.start_mark)
        node = super().compose_node(parent, index)
        if isinstance(event, CollectionStartEvent):
            self.depth -= 1
        return node


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _StrictLoader(CParser, _StrictComposer):
        # CParser composes in C; take the Python composer's entry points instead.
        check_node = Composer.check_node
        get_node = Composer.get_node
        get_single_node = Composer.get_single_node
        compose_document = Composer.compose_document

        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            _StrictComposer.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml

    class _StrictLoader(Reader, Scanner, Parser, _StrictComposer):  # type: ignore[no-redef]
        def __init__(self, text: str) -> None:
            Reader.__init__(self, text)
            Scanner.__init__(self)
            Parser.__init__(self)
            _StrictComposer.__init__(self)


def _position(mark: yaml.Mark) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def load_bytes(raw: bytes, path: str, *, max_bytes: int = MAX_BYTES, syntax: str = "auto") -> Document:
    """Load one request from `raw` bytes; raise `InvalidInput` with every problem found.

    `syntax` is "yaml", "json" or "auto" (JSON if it parses as JSON, else YAML).
    """
    if len(raw) > max_bytes:
        raise InvalidInput(path, [Problem(
            f"the file is {len(raw):,} bytes; a request may be at most {max_bytes:,} bytes")])
    text = _decode_utf8(raw, path)
    if syntax == "auto":
        syntax = "json" if text.lstrip().startswith(("{", "[")) and _is_json(text) else "yaml"
    if syntax == "json":
        return _load_json(text, path)
    return _load_yaml(text, path)


def _decode_utf8(raw: bytes, path: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidInput(path, [Problem("the file is UTF-16 encoded; save it as UTF-8", line=1, column=1)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
        raise InvalidInput(path, [Problem(
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; requests must be UTF-8 encoded",
            line=line, column=column)]) from None
    return text.removeprefix("\ufeff")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _load_yaml(text: str, path: str) -> Document:
    loader = _StrictLoader(text)
    try:
        if not loader.check_node():
            raise InvalidInput(path, [Problem("the file is empty; expected a request (a mapping)", line=1, column=1)])
        root = loader.get_node()
        if loader.check_node():
            extra = loader.get_node()
            line, column = _position(extra.start_mark) if extra else (None, None)
            raise InvalidInput(path, [Problem(
                "the file holds more than one YAML document; put one request in each file",
                line=line, column=column)])
    except _TooDeep as exc:
        line, column = _position(exc.mark)
        raise InvalidInput(path, [Problem(
            f"values are nested more than {MAX_DEPTH} levels deep", line=line, column=column)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = _position(mark) if mark else (None, None)
        reason = exc.problem or exc.context or "not valid YAML"
        raise InvalidInput(path, [Problem(f"not valid YAML: {reason}", line=line, column=column)]) from None
    except yaml.YAMLError as exc:
        raise InvalidInput(path, [Problem(f"not valid YAML: {exc}")]) from None
    finally:
        _dispose(loader)

    problems = [Problem(msg, line=_position(m)[0], column=_position(m)[1]) for msg, m in loader.forbidden]
    marks = Marks()
    data = _construct(root, "", marks, problems) if root is not None else None
    return _finish(path, data, marks, problems)


def _load_json(text: str, path: str) -> Document:
    duplicates: list[str] = []

    def reject_constant(name: str) -> None:
        raise ValueError(f"{name} is not a JSON number")

    def finite(text: str) -> float:
        number = float(text)
        if not math.isfinite(number):
            raise ValueError(f"{text} is not a finite number")
        return number

    def note_duplicates(pairs: list[tuple[str, Json]]) -> dict[str, Json]:
        seen = dict(pairs)
        if len(seen) != len(pairs):
            duplicates.extend(sorted({k for k, _ in pairs if sum(1 for q, _ in pairs if q == k) > 1}))
        return seen

    try:
        data = json.loads(text, parse_constant=reject_constant, parse_float=finite, object_pairs_hook=note_duplicates)
    except json.JSONDecodeError as exc:
        raise InvalidInput(path, [Problem(f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno)]) from None
    except ValueError as exc:
        raise InvalidInput(path, [Problem(f"not valid JSON: {exc}")]) from None
    except RecursionError:
        raise InvalidInput(path, [Problem(f"values are nested more than {MAX_DEPTH} levels deep")]) from None
    if _depth(data) > MAX_DEPTH:
        problems: list[Problem] = []
        marks = _json_marks(text, path, problems)
        raise InvalidInput(path, problems or [Problem(f"values are nested more than {MAX_DEPTH} levels deep")])
    if duplicates:
        problems = []
        marks = _json_marks(text, path, problems)
        problems = problems or [Problem(f"duplicate key {key!r}") for key in duplicates]
        return _finish(path, data, marks, problems, syntax="json")
    return _finish(path, data, Marks(fill=lambda marks: _fill_json_marks(marks, text)), [], syntax="json")


def _depth(value: Json) -> int:
    """How many levels `value` nests, counted without recursion: json.loads builds documents deeper
    than Python's stack allows a recursive walk over (about 500 levels)."""
    deepest = 0
    pending: list[tuple[Json, int]] = [(value, 0)]
    while pending:
        node, level = pending.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, level + 1)
        pending.extend((child, level + 1) for child in children)
    return deepest


def _compose_json(text: str) -> Node | None:
    # In valid JSON every raw tab is whitespace, which YAML's flow style rejects.
    loader = _StrictLoader(text.replace("\t", " "))
    try:
        return loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        _dispose(loader)


def _fill_json_marks(marks: Marks, text: str) -> None:
    """Positions of a JSON document, from composing the same text as YAML (JSON is YAML)."""
    root = _compose_json(text)
    if root is not None:
        _construct(root, "", marks, [])


def _json_marks(text: str, path: str, problems: list[Problem]) -> Marks:
    """Positions, and the located problems (duplicate keys, depth) found while composing."""
    marks = Marks()
    try:
        root = _compose_json(text)
    except _TooDeep as exc:
        line, column = _position(exc.mark)
        problems.append(Problem(f"values are nested more than {MAX_DEPTH} levels deep", line=line, column=column))
        return marks
    if root is not None:
        _construct(root, "", marks, problems)
    return marks


def _dispose(loader: Any) -> None:
    dispose = getattr(loader, "dispose", None)
    if dispose is not None:
        dispose()


def _finish(path: str, data: Json, marks: Marks, problems: list[Problem], syntax: str = "yaml") -> Document:
    if not isinstance(data, dict):
        line, column = marks.locate("")
        problems.insert(0, Problem(
            f"expected a mapping of request fields at the top of the file, found {json_type(data)}",
            line=line, column=column))
    if problems:
        raise InvalidInput(path, problems)
    return Document(path=path, data=data, marks=marks, syntax=syntax)


def _construct(node: Node, pointer: str, marks: Marks, problems: list[Problem]) -> Json:
    marks.values[pointer] = _position(node.start_mark)
    if isinstance(node, MappingNode):
        result: dict[str, Json] = {}
        first_seen: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            key_pos = _position(key_node.start_mark)
            if not isinstance(key_node, ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                shown = key_node.value if isinstance(key_node, ScalarNode) else "a collection"
                problems.append(Problem(
                    f"keys must be strings; quote the key {shown!s}" if isinstance(key_node, ScalarNode)
                    else "keys must be strings, not a collection",
                    pointer=pointer, line=key_pos[0], column=key_pos[1]))
                continue
            key = key_node.value
            child = join_pointer(pointer, key)
            if key in first_seen:
                problems.append(Problem(
                    f"duplicate key {key!r} (first defined at line {first_seen[key][0]}, "
                    f"column {first_seen[key][1]})",
                    pointer=child, line=key_pos[0], column=key_pos[1]))
                continue
            first_seen[key] = key_pos
            marks.keys[child] = key_pos
            result[key] = _construct(value_node, child, marks, problems)
        return result
    if isinstance(node, SequenceNode):
        return [_construct(item, join_pointer(pointer, i), marks, problems) for i, item in enumerate(node.value)]
    assert isinstance(node, ScalarNode)
    return _scalar(node, pointer, problems)


def _scalar(node: ScalarNode, pointer: str, problems: list[Problem]) -> Json:
    value: str = node.value
    tag = node.tag
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:int":
        if len(value) > MAX_DIGITS:
            return _not_a_number(node, pointer, problems, f"a number of {len(value):,} digits")
        return int(value, 10)
    if tag == "tag:yaml.org,2002:float":
        number = float(value) if value.lstrip("+-").lower() not in (".inf", ".nan") else math.inf
        if not math.isfinite(number):
            return _not_a_number(node, pointer, problems, f"{value} is not a finite number")
        return number
    return value


def _not_a_number(node: ScalarNode, pointer: str, problems: list[Problem], why: str) -> None:
    line, column = _position(node.start_mark)
    problems.append(Problem(f"{why}; a request holds only finite JSON numbers", pointer=pointer, line=line,
                            column=column))


def json_type(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a mapping"
