"""Rego policies under policy/, through the real CLI: conftest's rules refuse or warn at file:line:col."""

from __future__ import annotations

import textwrap
from pathlib import Path

from vending.fleet import load_fleet
from vending.fleet_index import FLEET_INDEX, index_bytes, parse_index, with_request

from .conftest import RunCli


def policy(repo: Path, name: str, text: str) -> None:
    (repo / "policy").mkdir(exist_ok=True)
    (repo / "policy" / name).write_text(textwrap.dedent(text))


def located(err: str, path: str, pointer: str) -> tuple[int, int]:
    """(line, column) of the error line naming `path` and `pointer`."""
    for line in err.splitlines():
        if line.startswith(f"{path}:") and f": {pointer}: " in line:
            where = line.split(":")
            return int(where[1]), int(where[2])
    raise AssertionError(f"no error at {path} {pointer} in:\n{err}")


COST_CENTER = """\
    package main

    deny contains {"msg": "Production needs an owner tag", "field": "/tags/owner"} if {
        input.workload == "Production"
        not input.tags.owner
    }
"""


def test_a_deny_with_a_field_refuses_at_that_fields_line_and_column(run_cli: RunCli, gitops_repo: Path) -> None:
    policy(gitops_repo, "owner.rego", COST_CENTER)
    (gitops_repo / "requests" / "payments-prod.yaml").write_text(
        (gitops_repo / "requests" / "payments-prod.yaml").read_text().replace("  owner: payments-team\n", ""))
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 1
    # The tag is missing: the message points at its nearest ancestor the request has, the tags mapping.
    text = (gitops_repo / "requests" / "payments-prod.yaml").read_text().splitlines()
    line, column = located(result.err, "requests/payments-prod.yaml", "/tags/owner")
    assert text[line - 1][column - 1:].startswith("costCenter"), (line, column)
    assert "Production needs an owner tag (data.main.deny)" in result.err
    assert "risk-models-prod" in result.err, "every refused request is listed, not only the first"
    assert not (gitops_repo / "generated").exists(), "nothing is written"
    assert run_cli("check", "--repo", str(gitops_repo)).code == 1


def test_a_field_the_request_has_is_pointed_at_exactly(run_cli: RunCli, gitops_repo: Path) -> None:
    policy(gitops_repo, "mg.rego", """\
        package main

        deny contains {"msg": sprintf("%s is retired", [input.managementGroup]), "field": "/managementGroup"} if {
            input.managementGroup == "sandbox"
        }
    """)
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 1
    assert "requests/analytics-dev.yaml:7:18: error: /managementGroup: sandbox is retired (data.main.deny)" \
        in result.err.splitlines()


def test_conftest_policies_run_unchanged_strings_objects_violations_and_prefixed_rules(
        run_cli: RunCli, gitops_repo: Path) -> None:
    policy(gitops_repo, "conftest.rego", """\
        package main

        import rego.v1

        deny contains msg if {
            input.location == "westeurope"
            msg := sprintf("%s: westeurope is closed for new subscriptions", [input.name])
        }

        violation contains {"msg": "DevTest budgets stay under 500", "details": {"limit": 500}} if {
            input.workload == "DevTest"
            some budget in input.budgets
            budget.amount > 500
        }

        deny_owner contains "Owner is granted through PIM, not by vending" if {
            some assignment in input.roleAssignments
            assignment.definition == "Owner"
        }

        warn contains "tag values are free text: check them" if input.tags
    """)
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if ": error: " in line]
    assert errors == [
        "requests/analytics-dev.yaml:2:1: error: analytics-dev: westeurope is closed for new subscriptions "
        "(data.main.deny)",
        "requests/analytics-dev.yaml:2:1: error: DevTest budgets stay under 500 (data.main.violation)",
        "requests/analytics-dev.yaml:2:1: error: Owner is granted through PIM, not by vending (data.main.deny_owner)",
    ]
    warnings = [line for line in result.err.splitlines() if ": warning: " in line]
    assert len(warnings) == 3 and all("tag values are free text" in w for w in warnings)


def test_warnings_are_printed_and_the_render_goes_on(run_cli: RunCli, gitops_repo: Path) -> None:
    policy(gitops_repo, "warn.rego", """\
        package main

        warn contains {"msg": "Owner at subscription scope: prefer a narrower role", "field": pointer} if {
            some key, assignment in input.roleAssignments
            assignment.definition == "Owner"
            pointer := sprintf("/roleAssignments/%s/definition", [key])
        }
    """)
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 0, result.err
    # analytics-dev is a 1.1 request: its role assignments are a list, keyed in the newest schema; the warning
    # points at the nearest place the request as written has.
    assert "requests/analytics-dev.yaml:22:3: warning: /roleAssignments/owner-" in result.err
    assert "Owner at subscription scope: prefer a narrower role (data.main.warn)" in result.err
    assert (gitops_repo / "generated").is_dir()


def test_the_input_is_the_request_in_the_newest_schema_with_its_defaults(run_cli: RunCli, gitops_repo: Path) -> None:
    policy(gitops_repo, "shape.rego", """\
        package main

        deny contains sprintf("seen %s %s %v %v", [input.schemaVersion, input.state, input.network.hubPeering,
            object.keys(input.budgets)]) if input.name == "payments-prod"
    """)
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 1
    # payments-prod pins 1.0.0 (`budget`, no `state`): Rego sees the newest (2.1.0), with `budgets` and state.
    assert 'seen 2.1.0 present true {"default"} (data.main.deny)' in result.err


