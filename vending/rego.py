"""Policy as code: the Rego (v1) modules under `policy/`, evaluated with regopy (Microsoft's rego-cpp).

conftest's conventions, so that existing policies run unchanged: in the packages `policy.namespaces`
of vending.yaml names (default `main`), the rules `deny`, `violation` and `warn`, and those starting
with `deny_`, `violation_` or `warn_`, yield a message string or an object with `msg`; deny and
violation refuse the request, warn reports. An object may add `field`, a JSON pointer into the request
(`/tags/costCenter`) that the message is about: vending shows the message at that field's line and
column (or its nearest ancestor's, when the request leaves it out). Test rules (`test_*`, any package)
are run by `vending policy test`, like `opa test`.

Rules are found by their heads at the start of a line (as `opa fmt` writes them). The enforced ones are
compiled once into a plan that collects each on its own (`[x | x := data.main.deny]`), so a rule that is
undefined for one input never hides another.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vending.errors import PolicyError, Problem
from vending.repo_files import list_files, read_file

POLICY_DIR = "policy"
SUFFIX = ".rego"
MAX_MODULE_BYTES = 1024 * 1024
_HEAD = re.compile(r"^(?:default\s+)?([A-Za-z_][A-Za-z0-9_]*)(\s*\()?", re.MULTILINE)
_PACKAGE = re.compile(r"^package\s+([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*$", re.MULTILINE)
_ENFORCED = re.compile(r"^(deny|violation|warn)(_[A-Za-z0-9_]+)?$")
_KEYWORDS = {"package", "import", "default"}
CRASHES = ("known: a built-in function applied to input in a package where a test replaces the input whole, "
           "`with input as {...}`: replace it field by field, `with input.tags as {...}`; and `with input as` a "
           "rule: bind it to a local variable first")


@dataclass(frozen=True)
class Module:
    path: str
    text: str
    package: str
    rules: tuple[str, ...]
    """The rules whose heads start a line, in order, once each (functions left out)."""


@dataclass(frozen=True)
class Finding:
    rule: str
    """The rule's reference, such as data.main.deny."""
    refuses: bool
    message: str
    field: str
    """A JSON pointer into the request, or "" for the request as a whole."""


@dataclass(frozen=True)
class TestResult:
    path: str
    rule: str
    passed: bool
    detail: str = ""


def read_modules(root: Path) -> tuple[Module, ...]:
    """The Rego modules under policy/ of the repository at `root` (none when it has no policy/)."""
    paths = [relative for relative in list_files(root, POLICY_DIR) if relative.endswith(SUFFIX)]
    return modules_from((relative, read_file(root, relative, limit=MAX_MODULE_BYTES) or b"") for relative in paths)


def modules_from(files: Iterable[tuple[str, bytes]]) -> tuple[Module, ...]:
    """The modules of these (path, content) pairs, from the working tree or from a commit of trunk."""
    modules = []
    for relative, raw in files:
        if len(raw) > MAX_MODULE_BYTES:
            raise PolicyError([(relative, Problem(f"the module is over {MAX_MODULE_BYTES:,} bytes"))])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise PolicyError([(relative, Problem("the module is not UTF-8 text"))]) from None
        modules.append(parse_module(relative, text))
    return tuple(modules)


def parse_module(path: str, text: str) -> Module:
    package = _PACKAGE.search(text)
    if package is None:
        raise PolicyError([(path, Problem("a Rego module starts with a package declaration, such as "
                                          "`package main`", line=1, column=1))])
    rules: list[str] = []
    for match in _HEAD.finditer(text):
        name, is_function = match.group(1), match.group(2)
        if name not in _KEYWORDS and not is_function and name not in rules:
            rules.append(name)
    return Module(path=path, text=text, package=package.group(1), rules=tuple(rules))


