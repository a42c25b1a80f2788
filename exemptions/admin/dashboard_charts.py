"""The program dashboard's charts as geometry for server-drawn SVG, and the same figures as tables (and CSV).

No chart library and no script: the templates draw <rect>, <line> and <text> at the coordinates computed here.
Every chart's numbers are also in `chart_tables` (shown under the chart, and downloaded as CSV), so nobody has to
read a value off a bar.
"""

from __future__ import annotations

import datetime as dt
import math

from ..selectors.dashboard import Dashboard

WIDTH = 960
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 40, 40
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
# Colors with at least 4.5:1 contrast on white (their labels are dark text beside them, never on them).
APPROVED, DENIED, OPEN, WITHDRAWN = "#2e7d32", "#b3261e", "#5c6670", "#a7b0ba"
HEAT = ["#eef4fa", "#c6dbef", "#9ecae1", "#4f8fc0", "#1f5f99", "#0b3c6e"]


def short_date(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}"


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (an axis that ends on a round number)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def y_axis(top_value: int, height: int) -> tuple[int, list[dict]]:
    ceiling = nice_ceiling(top_value)
    ticks = [{"y": TOP + height - round(height * v / ceiling), "label": f"{v:,}"} for v in (0, ceiling // 2, ceiling)]
    return ceiling, ticks if ceiling > 1 else [ticks[0], ticks[-1]]


def submissions_chart(board: Dashboard) -> dict | None:
    if not board.span:
        return None
    first, last = board.span
    count = (last - first).days + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, 200
    step = plot_w / count
    ceiling, ticks = y_axis(max((n for _d, n in board.days), default=0), plot_h)

    def x_of(day: dt.date) -> float:
        return LEFT + step * (day - first).days

    bars = [
        {
            "x": round(x_of(day) + step * 0.1, 2),
            "width": round(max(step * 0.8, 1), 2),
            "y": TOP + plot_h - round(plot_h * n / ceiling, 2),
            "height": round(plot_h * n / ceiling, 2),
            "title": f"{short_date(day)}: {n:,}",
        }
        for day, n in board.days
    ]
    every = 7 if count <= 70 else None  # short spans: every Monday; long ones: the first of each month
    labels = [
        {"x": round(x_of(day) + step / 2, 2), "label": short_date(day)}
        for day in (first + dt.timedelta(days=i) for i in range(count))
        if (day.weekday() == 0 if every else day.day == 1)
    ]
    markers = []
    for i, marker in enumerate(board.markers):
        x = round(x_of(marker.day) + step / 2, 2)
        right_half = x > LEFT + plot_w * 0.6
        markers.append(
            {
                "x": x,
                "label_y": TOP - 24 + 12 * (i % 2),
                "anchor": "end" if right_half else "start",
                "text_x": x - 3 if right_half else x + 3,
                "label": f"{marker.label.split(' (')[0]} {short_date(marker.day)}",
                "kind": marker.kind,
            }
        )
    return {
        "height": TOP + plot_h + BOTTOM,
        "bottom": TOP + plot_h,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bars": bars,
        "ticks": ticks,
        "labels": labels,
        "markers": markers,
        "label_y": TOP + plot_h + 18,
    }


def backlog_chart(board: Dashboard) -> dict:
    label_w, row_h, plot_w = 130, 34, WIDTH - 130 - 120
    top = max((n for _label, n in board.backlog), default=0) or 1
    rows = []
    for i, (label, n) in enumerate(board.backlog):
        width = round(plot_w * n / top, 2)
        rows.append(
            {
                "y": 8 + i * row_h,
                "text_y": 8 + i * row_h + 18,
                "label": label,
                "width": width,
                "count_x": label_w + width + 8,
                "count": f"{n:,}",
                "oldest": i == len(board.backlog) - 1,
            }
        )
    return {"height": 8 + row_h * len(rows), "label_x": label_w - 8, "bar_x": label_w, "rows": rows}


def outcomes_chart(board: Dashboard) -> dict:
    """One bar per category, split by what became of its requests (approved, denied, still open, withdrawn)."""
    label_h, bar_h, gap, plot_w = 18, 18, 16, WIDTH - 240
    rows, y = [], 34
    for outcome in board.categories:
        total = outcome.submitted or 1
        x, parts = 0.0, []
        for name, count, color in (
            ("Approved", outcome.approved, APPROVED),
            ("Denied", outcome.denied, DENIED),
            ("Still open", outcome.still_open, OPEN),
            ("Withdrawn", outcome.withdrawn, WITHDRAWN),
        ):
            width = plot_w * count / total
            if count:
                parts.append(
                    {"x": round(x, 2), "width": round(width, 2), "color": color, "title": f"{name}: {count:,}"}
                )
            x += width
        summary = (
            f"{outcome.share(outcome.approved)}% approved of {outcome.decided:,} decided"
            if outcome.decided
            else "none decided yet"
        )
        rows.append({"label_y": y + 13, "bar_y": y + label_h, "name": outcome.name, "parts": parts, "summary": summary})
        y += label_h + bar_h + gap
    legend = [("Approved", APPROVED), ("Denied", DENIED), ("Still open", OPEN), ("Withdrawn", WITHDRAWN)]
    return {
        "height": y,
        "summary_x": plot_w + 12,
        "rows": rows,
        "legend": [{"x": i * 130, "label": name, "color": color} for i, (name, color) in enumerate(legend)],
    }


def reviewers_chart(board: Dashboard) -> dict | None:
    """A grid: one row per reviewer, one column per week, darker for more decisions, the number in the cell."""
    if not board.reviewers:
        return None
    label_w, row_h, head_h = 200, 26, 40
    cell_w = min(44.0, (WIDTH - label_w - 60) / len(board.weeks))
    top = max(sum(week) for person in board.reviewers for week in person.weeks.values()) or 1
    rows = []
    for i, person in enumerate(board.reviewers):
        cells = []
        for j, week in enumerate(board.weeks):
            approved, denied = person.weeks.get(week, (0, 0))
            total = approved + denied
            shade = 0 if not total else 1 + min(len(HEAT) - 2, int((len(HEAT) - 1) * total / top))
            cells.append(
                {
                    "x": round(label_w + j * cell_w, 2),
                    "text_x": round(label_w + j * cell_w + cell_w / 2, 2),
                    "fill": HEAT[shade],
                    "dark": shade >= 3,
                    "count": total if total and cell_w >= 24 else "",
                    "title": f"{person.name}, week of {short_date(week)}: {approved} approved, {denied} denied",
                }
            )
        rows.append({"y": head_h + i * row_h, "text_y": head_h + i * row_h + 17, "name": person.name, "cells": cells})
    every = max(1, math.ceil(len(board.weeks) / 12))
    heads = [
        {"x": round(label_w + j * cell_w + cell_w / 2, 2), "label": short_date(week)}
        for j, week in enumerate(board.weeks)
        if j % every == 0
    ]
    totals_x = round(label_w + len(board.weeks) * cell_w + 8, 2)
    return {
        "height": head_h + row_h * len(rows) + 8,
        "cell_w": round(cell_w - 2, 2),
        "cell_h": row_h - 2,
        "label_x": label_w - 8,
        "totals_x": totals_x,
        "rows": [{**row, "total": f"{person.total:,}"} for row, person in zip(rows, board.reviewers, strict=True)],
        "heads": heads,
    }


def letters_chart(board: Dashboard) -> dict | None:
    if not board.letters:
        return None
    plot_w, plot_h = WIDTH - LEFT - RIGHT, 160
    step = plot_w / len(board.letters)
    ceiling, ticks = y_axis(max(max(m, r) for _w, m, r in board.letters), plot_h)
    bar_w = max(step * 0.38, 1)
    bars, labels = [], []
    every = max(1, math.ceil(len(board.letters) / 12))
    for i, (week, mailed, received) in enumerate(board.letters):
        x = LEFT + i * step + step * 0.1
        for offset, count, kind in ((0, mailed, "mailed"), (bar_w, received, "received")):
            height = round(plot_h * count / ceiling, 2)
            bars.append(
                {
                    "x": round(x + offset, 2),
                    "width": round(bar_w, 2),
                    "y": TOP + plot_h - height,
                    "height": height,
                    "kind": kind,
                    "title": f"Week of {short_date(week)}: {count:,} {kind}",
                }
            )
        if i % every == 0:
            labels.append({"x": round(x + bar_w, 2), "label": short_date(week)})
    return {
        "height": TOP + plot_h + BOTTOM,
        "bottom": TOP + plot_h,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bars": bars,
        "ticks": ticks,
        "labels": labels,
        "label_y": TOP + plot_h + 18,
        "mailed": sum(m for _w, m, _r in board.letters),
        "received": sum(r for _w, _m, r in board.letters),
    }


def chart_tables(board: Dashboard) -> dict[str, dict]:
    """Each chart's figures as a table: shown under the chart and downloaded as CSV (the same rows)."""
    markers: dict[dt.date, list[str]] = {}
    for marker in board.markers:
        markers.setdefault(marker.day, []).append(marker.label)
    days = dict(board.days)
    all_days = sorted(set(days) | set(markers))
    return {
        "submissions": {
            "title": "Requests submitted per day",
            "headers": ["Day (ET)", "Requests submitted", "Deadline or extension"],
            "rows": [[day.isoformat(), days.get(day, 0), "; ".join(markers.get(day, []))] for day in all_days],
        },
        "backlog": {
            "title": "Open requests by age",
            "headers": ["Age since the request reached CMS", "Open requests"],
            "rows": [[label, n] for label, n in board.backlog],
        },
        "outcomes": {
            "title": "Outcomes by category",
            "headers": [
                "Category",
                "Requests",
                "Approved",
                "Denied",
                "Still open",
                "Withdrawn",
                "Approved share of decided (%)",
                "Denied share of decided (%)",
            ],
            "rows": [
                [o.name, o.submitted, o.approved, o.denied, o.still_open, o.withdrawn]
                + ([o.share(o.approved), o.share(o.denied)] if o.decided else ["", ""])
                for o in board.categories
            ],
        },
        "reviewers": {
            "title": "Decisions per reviewer per week",
            "headers": ["Reviewer", "Week of (Monday)", "Approved", "Denied", "Decisions"],
            "rows": [
                [person.name, week.isoformat(), *person.weeks[week], sum(person.weeks[week])]
                for person in board.reviewers
                for week in board.weeks
                if week in person.weeks
            ],
        },
        "letters": {
            "title": "GPRO letters mailed and received per week",
            "headers": ["Week of (Monday)", "Letters mailed", "Letters received"],
            "rows": [[week.isoformat(), mailed, received] for week, mailed, received in board.letters],
        },
    }
