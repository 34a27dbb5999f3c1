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

from vending import json_marks
from vending.errors import InvalidInput, Problem

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_PROBLEMS = 100  # listed per file: a file with 100,000 duplicate keys must not flood the log
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


_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _load_yaml(text: str, path: str) -> Document:
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:  # the YAML parser refuses these too, but without saying where
        before = text[: bad.start()]
        raise InvalidInput(path, [Problem(
            f"not valid YAML: the control character U+{ord(bad.group()):04X} is not allowed; remove it (write "
            "it as an escape such as \\x07 inside double quotes if it is meant)",
            line=before.count("\n") + 1, column=bad.start() - (before.rfind("\n") + 1) + 1)])
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


class _Refused:
    """A JSON value the loader refuses (NaN, 1e400, a 5000-digit integer), kept in place until its
    position is known."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why


def _load_json(text: str, path: str) -> Document:
    data, marks = parse_json(text, path)
    return _finish(path, data, marks, [], syntax="json")


def parse_json(text: str, path: str) -> tuple[Json, Marks]:
    """The JSON `text` as plain data and its marks; `InvalidInput` with every problem, located: syntax,
    numbers that are not finite or too long, duplicate keys, lone surrogates, nesting. Linear in the
    size of the text."""
    flags = {"refused": False, "duplicates": False}

    def constant(name: str) -> _Refused:
        flags["refused"] = True
        return _Refused(f"{name} is not a JSON number")

    def number(literal: str) -> float | _Refused:
        value = float(literal)
        if math.isfinite(value):
            return value
        flags["refused"] = True
        return _Refused(f"{literal} is not a finite number")

    def integer(literal: str) -> int | _Refused:
        digits = len(literal.lstrip("-"))
        if digits <= MAX_DIGITS:
            return int(literal)
        flags["refused"] = True
        return _Refused(f"a number of {digits:,} digits")

    def mapping(pairs: list[tuple[str, Json]]) -> dict[str, Json]:
        result = dict(pairs)
        if len(result) != len(pairs):
            flags["duplicates"] = True
        return result

    too_deep = False
    data: Json = None
    try:
        data = json.loads(text, parse_constant=constant, parse_float=number, parse_int=integer,
                          object_pairs_hook=mapping)
    except json.JSONDecodeError as exc:
        raise InvalidInput(path, [Problem(f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno)]) from None
    except RecursionError:
        too_deep = True
    if not (too_deep or flags["refused"] or flags["duplicates"] or json_marks.may_hold_surrogates(text)
            or _deeper_than(data, MAX_DEPTH)):
        return data, Marks(fill=lambda marks: json_marks.scan(text, marks, [], max_depth=MAX_DEPTH))
    problems: list[Problem] = []
    marks = Marks()
    json_marks.scan(text, marks, problems, max_depth=MAX_DEPTH)
    if flags["refused"]:
        for pointer, refused in _refused_values(data):
            problems.append(marks.problem(f"{refused.why}; a request holds only finite JSON numbers", pointer))
    if too_deep and not problems:
        problems.append(Problem(f"values are nested more than {MAX_DEPTH} levels deep"))
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise InvalidInput(path, _capped(problems))
    return data, marks


def _deeper_than(value: Json, limit: int) -> bool:
    pending: list[tuple[Json, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _refused_values(value: Json) -> list[tuple[str, _Refused]]:
    found: list[tuple[str, _Refused]] = []
    pending: list[tuple[str, Json]] = [("", value)]
    while pending:
        pointer, item = pending.pop()
        if isinstance(item, _Refused):
            found.append((pointer, item))
        elif isinstance(item, dict):
            pending.extend((join_pointer(pointer, k), v) for k, v in item.items())
        elif isinstance(item, list):
            pending.extend((join_pointer(pointer, i), v) for i, v in enumerate(item))
    return found


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
        raise InvalidInput(path, _capped(problems))
    return Document(path=path, data=data, marks=marks, syntax=syntax)


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], Problem(f"... and {more:,} more problems like these in this file")]


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
