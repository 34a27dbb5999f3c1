"""Every printed line passes the one writer, whose URL-password rule was tried at every word boundary and
ran to the end of each run of scheme characters: a line such as `a.a.a.a...` took quadratic time (80 KB:
18 s; a 1 MiB line in a committed generated file would have held CI's `vending check` for most of an
hour). The rule is anchored on `://` now; the same line takes well under a second."""

from __future__ import annotations

from ..gitops.conftest import Clone, vending

PIPELINE = {"TF_BUILD": "True", "AZURE_DEVOPS_EXT_PAT": "fake-secret-3e7b-do-not-print"}


def test_check_prints_a_long_line_of_scheme_characters_in_linear_time(clone: Clone) -> None:
    work = clone()
    stray = work / "generated" / "terraform" / "nonproduction" / "stray" / "main.tf.json"
    stray.parent.mkdir(parents=True)
    stray.write_text("a." * 200_000 + "\n" + "https://user:pa55word@example.com/x\n")
    result = vending(work, "check", env=PIPELINE, timeout=60)  # quadratic: about 110 s
    assert result.returncode == 1, result.stderr
    assert "generated/terraform/nonproduction/stray/main.tf.json" in result.stdout + result.stderr
    assert "pa55word" not in result.stdout + result.stderr
