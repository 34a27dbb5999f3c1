"""Prove that every document schema A accepts, schema B accepts too, or say where that fails.

`subset(A, B)` returns the places it could not prove (empty: proven). It is
sound, not complete: it only returns [] when A ⊆ B really holds, and says
"cannot be proven" where it does not know. Comparing OLD ⊆ NEW finds what a
release breaks (major); NEW ⊆ OLD finds what it newly accepts (minor).

How: both sides are conjunctions of subschemas (`document.expand`). A's
disjunctions (anyOf, oneOf, if/then/else) are split into cases; then each
keyword of B must follow from A's keywords of the same sort (a bound at least
as tight, the same pattern, an enum whose every value B accepts, ...), and
properties, items and the like are compared recursively. Recursion through
`$ref` terminates: a comparison met again deeper in the document is assumed
to hold (it is being proven for the smaller parts already), and one met again
at the same place is reported as unprovable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from vending.compat.document import Doc, Node, canonical, child_pointer, effective, expand, is_false, is_trivial, same
from vending.compat.facts import (
    NUMERIC,
    Facts,
    describe_types,
    gather,
    largest,
    lower_bound,
    number,
    smallest,
    types_of,
    upper_bound,
)
from vending.compat.finding import Absent, AnyIndex, AnyName, Finding, Repeated, Sampled, Token
from vending.compat.wording import MISSING, listed, plural, shown, verb, what_changed
from vending.loader import Json
from vending.validation import FORMAT_WORDS

STEP_LIMIT = 20_000
MAX_CASES = 64

TYPE_SAMPLES: dict[str, tuple[Json, ...]] = {
    "null": (None,), "boolean": (True, False), "integer": (0, 1, -1), "fraction": (0.5, -0.5),
    "string": ("x", "", Sampled()), "array": ([],), "object": ({},),
}
ANY_SAMPLES: tuple[Json, ...] = (Sampled(), None, True, 0, 0.5, "x", [], {})


@dataclass(frozen=True, slots=True)
class Here:
    """Where the comparison is: the instance path, and the pointers of A's and B's subschemas."""

    instance: tuple[Token, ...]
    a_ptr: str
    b_ptr: str

    def down(self, token: Token, a_ptr: str, b_ptr: str) -> Here:
        return Here((*self.instance, token), a_ptr, b_ptr)

    def at(self, a_ptr: str, b_ptr: str) -> Here:
        return Here(self.instance, a_ptr, b_ptr)


@dataclass(eq=False)
class Proof:
    forward: bool
    """A is OLD and B is NEW (failures break documents); otherwise A is NEW (failures widen)."""
    steps: int = 0
    active: dict[tuple[frozenset[tuple[object, ...]], frozenset[tuple[object, ...]]], int] = field(
        default_factory=dict)
    sameness: dict[tuple[tuple[object, ...], tuple[object, ...]], bool] = field(default_factory=dict)

    def old_new(self, a_value: object, b_value: object) -> tuple[object, object]:
        return (a_value, b_value) if self.forward else (b_value, a_value)

    def effect(self, subject: str) -> str:
        return f"{subject} that were valid are now rejected" if self.forward else f"{subject} are now accepted"

    def where(self, here: Here, node: Node | None, *tokens: str | int) -> str:
        """A pointer into NEW: B's node when B is NEW, else A's place."""
        if self.forward:
            return child_pointer(node.pointer if node is not None else here.b_ptr, *tokens)
        return child_pointer(here.a_ptr, *tokens)

    def finding(self, here: Here, node: Node | None, tokens: tuple[str | int, ...], kind: str, message: str,
                *, candidates: tuple[Json, ...] = (), instance: tuple[Token, ...] | None = None) -> Finding:
        return Finding(self.where(here, node, *tokens), kind, message,
                       here.instance if instance is None else instance, candidates if self.forward else ())

    def is_same(self, x: Node, y: Node) -> bool:
        key = (x.key, y.key)
        if key not in self.sameness:
            self.sameness[key] = same(x, y)
        return self.sameness[key]


def prove(old: Doc, new: Doc) -> tuple[list[Finding], list[Finding]]:
    """(what NEW rejects that OLD accepted, what NEW accepts that OLD rejected), as far as provable."""
    breaking = subset(Proof(forward=True), (old.node,), (new.node,), Here((), "", ""))
    widening = subset(Proof(forward=False), (new.node,), (old.node,), Here((), "", ""))
    return breaking, widening


def accepts(value: Json, nodes: Sequence[Node]) -> bool:
    """Whether the conjunction may accept `value` (True when the validator cannot tell)."""
    return all(node.doc.valid(value, node) is not False for node in nodes)


def surely_accepts(value: Json, node: Node) -> bool:
    return node.doc.valid(value, node) is True


def subset(proof: Proof, a: Sequence[Node], b: Sequence[Node], here: Here) -> list[Finding]:
    proof.steps += 1
    if proof.steps > STEP_LIMIT:
        return [proof.finding(here, None, (), "unprovable",
                              "the schemas are too complex to compare within the step limit, so the change "
                              "cannot be proven safe")]
    a = expand(a)
    if any(is_false(n.schema) for n in a):
        return []
    b = tuple(n for n in expand(b) if not any(proof.is_same(m, n) for m in a))
    if not b:
        return []
    key = (frozenset(n.key for n in a), frozenset(n.key for n in b))
    if key in proof.active:
        if proof.active[key] < len(here.instance):
            return []  # proven for the smaller parts of the document (induction on its size)
        return [proof.finding(here, None, (), "unprovable",
                              "the schema refers to itself without descending into the document, so the change "
                              "cannot be proven safe")]
    proof.active[key] = len(here.instance)
    try:
        cases = split(a)
        if cases is not None:
            return [f for case in cases for f in subset(proof, case, b, here)]
        facts = gather(a, accepts)
        if facts.empty:
            return []
        return [f for node in b for f in _check(proof, a, facts, node, here)]
    finally:
        del proof.active[key]


def proves(proof: Proof, a: Sequence[Node], b: Sequence[Node], here: Here) -> bool:
    return not subset(proof, a, b, here)


def split(a: tuple[Node, ...]) -> list[tuple[Node, ...]] | None:
    """A's first disjunction distributed into cases (A ⊆ B iff every case ⊆ B); None when there is none.

    `oneOf` is split like `anyOf`: exactly one branch implies at least one.
    """
    for index, node in enumerate(a):
        for word in ("anyOf", "oneOf"):
            branches = node.get(word)
            if isinstance(branches, list) and len(branches) <= MAX_CASES:
                others = (*a[:index], node.without(word), *a[index + 1:])
                return [expand((*others, node.child(word, i))) for i in range(len(branches))]
        if node.has("if") and (node.has("then") or node.has("else")):
            others = (*a[:index], node.without("if", "then", "else"), *a[index + 1:])
            cond = node.child("if")
            then = node.child("then") if node.has("then") else None
            other = node.child("else") if node.has("else") else None
            return [expand((*others, cond, *([then] if then else []))),
                    expand((*others, negated(cond), *([other] if other else [])))]
    return None


def negated(node: Node) -> Node:
    return Node(node.doc, node.pointer + "#not", {"not": node.schema})


def typed(doc: Doc, kind: str) -> Node:
    schema: Json = {"type": "number", "not": {"type": "integer"}} if kind == "fraction" else {"type": kind}
    return Node(doc, f"#type={kind}", schema)


# --- the rules, one per sort of keyword of B ---------------------------------------------------

Rule = Callable[[Proof, tuple[Node, ...], Facts, Node, Here], list[Finding]]


def _check(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    if is_false(node.schema):
        message = ("nothing is accepted here any more: values that were valid are now rejected" if proof.forward
                   else "values are now accepted where the old schema accepted none")
        return [proof.finding(here, node, (), "schema.false", message, candidates=ANY_SAMPLES)]
    if facts.values is not None:
        return _finite(proof, facts, node, here)
    return [f for rule in RULES for f in rule(proof, a, facts, node, here)]


def _finite(proof: Proof, facts: Facts, node: Node, here: Here) -> list[Finding]:
    """A allows a few values only: check each one with the validator, exactly."""
    assert facts.values is not None
    bad = [v for v in facts.values if not surely_accepts(v, node)]
    if not bad:
        return []
    errors = node.doc.errors(bad[0], node) or []
    path = tuple(str(t) for t in errors[0].relative_schema_path) if errors else ()
    word = path[-1] if path else "schema"
    if proof.forward:
        some = "the value" if len(bad) == 1 else "the values"
        message = f"{word}: {some} {listed(bad)} {'was' if len(bad) == 1 else 'were'} valid and " \
                  f"{'is' if len(bad) == 1 else 'are'} now rejected"
    else:
        message = f"{word}: {'the value' if len(bad) == 1 else 'the values'} {listed(bad)} " \
                  f"{'is' if len(bad) == 1 else 'are'} now accepted"
    return [proof.finding(here, node, path, f"{word}.changed", message, candidates=tuple(bad))]


def _type(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    if not node.has("type"):
        return []
    missing = facts.types - types_of(node.get("type"))
    if not missing:
        return []
    declared = next((m.get("type") for m in a if m.has("type")), MISSING)
    old, new = proof.old_new(declared, node.get("type"))
    message = f"{what_changed('type', old, new)}: {proof.effect('values of type ' + describe_types(missing))}"
    candidates = tuple(c for t in sorted(missing) for c in TYPE_SAMPLES[t])
    return [proof.finding(here, node, ("type",), f"type.{verb(old, new)}", message, candidates=candidates)]


def _enum(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    out = []
    for word in ("enum", "const"):
        if node.has(word):
            allowed = list(node.get(word) or []) if word == "enum" else [node.get(word)]
            old, new = proof.old_new(MISSING, node.get(word))
            message = f"{what_changed(word, old, new)}: {proof.effect('values other than ' + listed(allowed))}"
            out.append(proof.finding(here, node, (word,), f"{word}.{verb(old, new)}", message, candidates=ANY_SAMPLES))
    return out


def _bound(proof: Proof, here: Here, node: Node, word: str, *, theirs: object, subject: str,
           candidates: tuple[Json, ...] = ()) -> Finding:
    old, new = proof.old_new(theirs, node.get(word))
    message = f"{what_changed(word, old, new)}: {proof.effect(subject)}"
    return proof.finding(here, node, (word,), f"{word}.{verb(old, new)}", message, candidates=(*candidates, Sampled()))


def _first(a: Sequence[Node], word: str) -> object:
    return next((m.get(word) for m in a if m.has(word)), MISSING)


def _strings(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    if "string" not in facts.types:
        return []
    out = []
    if isinstance(want := node.get("minLength"), int) and (largest(a, "minLength") or 0) < want:
        out.append(_bound(proof, here, node, "minLength", theirs=_first(a, "minLength"),
                          subject=f"strings shorter than {plural(want, 'character')}",
                          candidates=("x" * (want - 1), "")))
    if isinstance(want := node.get("maxLength"), int):
        have = smallest(a, "maxLength")
        if have is None or have > want:
            out.append(_bound(proof, here, node, "maxLength", theirs=_first(a, "maxLength"),
                              subject=f"strings longer than {plural(want, 'character')}",
                              candidates=(Sampled(min_length=want + 1), "x" * (want + 1))))
    if node.has("pattern"):
        pattern = node.get("pattern")
        theirs = [m.get("pattern") for m in a if m.has("pattern")]
        if pattern not in theirs:
            old, new = proof.old_new(theirs[0] if theirs else MISSING, pattern)
            how = verb(old, new)
            if proof.forward and how == "changed":
                message = (f"{what_changed('pattern', old, new)}: a changed pattern cannot be proven to accept "
                           "every string the old one did, so it counts as breaking")
            elif proof.forward:
                message = f"{what_changed('pattern', old, new)}: {proof.effect('strings that do not match it')}"
            elif how == "changed":
                message = f"{what_changed('pattern', old, new)}: strings the old pattern rejected may now be accepted"
            else:
                message = f"{what_changed('pattern', old, new)}: strings that do not match it are now accepted"
            out.append(proof.finding(here, node, ("pattern",), f"pattern.{how}", message,
                                     candidates=(Sampled(), Sampled(min_length=12), Sampled(min_length=64), "x")))
    if node.has("format"):
        wanted = node.get("format")
        theirs = [m.get("format") for m in a if m.has("format")]
        if wanted not in theirs:
            old, new = proof.old_new(theirs[0] if theirs else MISSING, wanted)
            subject = f"strings that are not {FORMAT_WORDS.get(str(wanted), shown(wanted))}"
            message = f"{what_changed('format', old, new)} (formats are asserted): {proof.effect(subject)}"
            out.append(proof.finding(here, node, ("format",), f"format.{verb(old, new)}", message,
                                     candidates=("x", "not an address", Sampled())))
    return out


def _numbers(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    kinds = facts.types & NUMERIC
    if not kinds:
        return []
    integers = kinds == {"integer"}
    out = []
    low, high = lower_bound(a, integers), upper_bound(a, integers)
    for word, exclusive in (("minimum", False), ("exclusiveMinimum", True)):
        raw = node.get(word)
        if (limit := number(raw)) is None:
            continue
        if low is not None and (low.value > limit or (low.value == limit and (low.exclusive or not exclusive))):
            continue
        subject = f"numbers of {shown(raw)} or less" if exclusive else f"numbers below {shown(raw)}"
        out.append(_bound(proof, here, node, word, theirs=_first(a, word), subject=subject,
                          candidates=_near(limit, below=True, integers=integers)))
    for word, exclusive in (("maximum", False), ("exclusiveMaximum", True)):
        raw = node.get(word)
        if (limit := number(raw)) is None:
            continue
        if high is not None and (high.value < limit or (high.value == limit and (high.exclusive or not exclusive))):
            continue
        subject = f"numbers of {shown(raw)} or more" if exclusive else f"numbers above {shown(raw)}"
        out.append(_bound(proof, here, node, word, theirs=_first(a, word), subject=subject,
                          candidates=_near(limit, below=False, integers=integers)))
    if (step := number(node.get("multipleOf"))) is not None and step > 0:
        wanted = node.get("multipleOf")
        steps = [m.get("multipleOf") for m in a if number(m.get("multipleOf")) is not None]
        if not (any(_step_implies(s, wanted) for s in steps) or (integers and step == 1)):
            samples = (*steps, 1, 0.5, 3, 7)
            out.append(_bound(proof, here, node, "multipleOf", theirs=_first(a, "multipleOf"),
                              subject=f"numbers that are not multiples of {shown(node.get('multipleOf'))}",
                              candidates=samples))
    return out


def _step_implies(have: Json, want: Json) -> bool:
    """Whether multiples of `have` are multiples of `want` as the validator computes them.

    Integers divide exactly; for a float step the validator divides in floating
    point (0.3 / 0.1 is not a whole number), so only the same step is proven.
    """
    if isinstance(have, int) and isinstance(want, int):
        return have % want == 0
    return type(have) is type(want) and have == want


def _json_number(value: Fraction) -> Json:
    return int(value) if value.denominator == 1 else float(value)


def _near(limit: Fraction, *, below: bool, integers: bool) -> tuple[Json, ...]:
    sign = -1 if below else 1
    steps = (1,) if integers else (1, Fraction(1, 2), Fraction(1, 100))
    return (_json_number(limit), *(_json_number(limit + sign * s) for s in steps))


def item_at(node: Node, index: int) -> Node | None:
    prefix = node.get("prefixItems")
    if isinstance(prefix, list) and index < len(prefix):
        return node.child("prefixItems", index)
    if node.has("items"):
        return node.child("items")
    return None


def _max_items(a: Sequence[Node]) -> int | None:
    limits = [n for n in [smallest(a, "maxItems")] if n is not None]
    for m in a:
        if is_false(m.get("items", True)):
            limits.append(len(m.get("prefixItems") or []))
    return min(limits) if limits else None


def _arrays(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    if "array" not in facts.types:
        return []
    out = []
    low, high = largest(a, "minItems") or 0, _max_items(a)
    if isinstance(want := node.get("minItems"), int) and low < want:
        out.append(_bound(proof, here, node, "minItems", theirs=_first(a, "minItems"),
                          subject=f"lists of fewer than {plural(want, 'item')}", candidates=([],)))
    if isinstance(want := node.get("maxItems"), int) and (high is None or high > want):
        out.append(_bound(proof, here, node, "maxItems", theirs=_first(a, "maxItems"),
                          subject=f"lists of more than {plural(want, 'item')}", candidates=(Repeated(want + 1),)))
    if node.get("uniqueItems") is True and not any(m.get("uniqueItems") is True for m in a) and (
            high is None or high > 1):
        old, new = proof.old_new(_first(a, "uniqueItems"), True)
        message = f"{what_changed('uniqueItems', old, new)}: {proof.effect('lists with repeated items')}"
        out.append(proof.finding(here, node, ("uniqueItems",), f"uniqueItems.{verb(old, new)}", message,
                                 candidates=(Repeated(2, distinct=False),)))
    if node.has("prefixItems") or node.has("items"):
        out += _items(proof, a, node, here, high)
    if node.has("contains"):
        out += _contains(proof, a, node, here, low=low, high=high)
    return out


def _positions(a: Sequence[Node], node: Node | None = None) -> int:
    """How many leading positions have schemas of their own (the rest share one)."""
    lengths = [len(m.get("prefixItems") or []) for m in (*a, *([node] if node else []))]
    return max(lengths, default=0)


def _items(proof: Proof, a: tuple[Node, ...], node: Node, here: Here, high: int | None) -> list[Finding]:
    out: list[Finding] = []
    count = _positions(a, node)
    for index in range(count + 1):
        if high is not None and index >= high:
            break
        theirs = item_at(node, index)
        ours = [x for m in a if (x := item_at(m, index)) is not None]
        if theirs is not None and not is_trivial(theirs.schema):
            token: Token = index if index < count else AnyIndex(count)
            a_ptr = ours[0].pointer if ours else child_pointer(here.a_ptr, "items")
            out += subset(proof, ours, (theirs,), here.down(token, a_ptr, theirs.pointer))
        if any(is_false(x.schema) for x in ours):
            break  # no document has an item here, so none further on either
    return out


def _all_items_match(proof: Proof, a: tuple[Node, ...], target: Node, here: Here, high: int | None) -> bool:
    count = _positions(a)
    for index in range(count + 1):
        if high is not None and index >= high:
            return True
        ours = [x for m in a if (x := item_at(m, index)) is not None]
        if not proves(proof, ours, (target,), here.down(AnyIndex(index), here.a_ptr, target.pointer)):
            return False
    return True


def _contains(proof: Proof, a: tuple[Node, ...], node: Node, here: Here, *, low: int,
              high: int | None) -> list[Finding]:
    out = []
    target = node.child("contains")
    need = node.get("minContains", 1)
    within = here.down(AnyIndex(), here.a_ptr, target.pointer)
    matching = [m for m in a if m.has("contains") and proves(proof, (m.child("contains"),), (target,), within)]
    if isinstance(need, int) and need > 0:
        enough = any(m.get("minContains", 1) >= need for m in matching) or (
            low >= need and _all_items_match(proof, a, target, here, high))
        if not enough and matching:
            out.append(_bound(proof, here, node, "minContains", theirs=_first(matching, "minContains"),
                              subject=f"lists with fewer than {plural(need, 'item')} matching contains",
                              candidates=([],)))
        elif not enough:
            old, new = proof.old_new(_first(a, "contains"), node.get("contains"))
            subject = f"lists without {plural(need, 'item')} matching it"
            message = f"{what_changed('contains', old, new)}: {proof.effect(subject)}"
            out.append(proof.finding(here, node, ("contains",), f"contains.{verb(old, new)}", message,
                                     candidates=([], Repeated(1))))
    if isinstance(most := node.get("maxContains"), int):
        bounded = (high is not None and high <= most) or any(
            m.has("contains") and isinstance(m.get("maxContains"), int) and m.get("maxContains") <= most
            and proves(proof, (target,), (m.child("contains"),), within) for m in a)
        if not bounded:
            out.append(_bound(proof, here, node, "maxContains", theirs=_first(a, "maxContains"),
                              subject=f"lists with more than {plural(most, 'item')} matching contains",
                              candidates=(Repeated(most + 1, distinct=False),)))
    return out


def _entries(count: int) -> str:
    return f"{count} entry" if count == 1 else f"{count} entries"


def required_names(a: Sequence[Node]) -> set[str]:
    return {name for m in a for name in (m.get("required") or []) if isinstance(name, str)}


def _forbids(a: Sequence[Node], name: str) -> bool:
    for m in a:
        found = effective(m, name)
        if found and all(is_false(x.schema) for x in found):
            return True
    return False


def _objects(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    if "object" not in facts.types:
        return []
    out = []
    required = required_names(a)
    for name in node.get("required") or []:
        if name in required:
            continue
        if proof.forward:
            kind, message = "required.added", f"{shown(name)} is now required: {proof.effect('documents without it')}"
        else:
            kind, message = "required.removed", f"{shown(name)} is no longer required: documents without it are " \
                                                "now accepted"
        out.append(proof.finding(here, node, ("properties", name), kind, message, candidates=(Absent(),),
                                 instance=(*here.instance, name)))
    if isinstance(want := node.get("minProperties"), int):
        have = max(largest(a, "minProperties") or 0, len(required))
        if have < want:
            out.append(_bound(proof, here, node, "minProperties", theirs=_first(a, "minProperties"),
                              subject=f"mappings with fewer than {_entries(want)}",
                              candidates=(Repeated(max(want - 1, 0)),)))
    if isinstance(want := node.get("maxProperties"), int):
        most = _max_properties(a)
        if most is None or most > want:
            out.append(_bound(proof, here, node, "maxProperties", theirs=_first(a, "maxProperties"),
                              subject=f"mappings with more than {_entries(want)}", candidates=(Repeated(want + 1),)))
    if any(node.has(w) for w in ("properties", "patternProperties", "additionalProperties")):
        out += _properties(proof, a, node, here)
    if node.has("propertyNames") and not is_trivial(node.get("propertyNames")):
        out += _property_names(proof, a, node, here)
    out += _dependencies(proof, a, node, here, required)
    return out


def _max_properties(a: Sequence[Node]) -> int | None:
    limits = [n for n in [smallest(a, "maxProperties")] if n is not None]
    for m in a:
        if is_false(m.get("additionalProperties", True)) and not m.get("patternProperties"):
            limits.append(sum(1 for s in (m.get("properties") or {}).values() if not is_false(s)))
    return min(limits) if limits else None


def _properties(proof: Proof, a: tuple[Node, ...], node: Node, here: Here) -> list[Finding]:
    out: list[Finding] = []
    listed_by_b = node.get("properties") or {}
    names = sorted(set(listed_by_b) | {p for m in a for p in (m.get("properties") or {})})
    for name in names:
        theirs = effective(node, name)
        if all(is_trivial(t.schema) for t in theirs):
            continue
        ours = [x for m in a for x in effective(m, name)]
        listing = [m for m in a if name in (m.get("properties") or {})]
        a_ptr = listing[0].child("properties", name).pointer if listing else child_pointer(
            here.a_ptr, "properties", name)
        found = subset(proof, ours, theirs, here.down(name, a_ptr, child_pointer(node.pointer, "properties", name)))
        if not found:
            continue
        pointer = child_pointer(node.pointer, "properties", name) if proof.forward else a_ptr
        if name not in listed_by_b and [t.pointer for t in theirs] == [child_pointer(node.pointer,
                                                                                     "additionalProperties")]:
            if proof.forward:
                kind = "property.removed"
                message = f"property {shown(name)} removed: {proof.effect('documents with it')}"
            else:
                kind = "property.added"
                message = f"property {shown(name)} added: documents with it are now accepted"
            if not is_false(theirs[0].schema):
                message += f" ({found[0].message})"
            out.append(Finding(pointer, kind, message, (*here.instance, name), (Sampled(),) if proof.forward else ()))
        elif name in listed_by_b and not listing:
            first = found[0]
            if proof.forward:
                kind = "property.added"
                message = (f"property {shown(name)} added, but the old schema already accepted it with other "
                           f"values (its object was open): {first.message}")
            else:
                kind = "property.removed"
                message = f"property {shown(name)} is no longer listed: {first.message}"
            out.append(Finding(pointer, kind, message, first.instance, first.candidates))
        else:
            out += found
    patterns = node.get("patternProperties") or {}
    for pattern in patterns:
        target = node.child("patternProperties", pattern)
        if is_trivial(target.schema):
            continue
        within = here.down(AnyName(pattern), child_pointer(here.a_ptr, "patternProperties", pattern), target.pointer)
        alike = [m.child("patternProperties", pattern) for m in a if pattern in (m.get("patternProperties") or {})]
        found = subset(proof, alike, (target,), within) if alike else []
        if (alike and not found) or any(_covers(proof, m, target, set(), within) for m in a):
            continue
        if not found:
            old, new = proof.old_new(MISSING, target.schema)
            subject = f"values of properties matching {shown(pattern)}"
            message = f"patternProperties {shown(pattern)} {verb(old, new)}: {proof.effect(subject)}"
            found = [proof.finding(within, target, (), f"patternProperties.{verb(old, new)}", message,
                                   candidates=ANY_SAMPLES)]
        out += found
    if node.has("additionalProperties") and not is_trivial(node.get("additionalProperties")):
        target = node.child("additionalProperties")
        within = here.down(AnyName(), child_pointer(here.a_ptr, "additionalProperties"), target.pointer)
        if not any(_covers(proof, m, target, set(patterns), within) for m in a):
            others = [m.child("additionalProperties") for m in a
                      if m.has("additionalProperties") and not is_trivial(m.get("additionalProperties"))]
            found = subset(proof, others, (target,), within) if others and not is_false(target.schema) else []
            out += found or [_closed(proof, a, target, within)]
    return out


def _covers(proof: Proof, m: Node, target: Node, skip: set[str], within: Here) -> bool:
    """Whether every value m allows for a property it does not list (bar names matching `skip`) fits `target`."""
    for pattern in m.get("patternProperties") or {}:
        if pattern not in skip and not proves(proof, (m.child("patternProperties", pattern),), (target,), within):
            return False
    rest = m.child("additionalProperties") if m.has("additionalProperties") else Node(
        m.doc, child_pointer(m.pointer, "additionalProperties"), True)
    return proves(proof, (rest,), (target,), within)


def _closed(proof: Proof, a: Sequence[Node], target: Node, within: Here) -> Finding:
    old, new = proof.old_new(_first(a, "additionalProperties"), target.schema)
    kind = f"additionalProperties.{verb(old, new)}"
    if proof.forward and is_false(target.schema):
        message = ("the object no longer accepts properties it does not list (additionalProperties: false): "
                   + proof.effect("documents with such properties"))
    elif proof.forward:
        message = ("additionalProperties now constrains the properties the object does not list: "
                   + proof.effect("documents with other values for them"))
    elif is_false(target.schema):
        message = ("the object now accepts properties it does not list (additionalProperties is no longer false): "
                   "documents with such properties are now accepted")
    else:
        message = "additionalProperties relaxed: other values for the properties the object does not list are " \
                  "now accepted"
    return proof.finding(within, target, (), kind, message, candidates=ANY_SAMPLES)


def _property_names(proof: Proof, a: tuple[Node, ...], node: Node, here: Here) -> list[Finding]:
    target = node.child("propertyNames")
    for m in a:
        if is_false(m.get("additionalProperties", True)) and not m.get("patternProperties"):
            allowed = [p for p, s in (m.get("properties") or {}).items() if not is_false(s)]
            if all(surely_accepts(p, target) for p in allowed):
                return []
    within = here.down(AnyName(), child_pointer(here.a_ptr, "propertyNames"), target.pointer)
    ours = [m.child("propertyNames") for m in a if m.has("propertyNames")]
    if ours:
        return subset(proof, (*ours, typed(node.doc, "string")), (target,), within)
    old, new = proof.old_new(MISSING, target.schema)
    message = f"propertyNames {verb(old, new)}: {proof.effect('mappings with names it rejects')}"
    return [proof.finding(within, target, (), f"propertyNames.{verb(old, new)}", message)]


def _dependencies(proof: Proof, a: tuple[Node, ...], node: Node, here: Here, required: set[str]) -> list[Finding]:
    out = []
    for key, needs in (node.get("dependentRequired") or {}).items():
        missing = [r for r in needs if r not in required and not any(
            r in ((m.get("dependentRequired") or {}).get(key) or []) for m in a)]
        if not missing or _forbids(a, key):
            continue
        if proof.forward:
            message = (f"{listed(missing)} now required whenever {shown(key)} is present: "
                       + proof.effect(f"documents with {shown(key)} but without them"))
        else:
            message = f"{listed(missing)} no longer required when {shown(key)} is present: documents with " \
                      f"{shown(key)} but without them are now accepted"
        out.append(proof.finding(here, node, ("dependentRequired", key),
                                 "dependentRequired.added" if proof.forward else "dependentRequired.removed",
                                 message, candidates=(Sampled(),), instance=(*here.instance, key)))
    for key in node.get("dependentSchemas") or {}:
        target = node.child("dependentSchemas", key)
        if is_trivial(target.schema) or _forbids(a, key):
            continue
        theirs = [m.child("dependentSchemas", key) for m in a if key in (m.get("dependentSchemas") or {})]
        present = Node(node.doc, f"#required={key}", {"required": [key]})
        within = here.at(child_pointer(here.a_ptr, "dependentSchemas", key), target.pointer)
        out += subset(proof, (*a, *theirs, present), (target,), within)
    return out


def _any_of(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    branches = node.get("anyOf")
    if not isinstance(branches, list):
        return []
    options = [node.child("anyOf", i) for i in range(len(branches))]
    results = [subset(proof, a, (o,), here.at(here.a_ptr, o.pointer)) for o in options]
    if not results or any(not r for r in results):
        return []
    if len(facts.types) > 1 and all(
            any(proves(proof, (*a, typed(node.doc, t)), (o,), here) for o in options) for t in facts.types):
        return []
    return min(results, key=len)


def _one_of(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    branches = node.get("oneOf")
    if not isinstance(branches, list):
        return []
    options = [node.child("oneOf", i) for i in range(len(branches))]

    def fits(conj: tuple[Node, ...]) -> bool:
        return any(
            proves(proof, conj, (o,), here)
            and all(disjoint(proof, conj, (p,), here) for p in options if p is not o)
            for o in options)

    if fits(a) or (len(facts.types) > 1 and all(fits((*a, typed(node.doc, t))) for t in facts.types)):
        return []
    if any(proves(proof, a, (o,), here) for o in options):
        message = ("oneOf changed: documents that were valid may now match more than one alternative, which "
                   "oneOf rejects; that cannot be proven not to happen, so it counts as breaking") if proof.forward \
            else "oneOf changed: documents the old oneOf rejected may now be accepted"
        return [proof.finding(here, node, ("oneOf",), "oneOf.changed", message, candidates=ANY_SAMPLES)]
    results = [subset(proof, a, (o,), here.at(here.a_ptr, o.pointer)) for o in options]
    if not results:
        return [proof.finding(here, node, ("oneOf",), "oneOf.changed", "oneOf has no alternatives: nothing is "
                              "accepted", candidates=ANY_SAMPLES)]
    return min(results, key=len)


def _not(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    if not node.has("not"):
        return []
    excluded = node.child("not")
    if disjoint(proof, a, (excluded,), here):
        return []
    if any(m.has("not") and proves(proof, (excluded,), (m.child("not"),), here) for m in a):
        return []
    old, new = proof.old_new(_first(a, "not"), node.get("not"))
    if proof.forward:
        message = f"{what_changed('not', old, new)}: values it excludes that were valid are now rejected"
    else:
        message = f"{what_changed('not', old, new)}: values the old schema excluded are now accepted"
    return [proof.finding(here, node, ("not",), f"not.{verb(old, new)}", message, candidates=ANY_SAMPLES)]


def _conditional(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    if not node.has("if") or not (node.has("then") or node.has("else")):
        return []
    cond = node.child("if")
    then = node.child("then") if node.has("then") else None
    other = node.child("else") if node.has("else") else None
    out: list[Finding] = []
    if proves(proof, a, (cond,), here):
        return subset(proof, a, (then,), here.at(here.a_ptr, then.pointer)) if then else []
    if disjoint(proof, a, (cond,), here):
        return subset(proof, a, (other,), here.at(here.a_ptr, other.pointer)) if other else []
    if then:
        out += subset(proof, (*a, cond), (then,), here.at(here.a_ptr, then.pointer))
    if other:
        out += subset(proof, (*a, negated(cond)), (other,), here.at(here.a_ptr, other.pointer))
    return out


def _unprovable(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    out = []
    for word in ("$ref", "$dynamicRef", "$recursiveRef", "unevaluatedProperties", "unevaluatedItems"):
        if not node.has(word) or (word.startswith("unevaluated") and is_trivial(node.get(word))):
            continue
        if word == "$ref":
            message = (f"$ref {shown(node.get(word))} cannot be resolved (only references inside the schema are "
                       "followed), so the change cannot be proven safe")
        else:
            old, new = proof.old_new(_first(a, word), node.get(word))
            message = (f"{what_changed(word, old, new)}: its effect cannot be proven to accept every document the "
                       "old schema did, so it counts as breaking") if proof.forward else \
                f"{what_changed(word, old, new)}: documents the old schema rejected may now be accepted"
        out.append(proof.finding(here, node, (word,), f"{word}.unprovable", message, candidates=ANY_SAMPLES))
    return out


RULES: tuple[Rule, ...] = (_type, _enum, _strings, _numbers, _arrays, _objects, _any_of, _one_of, _not,
                           _conditional, _unprovable)


def disjoint(proof: Proof, a: Sequence[Node], y: Sequence[Node], here: Here) -> bool:
    """Whether no instance is accepted by both (proven; False when unknown)."""
    a, y = expand(a), expand(y)
    fa, fy = gather(a, accepts), gather(y, accepts)
    if fa.empty or fy.empty or not fa.types & fy.types:
        return True
    if fa.values is not None and not any(accepts(v, y) for v in fa.values):
        return True
    if fy.values is not None and not any(accepts(v, a) for v in fy.values):
        return True
    if any(m.has("not") and proves(proof, y, (m.child("not"),), here) for m in a):
        return True
    if any(m.has("not") and proves(proof, a, (m.child("not"),), here) for m in y):
        return True
    if fa.types & fy.types == {"object"}:
        for name in sorted(required_names(a) & required_names(y)):
            va = gather(expand([x for m in a for x in effective(m, name)]), accepts).values
            vy = gather(expand([x for m in y for x in effective(m, name)]), accepts).values
            if va is not None and vy is not None and not {canonical(v) for v in va} & {canonical(v) for v in vy}:
                return True
    return False
