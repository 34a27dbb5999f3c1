"""Hostile request documents: valid requests of every schema version, mutated where loaders,
validators and renderers tend to break, and written out as exact bytes (JSON or YAML).

A document is a tree of plain JSON values plus three markers the serializers honour:
`Raw` (a token written verbatim, such as `1e400` or a YAML tag), `Pairs` (a mapping whose
keys may repeat) and `Nest` (a value wrapped in many levels of lists or mappings, written
without recursion). `data_of` gives the JSON data a tree stands for, when it has one.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from vending import schemas
from vending.azdo.parameters import request_properties
from vending.loader import load_bytes

from ..conftest import EXAMPLES, MAXIMAL_REQUEST
from .known import is_open

Tree = Any


@dataclass(frozen=True)
class Raw:
    """A token written verbatim: `json` in JSON text, `yaml` in YAML text."""

    json: str
    yaml: str


@dataclass(frozen=True)
class Pairs:
    """A mapping written with exactly these entries, repeated keys included."""

    items: tuple[tuple[str, Tree], ...]


@dataclass(frozen=True)
class Nest:
    """`inner` wrapped in `depth` lists (or single-key mappings)."""

    depth: int
    mapping: bool
    inner: Tree


@dataclass(frozen=True)
class Hostile:
    """One generated input: the tree, how it is written, and the exact bytes of the file."""

    tree: Tree
    syntax: str
    suffix: str
    envelope: str
    content: bytes

    def write(self, directory: Path, stem: str = "request") -> Path:
        path = directory / f"{stem}{self.suffix}"
        path.write_bytes(self.content)
        return path


# ---------------------------------------------------------------- seeds: valid, policy-compliant requests

def _load(path: Path) -> dict[str, Any]:
    return load_bytes(path.read_bytes(), str(path), syntax="json" if path.suffix == ".json" else "yaml").data


MINIMAL_2 = {"schemaVersion": "2.0.0", "name": "minimal-dev", "displayName": "Minimal", "workload": "DevTest",
             "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
             "managementGroup": "corp", "location": "uksouth", "requestedBy": "min@contoso.com"}
MINIMAL_1 = {**MINIMAL_2, "schemaVersion": "1.0", "name": "minimal-one-dev"}
SEEDS: tuple[dict[str, Any], ...] = (
    *(_load(path) for path in sorted(EXAMPLES.iterdir())), MAXIMAL_REQUEST, MINIMAL_2, MINIMAL_1)
NEWEST_PROPERTIES = {name: prop.get("type") for name, prop, _required in
                     request_properties(schemas.schema_for(schemas.latest().name))}


# ---------------------------------------------------------------- hostile values

LONE_SURROGATES = ("\ud800", "a\udfffb", "\udc80")
CONFUSABLES = ("n\u0430me", "\uff50ayments-prod", "payments\u2011prod", "pay\u200bments-prod", "\u202eprod-stnemyap",
               "I\u0307", "\u0130", "stra\u00dfe", "\ufeffname")
INJECTIONS = ('${file("/etc/passwd")}', "$${x}", "%{ if true }x%{ endif }", "##vso[task.prependpath]/tmp/evil-bin",
              "##[error]forged", "$(System.AccessToken)", "{name.__class__}", "{name:>300000000}", "{{ .Values }}",
              "'; rm -rf ~; echo '", "../../etc/passwd", "/etc/passwd", "C:\\Windows", "con", "nul", "aux", "com1",
              "lpt9", "-", "--help", "*", "&a", "!tag", "%YAML", "---", "...", "? x", "x: y", "- x", "# x")
YAML11_WORDS = ("yes", "no", "on", "off", "y", "n", "Y", "N", "~", "null", "Null", "NULL", "true", "True", "FALSE",
                "08", "010", "0x1F", "0o17", "1e3", "1_000", "2026-01-01", "12:30:00", "190:20:30", ".inf", "-.inf",
                ".nan", "+1", "-0", "0", "1.0", "1e5", "1E+2", "0.", ".5")
CONTROL = ("", " ", "\t", "\n", "a\nb", "a\r\nb", "\r", "\x00", "a\x00b", "\x7f", "\x85", "\u2028", "\ufeff",
           "\ufffe", "\U0001f4a9", "x\x1b[31mred")
PINS = ("2", "2.0", "2.0.0", "1", "1.0", "1.1", "1.0.0", "v2", "2.0.0-rc1", "02", "2.0.0+build", "2.0.0\n", " 2",
        "9", "2.9", "1.1.0.0", "2." + "0" * 50, "1" * 4301, "2." + "1" * 5000)
LENGTHS = (1, 2, 3, 63, 64, 65, 128, 256, 257, 1024, 1025, 4096, 100_000)
WRONG_TYPES: tuple[Any, ...] = (None, True, False, 0, -1, 1.5, "x", [], {}, ["x"], {"a": 1}, [[]], [{}])
NUMBERS: tuple[Any, ...] = (0, -1, 1, 2**31, 2**63, 2**64, 10**20, -(10**20), 1.5, -0.0, 1e308, 5e-324, 0.1)
RAW_NUMBERS = (Raw("1e400", "1e400"), Raw("-1e400", "-1.0e+400"), Raw("NaN", ".nan"), Raw("Infinity", ".inf"),
               Raw("-Infinity", "-.inf"), Raw("1e5", "1e5"), Raw("1E5", "1.0E+5"), Raw("-0", "-0"),
               Raw("0.1e-400", "0.1e-400"), Raw("1" + "0" * 4000, "1" + "0" * 4000),
               Raw("1" + "0" * 4001, "1" + "0" * 4001), Raw("9" * 4300, "9" * 4300), Raw("9" * 4301, "9" * 4301),
               Raw("1.0" + "0" * 5000, "1.0" + "0" * 5000))
YAML_FEATURES = (Raw('"tagged"', "!custom tagged"), Raw('"x"', "!!str x"), Raw("1", "!!int 1"),
                 Raw('"Zm9v"', "!!binary Zm9v"), Raw('["true"]', '!!python/object/apply:os.system ["true"]'),
                 Raw('"anchored"', "&a anchored"), Raw("null", "*a"), Raw('{"<<": {}}', "{<<: {}}"),
                 Raw('"x"', "!<tag:yaml.org,2002:str> x"), Raw('"|"', "|\n  block"), Raw('"x"', "? x"))


def _hostile_strings() -> list[str]:
    values = [*CONFUSABLES, *INJECTIONS, *YAML11_WORDS, *CONTROL]
    values += ["a" * n for n in LENGTHS] + ["\u00e9" * 64, "\U0001f4a9" * 64]
    if not is_open(5):  # lone surrogates: exit 70 in render, apply and from-pipeline (finding 5)
        values += LONE_SURROGATES
    return values


HOSTILE_STRINGS = st.sampled_from(_hostile_strings())
HOSTILE_PINS = st.sampled_from([p for p in PINS if not (is_open(5) and len(p) > 4300)])
HOSTILE_VALUES: st.SearchStrategy[Any] = st.one_of(
    HOSTILE_STRINGS, st.sampled_from(WRONG_TYPES), st.sampled_from(NUMBERS), st.sampled_from(RAW_NUMBERS),
    st.sampled_from(YAML_FEATURES), st.sampled_from(YAML11_WORDS).map(lambda w: Raw(json.dumps(w), w)),
).map(copy.deepcopy)  # later mutations change what they are given: never a shared constant


def confusable(key: str) -> list[str]:
    lookalike = key.translate({ord("a"): "\u0430", ord("e"): "\u0435", ord("o"): "\u043e"})
    return [key.upper(), f"{key} ", f" {key}", f"\ufeff{key}", f"{key[:1]}\u200d{key[1:]}", lookalike,
            key.capitalize(), key + "s"]


# ---------------------------------------------------------------- mutations of a tree

Path_ = tuple[str | int, ...]


def _walk(tree: Tree, path: Path_ = ()) -> Iterator[tuple[Path_, Tree]]:
    yield path, tree
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _walk(value, (*path, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from _walk(value, (*path, index))


def _get(tree: Tree, path: Path_) -> Tree:
    for step in path:
        tree = tree[step]
    return tree


def _set(tree: Tree, path: Path_, value: Tree) -> Tree:
    if not path:
        return value
    _get(tree, path[:-1])[path[-1]] = value
    return tree


Mutation = Callable[[st.DrawFn, Tree], Tree]


def _replace(draw: st.DrawFn, tree: Tree) -> Tree:
    path = draw(st.sampled_from([p for p, _ in _walk(tree) if p]))
    if path == ("schemaVersion",):
        values = HOSTILE_PINS
    elif isinstance(_get(tree, path), str):  # mostly text for text: hostile, yet often still valid
        values = st.one_of(HOSTILE_STRINGS, HOSTILE_STRINGS, HOSTILE_VALUES)
    else:
        values = HOSTILE_VALUES
    return _set(tree, path, draw(values))


def _delete(draw: st.DrawFn, tree: Tree) -> Tree:
    path = draw(st.sampled_from([p for p, v in _walk(tree) if p and isinstance(_get(tree, p[:-1]), dict)]))
    del _get(tree, path[:-1])[path[-1]]
    return tree


def _add_key(draw: st.DrawFn, tree: Tree) -> Tree:
    path = draw(st.sampled_from([p for p, v in _walk(tree) if isinstance(v, dict)]))
    target = _get(tree, path)
    existing = sorted(target) or ["name"]
    key = draw(st.one_of(st.sampled_from(["", "/", "~", "~1", "a/b", "$ref", "__proto__", "k" * 1025, "k" * 200,
                                          "state", "budget", "budgets", "extra"]),
                         st.sampled_from(existing).flatmap(lambda k: st.sampled_from(confusable(k)))))
    target[key] = draw(HOSTILE_VALUES)
    return tree


def _rename(draw: st.DrawFn, tree: Tree) -> Tree:
    path = draw(st.sampled_from([p for p, v in _walk(tree) if p and isinstance(_get(tree, p[:-1]), dict)]))
    parent = _get(tree, path[:-1])
    key = str(path[-1])
    new = draw(st.sampled_from(confusable(key)))
    _set(tree, path[:-1], {new if k == key else k: v for k, v in parent.items()})
    return tree


def _duplicate(draw: st.DrawFn, tree: Tree) -> Tree:
    path = draw(st.sampled_from([p for p, v in _walk(tree) if isinstance(v, dict) and v]))
    target = _get(tree, path)
    key = draw(st.sampled_from(sorted(target)))
    copies = draw(st.sampled_from([1, 2, 50]))
    twin = draw(st.one_of(st.just(copy.deepcopy(target[key])), HOSTILE_VALUES))
    return _set(tree, path, Pairs((*target.items(), *[(key, twin)] * copies)))


def _nest(draw: st.DrawFn, tree: Tree) -> Tree:
    path = draw(st.sampled_from([p for p, _ in _walk(tree) if p]))
    depth = draw(st.sampled_from([1, 2, 58, 62, 63, 64, 65, 100, 990, 3000]))
    return _set(tree, path, Nest(depth, draw(st.booleans()), _get(tree, path)))


MUTATIONS: tuple[Mutation, ...] = (_replace, _replace, _replace, _delete, _add_key, _rename, _duplicate, _nest)


# ---------------------------------------------------------------- writing a tree out

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._@/()-]*( [A-Za-z0-9._@/()-]+)*")
_YAML_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


def to_json(tree: Tree, *, ascii: bool = True) -> str:
    if isinstance(tree, Raw):
        return tree.json
    if isinstance(tree, Nest):
        inner = to_json(tree.inner, ascii=ascii)
        return ('{"a": ' * tree.depth + inner + "}" * tree.depth) if tree.mapping else \
            ("[" * tree.depth + inner + "]" * tree.depth)
    if isinstance(tree, dict | Pairs):
        items = tree.items if isinstance(tree, Pairs) else tree.items()
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=ascii)}: {to_json(v, ascii=ascii)}"
                               for k, v in items) + "}"
    if isinstance(tree, list):
        return "[" + ", ".join(to_json(v, ascii=ascii) for v in tree) + "]"
    return json.dumps(tree, ensure_ascii=ascii)


def _yaml_quote(text: str, *, ascii: bool) -> str:
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF) \
                or (ascii and code > 0x7E):
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _yaml_scalar(value: Tree, *, ascii: bool, plain: bool) -> str:
    if isinstance(value, str):
        if plain and _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
            return value
        return _yaml_quote(value, ascii=ascii)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
        text = repr(value)
        mantissa, _, exponent = text.partition("e")
        if "." not in mantissa:
            mantissa += ".0"
        return mantissa + (f"e{'+' if not exponent.startswith('-') else ''}{exponent}" if exponent else "")
    return str(value)


def _yaml_flow(tree: Tree, *, ascii: bool, plain: bool) -> str:
    if isinstance(tree, Raw):
        return tree.yaml
    if isinstance(tree, Nest):
        inner = _yaml_flow(tree.inner, ascii=ascii, plain=False)
        return ("{a: " * tree.depth + inner + "}" * tree.depth) if tree.mapping else \
            ("[" * tree.depth + inner + "]" * tree.depth)
    if isinstance(tree, dict | Pairs):
        items = tree.items if isinstance(tree, Pairs) else tree.items()
        return "{" + ", ".join(f"{_yaml_scalar(k, ascii=ascii, plain=False)}: {_yaml_flow(v, ascii=ascii, plain=False)}"
                               for k, v in items) + "}"
    if isinstance(tree, list):
        return "[" + ", ".join(_yaml_flow(v, ascii=ascii, plain=False) for v in tree) + "]"
    return _yaml_scalar(tree, ascii=ascii, plain=plain)


def _yaml_block(tree: Tree, indent: int, out: list[str], *, ascii: bool, plain: bool) -> None:
    pad = " " * indent
    if isinstance(tree, dict | Pairs) and (tree.items if isinstance(tree, Pairs) else tree):
        for key, value in tree.items if isinstance(tree, Pairs) else tree.items():
            head = f"{pad}{_yaml_scalar(key, ascii=ascii, plain=plain)}:"
            if (isinstance(value, dict | list | Pairs) and value and not isinstance(value, Pairs | Nest)) or \
                    (isinstance(value, Pairs) and value.items):
                out.append(head)
                _yaml_block(value, indent + 2, out, ascii=ascii, plain=plain)
            else:
                out.append(f"{head} {_yaml_flow(value, ascii=ascii, plain=plain)}")
    elif isinstance(tree, list) and tree:
        for item in tree:
            if isinstance(item, dict | list) and item:
                out.append(f"{pad}-")
                _yaml_block(item, indent + 2, out, ascii=ascii, plain=plain)
            else:
                out.append(f"{pad}- {_yaml_flow(item, ascii=ascii, plain=plain)}")
    else:
        out.append(pad + _yaml_flow(tree, ascii=ascii, plain=plain))


def to_yaml(tree: Tree, *, ascii: bool = False, plain: bool = True) -> str:
    out: list[str] = []
    _yaml_block(tree, 0, out, ascii=ascii, plain=plain)
    return "\n".join(out) + "\n"


ENVELOPES: dict[str, Callable[[str, str], bytes]] = {
    "none": lambda text, syntax: text.encode("utf-8", "surrogatepass"),
    "bom": lambda text, syntax: b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass"),
    "crlf": lambda text, syntax: text.replace("\n", "\r\n").encode("utf-8", "surrogatepass"),
    "cr": lambda text, syntax: text.replace("\n", "\r").encode("utf-8", "surrogatepass"),
    "utf16": lambda text, syntax: text.encode("utf-16", "surrogatepass"),
    "nul-at-end": lambda text, syntax: text.encode("utf-8", "surrogatepass") + b"\x00",
    "invalid-utf8": lambda text, syntax: text.encode("utf-8", "surrogatepass") + b"\xff\xfe",
    "truncated": lambda text, syntax: text.encode("utf-8", "surrogatepass")[: max(1, len(text) // 2)],
    "second-document": lambda text, syntax: (text + "---\n{}\n").encode("utf-8", "surrogatepass"),
    "directive": lambda text, syntax: ("%YAML 1.1\n%TAG ! tag:evil.example,2026:\n---\n" + text).encode(
        "utf-8", "surrogatepass"),
    "tabs": lambda text, syntax: text.replace("\n  ", "\n\t").encode("utf-8", "surrogatepass"),
    "long-comment": lambda text, syntax: ("# " + "x" * 200_000 + "\n" + text).encode("utf-8", "surrogatepass"),
    "trailing-garbage": lambda text, syntax: (text + "}\n").encode("utf-8", "surrogatepass"),
    "over-the-cap": lambda text, syntax: (text + " " * (1024 * 1024)).encode("utf-8", "surrogatepass"),
    "empty": lambda text, syntax: b"",
}
# The suffix decides how a file is read: JSON in a .yaml file and YAML in a .json file are attacks too.
SUFFIXES = {"json": (".json", ".json", ".yaml", ".yml"), "yaml": (".yaml", ".yml", ".yaml", ".json")}


@st.composite
def requests(draw: st.DrawFn, *, mutations: tuple[int, int] = (0, 3), envelopes: bool = True) -> Hostile:
    """A near-valid request: a valid seed with a few hostile mutations, written as JSON or YAML."""
    tree = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(*mutations))):
        if not isinstance(tree, dict):
            break
        tree = draw(st.sampled_from(MUTATIONS))(draw, tree)
    syntax = draw(st.sampled_from(["json", "yaml"]))
    ascii = draw(st.booleans())
    text = to_json(tree, ascii=ascii) if syntax == "json" else to_yaml(tree, ascii=ascii, plain=draw(st.booleans()))
    envelope = draw(st.sampled_from(sorted(ENVELOPES))) if envelopes and draw(st.integers(0, 4)) == 0 else "none"
    return Hostile(tree=tree, syntax=syntax, suffix=draw(st.sampled_from(SUFFIXES[syntax])), envelope=envelope,
                   content=ENVELOPES[envelope](text, syntax))


# ---------------------------------------------------------------- what a tree means as data

class NoData(Exception):
    """The tree has no single JSON meaning (repeated keys, a YAML-only token)."""


def data_of(tree: Tree) -> Any:
    """The JSON data `tree` stands for when written as JSON; NoData when it has none."""
    if isinstance(tree, Pairs):
        raise NoData("repeated keys")
    if isinstance(tree, Raw):
        try:
            return json.loads(tree.json)
        except ValueError:
            raise NoData(tree.json[:20]) from None
    if isinstance(tree, Nest):
        value = data_of(tree.inner)
        for _ in range(tree.depth):
            value = {"a": value} if tree.mapping else [value]
        return value
    if isinstance(tree, dict):
        return {k: data_of(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [data_of(v) for v in tree]
    return tree


def _nodes(tree: Tree) -> Iterator[Tree]:
    """Every node of the tree, inside `Pairs` and `Nest` too."""
    yield tree
    children: Any = ()
    if isinstance(tree, dict):
        children = tree.values()
    elif isinstance(tree, Pairs):
        children = [value for _, value in tree.items]
    elif isinstance(tree, list):
        children = tree
    elif isinstance(tree, Nest):
        children = [tree.inner]
    for child in children:
        yield from _nodes(child)


def has_pairs(tree: Tree) -> bool:
    return any(isinstance(node, Pairs) for node in _nodes(tree))


def has_long_key(tree: Tree) -> bool:
    """A key over 1024 characters: YAML's limit for a simple key, so the JSON locator gives up (finding 10)."""
    return any(len(key) > 1024 for node in _nodes(tree)
               for key in ([k for k, _ in node.items] if isinstance(node, Pairs) else node if isinstance(node, dict)
                           else ()))


