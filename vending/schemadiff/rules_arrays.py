"""Rules for arrays: item counts, uniqueness, item schemas by position, contains."""

from __future__ import annotations

from collections.abc import Sequence

from vending.schemadiff.document import Node, child_pointer, is_false, is_trivial, item_at
from vending.schemadiff.facts import Facts, first_value, largest, smallest
from vending.schemadiff.finding import AnyIndex, Finding, Repeated, Token
from vending.schemadiff.proof import Here, Proof
from vending.schemadiff.wording import plural, verb, what_changed


def _max_items(a: Sequence[Node]) -> int | None:
    limits = [n for n in [smallest(a, "maxItems")] if n is not None]
    for m in a:
        if is_false(m.get("items", True)):
            limits.append(len(m.get("prefixItems") or []))
    return min(limits) if limits else None


def arrays(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
    if "array" not in facts.types:
        return []
    out = []
    low, high = largest(a, "minItems") or 0, _max_items(a)
    if isinstance(want := node.get("minItems"), int) and low < want:
        out.append(proof.bound(here, node, "minItems", theirs=first_value(a, "minItems"),
                          subject=f"lists of fewer than {plural(want, 'item')}", candidates=([],)))
    if isinstance(want := node.get("maxItems"), int) and (high is None or high > want):
        out.append(proof.bound(here, node, "maxItems", theirs=first_value(a, "maxItems"),
                          subject=f"lists of more than {plural(want, 'item')}", candidates=(Repeated(want + 1),)))
    if node.get("uniqueItems") is True and not any(m.get("uniqueItems") is True for m in a) and (
            high is None or high > 1):
        old, new = proof.old_new(first_value(a, "uniqueItems"), True)
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
            out += proof.subset(ours, (theirs,), here.down(token, a_ptr, theirs.pointer))
        if any(is_false(x.schema) for x in ours):
            break  # no document has an item here, so none further on either
    return out


def _all_items_match(proof: Proof, a: tuple[Node, ...], target: Node, here: Here, high: int | None) -> bool:
    count = _positions(a)
    for index in range(count + 1):
        if high is not None and index >= high:
            return True
        ours = [x for m in a if (x := item_at(m, index)) is not None]
        if not proof.proves(ours, (target,), here.down(AnyIndex(index), here.a_ptr, target.pointer)):
            return False
    return True


def _contains(proof: Proof, a: tuple[Node, ...], node: Node, here: Here, *, low: int,
              high: int | None) -> list[Finding]:
    out = []
    target = node.child("contains")
    need = node.get("minContains", 1)
    within = here.down(AnyIndex(), here.a_ptr, target.pointer)
    matching = [m for m in a if m.has("contains") and proof.proves((m.child("contains"),), (target,), within)]
    if isinstance(need, int) and need > 0:
        enough = any(m.get("minContains", 1) >= need for m in matching) or (
            low >= need and _all_items_match(proof, a, target, here, high))
        if not enough and matching:
            out.append(proof.bound(here, node, "minContains", theirs=first_value(matching, "minContains"),
                              subject=f"lists with fewer than {plural(need, 'item')} matching contains",
                              candidates=([],)))
        elif not enough:
            old, new = proof.old_new(first_value(a, "contains"), node.get("contains"))
            subject = f"lists without {plural(need, 'item')} matching it"
            message = f"{what_changed('contains', old, new)}: {proof.effect(subject)}"
            out.append(proof.finding(here, node, ("contains",), f"contains.{verb(old, new)}", message,
                                     candidates=([], Repeated(1))))
    if isinstance(most := node.get("maxContains"), int):
        bounded = (high is not None and high <= most) or any(
            m.has("contains") and isinstance(m.get("maxContains"), int) and m.get("maxContains") <= most
            and proof.proves((target,), (m.child("contains"),), within) for m in a)
        if not bounded:
            out.append(proof.bound(here, node, "maxContains", theirs=first_value(a, "maxContains"),
                              subject=f"lists with more than {plural(most, 'item')} matching contains",
                              candidates=(Repeated(most + 1, distinct=False),)))
    return out
