"""The Azure Pipelines agent's logging commands, and keeping secrets out of the log.

Under an agent (`TF_BUILD` is set) problems are also written as
`##vso[task.logissue ...]` and results as output variables. They go to standard
error, which the agent reads as well as standard output, so that `--output json`
stays machine-readable.

The agent acts on `##vso[` anywhere in a line, so text that may carry request
values is neutralised before it is printed: a request must never be able to
set a variable or complete a task by being echoed.
"""

from __future__ import annotations

import base64
import json
import os
import re
import urllib.parse
from collections.abc import Iterable, Mapping

SECRET_VARIABLES = ("AZURE_DEVOPS_EXT_PAT", "SYSTEM_ACCESSTOKEN", "AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET",
                    "ARM_ACCESS_KEY", "ARM_SAS_TOKEN", "AZURE_DEVOPS_EXT_AZURE_RM_SERVICE_PRINCIPAL_KEY")
"""Environment variables whose values never reach the log: the Azure DevOps tokens vending uses, and the
Azure credentials a Terraform or Azure CLI step of the same job commonly holds."""
MASK = "***"
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_COMMAND_MARKERS = re.compile(r"##(vso\[|\[)", re.IGNORECASE)


def in_pipeline(env: Mapping[str, str] | None = None) -> bool:
    """True on an Azure Pipelines agent, which sets `TF_BUILD`."""
    return bool((os.environ if env is None else env).get("TF_BUILD"))


def escape_data(value: str) -> str:
    """A command's message, escaped as the agent unescapes it."""
    return value.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A command property's value: `;` ends a property and `]` the properties."""
    return escape_data(value).replace(";", "%3B").replace("]", "%5D")


def neutralize(text: str) -> str:
    """`text` with every logging or formatting command marker defused (as the agent itself does)."""
    return _COMMAND_MARKERS.sub(lambda m: "**" + m.group(1), text)


def command(name: str, properties: Mapping[str, str | int | None], message: str) -> str:
    # Property values are neutralised too: a file named `x##vso[...].yaml` is a `sourcepath`.
    props = ";".join(f"{key}={escape_property(neutralize(str(value)))}" for key, value in properties.items()
                     if value is not None and value != "")
    header = f"{name} {props}" if props else name
    return f"##vso[{header}]{escape_data(neutralize(message))}"


def log_issue(severity: str, message: str, *, source: str | None = None, line: int | None = None,
              column: int | None = None) -> str:
    """`##vso[task.logissue]`: an error or warning in the run's summary, located when we can."""
    kind = "error" if severity == "error" else "warning"
    return command("task.logissue",
                   {"type": kind, "sourcepath": source, "linenumber": line, "columnnumber": column},
                   message)


def set_output(name: str, value: str) -> str:
    """`##vso[task.setvariable]`: an output variable, read as `dependencies.<job>.outputs['<step>.<name>']`."""
    if not _VARIABLE_NAME.fullmatch(name):
        raise ValueError(f"not a variable name: {name!r}")
    return command("task.setvariable", {"variable": name, "isoutput": "true"}, value)


def set_secret(value: str) -> str:
    """`##vso[task.setsecret]`: the agent masks `value` in every later line of the log."""
    return command("task.setsecret", {}, value)


def secrets(env: Mapping[str, str] | None = None) -> list[str]:
    """The secret values in the environment, with the encodings they travel in (longest first)."""
    env = os.environ if env is None else env
    found: set[str] = set()
    for name in SECRET_VARIABLES:
        value = env.get(name, "")
        if len(value) < 4:  # masking a one-letter "secret" would shred every message
            continue
        found.update(encodings(value))
    return sorted(found, key=len, reverse=True)


def encodings(value: str) -> set[str]:
    """`value` as it may appear in text: itself, URL- and JSON-encoded, and in base64 (standard and URL-safe)
    at each of the three byte alignments it can have inside a longer encoded text, such as a Basic
    Authorization header's `:secret`."""
    forms = {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value),
             urllib.parse.quote(value), json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    data = value.encode()
    forms.add(base64.b64encode(b":" + data).decode())
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data).decode()
        # Only the groups made of the secret's bytes alone are the same in every text that embeds it.
        start = 4 if shift else 0
        end = len(encoded) - (4 if (shift + len(data)) % 3 else 0)
        core = encoded[start:end]
        if len(core) >= 8:
            forms.update({core, core.replace("+", "-").replace("/", "_")})
    return {form for form in forms if len(form) >= 4}


# Anchored on "://", not on the scheme: `\b[a-z][a-z0-9+.-]*://` was tried at every word boundary and ran to
# the end of each run of scheme characters, so a line such as "a.a.a.a..." took quadratic time (80 KB: 18 s).
_USERINFO = re.compile(r"://[^/\s@:]*:[^/\s@]*@")


def redact(text: str, values: Iterable[str] | None = None) -> str:
    """`text` with every secret value replaced by `***`, and the password of any URL's user info too."""
    for value in secrets() if values is None else values:
        text = text.replace(value, MASK)
    return _USERINFO.sub(f"://{MASK}@", text)
