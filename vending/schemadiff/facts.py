"""What a conjunction of subschemas tells about its instances: their types, and their values when few."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from vending.loader import Json
from vending.schemadiff.document import Node, canonical, effective, is_false
from vending.schemadiff.wording import MISSING

# "number" is integer plus fraction: the instances of `type: integer` are a subset of `type: number`.
ALL_TYPES = frozenset({"null", "boolean", "object", "array", "string", "integer", "fraction"})
NUMERIC = frozenset({"integer", "fraction"})
TYPE_WORDS = {
    "null": "null", "boolean": "boolean", "object": "object", "array": "array", "string": "string",
    "integer": "integer", "fraction": "non-integer number",
}


def types_of(declared: Json) -> frozenset[str]:
    names = declared if isinstance(declared, list) else [declared]
    found: set[str] = set()
    for name in names:
        if name == "number":
            found |= NUMERIC
        elif name in ALL_TYPES and name != "fraction":
            found.add(name)
    return frozenset(found)


def type_of_value(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "fraction"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def describe_types(types: Iterable[str]) -> str:
    words = [TYPE_WORDS[t] for t in sorted(types, key=list(TYPE_WORDS).index)]
    return " or ".join(words)


def type_only(schema: Json) -> bool:
    return isinstance(schema, Mapping) and set(schema) - {"title", "description", "$comment"} == {"type"}


@dataclass(frozen=True)
class Facts:
    types: frozenset[str]
    values: tuple[Json, ...] | None
    """Every instance, when the schema allows only a few (an enum, a const, booleans)."""

    @property
    def empty(self) -> bool:
        return not self.types or self.values == ()


Validity = Callable[[Json, Sequence[Node]], bool]


def gather(nodes: Sequence[Node], accepts: Validity) -> Facts:
    """The types and (when finite) values of the conjunction `nodes`.

    `accepts(value, nodes)` filters candidate values; it must err towards
    True, since the facts stand for everything the schema may accept.
    """
    types = ALL_TYPES
    finite: list[Json] | None = None
    for node in nodes:
        if is_false(node.schema):
            return Facts(frozenset(), ())
        if node.has("type"):
            types &= types_of(node.get("type"))
        for word in ("const", "enum"):
            if node.has(word):
                listed = [node.get(word)] if word == "const" else list(node.get(word) or [])
                finite = listed if finite is None else _common(finite, listed)
        negated = node.get("not")
        if type_only(negated):
            types -= types_of(negated["type"])
    if finite is None and types <= {"null", "boolean"}:
        finite = [None, True, False]
    if finite is None:
        return Facts(types, None)
    values = tuple(v for v in _unique(finite) if type_of_value(v) in types and accepts(v, nodes))
    return Facts(frozenset(type_of_value(v) for v in values), values)


def _common(first: list[Json], second: list[Json]) -> list[Json]:
    keys = {canonical(v) for v in second}
    return [v for v in first if canonical(v) in keys]


def _unique(values: list[Json]) -> list[Json]:
    seen: dict[str, Json] = {}
    for value in values:
        seen.setdefault(canonical(value), value)
    return list(seen.values())


def number(value: Json) -> Fraction | None:
    """The exact value of a JSON number as the validator compares it (a float's binary value), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return Fraction(value)


@dataclass(frozen=True)
class Bound:
    value: Fraction
    exclusive: bool


def lower_bound(nodes: Sequence[Node], integers_only: bool) -> Bound | None:
    """The tightest lower bound of the conjunction; for integers, as an inclusive integer."""
    best: Bound | None = None
    for node in nodes:
        for word, exclusive in (("minimum", False), ("exclusiveMinimum", True)):
            value = number(node.get(word))
            if value is None:
                continue
            bound = Bound(value, exclusive)
            if best is None or (bound.value, bound.exclusive) > (best.value, best.exclusive):
                best = bound
    if best is not None and integers_only:
        whole = math.floor(best.value) + 1 if best.exclusive else math.ceil(best.value)
        best = Bound(Fraction(whole), False)
    return best


def upper_bound(nodes: Sequence[Node], integers_only: bool) -> Bound | None:
    best: Bound | None = None
    for node in nodes:
        for word, exclusive in (("maximum", False), ("exclusiveMaximum", True)):
            value = number(node.get(word))
            if value is None:
                continue
            bound = Bound(value, exclusive)
            if best is None or (-bound.value, bound.exclusive) > (-best.value, best.exclusive):
                best = bound
    if best is not None and integers_only:
        whole = math.ceil(best.value) - 1 if best.exclusive else math.floor(best.value)
        best = Bound(Fraction(whole), False)
    return best


def largest(nodes: Sequence[Node], word: str) -> int | None:
    found = [v for n in nodes if isinstance(v := n.get(word), int) and not isinstance(v, bool)]
    return max(found) if found else None


def smallest(nodes: Sequence[Node], word: str) -> int | None:
    found = [v for n in nodes if isinstance(v := n.get(word), int) and not isinstance(v, bool)]
    return min(found) if found else None


def first_value(nodes: Sequence[Node], word: str) -> object:
    """The value of `word` in the first node that has it, else MISSING."""
    return next((m.get(word) for m in nodes if m.has(word)), MISSING)


def required_names(nodes: Sequence[Node]) -> set[str]:
    return {name for m in nodes for name in (m.get("required") or []) if isinstance(name, str)}


def forbids(nodes: Sequence[Node], name: str) -> bool:
    """Whether the conjunction rejects every object with property `name`."""
    for m in nodes:
        found = effective(m, name)
        if found and all(is_false(x.schema) for x in found):
            return True
    return False
