"""`vending policy test`, and the example policy `vending init` writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT, RunCli

FAILING = """\
package main

test_passes if {
	count(deny) == 1 with input.workload as "Production" with input.tags as {}
}

test_fails if {
	count(deny) == 0 with input.workload as "Production" with input.tags as {}
}

test_errors if {
	to_number("not a number") == 1
}
"""


def started(run_cli: RunCli, tmp_path: Path) -> Path:
    target = tmp_path / "gitops"
    assert run_cli("init", str(target)).code == 0
    return target


def test_init_writes_an_example_policy_whose_tests_pass(run_cli: RunCli, tmp_path: Path) -> None:
    target = started(run_cli, tmp_path)
    assert sorted(p.name for p in (target / "policy").iterdir()) == ["tags.rego", "tags_test.rego"]
    assert (target / "policy" / "tags.rego").read_bytes() == \
        (ROOT / "vending" / "data" / "policy" / "tags.rego").read_bytes()
    result = run_cli("policy", "test", "--repo", str(target))
    assert result.code == 0, result.out + result.err
    assert result.out.splitlines() == [
        "policy/tags_test.rego: data.main.test_production_with_a_cost_center_is_accepted: PASS",
        "policy/tags_test.rego: data.main.test_production_without_a_cost_center_is_refused_at_the_tag: PASS",
        "policy/tags_test.rego: data.main.test_devtest_needs_no_cost_center: PASS",
        "policy/tags_test.rego: data.main.test_production_without_a_budget_is_warned: PASS",
        "-" * 40,
        "PASS: 4/4",
    ]
    assert run_cli("check", "--repo", str(target)).code == 0


def test_the_example_policy_refuses_production_without_a_cost_center(
        run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = started(run_cli, tmp_path)
    monkeypatch.chdir(target)
    request = (ROOT / "requests" / "payments-prod.yaml").read_text().replace('  costCenter: "1234"\n', "")
    (target / "requests" / "payments-prod.yaml").write_text(request)
    result = run_cli("render", "requests/payments-prod.yaml")
    assert result.code == 1
    line = next(i for i, text in enumerate(request.splitlines(), 1) if text.startswith("tags:"))
    assert f"requests/payments-prod.yaml:{line + 1}:3: error: /tags/costCenter: a Production subscription needs a " \
           "costCenter tag" in result.err


def test_the_example_tests_catch_a_broken_policy(run_cli: RunCli, tmp_path: Path) -> None:
    target = started(run_cli, tmp_path)
    module = target / "policy" / "tags.rego"
    module.write_text(module.read_text().replace('input.workload == "Production"\n\tnot input.tags.costCenter',
                                                 'input.workload == "DevTest"\n\tnot input.tags.costCenter'))
    result = run_cli("policy", "test", "--repo", str(target))
    assert result.code == 1
    assert "policy/tags_test.rego: data.main.test_production_without_a_cost_center_is_refused_at_the_tag: FAIL" \
           in result.out
    assert result.out.splitlines()[-2:] == ["PASS: 2/4", "FAIL: 2/4"]


def test_failing_and_erroring_tests_fail_with_their_file(run_cli: RunCli, tmp_path: Path) -> None:
    target = started(run_cli, tmp_path)
    (target / "policy" / "more_test.rego").write_text(FAILING)
    result = run_cli("policy", "test", "--repo", str(target))
    assert result.code == 1
    lines = result.out.splitlines()
    assert "policy/more_test.rego: data.main.test_passes: PASS" in lines
    assert "policy/more_test.rego: data.main.test_fails: FAIL (undefined)" in lines
    assert any(line.startswith("policy/more_test.rego: data.main.test_errors: FAIL (data.main.test_errors: ")
               for line in lines)
    assert lines[-2:] == ["PASS: 5/7", "FAIL: 2/7"]


def test_a_module_that_does_not_compile_exits_2_at_its_line_and_column(run_cli: RunCli, tmp_path: Path) -> None:
    target = started(run_cli, tmp_path)
    (target / "policy" / "broken.rego").write_text("package main\n\ntest_x if {\n\tinput.x = \n}\n")
    result = run_cli("policy", "test", "--repo", str(target))
    assert result.code == 2
    assert "policy/broken.rego:4:10: Invalid assignment operator" in result.err


def test_a_module_without_a_package_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    target = started(run_cli, tmp_path)
    (target / "policy" / "nopackage.rego").write_text("deny contains 1 if true\n")
    result = run_cli("policy", "test", "--repo", str(target))
    assert result.code == 2
    assert "policy/nopackage.rego:1:1: a Rego module starts with a package declaration" in result.err


def test_a_crash_of_the_engine_fails_the_tests_and_ends_the_run(run_cli: RunCli, tmp_path: Path) -> None:
    """rego-cpp compiles every module together: a construct it crashes on fails every test, each reported."""
    target = started(run_cli, tmp_path)
    (target / "policy" / "crash_test.rego").write_text(
        "package crash\n\nhas_budget if count(input.budgets) > 0\n\n"
        'test_crashes if {\n\thas_budget with input as {"budgets": {"a": 1}}\n}\n\n'
        'test_after_the_crash if {\n\thas_budget with input.budgets as {"a": 1}\n}\n')
    result = run_cli("policy", "test", "--repo", str(target))
    assert result.code == 1
    assert "policy/crash_test.rego: data.crash.test_crashes: FAIL (the Rego engine (regopy) crashed evaluating " \
           "data.crash.test_crashes (signal SIGSEGV)" in result.out
    assert "policy/tags_test.rego: data.main.test_devtest_needs_no_cost_center: FAIL (the Rego engine" in result.out
    assert result.out.splitlines()[-2:] == ["PASS: 0/6", "FAIL: 6/6"]


def test_no_policy_no_tests(run_cli: RunCli, tmp_path: Path) -> None:
    target = started(run_cli, tmp_path)
    for module in (target / "policy").iterdir():
        module.unlink()
    result = run_cli("policy", "test", "--repo", str(target))
    assert result.code == 0 and result.out == "no test rules (test_*) in policy/\n"


def test_policy_test_in_its_own_process_prints_no_engine_noise(run_cli: RunCli, tmp_path: Path) -> None:
    target = started(run_cli, tmp_path)
    (target / "policy" / "broken.rego").write_text("package main\n\ndeny contains x if {\n\tx = \n}\n")
    result = subprocess.run([sys.executable, "-m", "vending", "policy", "test"], cwd=target, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 2
    assert result.stdout == "", "rego-cpp writes its error reports on stdout unless told not to"
    assert result.stderr.startswith("vending: error: policy/broken.rego:4:4: Invalid assignment operator")
