"""The fleet report as one self-contained HTML page: inline CSS, inline SVG charts, no script, no external asset.

It is built from the same figures as `vending report --output json` (pure: figures in, text out). Every value
that came from a request or from trunk's history is escaped where it is placed, and the page's content
security policy allows no script at all, so a value that looks like markup stays text.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

ACTION_COLOURS = {"create": "#2e7d32", "update": "#1565c0", "decommission": "#c62828"}
OTHER_COLOURS = ("#6a1b9a", "#ef6c00", "#00838f", "#5d4037")
BAR = "#1565c0"
CHART_WEEKS = 26

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fff}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 4px}h2{border-bottom:2px solid #e0e0e0;padding-bottom:4px;margin-top:32px}
.meta{color:#555;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid #d0d0d0;border-radius:6px;padding:10px 14px;min-width:150px;background:#fafafa}
.card .value{font-size:1.5em;font-weight:600}.card .label{color:#555;font-size:.85em}
.charts{display:flex;flex-wrap:wrap;gap:16px}
table{border-collapse:collapse;margin:8px 0;font-size:.9em}
th,td{border:1px solid #d0d0d0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.num{text-align:right}
.warn{color:#8a4b00}.ok{color:#2e7d32}.note{color:#555;font-size:.9em}
figure{margin:8px 24px 8px 0}figcaption{font-weight:600;margin-bottom:4px}
svg text{font-family:inherit}
"""


def e(value: object) -> str:
    """`value` as HTML text (attribute-safe too)."""
    return html.escape("-" if value is None else str(value), quote=True)


def duration(seconds: float | None) -> str:
    """A duration for people: `45 s`, `12 min`, `3 h 20 min`, `2 d 4 h`."""
    if seconds is None:
        return "not measured"
    whole = round(seconds)
    sign = "-" if whole < 0 else ""
    whole = abs(whole)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes} min" if minutes else f"{sign}{hours} h"
    if minutes:
        return f"{sign}{minutes} min {secs} s" if secs else f"{sign}{minutes} min"
    return f"{sign}{secs} s"


def _short(label: str, limit: int = 22) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "\u2026"


def bar_chart(title: str, items: Sequence[tuple[str, int]]) -> str:
    """A horizontal bar chart as inline SVG (each bar carries its full label and value as a tooltip)."""
    if not items:
        return f'<figure><figcaption>{e(title)}</figcaption><p class="note">nothing to show</p></figure>'
    row, label_width, bar_width = 24, 150, 220
    height = row * len(items) + 8
    peak = max(value for _label, value in items) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 60}" height="{height}" '
             f'role="img" aria-label="{e(title)}">']
    for index, (label, value) in enumerate(items):
        y = 4 + index * row
        length = max(1, round(bar_width * value / peak)) if value else 0
        parts.append(f'<g><title>{e(label)}: {value}</title>'
                     f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12">{e(_short(label))}'
                     f'</text><rect x="{label_width}" y="{y + 3}" width="{length}" height="16" fill="{BAR}"/>'
                     f'<text x="{label_width + length + 4}" y="{y + 15}" font-size="12">{value}</text></g>')
    parts.append("</svg>")
    return f'<figure><figcaption>{e(title)}</figcaption>{"".join(parts)}</figure>'


