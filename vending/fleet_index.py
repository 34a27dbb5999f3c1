"""The fleet index: the facts about every subscription on trunk that a policy may compare a request with,
in one file read by path (`records/_fleet.json`), so a check never scans the fleet.

    {"subscriptions": {"<name>": {"workload", "managementGroup", "location", "requestedBy",
                                  "addressSpace": [...], "state"}}}

One subscription a line, sorted by name: a vend's change is one line in review, and writing the index of
10,000 subscriptions is one C-encoded line each, not an indented tree (apply stays flat in fleet size).

It is derived data, like generated/: built from the stored requests (`index_bytes`, what `render --all`
writes and `check` compares), and updated for one subscription by a vend (`with_request`, what `apply`
commits beside the request). Its name starts with `_`, which no subscription name can, so it is never
mistaken for a subscription's record. Rego policies see it as `data.vending.fleet`.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from vending.errors import InvalidInput, Problem
from vending.loader import MAX_BYTES, load_bytes
from vending.model import Request
from vending.records import RECORDS_DIR
from vending.repo_files import read_file

FLEET_INDEX = f"{RECORDS_DIR}/_fleet.json"
SHAPE = ('the fleet index holds {"subscriptions": {"<name>": {...}}}; it is derived from the stored requests: '
         "regenerate it rather than editing it")


def fleet_entry(request: Request) -> dict[str, Any]:
    return {
        "workload": request.workload,
        "managementGroup": request.management_group,
        "location": request.location,
        "requestedBy": request.requested_by,
        "addressSpace": list(request.network.address_space) if request.network else [],
        "state": request.state,
    }


def index_bytes(requests: Iterable[Request]) -> bytes:
    """The index of these requests (the whole fleet), sorted by name: the same bytes for the same fleet."""
    return _index_bytes({request.name: fleet_entry(request) for request in requests})


def with_request(index: Mapping[str, Any], request: Request) -> bytes:
    """`index` with the entry of `request` added or replaced: what one vend changes."""
    return _index_bytes({**index.get("subscriptions", {}), request.name: fleet_entry(request)})


def with_request_bytes(raw: bytes, request: Request, shown: str) -> bytes:
    """The stored index `raw` with the line of `request` added or replaced, without decoding the others: what
    apply commits, in time flat in fleet size. An index not in the form `index_bytes` writes (edited by
    hand) is decoded, checked and written whole."""
    lines = raw.split(b"\n")
    if _line(request.name) != f'"{request.name}"' or len(lines) < 4 or lines[0] != _HEAD or lines[-2:] != [_TAIL, b""] \
            or not all(line.startswith(b'  "') and line.endswith(b"},") for line in lines[1:-3]) \
            or not lines[-3].startswith(b'  "') or not lines[-3].endswith(b"}"):
        return with_request(parse_index(raw, shown), request)
    entries = lines[1:-2]
    names = [line[3:line.index(b'": ')] for line in entries]
    key = request.name.encode()
    entry = f"  {_line(request.name)}: {_line(fleet_entry(request))}".encode()
    at = bisect.bisect_left(names, key)
    if at < len(names) and names[at] == key:
        entries[at] = entry
    else:
        entries.insert(at, entry)
    body = b",\n".join(line.removesuffix(b",") for line in entries)
    return b"%s\n%s\n%s\n" % (_HEAD, body, _TAIL)


_HEAD = b'{"subscriptions": {'
_TAIL = b"}}"
_line = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def _index_bytes(entries: Mapping[str, Any]) -> bytes:
    if not entries:
        return b'{"subscriptions": {}}\n'
    lines = ",\n".join(f"  {_line(name)}: {_line(entries[name])}" for name in sorted(entries))
    return f'{{"subscriptions": {{\n{lines}\n}}}}\n'.encode()


MAX_INDEX_BYTES = 64 * MAX_BYTES
"""About 300,000 subscriptions: far past any fleet, yet a bound on what a check reads."""


def parse_index(raw: bytes, shown: str) -> dict[str, Any]:
    try:  # the C decoder: the index of 10,000 subscriptions in 15 ms; the loader only to say what is wrong
        data = json.loads(raw) if len(raw) <= MAX_INDEX_BYTES else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        data = load_bytes(raw, shown, max_bytes=MAX_INDEX_BYTES, syntax="json").data
    subscriptions = data.get("subscriptions")
    if set(data) != {"subscriptions"} or not isinstance(subscriptions, dict) \
            or not all(isinstance(entry, dict) for entry in subscriptions.values()):
        raise InvalidInput(shown, [Problem(SHAPE)])
    return data


def read_fleet_index(root: Path) -> dict[str, Any]:
    """The index in the working tree of the repository at `root`; an empty fleet when there is none."""
    raw = read_file(root, FLEET_INDEX, limit=MAX_INDEX_BYTES)
    return {"subscriptions": {}} if raw is None else parse_index(raw, FLEET_INDEX)


def fleet_json(index: Mapping[str, Any]) -> str:
    return json.dumps(index, sort_keys=True, separators=(",", ":"))
