"""The process that runs regopy for `vending.rego.Engine`: one JSON message per line in, one reply out.

    first line: {"modules": [[path, text], ...], "data": "<JSON text>",
                 "plan": "out := [...]" or null}                           -> {} (compiled)
    then:       {"input": "<JSON text>"}                                   -> {}
                {"evaluate": true}                                         -> {"value": <out of the plan>}
                {"query": "data.main.deny", "definedIn": "policy/x.rego"}  -> {"defined": bool, "value": ...}
    any error:  {"errors": [[path, message, line or null, column or null], ...]}

It is a process of its own so that a crash of rego-cpp ends this process, not the vending run.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from regopy import Interpreter, LogLevel, NodeKind, RegoError
from regopy.rego_shared import (
    rego_bundle_query,
    rego_free_output,
    rego_node_get,
    rego_node_size,
    rego_node_type,
    rego_node_value,
    rego_output_node,
    rego_output_ok,
    rego_output_string,
    rego_query,
    rego_set_input_term,
)

Located = list[Any]  # [path, message, line, column]

_ERROR = re.compile(rb"\(error(?: (\d+):|(?=\s))")
_LOCATION = re.compile(rb"\|(\d+)\|(\d+)")
_MESSAGE = re.compile(rb"\(errormsg (\d+):")


class Failed(Exception):
    def __init__(self, errors: list[Located]) -> None:
        super().__init__(errors)
        self.errors = errors


def build_plan(interpreter: Any, plan: str, sources: dict[str, bytes]) -> Any:
    try:
        bundle = interpreter.build(plan)
    except RegoError as exc:
        raise Failed(located(str(exc).encode(), sources)) from None
    if not bundle.ok():
        raise Failed([["", "the policy could not be compiled into a plan", None, None]])
    return bundle


def evaluate(interpreter: Any, bundle: Any) -> dict[str, Any]:
    output = rego_bundle_query(interpreter._impl, bundle._impl)
    try:
        if not rego_output_ok(output):
            raise Failed([["", m, None, None] for m in error_messages(rego_output_node(output))])
        text: str = rego_output_string(output)
    finally:
        rego_free_output(output)
    if text.startswith("(error"):
        raise Failed(located(text.encode(), {}))
    return {"value": json.loads(text)["bindings"]["out"]}


def compile_modules(modules: list[list[str]], data: str) -> Any:
    interpreter = Interpreter()
    interpreter.log_level = LogLevel.NONE  # rego-cpp prints its errors on stdout otherwise: our channel
    interpreter.strict_built_in_errors = True  # a failing built-in is an error, not a silent pass
    sources = {path: text.encode() for path, text in modules}
    try:
        for path, text in modules:
            interpreter.add_module(path, text)
        interpreter.add_data_json(data)
    except RegoError as exc:
        raise Failed(located(str(exc).encode(), sources)) from None
    return interpreter


def query(interpreter: Any, sources: dict[str, bytes], reference: str, defined_in: str) -> dict[str, Any]:
    output = rego_query(interpreter._impl, reference)
    try:
        if not rego_output_ok(output):
            raise Failed([[defined_in, f"{reference}: {m}", None, None]
                          for m in error_messages(rego_output_node(output))])
        text: str = rego_output_string(output)
    finally:
        rego_free_output(output)
    if text.startswith("(error"):
        raise Failed([[path, f"{reference}: {message}", line, column]
                      for path, message, line, column in located(text.encode(), sources, defined_in)])
    if text.strip() == "undefined":
        return {"defined": False}
    expressions = json.loads(text).get("expressions", [])
    return {"defined": True, "value": expressions[0]} if expressions else {"defined": False}


def located(text: bytes, sources: dict[str, bytes], fallback: str = "") -> list[Located]:
    """The errors of a rego-cpp error report, each at its module's line and column when it has one.

    The report is an S-expression whose strings carry their length in bytes (`15:policy/x.rego`), and
    positions are byte offsets into the module (`|47|1`: offset 47, 1 byte long)."""
    found: list[Located] = []
    for match in _ERROR.finditer(text):
        path, line, column, end = fallback, None, None, match.end()
        if match.group(1):
            size = int(match.group(1))
            path = text[end:end + size].decode(errors="replace")
            location = _LOCATION.match(text, end + size)
            if location and path in sources:
                line, column = position(sources[path], int(location.group(1)))
        message = _MESSAGE.search(text, end)
        what = text[message.end():message.end() + int(message.group(1))].decode(errors="replace") if message \
            else "the module does not compile"
        found.append([path, what, line, column])
    return found or [[fallback, text.decode(errors="replace").strip(), None, None]]


def position(source: bytes, offset: int) -> tuple[int, int]:
    before = source[:offset]
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[line_start:].decode(errors="replace")) + 1


def error_messages(node: Any) -> list[str]:
    """The messages (with their error codes) in an error node of rego-cpp's output."""
    messages: list[str] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if rego_node_type(current) == NodeKind.Error:
            parts = {rego_node_type(rego_node_get(current, i)): rego_node_get(current, i)
                     for i in range(rego_node_size(current))}
            message = rego_node_value(parts[NodeKind.ErrorMessage]) if NodeKind.ErrorMessage in parts else "error"
            code = rego_node_value(parts[NodeKind.ErrorCode]) if NodeKind.ErrorCode in parts else ""
            messages.append(f"{message} ({code})" if code else message)
        else:
            pending.extend(rego_node_get(current, i) for i in reversed(range(rego_node_size(current))))
    return messages or ["the policy could not be evaluated"]


def serve(lines: Any, reply: Any) -> None:
    interpreter: Any = None
    bundle: Any = None
    sources: dict[str, bytes] = {}
    for line in lines:
        message = json.loads(line)
        try:
            if interpreter is None:
                sources = {path: text.encode() for path, text in message["modules"]}
                interpreter = compile_modules(message["modules"], message["data"])
                if message.get("plan"):
                    bundle = build_plan(interpreter, message["plan"], sources)
                answer: dict[str, Any] = {}
            elif "input" in message:
                rego_set_input_term(interpreter._impl, message["input"])
                answer = {}
            elif "evaluate" in message:
                answer = evaluate(interpreter, bundle)
            else:
                answer = query(interpreter, sources, message["query"], message["definedIn"])
        except Failed as failure:
            answer = {"errors": failure.errors}
        except RegoError as exc:
            answer = {"errors": [[message.get("definedIn", ""), str(exc), None, None]]}
        except ValueError as exc:  # rego-cpp 1.5.2 writes some strings into its JSON unescaped
            answer = {"errors": [[message.get("definedIn", ""), f"{message.get('query', 'the policy')}: the "
                                  f"engine's answer is not valid JSON ({exc}); a bug of regopy, seen with "
                                  "sprintf's %s of a set or an object: use %v", None, None]]}
        reply(json.dumps(answer))
        if interpreter is None:  # the modules did not compile: nothing more to answer
            return


def main() -> int:
    def reply(text: str) -> None:
        sys.stdout.buffer.write(text.encode() + b"\n")
        sys.stdout.buffer.flush()

    serve(sys.stdin.buffer, reply)
    return 0


if __name__ == "__main__":
    sys.exit(main())