def _colours(actions: Sequence[str]) -> dict[str, str]:
    others = iter(OTHER_COLOURS * (len(actions) // len(OTHER_COLOURS) + 1))
    return {a: ACTION_COLOURS.get(a) or next(others) for a in actions}


def weekly_chart(frequency: Mapping[str, Any]) -> str:
    """Vend commits per week as stacked columns, one colour per action, for the last weeks."""
    weeks = list(frequency["weeks"])[-CHART_WEEKS:]
    actions = list(frequency["actions"])
    if not weeks:
        return '<p class="note">No vend commits on trunk yet.</p>'
    colours = _colours(actions)
    column, left, top, plot = 30, 30, 10, 160
    peak = max(w["total"] for w in weeks) or 1
    width = left + column * len(weeks) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{max(width, 320)}" height="{top + plot + 40}" '
             f'role="img" aria-label="vend commits per week">',
             f'<line x1="{left}" y1="{top + plot}" x2="{width}" y2="{top + plot}" stroke="#888"/>',
             f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" font-size="10">{peak}</text>',
             f'<text x="{left - 4}" y="{top + plot}" text-anchor="end" font-size="10">0</text>']
    for index, week in enumerate(weeks):
        x = left + index * column + 4
        y = top + plot
        tooltip = ", ".join(f"{a} {week['counts'][a]}" for a in actions if week["counts"][a])
        parts.append(f"<g><title>{e(week['week'])} (from {e(week['start'])}): {e(tooltip or 'none')}</title>")
        for action in actions:
            count = week["counts"][action]
            if count:
                height = plot * count / peak
                y -= height
                parts.append(f'<rect x="{x}" y="{y:.1f}" width="{column - 8}" height="{height:.1f}" '
                             f'fill="{colours[action]}"/>')
        parts.append(f'<text x="{x + (column - 8) / 2}" y="{top + plot + 14}" text-anchor="middle" '
                     f'font-size="9">{e(week["week"][-3:])}</text></g>')
    parts.append("</svg>")
    legend = " ".join(f'<span style="color:{colours[a]}">\u25a0</span> {e(a)}' for a in actions)
    shown = f"the last {len(weeks)} of {len(frequency['weeks'])} weeks" if len(frequency["weeks"]) > len(weeks) \
        else f"{len(weeks)} week{'s' if len(weeks) != 1 else ''}"
    return (f'<figure><figcaption>Vend commits per ISO week ({e(shown)})</figcaption>{"".join(parts)}'
            f'<p class="note">{legend}</p></figure>')


def _table(headings: Sequence[str], rows: Sequence[Sequence[object]], numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{e(h)}</th>" for h in headings)
    body = "".join("<tr>" + "".join(f'<td{" class=num" if i in numeric else ""}>{e(cell)}</td>'
                                    for i, cell in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _card(value: str, label: str) -> str:
    return f'<div class="card"><div class="value">{e(value)}</div><div class="label">{e(label)}</div></div>'


def _percent(rate: float | None) -> str:
    return "not measured" if rate is None else f"{rate * 100:.1f}%"


def _fleet(report: Mapping[str, Any]) -> str:
    fleet = report["fleet"]
    charts = "".join(bar_chart(title, list(fleet[key].items())) for title, key in (
        ("By environment", "byEnvironment"), ("By management group", "byManagementGroup"),
        ("By location", "byLocation")))
    rows = [(s["name"], s["displayName"], s["workload"], s["environment"], s["state"],
             f"{s['schemaPinned']} \u2192 {s['schemaResolved']}", s["requestedBy"], s["ticket"], s["managementGroup"],
             s["location"], (s["lastChanged"] or "-")[:10]) for s in report["subscriptions"]]
    table = _table(("Name", "Display name", "Workload", "Environment", "State", "Schema", "Requested by", "Ticket",
                    "Management group", "Location", "Last change"), rows) if rows else \
        '<p class="note">No stored requests.</p>'
    return (f'<h2 id="fleet">The fleet</h2><p>{fleet["present"]} subscription(s) exist; {fleet["absent"]} '
            f'decommissioned (their requests stay on trunk: names are never reused). The charts count the '
            f'existing ones.</p><div class="charts">{charts}</div>{table}')


def _census(report: Mapping[str, Any]) -> str:
    census = report["census"]
    rows = [(r["release"], r["status"], r["count"], ", ".join(f'"{pin}" \u00d7 {n}' for pin, n in r["pins"].items())
             or "-") for r in census["releases"]]
    chart = bar_chart("Stored requests by schema release",
                      [(f"{r['release']} ({r['status']})" if r["status"] != "supported" else r["release"], r["count"])
                       for r in census["releases"]])
    if census["deprecated"]:
        deprecated = ('<p class="warn">These requests pin a deprecated release: move them before it is '
                      'removed.</p>' + _table(("Subscription", "Requested by", "Pinned", "Resolves to", "State"),
                                              [(d["name"], d["requestedBy"], d["schemaPinned"], d["schemaResolved"],
                                                d["state"]) for d in census["deprecated"]]))
    else:
        deprecated = '<p class="ok">No stored request pins a deprecated release.</p>'
    return (f'<h2 id="census">The interface census</h2><p>How many stored requests pin each released request '
            f'schema, with the pins as written.</p>{_table(("Release", "Status", "Requests", "Pins"), rows, [2])}'
            f'{chart}{deprecated}')


def _dora(report: Mapping[str, Any]) -> str:
    dora = report["dora"]
    frequency, lead, failures = dora["deploymentFrequency"], dora["leadTime"], dora["failures"]
    per_week = "not measured" if frequency["perWeek"] is None else f"{frequency['perWeek']}"
    restore = failures["timeToRestore"]
    reverted = _table(("Vend commit", "Subscription", "Action", "Reverted by", "Time to restore"),
                      [(r["commit"][:12], r["subscription"], r["action"], r["revertedBy"][:12], duration(r["seconds"]))
                       for r in failures["reverted"]]) if failures["reverted"] else ""
    shallow = ('<p class="warn">This clone\'s history is shallow: the figures cover only the commits it has. '
               'Fetch the whole history (fetchDepth: 0) for the real figures.</p>' if report["source"]["shallow"]
               else "")
    notes = "".join(f"<li>{e(note)}</li>" for note in dora["notMeasured"])
    return (
        f'<h2 id="dora">DORA metrics of the vending flow</h2>{shallow}'
        f'<h3>Deployment frequency</h3><p>{frequency["total"]} vend commit(s) over {frequency["weeksSpanned"]} '
        f'week(s): <strong>{e(per_week)}</strong> per week.</p>{weekly_chart(frequency)}'
        f'<h3>Lead time from request to trunk</h3><p>Measured for {lead["count"]} vend commit(s) carrying '
        f'Vending-Requested-At; {lead["notMeasured"]} without it.</p>'
        + _table(("Median", "90th percentile", "Fastest", "Slowest"),
                 [(duration(lead["medianSeconds"]), duration(lead["p90Seconds"]), duration(lead["minSeconds"]),
                   duration(lead["maxSeconds"]))])
        + f'<h3>Change failure rate and time to restore</h3><p>{failures["failed"]} of {failures["vendCommits"]} '
        f'vend commit(s) were reverted on trunk: change failure rate '
        f'<strong>{e(_percent(failures["changeFailureRate"]))}</strong>; median time to restore '
        f'<strong>{e(duration(restore["medianSeconds"]))}</strong>.</p>{reverted}'
        f'<h3>What trunk cannot tell</h3><ul>{notes}</ul>')


def _rebuild(report: Mapping[str, Any]) -> str:
    rebuild = report["rebuild"]
    verdict = ('<p class="ok">The rebuilt tree is identical to the committed one.</p>' if rebuild["matchesTree"] else
               f'<p class="warn">The rebuilt tree differs from the committed one in {len(rebuild["differing"])} '
               f'file(s) (vending check shows the diff):</p><ul>'
               + "".join(f"<li>{e(p)}</li>" for p in rebuild["differing"][:50]) + "</ul>")
    return (f'<h2 id="rebuild">Time to rebuild from requests</h2><p>vending render --all rebuilt the '
            f'{rebuild["files"]} generated file(s) from the stored requests and records alone in '
            f'<strong>{rebuild["seconds"]:.2f} s</strong> (measured on the machine that made this report): the '
            f'restore of everything under generated/.</p>{verdict}')


def render_html(report: Mapping[str, Any]) -> str:
    source = report["source"]
    dora = report["dora"]
    lead = dora["leadTime"]
    cards = "".join([
        _card(str(report["fleet"]["present"]), "subscriptions"),
        _card(str(dora["deploymentFrequency"]["total"]), "vend commits"),
        _card("-" if dora["deploymentFrequency"]["perWeek"] is None else str(dora["deploymentFrequency"]["perWeek"]),
              "vend commits per week"),
        _card(duration(lead["medianSeconds"]), "median lead time"),
        _card(_percent(dora["failures"]["changeFailureRate"]), "change failure rate"),
        _card(f"{report['rebuild']['seconds']:.2f} s", "rebuild from requests"),
    ])
    when = f", committed {source['committed']}" if source.get("committed") else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>Subscription vending report</title><style>{CSS}</style></head><body><main>"
        f'<h1>Subscription vending report</h1><p class="meta">Read from {e(source["label"])}{e(when)}.</p>'
        f'<div class="cards">{cards}</div>'
        f"{_fleet(report)}{_census(report)}{_dora(report)}{_rebuild(report)}"
        "</main></body></html>\n")
