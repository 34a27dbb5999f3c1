"""The DORA figures from trunk's commits (vending/dora.py), and the trailer the lead time is measured from."""

from __future__ import annotations

import datetime

from vending.dora import metrics, week_of
from vending.gitops.commit import pipeline_start, pipeline_trailers
from vending.report_html import duration
from vending.trunk_log import Commit


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).astimezone(datetime.UTC)


def commit(sha: str, when: str, action: str | None = None, *, requested: str | None = None,
           reverts: str | None = None, name: str = "a") -> Commit:
    trailers = {"Vending-Action": action, "Vending-Request": name, "Vending-Requested-At": requested}
    return Commit(commit=sha * 40, committed=at(when), author_email="x@example.com",
                  trailers={k: v for k, v in trailers.items() if v is not None} if action else {},
                  reverts=reverts * 40 if reverts else None)


def test_no_vend_commits_measure_nothing() -> None:
    figures = metrics([commit("a", "2026-01-05T09:00:00+00:00")])
    assert figures["deploymentFrequency"] == {"actions": [], "weeks": [], "total": 0, "weeksSpanned": 0,
                                              "perWeek": None}
    assert figures["leadTime"]["count"] == 0 and figures["leadTime"]["medianSeconds"] is None
    assert figures["failures"]["changeFailureRate"] is None
    assert figures["notMeasured"]


def test_weeks_are_iso_weeks_across_a_year_end_with_empty_weeks_kept() -> None:
    assert week_of(at("2025-12-29T00:00:00+00:00")) == ("2026-W01", datetime.date(2025, 12, 29))
    assert week_of(at("2026-01-04T23:30:00-01:00")) == ("2026-W02", datetime.date(2026, 1, 5))  # 00:30 UTC Monday
    figures = metrics([commit("a", "2025-12-31T10:00:00+00:00", "create"),
                       commit("b", "2026-01-13T10:00:00+00:00", "update"),
                       commit("c", "2026-01-14T10:00:00+00:00", "sync")])
    frequency = figures["deploymentFrequency"]
    assert frequency["actions"] == ["create", "update", "sync"]
    assert [(w["week"], w["total"]) for w in frequency["weeks"]] == [("2026-W01", 1), ("2026-W02", 0),
                                                                     ("2026-W03", 2)]
    assert frequency["weeks"][2]["counts"] == {"create": 0, "update": 1, "sync": 1}
    assert frequency["perWeek"] == 1.0


def test_lead_time_statistics_over_the_commits_that_carry_the_trailer() -> None:
    vends = [commit(str(i), f"2026-01-0{i}T12:00:00+00:00", "create", requested=f"2026-01-0{i}T{12 - i:02d}:00:00Z")
             for i in range(1, 5)]
    vends.append(commit("9", "2026-01-09T12:00:00+00:00", "update", requested="not a time"))
    lead = metrics(vends)["leadTime"]
    assert [c["seconds"] for c in lead["commits"]] == [3600, 7200, 10800, 14400]
    assert (lead["count"], lead["notMeasured"]) == (4, 1)
    assert (lead["medianSeconds"], lead["p90Seconds"], lead["minSeconds"], lead["maxSeconds"]) == (
        9000, 14400, 3600, 14400)


def test_only_reverts_of_vend_commits_are_failures_each_counted_once() -> None:
    history = [
        commit("a", "2026-01-05T10:00:00+00:00", "create"),
        commit("b", "2026-01-05T11:00:00+00:00", "create", name="b"),
        commit("c", "2026-01-05T11:30:00+00:00", reverts="b"),
        commit("d", "2026-01-05T12:00:00+00:00", reverts="b"),  # reverting the same commit again
        commit("e", "2026-01-05T12:30:00+00:00", reverts="f"),  # a revert of a commit vending did not make
        commit("f", "2026-01-05T09:00:00+00:00"),
    ]
    failures = metrics(history)["failures"]
    assert (failures["failed"], failures["vendCommits"], failures["changeFailureRate"]) == (1, 2, 0.5)
    assert failures["reverted"] == [{"commit": "b" * 40, "subscription": "b", "action": "create",
                                     "revertedBy": "c" * 40, "seconds": 1800}]
    assert failures["timeToRestore"]["medianSeconds"] == 1800


def test_the_pipeline_start_becomes_the_requested_at_trailer_in_utc() -> None:
    environ = {"TF_BUILD": "True", "SYSTEM_PIPELINESTARTTIME": "2026-09-01 20:31:33-03:00"}
    assert ("Vending-Requested-At", "2026-09-01T23:31:33Z") in pipeline_trailers(environ)
    assert pipeline_trailers({"SYSTEM_PIPELINESTARTTIME": "2026-09-01 20:31:33+00:00"}) == []  # not a run
    assert pipeline_start("2026-09-01 20:31:33") is None  # no time zone: never guessed
    assert pipeline_start("09/01/2026 20:31:33") is None
    assert pipeline_start("") is None


def test_durations_read_as_people_say_them() -> None:
    assert [duration(s) for s in (None, 0, 45, 600, 610, 7200, 7260, 90000, -30)] == [
        "not measured", "0 s", "45 s", "10 min", "10 min 10 s", "2 h", "2 h 1 min", "1 d 1 h", "-30 s"]
