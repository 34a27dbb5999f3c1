"""Rules for combinators (anyOf, oneOf, not, if/then/else) and for what cannot be proven."""

from __future__ import annotations

from vending.schemadiff.document import Node, is_trivial, negated, typed
from vending.schemadiff.facts import Facts, first_value
from vending.schemadiff.finding import ANY_SAMPLES, Finding
from vending.schemadiff.proof import Here, Proof
from vending.schemadiff.wording import shown, verb, what_changed


def any_of(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    branches = node.get("anyOf")
    if not isinstance(branches, list):
        return []
    options = [node.child("anyOf", i) for i in range(len(branches))]
    results = [proof.subset(a, (o,), here.at(here.a_ptr, o.pointer)) for o in options]
    if not results or any(not r for r in results):
        return []
    if len(facts.types) > 1 and all(
            any(proof.proves((*a, typed(node.doc, t)), (o,), here) for o in options) for t in facts.types):
        return []
    return min(results, key=len)


def one_of(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    branches = node.get("oneOf")
    if not isinstance(branches, list):
        return []
    options = [node.child("oneOf", i) for i in range(len(branches))]

    def fits(conj: tuple[Node, ...]) -> bool:
        return any(
            proof.proves(conj, (o,), here)
            and all(proof.disjoint(conj, (p,), here) for p in options if p is not o)
            for o in options)

    if fits(a) or (len(facts.types) > 1 and all(fits((*a, typed(node.doc, t))) for t in facts.types)):
        return []
    if any(proof.proves(a, (o,), here) for o in options):
        message = ("oneOf changed: documents that were valid may now match more than one alternative, which "
                   "oneOf rejects; that cannot be proven not to happen, so it counts as breaking") if proof.forward \
            else "oneOf changed: documents the old oneOf rejected may now be accepted"
        return [proof.finding(here, node, ("oneOf",), "oneOf.changed", message, candidates=ANY_SAMPLES)]
    results = [proof.subset(a, (o,), here.at(here.a_ptr, o.pointer)) for o in options]
    if not results:
        return [proof.finding(here, node, ("oneOf",), "oneOf.changed", "oneOf has no alternatives: nothing is "
                              "accepted", candidates=ANY_SAMPLES)]
    return min(results, key=len)


def negation(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    if not node.has("not"):
        return []
    excluded = node.child("not")
    if proof.disjoint(a, (excluded,), here):
        return []
    if any(m.has("not") and proof.proves((excluded,), (m.child("not"),), here) for m in a):
        return []
    old, new = proof.old_new(first_value(a, "not"), node.get("not"))
    if proof.forward:
        message = f"{what_changed('not', old, new)}: values it excludes that were valid are now rejected"
    else:
        message = f"{what_changed('not', old, new)}: values the old schema excluded are now accepted"
    return [proof.finding(here, node, ("not",), f"not.{verb(old, new)}", message, candidates=ANY_SAMPLES)]


def conditional(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    if not node.has("if") or not (node.has("then") or node.has("else")):
        return []
    cond = node.child("if")
    then = node.child("then") if node.has("then") else None
    other = node.child("else") if node.has("else") else None
    out: list[Finding] = []
    if proof.proves(a, (cond,), here):
        return proof.subset(a, (then,), here.at(here.a_ptr, then.pointer)) if then else []
    if proof.disjoint(a, (cond,), here):
        return proof.subset(a, (other,), here.at(here.a_ptr, other.pointer)) if other else []
    if then:
        out += proof.subset((*a, cond), (then,), here.at(here.a_ptr, then.pointer))
    if other:
        out += proof.subset((*a, negated(cond)), (other,), here.at(here.a_ptr, other.pointer))
    return out


def unprovable(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    out = []
    for word in ("$ref", "$dynamicRef", "$recursiveRef", "unevaluatedProperties", "unevaluatedItems"):
        if not node.has(word) or (word.startswith("unevaluated") and is_trivial(node.get(word))):
            continue
        if word == "$ref":
            message = (f"$ref {shown(node.get(word))} cannot be resolved (only references inside the schema are "
                       "followed), so the change cannot be proven safe")
        else:
            old, new = proof.old_new(first_value(a, word), node.get(word))
            message = (f"{what_changed(word, old, new)}: its effect cannot be proven to accept every document the "
                       "old schema did, so it counts as breaking") if proof.forward else \
                f"{what_changed(word, old, new)}: documents the old schema rejected may now be accepted"
        out.append(proof.finding(here, node, (word,), f"{word}.unprovable", message, candidates=ANY_SAMPLES))
    return out
