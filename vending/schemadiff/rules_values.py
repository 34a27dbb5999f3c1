"""Rules for values: types, enums and consts, strings and numbers."""

from __future__ import annotations

from fractions import Fraction

from vending.loader import Json
from vending.schemadiff.document import Node, surely_accepts
from vending.schemadiff.facts import (
    NUMERIC,
    Facts,
    describe_types,
    first_value,
    largest,
    lower_bound,
    number,
    smallest,
    types_of,
    upper_bound,
)
from vending.schemadiff.finding import ANY_SAMPLES, TYPE_SAMPLES, Finding, Sampled
from vending.schemadiff.proof import Here, Proof
from vending.schemadiff.wording import MISSING, listed, plural, shown, verb, what_changed
from vending.validation import FORMAT_WORDS


def finite(proof: Proof, facts: Facts, node: Node, here: Here) -> list[Finding]:
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


def types(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
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


def enums(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    out = []
    for word in ("enum", "const"):
        if node.has(word):
            allowed = list(node.get(word) or []) if word == "enum" else [node.get(word)]
            old, new = proof.old_new(MISSING, node.get(word))
            message = f"{what_changed(word, old, new)}: {proof.effect('values other than ' + listed(allowed))}"
            out.append(proof.finding(here, node, (word,), f"{word}.{verb(old, new)}", message, candidates=ANY_SAMPLES))
    return out


def strings(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    if "string" not in facts.types:
        return []
    out = []
    if isinstance(want := node.get("minLength"), int) and (largest(a, "minLength") or 0) < want:
        out.append(proof.bound(here, node, "minLength", theirs=first_value(a, "minLength"),
                          subject=f"strings shorter than {plural(want, 'character')}",
                          candidates=("x" * (want - 1), "")))
    if isinstance(want := node.get("maxLength"), int):
        have = smallest(a, "maxLength")
        if have is None or have > want:
            out.append(proof.bound(here, node, "maxLength", theirs=first_value(a, "maxLength"),
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


def numbers(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
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
        out.append(proof.bound(here, node, word, theirs=first_value(a, word), subject=subject,
                          candidates=_near(limit, below=True, integers=integers)))
    for word, exclusive in (("maximum", False), ("exclusiveMaximum", True)):
        raw = node.get(word)
        if (limit := number(raw)) is None:
            continue
        if high is not None and (high.value < limit or (high.value == limit and (high.exclusive or not exclusive))):
            continue
        subject = f"numbers of {shown(raw)} or more" if exclusive else f"numbers above {shown(raw)}"
        out.append(proof.bound(here, node, word, theirs=first_value(a, word), subject=subject,
                          candidates=_near(limit, below=False, integers=integers)))
    if (step := number(node.get("multipleOf"))) is not None and step > 0:
        wanted = node.get("multipleOf")
        steps = [m.get("multipleOf") for m in a if number(m.get("multipleOf")) is not None]
        if not (any(_step_implies(s, wanted) for s in steps) or (integers and step == 1)):
            samples = (*steps, 1, 0.5, 3, 7)
            out.append(proof.bound(here, node, "multipleOf", theirs=first_value(a, "multipleOf"),
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