class Engine:
    """The compiled modules with their data, evaluated with each request as input.

    regopy runs in a worker process (`vending.rego_worker`), one per run: rego-cpp 1.5.2 crashes the
    process on some valid policies (see CRASHES), and a crash must be a clear error, never a dead `vending`."""

    def __init__(self, modules: tuple[Module, ...], data: str, namespaces: Sequence[str] = ()) -> None:
        self.modules = modules
        self.enforced = tuple(rule for namespace in namespaces for rule in enforced_rules(modules, namespace))
        """(reference, module) of each enforced rule of `namespaces`: compiled once into a plan (a bundle),
        which evaluates them all for a request in one call (rego-cpp compiles a plain query every time)."""
        plan = "out := [" + ", ".join(f"[x | x := {reference}]" for reference, _ in self.enforced) + "]"
        self._setup = json.dumps({"modules": [[m.path, m.text] for m in modules], "data": data,
                                  "plan": plan if self.enforced else None})
        self._worker: subprocess.Popen[bytes] | None = None
        self._input = "null"
        self._call({}, "compiling the policy")

    def set_input(self, document: Any) -> None:
        self._input = json.dumps(document)
        self._call({"input": self._input}, "reading the request")

    def query(self, reference: str, defined_in: str) -> tuple[bool, Any]:
        """(defined, value) of `reference`; an evaluation error is a `PolicyError` at `defined_in`."""
        reply = self._call({"query": reference, "definedIn": defined_in}, f"evaluating {reference}", defined_in)
        return bool(reply["defined"]), reply.get("value")

    def enforced_values(self) -> list[tuple[str, str, Any]]:
        """(reference, module, value) of each enforced rule that is defined for the input."""
        if not self.enforced:
            return []
        try:
            reply = self._call({"evaluate": True}, "evaluating the policy")
        except PolicyError as failure:
            # Find the rule that fails, so the error names it and its module.
            for reference, path in self.enforced:
                self.query(reference, path)
            raise PolicyError([(path or self.enforced[0][1], problem) for path, problem in failure.problems]) \
                from None
        return [(reference, path, values[0])
                for (reference, path), values in zip(self.enforced, reply["value"], strict=True) if values]

    def close(self) -> None:
        if self._worker is not None:
            with contextlib.suppress(OSError):
                self._worker.stdin.close()  # type: ignore[union-attr]
            self._worker.wait()
            self._worker = None

    def _start(self) -> subprocess.Popen[bytes]:
        # stderr is dropped: the worker answers every error it can catch, and a crash says nothing.
        worker = subprocess.Popen([sys.executable, "-m", "vending.rego_worker"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        atexit.register(functools.partial(_stop, worker))
        self._exchange(worker, self._setup)
        if self._input != "null":
            self._exchange(worker, json.dumps({"input": self._input}))
        return worker

    def _call(self, message: dict[str, Any], doing: str, defined_in: str = "") -> dict[str, Any]:
        try:
            if self._worker is None:
                self._worker = self._start()
            reply = self._exchange(self._worker, json.dumps(message)) if message else {}
        except _Crashed as crash:
            self.close()  # the next call starts a fresh worker (policy test goes on with the next test)
            where = defined_in or (self.modules[0].path if self.modules else POLICY_DIR)
            raise PolicyError([(where, Problem(
                f"the Rego engine (regopy) crashed {doing} ({crash}), a bug of the engine: write the policy "
                f"around it ({CRASHES})"))]) from None
        return reply

    @staticmethod
    def _exchange(worker: subprocess.Popen[bytes], line: str) -> dict[str, Any]:
        assert worker.stdin is not None and worker.stdout is not None
        try:
            worker.stdin.write(line.encode() + b"\n")
            worker.stdin.flush()
            answer = worker.stdout.readline()
        except (BrokenPipeError, ConnectionResetError):
            answer = b""
        if not answer:
            code = worker.wait()
            raise _Crashed(_signal_name(-code) if code < 0 else f"exit {code}")
        reply: dict[str, Any] = json.loads(answer)
        if "errors" in reply:
            raise PolicyError([(path, Problem(message, line=line_, column=column))
                               for path, message, line_, column in reply["errors"]])
        return reply


class _Crashed(Exception):
    pass


def _signal_name(number: int) -> str:
    try:
        return f"signal {signal.Signals(number).name}"
    except ValueError:
        return f"signal {number}"


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        with contextlib.suppress(OSError):
            worker.stdin.close()  # type: ignore[union-attr]
        worker.wait()


def evaluate(engine: Engine, document: Any) -> list[Finding]:
    """What the enforced rules say about `document`, refusals first, in rule order."""
    engine.set_input(document)
    findings: list[Finding] = []
    for reference, path, value in engine.enforced_values():
        refuses = not reference.rsplit(".", 1)[-1].startswith("warn")
        findings.extend(Finding(reference, refuses, message, field)
                        for message, field in _messages(value, reference, path))
    return sorted(findings, key=lambda f: not f.refuses)


def enforced_rules(modules: Sequence[Module], namespace: str) -> list[tuple[str, str]]:
    """(reference, module defining it first) of the deny, violation and warn rules of the package `namespace`."""
    seen: dict[str, str] = {}
    for module in modules:
        if module.package == namespace:
            for rule in module.rules:
                if _ENFORCED.match(rule):
                    seen.setdefault(f"data.{namespace}.{rule}", module.path)
    return list(seen.items())


def is_test_module(path: str) -> bool:
    """OPA's convention: tests live in `*_test.rego`; `policy test` loads them, enforcement does not."""
    return path.endswith(f"_test{SUFFIX}")


def _messages(value: Any, reference: str, path: str) -> list[tuple[str, str]]:
    if isinstance(value, dict) and all(item is True for item in value.values()):
        raise PolicyError([(path, Problem(
            f"{reference} is an object, not a set of messages: that is Rego v0's `deny[msg] {{ ... }}`; "
            "write it in Rego v1: `deny contains msg if { ... }`"))])
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, str):
            found.append((item, ""))
            continue
        message = item.get("msg") if isinstance(item, dict) else None
        field = item.get("field", "") if isinstance(item, dict) else ""
        if not isinstance(message, str) or not isinstance(field, str) or (field and not field.startswith("/")):
            raise PolicyError([(path, Problem(
                f"{reference} yielded {json.dumps(item)[:200]}; a rule yields a message string or an object "
                'with "msg" (a string) and optionally "field" (a JSON pointer such as "/tags/costCenter")'))])
        found.append((message, field))
    return found


def run_tests(engine: Engine) -> list[TestResult]:
    """Every `test_*` rule of every module, like `opa test`: a test passes when it evaluates to true."""
    results = []
    seen: set[str] = set()
    for module in engine.modules:
        for rule in module.rules:
            reference = f"data.{module.package}.{rule}"
            if not rule.startswith("test_") or reference in seen:
                continue
            seen.add(reference)
            try:
                defined, value = engine.query(reference, module.path)
            except PolicyError as exc:
                results.append(TestResult(module.path, reference, False,
                                          "; ".join(p.message for _, p in exc.problems)))
                continue
            detail = "" if value is True else "undefined" if not defined else f"evaluated to {json.dumps(value)}"
            results.append(TestResult(module.path, reference, value is True, detail))
    return results
