"""Rules for objects: required, property counts, the values of every property name, names, dependencies."""

from __future__ import annotations

from collections.abc import Sequence

from vending.schemadiff.document import Node, child_pointer, effective, is_false, is_trivial, surely_accepts, typed
from vending.schemadiff.facts import Facts, first_value, forbids, largest, required_names, smallest
from vending.schemadiff.finding import ANY_SAMPLES, Absent, AnyName, Finding, Repeated, Sampled
from vending.schemadiff.proof import Here, Proof
from vending.schemadiff.wording import MISSING, listed, shown, verb


def _entries(count: int) -> str:
    return f"{count} entry" if count == 1 else f"{count} entries"


def objects(proof: Proof, a: tuple[Node, ...], facts: Facts, node: Node, here: Here) -> list[Finding]:
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
            out.append(proof.bound(here, node, "minProperties", theirs=first_value(a, "minProperties"),
                              subject=f"mappings with fewer than {_entries(want)}",
                              candidates=(Repeated(max(want - 1, 0)),)))
    if isinstance(want := node.get("maxProperties"), int):
        most = _max_properties(a)
        if most is None or most > want:
            out.append(proof.bound(here, node, "maxProperties", theirs=first_value(a, "maxProperties"),
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
        found = proof.subset(ours, theirs, here.down(name, a_ptr, child_pointer(node.pointer, "properties", name)))
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
        found = proof.subset(alike, (target,), within) if alike else []
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
            found = proof.subset(others, (target,), within) if others and not is_false(target.schema) else []
            out += found or [_closed(proof, a, target, within)]
    return out


def _covers(proof: Proof, m: Node, target: Node, skip: set[str], within: Here) -> bool:
    """Whether every value m allows for a property it does not list (bar names matching `skip`) fits `target`."""
    for pattern in m.get("patternProperties") or {}:
        if pattern not in skip and not proof.proves((m.child("patternProperties", pattern),), (target,), within):
            return False
    rest = m.child("additionalProperties") if m.has("additionalProperties") else Node(
        m.doc, child_pointer(m.pointer, "additionalProperties"), True)
    return proof.proves((rest,), (target,), within)


def _closed(proof: Proof, a: Sequence[Node], target: Node, within: Here) -> Finding:
    old, new = proof.old_new(first_value(a, "additionalProperties"), target.schema)
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
        return proof.subset((*ours, typed(node.doc, "string")), (target,), within)
    old, new = proof.old_new(MISSING, target.schema)
    message = f"propertyNames {verb(old, new)}: {proof.effect('mappings with names it rejects')}"
    return [proof.finding(within, target, (), f"propertyNames.{verb(old, new)}", message)]


def _dependencies(proof: Proof, a: tuple[Node, ...], node: Node, here: Here, required: set[str]) -> list[Finding]:
    out = []
    for key, needs in (node.get("dependentRequired") or {}).items():
        missing = [r for r in needs if r not in required and not any(
            r in ((m.get("dependentRequired") or {}).get(key) or []) for m in a)]
        if not missing or forbids(a, key):
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
        if is_trivial(target.schema) or forbids(a, key):
            continue
        theirs = [m.child("dependentSchemas", key) for m in a if key in (m.get("dependentSchemas") or {})]
        present = Node(node.doc, f"#required={key}", {"required": [key]})
        within = here.at(child_pointer(here.a_ptr, "dependentSchemas", key), target.pointer)
        out += proof.subset((*a, *theirs, present), (target,), within)
    return out
