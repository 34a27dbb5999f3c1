"""A concrete document that OLD accepts and NEW rejects: the example that makes a breaking change plain.

Best effort, and never wrong: a minimal document is sampled from OLD with the
finding's suspect value planted where the finding points, and it is only
returned when the validator confirms it is valid under OLD and invalid under NEW.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from vending.loader import Json, join_pointer
from vending.schemadiff.document import Doc, Node, accepts, effective, expand, item_at
from vending.schemadiff.facts import NUMERIC, gather, lower_bound, upper_bound
from vending.schemadiff.finding import Absent, AnyIndex, AnyName, Finding, Repeated, Sampled, Token
from vending.schemadiff.wording import shown

MAX_DEPTH = 16
_parser: Any = importlib.import_module("re._parser")  # the stdlib regex parser (sre_parse)


@dataclass(frozen=True)
class Witness:
    document: Json
    path: tuple[str | int, ...]
    value: Json
    """What was planted at `path` (`Absent()` for a property left out)."""

    def sentence(self) -> str:
        where = "".join(join_pointer("", t) for t in self.path)
        if isinstance(self.value, Absent):
            return f"For example, a document without {where} is valid under the old schema but not the new one."
        if not where:
            return (f"For example, the document {shown(self.document)} is valid under the old schema but not the "
                    "new one.")
        return f"For example, {where}: {shown(self.value)} is valid under the old schema but not the new one."


def find_witness(old: Doc, new: Doc, finding: Finding, tries: int = 200) -> Witness | None:
    for candidate in (*finding.candidates, Sampled()):
        for document, path, value in plant(old, finding.instance, candidate):
            tries -= 1
            if tries < 0:
                return None
            if old.valid(document) is True and new.valid(document) is False:
                return Witness(document, path, value)
    return None


_ABSENT = Absent()


def plant(doc: Doc, path: tuple[Token, ...], candidate: Json) -> Iterator[tuple[Json, tuple[str | int, ...], Json]]:
    """(document, concrete path, planted value): minimal documents of `doc` with `candidate` at `path`."""
    for value, where, planted in _build(doc, (doc.node,), path, (), candidate=candidate, depth=0):
        if value is not _ABSENT:
            yield value, where, planted


def _build(doc: Doc, nodes: Sequence[Node], path: tuple[Token, ...], done: tuple[str | int, ...], *, candidate: Json,
           depth: int) -> Iterator[tuple[Json, tuple[str | int, ...], Json]]:
    nodes = expand(nodes)
    if not path:
        for value in _values(doc, nodes, candidate, depth):
            yield value, done, value
        return
    if depth > MAX_DEPTH:
        return
    token, rest = path[0], path[1:]
    if isinstance(token, int | AnyIndex):
        index = token if isinstance(token, int) else token.start
        before = [sample(doc, _items(nodes, i), depth + 1, variant=i) for i in range(index)]
        for value, where, planted in _build(doc, _items(nodes, index), rest, (*done, index), candidate=candidate,
                                                  depth=depth + 1):
            if value is not _ABSENT:
                yield [*before, value], where, planted
        return
    base = sample(doc, nodes, depth)
    names = [token] if isinstance(token, str) else _free_names(nodes, token)
    for name in names:
        inside = [x for m in nodes for x in effective(m, name)]
        for value, where, planted in _build(doc, inside, rest, (*done, name), candidate=candidate,
                                                  depth=depth + 1):
            mapping = dict(base) if isinstance(base, dict) else {}
            if value is _ABSENT:
                mapping.pop(name, None)
            else:
                mapping[name] = value
            yield mapping, where, planted


def _items(nodes: Sequence[Node], index: int) -> list[Node]:
    return [x for m in nodes if (x := item_at(m, index)) is not None]


def _free_names(nodes: Sequence[Node], token: AnyName) -> list[str]:
    listed = {p for m in nodes for p in (m.get("properties") or {})}
    if token.pattern is not None:
        names = [regex_sample(token.pattern, variant=v) for v in range(3)]
    else:
        names = ["x", "extra", "other-name", "a1"]
    return [n for n in dict.fromkeys(names) if n not in listed]


def _values(doc: Doc, nodes: Sequence[Node], candidate: Json, depth: int) -> Iterator[Json]:
    if isinstance(candidate, Absent):
        yield _ABSENT
    elif isinstance(candidate, Sampled):
        for variant in range(3):
            yield sample(doc, nodes, depth, min_length=candidate.min_length, variant=variant)
    elif isinstance(candidate, Repeated):
        items = _items(nodes, 0)
        values = [sample(doc, items, depth + 1, variant=i if candidate.distinct else 0) for i in range(candidate.count)]
        yield values
        entries = [x for m in nodes for x in effective(m, "x")]
        yield {f"k{i}": sample(doc, entries, depth + 1, variant=i) for i in range(candidate.count)}
    else:
        yield candidate


def sample(doc: Doc, nodes: Sequence[Node], depth: int = 0, *, min_length: int = 0, variant: int = 0) -> Json:
    """A small value meant to be valid under the conjunction `nodes` (callers check that it is)."""
    nodes = expand(nodes)
    if depth > MAX_DEPTH:
        return None
    for m in nodes:
        if m.has("const"):
            return m.get("const")
    for m in nodes:
        if isinstance(m.get("enum"), list) and m.get("enum"):
            fitting = [v for v in m.get("enum") if accepts(v, nodes)] or m.get("enum")
            return fitting[variant % len(fitting)]
    for word in ("examples", "default"):
        for m in nodes:
            found = m.get(word) if word == "examples" else [m.get(word)] if m.has(word) else []
            good = [v for v in found or [] if accepts(v, nodes)
                    and (not isinstance(v, str) or len(v) >= min_length)]
            if good and variant < len(good):
                return good[variant]
    for m in nodes:
        for word in ("anyOf", "oneOf"):
            branches = m.get(word)
            if isinstance(branches, list):
                others = [n for n in nodes if n is not m] + [m.without(word)]
                for i in range(len(branches)):
                    value = sample(doc, [*others, m.child(word, i)], depth + 1, min_length=min_length,
                                   variant=variant)
                    if accepts(value, nodes):
                        return value
    kind = _kind(nodes)
    if kind == "object":
        required = [r for m in nodes for r in (m.get("required") or [])]
        return {name: sample(doc, [x for m in nodes for x in effective(m, name)], depth + 1)
                for name in dict.fromkeys(required)}
    if kind == "array":
        count = max([m.get("minItems") for m in nodes if isinstance(m.get("minItems"), int)], default=0)
        return [sample(doc, _items(nodes, i), depth + 1, variant=i) for i in range(count)]
    if kind == "string":
        return _string(nodes, min_length, variant)
    if kind in NUMERIC:
        return _number(nodes, kind == "integer", variant)
    if kind == "boolean":
        return variant % 2 == 1
    return None


_PREFERENCE = ("object", "string", "integer", "fraction", "array", "boolean", "null")
_HINTS = {
    "object": ("properties", "required", "additionalProperties", "patternProperties", "propertyNames"),
    "array": ("items", "prefixItems", "minItems", "maxItems", "contains", "uniqueItems"),
    "string": ("pattern", "format", "minLength", "maxLength"),
    "integer": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
}


def _kind(nodes: Sequence[Node]) -> str:
    allowed = gather(nodes, lambda v, n: True).types
    declared = any(m.has("type") for m in nodes)
    if not declared:
        for kind, hints in _HINTS.items():
            if any(m.has(h) for m in nodes for h in hints) and kind in allowed:
                return kind
    return next((k for k in _PREFERENCE if k in allowed), "null")


def _string(nodes: Sequence[Node], min_length: int, variant: int) -> str:
    low: int = max([m.get("minLength") for m in nodes if isinstance(m.get("minLength"), int)] + [min_length])
    formats = [m.get("format") for m in nodes if m.has("format")]
    if formats:
        return {"email": f"user{variant}@example.com", "ipv4": f"10.0.0.{variant + 1}",
                "date": f"2024-01-{variant + 1:02d}"}.get(str(formats[0]), "x" * max(low, 1))
    patterns: list[str] = [m.get("pattern") for m in nodes if isinstance(m.get("pattern"), str)]
    if patterns:
        return regex_sample(patterns[0], variant=variant, min_length=low)
    return chr(ord("a") + variant % 26) * max(low, 1)


def _number(nodes: Sequence[Node], integer: bool, variant: int) -> Json:
    low, high = lower_bound(nodes, integer), upper_bound(nodes, integer)
    value: Any = 0
    if low is not None:
        value = low.value + (1 if low.exclusive else 0)
    elif high is not None and high.value < 0:
        value = high.value - 1
    value += variant
    steps = [m.get("multipleOf") for m in nodes if isinstance(m.get("multipleOf"), int | float)]
    if steps and steps[0] > 0:
        step = steps[0]
        value = (int(value / step) + 1) * step
    if integer or float(value).is_integer():
        return int(value)
    return float(value)


def regex_sample(pattern: str, *, variant: int = 0, min_length: int = 0) -> str:
    """A string matching `pattern` (a common subset of regex syntax), at least `min_length` long if it can."""
    try:
        parsed = _parser.parse(pattern)
    except (re.error, ValueError, RecursionError):
        return "x"
    text = ""
    for extra in (0, 1, 2, 4, 8, 16, 32, 64, 128, 256):
        try:
            text = _emit(parsed, variant, extra)
        except (ValueError, IndexError, TypeError, RecursionError):
            return "x"
        if len(text) >= min_length:
            break
    return text


def _emit(items: Any, variant: int, extra: int) -> str:
    out: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("b" if arg == ord("a") else "a")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_pick(arg, variant))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            count = low + extra if high == _parser.MAXREPEAT else min(high, low + extra)
            out.extend(_emit(sub, variant, extra) for _ in range(count))
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            out.append(_emit(arg[-1], variant, extra))
        elif name == "BRANCH":
            branches = arg[1]
            out.append(_emit(branches[variant % len(branches)], variant, extra))
        # AT (anchors), lookarounds and back-references add nothing
    return "".join(out)


_CATEGORY = {"CATEGORY_DIGIT": "0123456789", "CATEGORY_WORD": "abcxyz_0", "CATEGORY_SPACE": " ",
             "CATEGORY_NOT_DIGIT": "ab-", "CATEGORY_NOT_WORD": "-. ", "CATEGORY_NOT_SPACE": "ab0"}


def _pick(options: Any, variant: int) -> str:
    chars: list[str] = []
    negate = False
    for op, arg in options:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            chars.append(chr(arg))
        elif name == "RANGE":
            low, high = arg
            chars.extend(chr(c) for c in (low, low + (variant % (high - low + 1)), high))
        elif name == "CATEGORY":
            chars.extend(_CATEGORY.get(str(arg), "a"))
    if negate:
        spare = [c for c in "abcxyzAB019_-. " if c not in chars and not _in_category(c, options)]
        return spare[variant % len(spare)] if spare else "a"
    return chars[variant % len(chars)] if chars else "a"


def _in_category(char: str, options: Any) -> bool:
    for op, arg in options:
        if str(op) == "CATEGORY":
            name = str(arg)
            tests = {"CATEGORY_DIGIT": char.isdigit(), "CATEGORY_WORD": char.isalnum() or char == "_",
                     "CATEGORY_SPACE": char.isspace()}
            if tests.get(name, False):
                return True
        elif str(op) == "RANGE" and arg[0] <= ord(char) <= arg[1]:
            return True
    return False

