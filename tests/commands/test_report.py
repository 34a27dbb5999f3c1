"""`vending report` on a repository with a known history (tests/commands/fleet_history.py): exact DORA figures
in JSON, the same figures in the HTML page (parsed), escaping, and the page in a real browser."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from vending.report_html import render_html

from ..conftest import RunCli
from .fleet_history import DISPLAY_ONE, History, dated, git
from .png_rows import rows

CHROMIUM = Path("/usr/bin/chromium")
BAR_BLUE = (0x15, 0x65, 0xC0)
INLINE = {"strong", "span", "em", "b", "i"}


class Page(HTMLParser):
    """The page's elements (tag, attributes) and its text, as a browser's parser sees them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.chunks: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag not in INLINE:
            self.chunks.append(" ")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.chunks).split())

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]


def _report(run_cli: RunCli, repo: Path, *args: str) -> dict[str, Any]:
    result = run_cli("report", "--repo", str(repo), "--output", "json", *args)
    assert result.code == 0, result.err
    report: dict[str, Any] = json.loads(result.out)
    return report


def _html(run_cli: RunCli, repo: Path) -> str:
    result = run_cli("report", "--repo", str(repo))
    assert result.code == 0, result.err
    return result.out


def test_dora_figures_are_exact(run_cli: RunCli, history: History) -> None:
    dora = _report(run_cli, history.repo)["dora"]
    frequency = dora["deploymentFrequency"]
    assert frequency["actions"] == ["create", "update", "decommission"]
    assert [(w["week"], w["start"], w["counts"], w["total"]) for w in frequency["weeks"]] == [
        ("2026-W02", "2026-01-05", {"create": 2, "update": 0, "decommission": 0}, 2),
        ("2026-W03", "2026-01-12", {"create": 0, "update": 0, "decommission": 0}, 0),
        ("2026-W04", "2026-01-19", {"create": 2, "update": 1, "decommission": 1}, 4)]
    assert (frequency["total"], frequency["weeksSpanned"], frequency["perWeek"]) == (6, 3, 2.0)
    lead = dora["leadTime"]
    assert [(c["commit"], c["requestedAt"], c["seconds"]) for c in lead["commits"]] == [
        (history.commits["create-one"], "2026-01-06T10:00:00Z", 1800),
        (history.commits["create-two"], "2026-01-07T08:00:00Z", 7200),  # +01:00 read as such
        (history.commits["create-three"], "2026-01-21T09:00:00Z", 600)]
    assert (lead["count"], lead["notMeasured"], lead["medianSeconds"], lead["p90Seconds"]) == (3, 3, 1800, 7200)
    failures = dora["failures"]
    assert (failures["failed"], failures["vendCommits"], failures["changeFailureRate"]) == (1, 6, 0.1667)
    assert failures["reverted"] == [{"commit": history.commits["create-three"], "subscription": "app-three",
                                     "action": "create", "revertedBy": history.commits["revert-three"],
                                     "seconds": 7200}]
    assert failures["timeToRestore"]["medianSeconds"] == 7200
    assert any("no mark on trunk" in note for note in dora["notMeasured"])


def test_fleet_census_and_rebuild(run_cli: RunCli, history: History) -> None:
    report = _report(run_cli, history.repo)
    assert report["source"] == {"label": f"commit {history.commits['decommission-four'][:12]}",
                                "commit": history.commits["decommission-four"], "committed": "2026-01-22T09:00:00Z",
                                "shallow": False}
    assert report["fleet"] == {"total": 3, "present": 2, "absent": 1,
                               "byEnvironment": {"nonproduction": 1, "production": 1},
                               "byManagementGroup": {"corp": 1, "online": 1},
                               "byLocation": {"uksouth": 1, "westeurope": 1}}
    assert report["census"]["releases"] == [
        {"release": "1.0.0", "status": "deprecated", "count": 1, "pins": {"1.0": 1}},
        {"release": "1.1.0", "status": "supported", "count": 1, "pins": {"1.1": 1}},
        {"release": "2.0.0", "status": "supported", "count": 0, "pins": {}},
        {"release": "2.1.0", "status": "supported", "count": 1, "pins": {"2.1.0": 1}}]
    assert report["census"]["deprecated"] == [{"name": "app-two", "requestedBy": "bob@contoso.com",
                                               "schemaPinned": "1.0", "schemaResolved": "1.0.0",
                                               "state": "present"}]
    rebuild = report["rebuild"]
    assert rebuild["matchesTree"] is True and rebuild["differing"] == []
    assert rebuild["seconds"] > 0 and rebuild["files"] > 3


