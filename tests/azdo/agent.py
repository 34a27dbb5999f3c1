"""What the Azure Pipelines agent does with a line of a step's output, for the tests.

Written from Microsoft's documentation of logging commands and the agent's
`Command.TryParse`: the first `##vso[` anywhere in a line starts a command, the
first `]` after it ends the properties, and properties and message are unescaped.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "##vso["


@dataclass(frozen=True)
class Command:
    name: str
    properties: dict[str, str]
    message: str


def unescape(value: str) -> str:
    for token, escaped in ((";", "%3B"), ("\r", "%0D"), ("\n", "%0A"), ("]", "%5D")):
        value = value.replace(escaped, token)
    return value.replace("%AZP25", "%")


def parse(line: str) -> Command | None:
    start = line.find(PREFIX)
    if start < 0:
        return None
    end = line.find("]", start + len(PREFIX))
    if end < 0:
        return None
    header = line[start + len(PREFIX): end]
    name, _, props = header.partition(" ")
    properties: dict[str, str] = {}
    for pair in props.split(";"):
        if "=" in pair:
            key, _, value = pair.partition("=")
            properties[key.strip()] = unescape(value)
    return Command(name, properties, unescape(line[end + 1:]))


def commands(output: str) -> list[Command]:
    """The commands the agent would run for this output (it reads stdout and stderr alike)."""
    found = []
    for line in output.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        command = parse(line)
        if command is not None:
            found.append(command)
    return found
