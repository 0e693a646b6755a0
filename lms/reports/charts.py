"""Geometry for the report's SVG charts; templates/reports/_charts.html draws them, on pages and in the PDF."""
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date, lazy_gettext as _l

from lms.reports.queries import Breakdown, QuotaReport

WIDTH = 640
ROW_HEIGHT = 26
BAR_HEIGHT = 18


@dataclass
class Bar:
    label: str
    goal: int | None  # drawn as an outlined bar behind the value; None for plain counts
    y: float
    value_width: float
    goal_width: float
    text: str
    status: str | None = None  # a Status value, to colour the bar (the text says it too)


@dataclass
class BarChart:
    title: str
    description: str
    bars: list[Bar]
    width: int
    label_width: int  # room for the labels left of the bars
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return len(self.bars) * ROW_HEIGHT + 8


def _scale(values: list[int]) -> int:
    return max([*values, 1])


# Country names need room on the left and "123 / 456" on the right; breakdowns are drawn half as wide.
PROGRESS_LAYOUT = {"width": WIDTH, "label_width": 150, "value_width": 110}
BREAKDOWN_LAYOUT = {"width": 360, "label_width": 175, "value_width": 40}


def _plot_width(layout: dict) -> int:
    return layout["width"] - layout["label_width"] - layout["value_width"]


def progress_chart(report: QuotaReport) -> BarChart:
    """Certified people against the allocation, one bar a country."""
    rows = report.countries
    top = _scale([max(row.allocation, row.certified) for row in rows])
    plot = _plot_width(PROGRESS_LAYOUT)
    bars = [
        Bar(label=row.name, goal=row.allocation, y=index * ROW_HEIGHT + 4,
            value_width=plot * row.certified / top, goal_width=plot * row.allocation / top,
            text=f"{row.certified} / {row.allocation}", status=row.status.value)
        for index, row in enumerate(rows)
    ]
    description = "; ".join(
        str(_l("%(country)s: %(certified)d certified of %(allocation)d (%(status)s)", country=row.name,
               certified=row.certified, allocation=row.allocation, status=row.status.label))
        for row in rows)
    title = _l("Certified people against the allocation") if report.country else \
        _l("Certified people against each country's allocation")
    return BarChart(str(title), description, bars,
                    PROGRESS_LAYOUT["width"], PROGRESS_LAYOUT["label_width"])


def breakdown_chart(breakdown: Breakdown) -> BarChart:
    top = _scale([count for _key, _label, count in breakdown.rows])
    plot = _plot_width(BREAKDOWN_LAYOUT)
    bars = [Bar(label=label, goal=None, y=index * ROW_HEIGHT + 4, value_width=plot * count / top,
                goal_width=0, text=str(count))
            for index, (_key, label, count) in enumerate(breakdown.rows)]
    description = "; ".join(f"{label}: {count}" for _key, label, count in breakdown.rows)
    return BarChart(str(_l("Certified people by %(dimension)s", dimension=breakdown.title.lower())), description,
                    bars, BREAKDOWN_LAYOUT["width"], BREAKDOWN_LAYOUT["label_width"])


LINE_HEIGHT = 260
LINE_LEFT, LINE_RIGHT, LINE_TOP, LINE_BOTTOM = 44, WIDTH - 12, 12, LINE_HEIGHT - 30


@dataclass
class LineChart:
    title: str
    description: str
    actual_points: str  # SVG polyline points, a step up at each certification day
    target_line: tuple[float, float, float, float]
    today_x: float | None
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = LINE_HEIGHT
    left: int = LINE_LEFT
    right: int = LINE_RIGHT
    top: int = LINE_TOP
    bottom: int = LINE_BOTTOM


def _nice_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if top / step <= 5:
            return step
    return 10_000


def cumulative_chart(report: QuotaReport) -> LineChart:
    """The cumulative certified count against the straight line from nothing to the allocation."""
    programme, goal = report.programme, report.summary.allocation
    days = (programme.ends_on - programme.starts_on).days
    highest = max(goal, report.timeline[-1][1] if report.timeline else 0, 1)
    step = _nice_step(highest)
    top = step * -(-highest // step)  # rounded up to a whole step

    def x(day: date) -> float:
        offset = min(max((day - programme.starts_on).days, 0), days)
        return round(LINE_LEFT + (LINE_RIGHT - LINE_LEFT) * offset / days, 1)

    def y(count: float) -> float:
        return round(LINE_BOTTOM - (LINE_BOTTOM - LINE_TOP) * count / top, 1)

    today = min(max(report.as_of, programme.starts_on), programme.ends_on)
    points, reached = [(x(programme.starts_on), y(0))], 0
    for day, cumulative in report.timeline:
        if day > today:
            break
        points += [(x(day), y(reached)), (x(day), y(cumulative))]
        reached = cumulative
    points.append((x(today), y(reached)))

    description = _l(
        "From %(start)s to %(end)s. By %(today)s, %(certified)d people are certified; the straight line expects "
        "%(expected)d by then.", start=format_date(programme.starts_on, "d MMM yyyy"),
        end=format_date(programme.ends_on, "d MMM yyyy"), today=format_date(report.as_of, "d MMM yyyy"),
        certified=reached, expected=round(report.expected_by(report.as_of)))
    return LineChart(
        title=str(_l("Cumulative certified people against the straight line to %(goal)d", goal=goal)),
        description=str(description),
        actual_points=" ".join(f"{px},{py}" for px, py in points),
        target_line=(x(programme.starts_on), y(0), x(programme.ends_on), y(goal)),
        today_x=x(today) if report.as_of >= programme.starts_on else None,
        x_ticks=[(x(year.starts_on), year.label) for year in report.years],
        y_ticks=[(y(value), str(value)) for value in range(0, top + 1, step)],
    )


@dataclass
class YearPoint:
    """The data table under the cumulative chart: where the count stood at the end of each year."""
    label: str
    ends_on: date
    cumulative: int | None  # None for a year not begun yet
    is_current: bool  # the count is so far, the year not over
    expected: int


def cumulative_by_year(report: QuotaReport) -> list[YearPoint]:
    rows = []
    for year in report.years:
        counted_until = min(year.ends_on, report.as_of)
        cumulative = max([count for day, count in report.timeline if day <= counted_until], default=0)
        rows.append(YearPoint(year.label, year.ends_on, cumulative if year.starts_on <= report.as_of else None,
                              year.starts_on <= report.as_of <= year.ends_on, round(report.expected_by(year.ends_on))))
    return rows


def report_charts(report: QuotaReport) -> dict:
    """Everything the chart templates need, the same on screen and on paper."""
    return {
        "progress": progress_chart(report),
        "cumulative": cumulative_chart(report),
        "cumulative_table": cumulative_by_year(report),
        "breakdowns": [(breakdown, breakdown_chart(breakdown)) for breakdown in report.summary.breakdowns],
    }
