"""Prove that every document schema A accepts, schema B accepts too, or say where that fails.

`subset(A, B)` returns the places it could not prove (empty: proven). It is
sound, not complete: it only returns [] when A ⊆ B really holds, and says
"cannot be proven" where it does not know. Comparing OLD ⊆ NEW finds what a
release breaks (major); NEW ⊆ OLD finds what it newly accepts (minor).

How: both sides are conjunctions of subschemas (`document.expand`). A's
disjunctions (anyOf, oneOf, if/then/else) are split into cases; then each
keyword of B must follow from A's keywords of the same sort (a bound at least
as tight, the same pattern, an enum whose every value B accepts, ...), and
properties, items and the like are compared recursively. The rules for each
sort of keyword are in `rules_values`, `rules_arrays`, `rules_objects` and
`rules_combinators`; they recurse through the `Proof` they are given
(`proof.py`), whose recursion this module supplies, so that they never import it. Recursion through
`$ref` terminates: a comparison met again deeper in the document is assumed
to hold (it is being proven for the smaller parts already), and one met again
at the same place is reported as unprovable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from vending.schemadiff import rules_arrays, rules_combinators, rules_objects, rules_values
from vending.schemadiff.document import (
    Doc,
    Node,
    accepts,
    canonical,
    effective,
    expand,
    is_false,
    negated,
)
from vending.schemadiff.facts import Facts, gather, required_names
from vending.schemadiff.finding import ANY_SAMPLES, Finding
from vending.schemadiff.proof import Here, Proof
from vending.schemadiff.rules_values import finite

STEP_LIMIT = 20_000
MAX_CASES = 64

Rule = Callable[[Proof, tuple[Node, ...], Facts, Node, Here], list[Finding]]


class SubsetProof(Proof):
    """The proof the rules are given: its recursion is this module's `subset` and `disjoint`."""

    def subset(self, a: Sequence[Node], b: Sequence[Node], here: Here) -> list[Finding]:
        return subset(self, a, b, here)

    def disjoint(self, a: Sequence[Node], y: Sequence[Node], here: Here) -> bool:
        return disjoint(self, a, y, here)


def prove(old: Doc, new: Doc) -> tuple[list[Finding], list[Finding]]:
    """(what NEW rejects that OLD accepted, what NEW accepts that OLD rejected), as far as provable."""
    breaking = subset(SubsetProof(forward=True), (old.node,), (new.node,), Here((), "", ""))
    widening = subset(SubsetProof(forward=False), (new.node,), (old.node,), Here((), "", ""))
    return breaking, widening


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


def _check(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    if is_false(node.schema):
        message = ("nothing is accepted here any more: values that were valid are now rejected" if proof.forward
                   else "values are now accepted where the old schema accepted none")
        return [proof.finding(here, node, (), "schema.false", message, candidates=ANY_SAMPLES)]
    if facts.values is not None:
        return finite(proof, facts, node, here)
    return [f for rule in RULES for f in rule(proof, a, facts, node, here)]


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
    if any(m.has("not") and proof.proves(y, (m.child("not"),), here) for m in a):
        return True
    if any(m.has("not") and proof.proves(a, (m.child("not"),), here) for m in y):
        return True
    if fa.types & fy.types == {"object"}:
        for name in sorted(required_names(a) & required_names(y)):
            va = gather(expand([x for m in a for x in effective(m, name)]), accepts).values
            vy = gather(expand([x for m in y for x in effective(m, name)]), accepts).values
            if va is not None and vy is not None and not {canonical(v) for v in va} & {canonical(v) for v in vy}:
                return True
    return False


RULES: tuple[Rule, ...] = (
    rules_values.types, rules_values.enums, rules_values.strings, rules_values.numbers,
    rules_arrays.arrays, rules_objects.objects,
    rules_combinators.any_of, rules_combinators.one_of, rules_combinators.negation, rules_combinators.conditional,
    rules_combinators.unprovable,
)
