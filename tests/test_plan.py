"""The one plan step, against both trees it compares with: the working tree and a commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from vending.desired import Desired
from vending.errors import UnsafePath
from vending.gitops.tree import GitTree, object_format_of
from vending.plan import Plan, Tree, WorkingTree, make_plan

FILES = {"generated/keep.json": b"same\n", "generated/edit.json": b"old\n", "generated/old/gone.json": b"{}\n",
         "records/a.json": b"{}\n", "requests/a.yaml": b"name: a\n"}
DESIRED = Desired(files={"generated/keep.json": b"same\n", "generated/edit.json": b"new\n",
                         "generated/new/file.json": b"new\n"},
                  scope=["generated/", "records/a.json"])


def committed(root: Path) -> str:
    """`root`, holding FILES, as a git repository with one commit; its id."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                              env={"GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root), "GIT_AUTHOR_NAME": "t",
                                   "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                                   "GIT_COMMITTER_EMAIL": "t@example.com"}).stdout
    git("init", "--quiet")
    git("add", "-A")
    git("commit", "--quiet", "-m", "files")
    return git("rev-parse", "HEAD").strip()


def write(root: Path) -> None:
    for path, content in FILES.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content)


def listing(plan: Plan) -> list[tuple[str, str]]:
    return [(change.kind, change.path) for change in plan.changes]


def test_the_working_tree_and_a_commit_of_it_give_the_same_plan(tmp_path: Path) -> None:
    write(tmp_path)
    commit = committed(tmp_path)
    trees: list[Tree] = [WorkingTree(tmp_path), GitTree(tmp_path, commit, object_format_of(tmp_path))]
    plans = [make_plan(DESIRED, tree) for tree in trees]
    expected = [("changed", "generated/edit.json"), ("added", "generated/new/file.json"),
                ("removed", "generated/old/gone.json"), ("removed", "records/a.json")]
    assert [listing(plan) for plan in plans] == [expected, expected], "requests/ is out of scope: never touched"
    assert plans[0].summary() == "1 added, 1 changed, 2 removed"
    diffs = [plan.diff(tree) for plan, tree in zip(plans, trees, strict=True)]
    assert diffs[0] == diffs[1]
    assert "--- a/generated/edit.json\n+++ b/generated/edit.json\n@@ -1 +1 @@\n-old\n+new\n" in diffs[0]
    assert "--- a/records/a.json\n+++ /dev/null\n" in diffs[0]
    assert plans[0].files()["generated/old/gone.json"] is None


def test_an_empty_trunk_holds_nothing(tmp_path: Path) -> None:
    plan = make_plan(DESIRED, GitTree(tmp_path, None, "sha1"))
    assert listing(plan) == [("added", path) for path in sorted(DESIRED.files)]


def test_a_link_in_the_working_tree_is_refused_never_followed(tmp_path: Path) -> None:
    write(tmp_path)
    secret = tmp_path.parent / "secret"
    secret.write_text("token\n")
    (tmp_path / "generated" / "edit.json").unlink()
    (tmp_path / "generated" / "edit.json").symlink_to(secret)
    with pytest.raises(UnsafePath, match=r"generated/edit\.json: it is a symbolic link"):
        make_plan(DESIRED, WorkingTree(tmp_path))
