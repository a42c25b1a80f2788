"""The program dashboard's charts as server-drawn SVG, and the same figures as tables (and CSV).

No chart library and no script: plain <rect>, <line> and <text>. The markup is joined here rather than looped over
in a template: a year of a million requests draws about 2,000 shapes, which took the template engine 0.8 s and
takes a few milliseconds this way. Every text is escaped. Every chart's numbers are also in `chart_tables` (shown
under the chart and downloaded as CSV), so nobody has to read a value off a bar.
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape  # the standard library's: Django's wraps it in lazy-aware SafeStrings, 3x the cost here

from django.utils.safestring import SafeString, mark_safe

from ..selectors.dashboard import Dashboard

WIDTH = 960
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 52, 40
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


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def rect(x: float, y: float, width: float, height: float, *, css: str = "", fill: str = "", title: str = "") -> str:
    attributes = (f' class="{css}"' if css else "") + (f' fill="{fill}"' if fill else "")
    shape = f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}"{attributes}'
    return f"{shape}><title>{escape(title)}</title></rect>" if title else f"{shape}/>"


def text(x: float, y: float, words: str, *, css: str = "label", anchor: str = "") -> str:
    anchored = f' text-anchor="{anchor}"' if anchor else ""
    return f'<text class="{css}" x="{_n(x)}" y="{_n(y)}"{anchored}>{escape(words)}</text>'


def line(x1: float, y1: float, x2: float, y2: float, css: str) -> str:
    return f'<line class="{css}" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}"/>'


def svg(height: float, label: str, shapes: list[str]) -> SafeString:
    # role="img" with a label: read as one image whose figures are in the table under it.
    opening = f'<svg viewBox="0 0 {WIDTH} {_n(height)}" role="img" aria-label="{escape(label)}">'
    return mark_safe(opening + "".join(shapes) + "</svg>")  # noqa: S308 (every text went through escape())


def value_axis(top_value: int, plot_h: float) -> tuple[int, list[str]]:
    """The axis's round top value, and its grid lines with their labels at 0, half and the top."""
    ceiling = nice_ceiling(top_value)
    shapes = []
    for value in sorted({0, ceiling // 2, ceiling}):
        y = TOP + plot_h - plot_h * value / ceiling
        shapes += [
            line(LEFT, y, WIDTH - RIGHT, y, "grid"),
            text(LEFT - 6, y + 4, f"{value:,}", css="axis", anchor="end"),
        ]
    return ceiling, shapes


def submissions_chart(board: Dashboard) -> SafeString | None:
    if not board.span:
        return None
    first, last = board.span
    count = (last - first).days + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, 200
    step = plot_w / count
    ceiling, shapes = value_axis(max((n for _d, n in board.days), default=0), plot_h)

    def x_of(day: dt.date) -> float:
        return LEFT + step * (day - first).days

    for day, n in board.days:
        height = plot_h * n / ceiling
        shapes.append(
            rect(
                x_of(day) + step * 0.1,
                TOP + plot_h - height,
                max(step * 0.8, 1),
                height,
                css="bar",
                title=f"{day}: {n:,}",
            )
        )
    for day in (first + dt.timedelta(days=i) for i in range(count)):
        if day.weekday() == 0 if count <= 70 else day.day == 1:  # short spans: Mondays; long: the 1st of each month
            shapes.append(text(x_of(day) + step / 2, TOP + plot_h + 18, short_date(day), css="axis", anchor="middle"))
    shapes += marker_shapes(board, x_of, step, plot_h)
    label = "Bar chart of requests submitted per day, with deadlines and extensions marked; the figures are in the "
    return svg(TOP + plot_h + BOTTOM, label + "table below.", shapes)


MARKER_WORDS = {"deadline": "Deadline", "original": "Original deadline", "extension": "Extension"}
CHAR_W = 6.6  # about the width of one 12 px character: enough to keep labels from overlapping


def marker_shapes(board: Dashboard, x_of, step: float, plot_h: float) -> list[str]:
    """A vertical line per deadline or extension day, its label on the first of three rows where it fits."""
    days: dict[dt.date, list[str]] = {}
    for marker in board.markers:
        days.setdefault(marker.day, []).append(marker.kind)
    taken: list[list[tuple[float, float]]] = [[], [], []]
    shapes = []
    for day, kinds in days.items():
        x = x_of(day) + step / 2
        words = " / ".join(dict.fromkeys(MARKER_WORDS[kind] for kind in kinds)) + f" {short_date(day)}"
        width = len(words) * CHAR_W
        right_half = x > WIDTH * 0.6
        span = (x - width - 3, x) if right_half else (x, x + width + 3)
        row = next((i for i, used in enumerate(taken) if all(span[1] < a or span[0] > b for a, b in used)), 2)
        taken[row].append(span)
        label_y = 12 + 13 * row
        kind = "deadline" if "deadline" in kinds else kinds[0]
        shapes.append(line(x, label_y + 3, x, TOP + plot_h, f"marker marker-{kind}"))
        shapes.append(
            text(x - 3 if right_half else x + 3, label_y, words, css="marker-label", anchor="end" if right_half else "")
        )
    return shapes


def backlog_chart(board: Dashboard) -> SafeString:
    label_w, row_h, plot_w = 130, 34, WIDTH - 130 - 120
    top = max((n for _label, n in board.backlog), default=0) or 1
    shapes = []
    for i, (label, n) in enumerate(board.backlog):
        y, width = 8 + i * row_h, plot_w * n / top
        oldest = i == len(board.backlog) - 1
        shapes += [
            text(label_w - 8, y + 18, label, anchor="end"),
            rect(label_w, y, width, 26, css="bar bar-old" if oldest else "bar"),
            text(label_w + width + 8, y + 18, f"{n:,}"),
        ]
    label = "Bar chart of open requests by days since they reached CMS; the figures are in the table below."
    return svg(8 + row_h * len(board.backlog), label, shapes)


def outcomes_chart(board: Dashboard) -> SafeString | None:
    """One bar per category, split by what became of its requests (approved, denied, still open, withdrawn)."""
    if not board.categories:
        return None
    label_h, bar_h, gap, plot_w = 18, 18, 16, WIDTH - 240
    legend = [("Approved", APPROVED), ("Denied", DENIED), ("Still open", OPEN), ("Withdrawn", WITHDRAWN)]
    shapes = []
    for i, (name, color) in enumerate(legend):
        shapes += [rect(i * 130, 4, 14, 14, fill=color), text(i * 130 + 20, 16, name)]
    y = 34
    for outcome in board.categories:
        total = outcome.submitted or 1
        shapes.append(text(0, y + 13, outcome.name))
        x = 0.0
        counts = (outcome.approved, outcome.denied, outcome.still_open, outcome.withdrawn)
        for (name, color), count in zip(legend, counts, strict=True):
            width = plot_w * count / total
            if count:
                shapes.append(rect(x, y + label_h, width, bar_h, fill=color, title=f"{name}: {count:,}"))
            x += width
        summary = (
            f"{outcome.share(outcome.approved)}% approved of {outcome.decided:,} decided"
            if outcome.decided
            else "none decided yet"
        )
        shapes.append(text(plot_w + 12, y + label_h + 14, summary))
        y += label_h + bar_h + gap
    return svg(y, "Stacked bars: what became of each category's requests; the figures are in the table below.", shapes)


def reviewers_chart(board: Dashboard) -> SafeString | None:
    """A grid: one row per reviewer, one column per week, darker for more decisions, the number in the cell."""
    if not board.reviewers:
        return None
    label_w, row_h, head_h = 200, 26, 40
    cell_w = min(44.0, (WIDTH - label_w - 60) / len(board.weeks))
    top = max(sum(week) for person in board.reviewers for week in person.weeks.values()) or 1
    every = max(1, math.ceil(len(board.weeks) / 12))
    shapes = [
        text(label_w + j * cell_w + cell_w / 2, 30, short_date(week), css="axis", anchor="middle")
        for j, week in enumerate(board.weeks)
        if j % every == 0
    ]
    totals_x = label_w + len(board.weeks) * cell_w + 8
    shapes.append(text(totals_x, 30, "Total", css="axis"))
    for i, person in enumerate(board.reviewers):
        y = head_h + i * row_h
        shapes.append(text(label_w - 8, y + 17, person.name, anchor="end"))
        for j, week in enumerate(board.weeks):
            approved, denied = person.weeks.get(week, (0, 0))
            total = approved + denied
            shade = 0 if not total else 1 + min(len(HEAT) - 2, int((len(HEAT) - 1) * total / top))
            title = f"{person.name}, week of {short_date(week)}: {approved} approved, {denied} denied"
            shapes.append(rect(label_w + j * cell_w, y, cell_w - 2, row_h - 2, fill=HEAT[shade], title=title))
            if total and cell_w >= 24:
                css = "cell cell-dark" if shade >= 3 else "cell"
                shapes.append(text(label_w + j * cell_w + cell_w / 2 - 1, y + 17, str(total), css=css, anchor="middle"))
        shapes.append(text(totals_x, y + 17, f"{person.total:,}"))
    label = "Grid of decisions per reviewer and week, darker for more; the figures are in the table below."
    return svg(head_h + row_h * len(board.reviewers) + 8, label, shapes)


def letters_chart(board: Dashboard) -> SafeString | None:
    if not board.letters:
        return None
    plot_w, plot_h = WIDTH - LEFT - RIGHT, 160
    step = plot_w / len(board.letters)
    ceiling, shapes = value_axis(max(max(m, r) for _w, m, r in board.letters), plot_h)
    shapes += [
        rect(LEFT, 6, 14, 14, css="bar-mailed"),
        text(LEFT + 20, 18, "Mailed (the group's date)"),
        rect(LEFT + 240, 6, 14, 14, css="bar-received"),
        text(LEFT + 260, 18, "Received by CMS"),
    ]
    bar_w = min(max(step * 0.38, 1), 28)
    every = max(1, math.ceil(len(board.letters) / 12))
    for i, (week, mailed, received) in enumerate(board.letters):
        x = LEFT + i * step + step / 2 - bar_w
        for offset, count, kind in ((0, mailed, "mailed"), (bar_w, received, "received")):
            height = plot_h * count / ceiling
            title = f"Week of {short_date(week)}: {count:,} {kind}"
            shapes.append(rect(x + offset, TOP + plot_h - height, bar_w, height, css=f"bar-{kind}", title=title))
        if i % every == 0:
            shapes.append(text(x + bar_w, TOP + plot_h + 18, short_date(week), css="axis", anchor="middle"))
    label = "Paired bars per week: letters the groups mailed and letters CMS received; the figures are in the table "
    return svg(TOP + plot_h + BOTTOM, label + "below.", shapes)


def table_body(rows: list[list]) -> SafeString:
    """A table's rows as HTML, the first cell of each a row header (joined here for the same reason as the SVG)."""
    html = []
    for row in rows:
        head, *cells = (f"{cell:,}" if isinstance(cell, int) else escape(str(cell)) for cell in row)
        html.append(f'<tr><th scope="row">{head}</th>' + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return mark_safe("".join(html))  # noqa: S308 (every cell went through escape())


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
