"""The hostile corpus: each file in `corpus/` (named for what it attacks), and the cases too big or
too live to commit (symlinks, 100k duplicate keys, 3000-deep parameters), built at test time.

Every file goes through `validate`, `render` (in a temporary GitOps repository) and `apply` (onto
a real bare trunk): each must accept or refuse it as the table says, the documented way, and
they must agree. Cases of issue 10's open findings are marked by `fixed_on_hardening`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from vending.azdo.parameters import encode_for_pipeline

from ..conftest import RunCli
from ..gitops.conftest import git
from . import verdict
from .known import fixed_on_hardening, is_open, open_finding
from .trunks import make_clone, make_trunk, tip

CORPUS = Path(__file__).parent / "corpus"


@dataclass(frozen=True)
class Expect:
    valid: bool
    """What validate says."""
    says: str = ""
    """A fragment of the first error (or, when valid, of what render or apply refuse with)."""
    vended: bool | None = None
    """What render and apply say, when they differ from validate (policy, trunk)."""
    finding: int | None = None
    """The open finding of issue 10 this case fails on today."""


REFUSED_BY_TAGS = Expect(False, "YAML tags")
CASES: dict[str, Expect] = {
    "display-name-65-characters.yaml": Expect(False, "at most 64 characters"),
    "display-name-emoji.yaml": Expect(True),
    "display-name-rtl-override.yaml": Expect(True),
    "empty-mapping-fields.yaml": Expect(True),
    "encoding-bom-and-crlf.yaml": Expect(True),
    "encoding-bom-json.json": Expect(True),
    "encoding-cr-only.yaml": Expect(True),
    "encoding-invalid-utf8.yaml": Expect(False, "byte 0xe9 is not valid UTF-8"),
    "encoding-nul-byte-in-yaml.yaml": Expect(False, "the control character U+0000 is not allowed", finding=10),
    "encoding-utf16.yaml": Expect(False, "UTF-16"),
    "inject-azdo-logging-command.yaml": Expect(True),
    "inject-azdo-macro.yaml": Expect(True),
    "inject-format-string.yaml": Expect(True),
    "inject-go-template.yaml": Expect(True),
    "inject-shell.yaml": Expect(True),
    "inject-terraform-interpolation.yaml": Expect(True),
    "json-1e400.json": Expect(False, "1e400", finding=10),
    "json-comment.json": Expect(False, "not valid JSON"),
    "json-crlf-in-string.json": Expect(False, "line breaks or control characters"),
    "json-duplicate-key.json": Expect(False, "duplicate key 'name'"),
    "json-in-a-yaml-file-ticket-1e5.yaml": Expect(True),
    "json-escaped-emoji-loses-positions.json": Expect(False, "/ticket", finding=10),
    "json-infinity.json": Expect(False, "Infinity", finding=10),
    "json-key-over-1024-characters.json": Expect(False, "/tags/kkk", finding=10),
    "json-lone-surrogate.json": Expect(False, "/displayName", finding=5),
    "json-nan.json": Expect(False, "NaN", finding=10),
    "json-nested-900-levels.json": Expect(False, "nested more than 64 levels"),
    "json-nul-in-string.json": Expect(False, "line breaks or control characters"),
    "json-number-4000-digits.json": Expect(False, "expected string, found an integer"),
    "json-number-5000-digits.json": Expect(False, "/ticket", finding=5),
    "json-raw-noncharacter-loses-positions.json": Expect(False, "/ticket", finding=10),
    "json-root-is-a-list.json": Expect(False, "found a list"),
    "json-schema-version-5000-digits.json": Expect(False, "/schemaVersion", finding=5),
    "json-trailing-comma.json": Expect(False, "not valid JSON"),
    "key-cyrillic-confusable.yaml": Expect(False, "missing required property 'displayName'"),
    "key-with-slash-and-tilde.yaml": Expect(False, "/tags/a~1b~0c"),
    "name-cyrillic-confusable.yaml": Expect(False, "does not match the pattern"),
    "name-path-traversal.yaml": Expect(False, "does not match the pattern"),
    "name-windows-reserved-com1.yaml": Expect(False, "/name", finding=10),
    "number-as-display-name.yaml": Expect(False, "expected string, found an integer"),
    "policy-hub-peering-without-hub.yaml": Expect(False, "no hub network there"),  # validate given the repository
    "schema-version-trailing-newline.yaml": Expect(False, "is not a version"),
    "schema-version-unknown-major.yaml": Expect(False, "unknown schema version '9'"),
    "schema-version-v-prefix.yaml": Expect(False, "'v2' is not a version"),
    "state-absent-never-vended.yaml": Expect(True, "no subscription ghost-dev on trunk to decommission"),
    "yaml-anchor-and-alias.yaml": Expect(False, "YAML anchors (&t)"),
    "yaml-billion-laughs.yaml": Expect(False, "YAML anchors (&a)"),
    "yaml-budget-threshold-written-as-float.yaml": Expect(True),
    "yaml-directive-1-1.yaml": Expect(True),
    "yaml-duplicate-key.yaml": Expect(False, "duplicate key 'name'"),
    "yaml-empty.yaml": Expect(False, "the file is empty"),
    "yaml-in-a-json-file.json": Expect(False, "not valid JSON"),
    "yaml-infinity.yaml": Expect(False, "not a finite number"),
    "yaml-key-not-a-string.yaml": Expect(False, "keys must be strings"),
    "yaml-merge-key.yaml": Expect(False, "/tags/<<"),
    "yaml-nested-64-levels.yaml": Expect(False, "expected string, found a mapping"),
    "yaml-nested-65-levels.yaml": Expect(False, "nested more than 64 levels"),
    "yaml-only-a-comment.yaml": Expect(False, "the file is empty"),
    "yaml-root-is-a-list.yaml": Expect(False, "found a list"),
    "yaml-root-is-a-scalar.yaml": Expect(False, "found a string"),
    "yaml-tab-indentation.yaml": Expect(False, "not valid YAML"),
    "yaml-tag-custom.yaml": REFUSED_BY_TAGS,
    "yaml-tag-directive.yaml": REFUSED_BY_TAGS,
    "yaml-tag-python-object.yaml": REFUSED_BY_TAGS,
    "yaml-tag-verbatim-str.yaml": REFUSED_BY_TAGS,
    "yaml-two-documents.yaml": Expect(False, "more than one YAML document"),
    "yaml11-ambiguous-scalars-stay-strings.yaml": Expect(True),
    "yaml11-boolean-display-name.yaml": Expect(True),
    "yaml11-null-display-name.yaml": Expect(False, "found null"),
    "yaml11-unquoted-schema-version-float.yaml": Expect(False, 'quote it: schemaVersion: "2.0"'),
}


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(CASES)


def _located(run: verdict.Ran, source: str) -> None:
    for line in verdict.error_lines(run):
        assert line.startswith(f"{source}:") and line[len(source) + 1].isdigit(), f"no line:column in {line!r}"
        assert "set_int_max_str_digits" not in line, f"Python's internals in {line!r}"


@pytest.fixture(scope="module")
def vend_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str]]:
    base = tmp_path_factory.mktemp("trunk")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(base))
        bare = make_trunk(base)
        yield bare, make_clone(bare, base / "clone", detached=True), tip(bare)


@pytest.fixture(autouse=True)
def _not_on_an_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TF_BUILD", "VENDING_PARAMETERS"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("name", [pytest.param(name, marks=fixed_on_hardening(expect.finding) if expect.finding else [])
                                  for name, expect in CASES.items()])
def test_corpus_file(name: str, run_cli: RunCli, gitops_repo: Path, vend_target: tuple[Path, Path, str],
                     tmp_path: Path) -> None:
    expect = CASES[name]
    path = tmp_path / name
    path.write_bytes((CORPUS / name).read_bytes())
    source = str(path)

    validated = run_cli("validate", source, "--repo", str(gitops_repo))  # the checks render and apply run
    verdict.check_sane(validated, source, what="validate")
    assert verdict.accepted(validated) == expect.valid, validated.err
    if not expect.valid:
        assert expect.says in verdict.error_lines(validated)[0], validated.err
        _located(validated, source)

    vended = expect.valid if expect.vended is None else expect.vended
    rendered = run_cli("render", source, "--repo", str(gitops_repo))
    verdict.check_sane(rendered, source, what="render")
    assert verdict.accepted(rendered) == vended, rendered.err

    bare, clone, start = vend_target
    try:
        applied = run_cli("apply", source, "--repo", str(clone), "--output", "json")
        verdict.check_sane(applied, source, what="apply")
        if name.startswith("state-absent"):
            assert not verdict.accepted(applied) and expect.says in applied.err, applied.err
            return
        assert verdict.accepted(applied) == vended, applied.err
        if vended:
            assert json.loads(applied.out)["action"] == "create"
            stored = git(bare, "ls-tree", "-r", "--name-only", "main", "requests/").split()
            shown = subprocess.run(["git", "-C", str(bare), "cat-file", "blob", f"main:{stored[0]}"],
                                   capture_output=True, check=True).stdout
            assert shown == path.read_bytes(), "stored as submitted"
        elif expect.valid:
            assert expect.says in applied.err, applied.err
    finally:
        git(bare, "update-ref", "refs/heads/main", start)


# ---------------------------------------------------------------- cases built at test time

def _request(name: str, **fields: object) -> dict[str, object]:
    return {"schemaVersion": "2.0.0", "name": name, "displayName": f"App {name}", "workload": "DevTest",
            "billingScope": "/providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2",
            "managementGroup": "corp", "location": "uksouth", "requestedBy": "corpus@contoso.com", **fields}


def test_a_display_name_of_100k_characters_is_refused_where_it_is(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "long.json"
    path.write_text(json.dumps(_request("long-dev", displayName="x" * 100_000)))
    run = run_cli("validate", str(path))
    verdict.check_sane(run, str(path), what="validate")
    assert "/displayName: expected at most 64 characters" in run.err


def test_a_file_over_the_size_cap_is_refused_unread(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(json.dumps(_request("big-dev")) + "\n#" + "x" * 1024 * 1024 + "\n")
    run = run_cli("validate", str(path))
    verdict.check_sane(run, str(path), what="validate")
    assert "a request may be at most 1,048,576 bytes" in run.err


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [
    pytest.param(".json", marks=fixed_on_hardening(6)),
    ".yaml",
])
def test_100k_duplicate_keys_are_refused_in_time_linear_in_their_size(suffix: str, tmp_path: Path) -> None:
    """Under the 1 MiB cap, so they must be read, and in time linear in their size: quadratic reporting
    (finding 6) takes minutes. A real process under a bound that is a hang guard, not a speed target."""
    # While finding 6 is open the JSON case is cut short (it would take minutes); once fixed, the bound
    # is a generous hang guard: linear reading and reporting of 100k problems takes a few seconds.
    bound = 5 if suffix == ".json" and is_open(6) else 60
    body = ", ".join(['"k": "v"'] * 100_000)
    path = tmp_path / f"dup{suffix}"
    path.write_text(json.dumps(_request("dup-dev"))[:-1] + f', "tags": {{{body}}}}}')
    assert path.stat().st_size < 1024 * 1024
    try:
        done = subprocess.run([sys.executable, "-m", "vending", "validate", str(path)], capture_output=True,
                              text=True, check=False, timeout=bound)
    except subprocess.TimeoutExpired:
        pytest.fail(f"100k duplicate keys took more than {bound} s")
    run = verdict.Outcome(done.returncode, done.stdout, done.stderr)
    verdict.check_sane(run, str(path), what="validate")
    assert "duplicate key 'k'" in run.err


@pytest.mark.parametrize("depth", [
    pytest.param(3000, marks=fixed_on_hardening(5)),
    600,
])
def test_deeply_nested_parameters_are_refused(depth: int, run_cli: RunCli, tmp_path: Path) -> None:
    params = _request("deep-params-dev", tags="[" * depth + "]" * depth)
    text = json.dumps(params).replace('"' + "[" * depth + "]" * depth + '"', "[" * depth + "]" * depth)
    out = tmp_path / "out.json"
    run = run_cli("request", "from-pipeline", "--out", str(out), env={"VENDING_PARAMETERS": encode_for_pipeline(text)})
    verdict.check_sane(run, verdict.PIPELINE, what="from-pipeline")
    assert run.code == 1 and not out.exists()


SECRET = "AZURE_DEVOPS_EXT_PAT=corpus-secret-7f3a"


def _repository_with_a_link(run_cli: RunCli, gitops_repo: Path, tmp_path: Path, where: str) -> Path:
    """The GitOps repository, rendered, with `where` replaced by a symbolic link to a secret outside it."""
    outside = tmp_path / "outside.txt"
    outside.write_text(f"{SECRET}\n")
    rendered = run_cli("render", "--all", "--repo", str(gitops_repo))
    assert rendered.code == 0, rendered.err
    link = gitops_repo / where
    link.unlink()
    link.symlink_to(outside)
    return gitops_repo


@pytest.mark.parametrize("where", [
    "generated/terraform/production/payments-prod/main.tf.json",
    "requests/analytics-dev.yaml",
    "vending.yaml",
])
@pytest.mark.parametrize("command", [["check"], ["render", "--all", "--dry-run"]])
@open_finding(2)
def test_a_symbolic_link_in_the_repository_is_refused_unread(where: str, command: list[str], run_cli: RunCli,
                                                             gitops_repo: Path, tmp_path: Path) -> None:
    repo = _repository_with_a_link(run_cli, gitops_repo, tmp_path, where)
    run = run_cli(*command, "--repo", str(repo), env={"TF_BUILD": "True"})
    assert "corpus-secret-7f3a" not in run.out + run.err, "a file outside the repository was printed"
    assert run.code in (1, 2), run.err
    assert "symbolic link" in run.err, run.err


@pytest.mark.slow
@open_finding(1)
def test_a_stored_json_request_in_a_yaml_file_keeps_its_guards(run_cli: RunCli,
                                                              vend_target: tuple[Path, Path, str],
                                                              tmp_path: Path) -> None:
    """`requests/x.yaml` holding JSON with `"ticket": 1e5` is valid read as YAML and invalid read as JSON:
    the workload and no-reuse guards must still hold against it (finding 1)."""
    bare, clone, start = vend_target
    first = tmp_path / "guarded-prod.yaml"
    first.write_text(json.dumps(_request("guarded-prod", workload="Production")).replace(
        '"requestedBy"', '"ticket": 1e5, "requestedBy"'))
    moved = tmp_path / "moved" / "guarded-prod.json"
    moved.parent.mkdir()
    moved.write_text(json.dumps(_request("guarded-prod")))
    try:
        assert run_cli("apply", str(first), "--repo", str(clone)).code == 0
        again = run_cli("apply", str(moved), "--repo", str(clone))
        assert again.code == 1 and "its workload cannot change" in again.err, again.err
        assert run_cli("decommission", "guarded-prod", "--confirm", "guarded-prod", "--requested-by",
                       "corpus@contoso.com", "--repo", str(clone)).code == 0
        reused = run_cli("apply", str(first), "--repo", str(clone))
        assert reused.code == 1 and "never reused" in reused.err, reused.err
    finally:
        git(bare, "update-ref", "refs/heads/main", start)