_YAML_UNPRINTABLE = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]|\\\\u[dD][89abAB]")
"""What YAML cannot read in a JSON string: a raw U+FFFE, DEL or C1 character, or an escaped surrogate
(`\\ud83d\\udca9`, as json.dumps writes an emoji by default)."""


def loses_positions(request: Hostile) -> bool:
    """Whether finding 10 says every position of this file is lost: JSON is located by reading it again as
    YAML, which gives up on a key over 1024 characters and on what `_YAML_UNPRINTABLE` matches."""
    return has_long_key(request.tree) or (request.syntax == "json" and unprintable_in_yaml(request.content))


def unprintable_in_yaml(content: bytes) -> bool:
    return bool(_YAML_UNPRINTABLE.search(content.decode("utf-8", "ignore")))


def deepest_nest(tree: Tree) -> int:
    return sum(node.depth for node in _nodes(tree) if isinstance(node, Nest))


def pipeline_faithful(tree: Tree) -> bool:
    """Whether the pipeline's parameters can carry exactly this request, so that `from-pipeline` must
    accept it exactly when `validate` accepts it as a JSON file.

    Every key is a property of the newest schema holding a value of that property's JSON type (the
    decoder converts other types where lossless, which a file never gets), no optional value is
    neutral (the decoder drops those), and no mapping repeats a key."""
    if not isinstance(tree, dict) or has_pairs(tree):
        return False
    types = {"string": str, "boolean": bool, "object": dict, "array": list}
    for key, value in tree.items():
        kind = NEWEST_PROPERTIES.get(key)
        if kind not in types or isinstance(value, Raw | Nest):
            return False
        if not isinstance(value, types[kind]) or (kind == "string" and isinstance(value, bool)):
            return False
        if value in ("", {}, []):
            return False
    return True
