"""Where a subset proof is and what it has seen: what the keyword rules are given.

The rules (`rules_*`) recurse through `Proof.subset` and `Proof.disjoint`, which
`subset.SubsetProof` implements; so the rules depend on this module only, and
`subset` on them, without a cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from vending.loader import Json
from vending.schemadiff.document import Node, child_pointer, same
from vending.schemadiff.finding import Finding, Sampled, Token
from vending.schemadiff.wording import verb, what_changed


@dataclass(frozen=True)
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

    # The rules recurse through these; `subset.SubsetProof` implements them.
    def subset(self, a: Sequence[Node], b: Sequence[Node], here: Here) -> list[Finding]:
        """Where it could not be proven that every document `a` accepts, `b` accepts too."""
        raise NotImplementedError

    def disjoint(self, a: Sequence[Node], y: Sequence[Node], here: Here) -> bool:
        """Whether no document is accepted by both (proven; False when unknown)."""
        raise NotImplementedError

    def proves(self, a: Sequence[Node], b: Sequence[Node], here: Here) -> bool:
        return not self.subset(a, b, here)

    def bound(self, here: Here, node: Node, word: str, *, theirs: object, subject: str,
              candidates: tuple[Json, ...] = ()) -> Finding:
        """A finding for a bound of B's (`word`) that A's (`theirs`) does not imply."""
        old, new = self.old_new(theirs, node.get(word))
        message = f"{what_changed(word, old, new)}: {self.effect(subject)}"
        return self.finding(here, node, (word,), f"{word}.{verb(old, new)}", message,
                            candidates=(*candidates, Sampled()))