def test_namespaces_of_vending_yaml_choose_the_enforced_packages(run_cli: RunCli, gitops_repo: Path) -> None:
    policy(gitops_repo, "other.rego", """\
        package platform.network

        deny contains "no networks in westeurope" if input.location == "westeurope"
    """)
    assert run_cli("render", "--all", "--repo", str(gitops_repo)).code == 0, "package main only, by default"
    config = gitops_repo / "vending.yaml"
    config.write_text(config.read_text() + "policy:\n  namespaces: [main, platform.network]\n")
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 1
    assert "no networks in westeurope (data.platform.network.deny)" in result.err


def test_data_holds_the_configuration_and_the_fleet_index(run_cli: RunCli, gitops_repo: Path) -> None:
    policy(gitops_repo, "fleet.rego", """\
        package main

        deny contains {"msg": msg, "field": "/requestedBy"} if {
            input.workload == "Production"
            some name, other in data.vending.fleet.subscriptions
            name != input.name
            other.workload == "Production"
            other.requestedBy == input.requestedBy
            msg := sprintf("%s already owns Production subscription %s (%s in %s)",
                [input.requestedBy, name, other.managementGroup, data.vending.config.crossplane.group])
        }
    """)
    requests = gitops_repo / "requests"
    (requests / "risk-models-prod.json").write_text(
        (requests / "risk-models-prod.json").read_text().replace("carol@contoso.com", "alice@contoso.com"))
    (gitops_repo / FLEET_INDEX).unlink()
    assert run_cli("render", "--all", "--repo", str(gitops_repo)).code == 0, "no index: an empty fleet"
    (gitops_repo / FLEET_INDEX).write_bytes(index_bytes(a.request for a in load_fleet(gitops_repo)))
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 1
    assert "alice@contoso.com already owns Production subscription payments-prod (corp in " \
           "vending.platform.contoso.com)" in result.err
    assert "alice@contoso.com already owns Production subscription risk-models-prod" in result.err


def test_the_fleet_index_is_deterministic_and_sorted(gitops_repo: Path) -> None:
    fleet = [a.request for a in load_fleet(gitops_repo)]
    first = index_bytes(fleet)
    assert first == index_bytes(reversed(fleet))
    assert first.index(b'"analytics-dev"') < first.index(b'"payments-prod"') < first.index(b'"risk-models-prod"')


def test_a_vend_updates_one_entry_of_the_index_to_what_the_whole_fleet_gives(gitops_repo: Path) -> None:
    fleet = [a.request for a in load_fleet(gitops_repo)]
    without_payments = parse_index(index_bytes(r for r in fleet if r.name != "payments-prod"), FLEET_INDEX)
    payments = next(r for r in fleet if r.name == "payments-prod")
    assert with_request(without_payments, payments) == index_bytes(fleet)


def test_a_syntax_error_is_reported_at_the_module_line_and_column_exit_2(run_cli: RunCli, gitops_repo: Path) -> None:
    policy(gitops_repo, "bad.rego", "package main\n\ndeny contains msg if {\n  input.x = \n}\n")
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 2
    assert "policy/bad.rego:4:11: Invalid assignment operator" in result.err
    assert "Traceback" not in result.err and not (gitops_repo / "generated").exists()
    assert run_cli("check", "--repo", str(gitops_repo)).code == 2


def test_rego_v0_rules_are_refused_with_the_v1_spelling(run_cli: RunCli, gitops_repo: Path) -> None:
    policy(gitops_repo, "old.rego", 'package main\n\ndeny[msg] {\n  input.name\n  msg := "old"\n}\n')
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 2
    assert "policy/old.rego: data.main.deny is an object, not a set of messages" in result.err
    assert "deny contains msg if" in result.err


def test_a_message_of_another_shape_is_a_policy_error(run_cli: RunCli, gitops_repo: Path) -> None:
    policy(gitops_repo, "shape.rego", 'package main\n\ndeny contains {"reason": 42} if input.name\n')
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 2
    assert 'policy/shape.rego: data.main.deny yielded {"reason": 42}' in result.err


def test_a_failing_built_in_is_an_error_not_a_silent_pass(run_cli: RunCli, gitops_repo: Path) -> None:
    policy(gitops_repo, "number.rego", 'package main\n\ndeny contains "x" if to_number(input.name) > 1\n')
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 2
    assert "policy/number.rego: data.main.deny:" in result.err


def test_an_answer_the_engine_garbles_is_a_clear_error(run_cli: RunCli, gitops_repo: Path) -> None:
    policy(gitops_repo, "garbled.rego",
           'package main\n\ndeny contains sprintf("seen %s", [object.keys(input.budgets)]) if input.name\n')
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 2
    assert "policy/garbled.rego: data.main.deny: the engine's answer is not valid JSON" in result.err
    assert "Traceback" not in result.err


def test_a_crash_of_the_engine_is_a_clear_error(run_cli: RunCli, gitops_repo: Path) -> None:
    policy(gitops_repo, "crash.rego", """\
        package main

        deny contains "no budget" if not has_budget

        has_budget if count(input.budgets) > 0

        test_crashes_regopy if {
            count(deny) == 0 with input as {"budgets": {"a": {}}}
        }
    """)
    result = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert result.code == 2
    assert result.err.startswith("vending: error: policy/crash.rego: the Rego engine (regopy) crashed compiling the "
                                 "policy (signal SIGABRT)")