def test_rebuild_names_a_generated_file_edited_by_hand(run_cli: RunCli, history: History, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    git(tmp_path, "clone", "--quiet", str(history.repo), str(copy))
    edited = copy / "generated" / "crossplane" / "nonproduction" / "app-one.yaml"
    edited.write_text(edited.read_text() + "# by hand\n")
    git(copy, "commit", "--quiet", "-am", "edit a generated file by hand")
    rebuild = _report(run_cli, copy)["rebuild"]
    assert rebuild["matchesTree"] is False
    assert rebuild["differing"] == ["generated/crossplane/nonproduction/app-one.yaml"]
    assert _report(run_cli, copy, "--ref", "HEAD~1")["rebuild"]["matchesTree"] is True


def test_the_html_page_shows_the_figures_and_needs_nothing_outside_it(run_cli: RunCli, history: History) -> None:
    text = _html(run_cli, history.repo)
    page = Page(text)
    assert page.tags("script") == [] and page.tags("link") == [] and page.tags("img") == []
    assert not [a for _tag, a in page.elements for key in ("src", "href") if a.get(key)]
    assert "url(" not in text and "@import" not in text
    assert len(page.tags("svg")) >= 5  # three fleet charts, the census, the weekly vends
    assert {a.get("id") for a in page.tags("h2")} >= {"fleet", "census", "dora", "rebuild"}
    for figure in ("6 vend commit(s) over 3 week(s): 2.0 per week",
                   "Measured for 3 vend commit(s) carrying Vending-Requested-At; 3 without it",
                   "Median 90th percentile Fastest Slowest 30 min 2 h 10 min 2 h",
                   "1 of 6 vend commit(s) were reverted on trunk: change failure rate 16.7%; median time to "
                   "restore 2 h",
                   "1.0.0 deprecated 1 \"1.0\" \u00d7 1",
                   "app-two bob@contoso.com 1.0 1.0.0 present",
                   "2 subscription(s) exist; 1 decommissioned",
                   "The rebuilt tree is identical to the committed one",
                   DISPLAY_ONE):
        assert figure in page.text, figure
    assert "2026-W04 (from 2026-01-19): create 2, update 1, decommission 1" in page.text


def test_values_from_requests_and_history_stay_text(run_cli: RunCli, history: History, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    git(tmp_path, "clone", "--quiet", str(history.repo), str(copy))
    hostile = "<script>alert(1)</script>"
    git(copy, "commit", "--quiet", "--allow-empty", "-m", "by hand", "-m",
        f"Vending-Action: {hostile}\nVending-Request: <img src=x onerror=alert(2)>",
        env=dated("2026-01-23T10:00:00Z"))
    text = _html(run_cli, copy)
    page = Page(text)
    assert page.tags("script") == [] and page.tags("img") == []
    assert hostile in page.text  # shown as written, as text: in the legend and the week's tooltip
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Tom &amp; &quot;Jerry&#x27;s&quot; app" in text
    csp = [a for a in page.tags("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in str(csp[0]["content"])


def test_a_display_name_that_is_markup_stays_text(run_cli: RunCli, history: History) -> None:
    """The schema refuses < and > in displayName; the page must not rely on that."""
    report = _report(run_cli, history.repo)
    report["subscriptions"][0]["displayName"] = "<script>alert(1)</script>"
    report["census"]["deprecated"][0]["requestedBy"] = '"><svg onload=alert(3)>'
    page = Page(render_html(report))
    assert page.tags("script") == [] and len(page.tags("svg")) == len(Page(render_html(
        _report(run_cli, history.repo))).tags("svg"))
    assert "<script>alert(1)</script>" in page.text and '"><svg onload=alert(3)>' in page.text


def test_out_writes_the_file_and_refuses_a_missing_directory(run_cli: RunCli, history: History,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run_cli("report", "--repo", str(history.repo), "--out", str(out))
    assert result.code == 0, result.err
    assert result.out == "" and f"wrote the html report to {out}" in result.err
    assert out.read_text().startswith("<!DOCTYPE html>")
    result = run_cli("report", "--repo", str(history.repo), "--output", "json", "--out", str(tmp_path / "r.json"))
    assert json.loads((tmp_path / "r.json").read_text())["fleet"]["present"] == 2
    result = run_cli("report", "--repo", str(history.repo), "--out", str(tmp_path / "missing" / "r.html"))
    assert result.code == 2 and "does not exist" in result.err and "Traceback" not in result.err
    assert not (tmp_path / "missing").exists()


def test_an_empty_trunk_reports_what_cannot_be_measured(run_cli: RunCli, tmp_path: Path, gitops_repo: Path) -> None:
    (gitops_repo / "requests").rename(tmp_path / "moved")
    shutil.rmtree(gitops_repo / "records")
    report = _report(run_cli, gitops_repo, "--working-tree")
    assert report["dora"]["deploymentFrequency"]["perWeek"] is None and report["fleet"]["total"] == 0
    assert report["source"] == {"label": "the working tree", "commit": None, "committed": None, "shallow": False}
    result = run_cli("report", "--repo", str(gitops_repo))
    assert result.code == 2 and "not in a git repository" in result.err and "--working-tree" in result.err
    result = run_cli("report", "--repo", str(gitops_repo), "--working-tree")
    assert result.code == 0, result.err
    page = Page(result.out)
    assert "No vend commits on trunk yet." in page.text and "not measured" in page.text


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed (Debian package chromium): the "
                                                  "browser test of the HTML report is skipped")
def test_the_page_renders_in_headless_chromium(run_cli: RunCli, history: History, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert run_cli("report", "--repo", str(history.repo), "--out", str(page)).code == 0
    shot = tmp_path / "shot.png"
    profile = tmp_path / "profile"
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1200,2000",
                    page.as_uri()], capture_output=True, check=False, timeout=180)
    assert shot.is_file(), "Chromium wrote no screenshot"
    width, height, pixels = rows(shot.read_bytes())
    assert (width, height) == (1200, 2000)
    colours: set[tuple[int, ...]] = set()
    seen_bar = False
    for y, row in enumerate(pixels):  # the first chart's bars are a few hundred pixels down
        colours.update(row)
        seen_bar = seen_bar or BAR_BLUE in row
        if (seen_bar and len(colours) > 20) or y > 900:
            break
    assert len(colours) > 20, f"the screenshot has {len(colours)} colours: the page did not render"
    assert seen_bar, "no chart bar in the first 900 rows of the screenshot"
