"""No import cycle in `vending`, hidden or not (TYPE_CHECKING blocks and function-level imports count)."""

from __future__ import annotations

from pathlib import Path

from .import_graph import cycle_path, cycles, graph


def test_the_package_has_no_import_cycle() -> None:
    edges = graph()
    assert len(edges) > 80, "the graph should cover every module of vending/"
    found = [cycle_path(edges, component) for component in cycles(edges)]
    assert not found, "import cycles (break each by moving what both sides need into a module of its own):\n" + \
        "\n".join(found)


def test_a_cycle_behind_type_checking_is_found_and_named(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import run\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from pkg.c import Thing\n\n\ndef run(): ...\n")
    (package / "c.py").write_text("def f():\n    from . import a\n")  # a lazy relative import closes it
    (package / "d.py").write_text("import pkg.a\n")  # imports into the cycle, not part of it
    edges = graph(package)
    assert cycles(edges) == [["pkg.a", "pkg.b", "pkg.c"]]
    shown = cycle_path(edges, ["pkg.a", "pkg.b", "pkg.c"])
    assert shown == "pkg.a (line 1) -> pkg.b (line 4) -> pkg.c (line 2) -> pkg.a"
