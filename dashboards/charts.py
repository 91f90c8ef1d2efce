"""Plotly figures built on the server; the page hands their JSON to the vendored plotly.js."""

import functools
import json
from datetime import date, timedelta

import plotly.graph_objects as go

from .metrics import DETRACTOR, FEW_ANSWERS, GROUPS, PASSIVE, PROMOTER, Split, group_of

COLOURS = {PROMOTER: "#15803d", PASSIVE: "#ca8a04", DETRACTOR: "#b91c1c"}
ACCENT = "#4f46e5"
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}


def _layout(**extra) -> dict:
    return {
        "font": FONT,
        "margin": {"l": 48, "r": 16, "t": 16, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hovermode": "x unified",
        # Under the plot, measured from the figure's bottom edge: plotly makes room for it, so it never
        # sits on the axis labels, and on a phone it wraps onto a second row instead of overlapping.
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
        },
        **extra,
    }


def rolling(points: list[tuple[date, Split]], window: int) -> list[float | None]:
    """NPS over the last `window` periods at each point (answers summed, not NPS values averaged)."""
    out = []
    for i in range(len(points)):
        total = Split()
        for _, split in points[max(0, i - window + 1) : i + 1]:
            total = total + split
        out.append(None if total.nps is None else round(total.nps, 1))
    return out


# The trend's periods: how long each is (for the minimum width, in days), how its start reads on the axis and
# in the hover, and how few of them the axis shows at least, so that a campaign launched today shows one slim
# bar at the right, not one bar across the whole chart. The axis is one category per period, empty ones
# included, so that bars keep one width, ticks never fall between two periods (no "23:59:59.9996"), and
# plotly thins the labels to the chart's width by itself.
PERIODS = {
    "day": {"days": 1, "min": 7, "noun": "today"},
    "week": {"days": 7, "min": 6, "noun": "this week"},
    "month": {"days": 30, "min": 6, "noun": "this month"},
}
FEW_COLOUR = "#9ca3af"
VOLUME_COLOUR = "#c7d2fe"


def period_start(day: date, grain: str) -> date:
    """The first day of the day, week (Monday) or month that holds `day`."""
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def _step(day: date, grain: str, periods: int) -> date:
    """The period start `periods` periods after (or before, when negative) `day`."""
    if grain == "month":
        months = day.year * 12 + day.month - 1 + periods
        return date(months // 12, months % 12 + 1, 1)
    return day + timedelta(days=PERIODS[grain]["days"] * periods)


def trend_periods(first: date, last: date, grain: str) -> list[date]:
    """Every period start from `first` to `last`, at least PERIODS[grain]["min"] of them (earlier ones added)."""
    day = min(first, _step(last, grain, 1 - PERIODS[grain]["min"]))
    out = []
    while day <= last:
        out.append(day)
        day = _step(day, grain, 1)
    return out


def period_label(day: date, grain: str, *, with_year: bool = False) -> str:
    """How a period reads on the axis: "9 Mar" (a day, or the Monday of a week), "Mar 2026"."""
    if grain == "month":
        return f"{day:%b %Y}"
    return f"{day.day} {day:%b}" + (f" {day.year}" if with_year else "")


def period_title(day: date, grain: str) -> str:
    """How a period reads in full, in the hover: "Mon 9 Mar 2026", "Week of 9 Mar 2026", "March 2026"."""
    if grain == "month":
        return f"{day:%B %Y}"
    return ("Week of " if grain == "week" else f"{day:%a} ") + f"{day.day} {day:%b %Y}"


def count_axis(most: int) -> dict:
    """A count axis: whole responses from zero, a 1-2-5 step giving about five ticks, never half a response."""
    step = _nice_step(most)
    return {
        "rangemode": "tozero",
        "range": [0, step * (most // step + 1)],
        "tick0": 0,
        "dtick": step,
        "tickformat": ",d",
        "fixedrange": True,
    }


def _period_axis(labels: list[str]) -> dict:
    """A category axis of whole periods written on the server, oldest to newest."""
    return {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": labels,
        "range": [-0.5, len(labels) - 0.5],
        # Six labels at most fit a phone's width unturned; plotly picks which (every k-th period).
        "nticks": 6,
        "tickfont": {"size": 11},
        "showgrid": False,
        "fixedrange": True,
    }


def _volume_axis(most: int) -> dict:
    return {"title": {"text": "Responses"}, "side": "right", "showgrid": False, **count_axis(most)}


def _nice_step(most: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 … with at most four steps up to `most`."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if most <= 4 * factor * magnitude:
                return factor * magnitude
        magnitude *= 10


def rolled_splits(points: list[tuple[date, Split]], window: int) -> list[Split]:
    """The answers of the last `window` periods at each point, summed."""
    out = []
    for i in range(len(points)):
        total = Split()
        for _, split in points[max(0, i - window + 1) : i + 1]:
            total = total + split
        out.append(total)
    return out


def running_period(points: list[tuple[date, Split]], grain: str, today: date) -> str | None:
    """ "this week" (day, month) when the trend has answers in the period still running, else None."""
    current = period_start(today, grain)
    return PERIODS[grain]["noun"] if any(day == current for day, _ in points) else None


def trend_figure(
    points: list[tuple[date, Split]], *, window: int = 1, grain: str = "week", today: date | None = None
) -> str:
    """NPS (line, left axis) over response volume (bars, right axis) per day, week or month.

    The period holding `today` is still running: its bar is hatched and labelled "so far", and the NPS line
    reaches it dotted. A point resting on too few answers (Split.is_few) is grey, with its 95% margin.
    """
    spec = PERIODS[grain]
    current = period_start(today, grain) if today else None
    rolled = rolled_splits(points, window)
    days = [day for day, _ in points]
    volume = [split.total for _, split in points]
    is_now = [day == current for day in days]
    periods = trend_periods(days[0], days[-1], grain) if days else []
    with_year = bool(periods) and periods[0].year != periods[-1].year
    labels = [period_label(day, grain, with_year=with_year) for day in periods]
    label = dict(zip(periods, labels, strict=True))

    def x_of(indices: list[int]) -> list[str]:
        return [label[days[i]] for i in indices]

    def titles(indices: list[int]) -> list[str]:
        return [period_title(days[i], grain) for i in indices]

    fig = go.Figure()
    # Every period on the axis, those without answers too: an invisible trace holds their places.
    fig.add_scatter(x=labels, y=[None] * len(labels), yaxis="y", showlegend=False, hoverinfo="skip")
    bar = {"yaxis": "y", "width": 0.7, "marker_line_width": 0}
    done = [i for i, now in enumerate(is_now) if not now]
    fig.add_bar(
        x=x_of(done),
        y=[volume[i] for i in done],
        name="Responses",
        marker_color=VOLUME_COLOUR,
        customdata=titles(done),
        hovertemplate="%{customdata}: %{y:,d} responses<extra></extra>",
        **bar,
    )
    so_far = f"{spec['noun'].capitalize()}, so far"
    if any(is_now):
        i = is_now.index(True)
        fig.add_bar(
            x=x_of([i]),
            y=[volume[i]],
            name=so_far,
            legendgroup="now",
            marker={"color": "#e0e7ff", "pattern": {"shape": "/", "fgcolor": "#818cf8", "solidity": 0.3}},
            customdata=titles([i]),
            hovertemplate="%{customdata}: %{y:,d} responses so far<extra></extra>",
            **bar,
        )
        fig.add_annotation(
            x=label[days[i]],
            y=volume[i],
            yref="y",
            yanchor="bottom",
            text="so far",
            showarrow=False,
            font={"size": 11, "color": "#4338ca"},
        )
    name = "NPS" if window == 1 else f"NPS (rolling {window})"

    def y_of(indices: list[int]) -> list[float | None]:
        return [None if rolled[i].nps is None else round(rolled[i].nps, 1) for i in indices]

    def nps_trace(indices: list[int], **style) -> None:
        few = [rolled[i].is_few for i in indices]
        fig.add_scatter(
            x=x_of(indices),
            y=y_of(indices),
            yaxis="y2",
            marker={
                "size": 9,
                "color": [FEW_COLOUR if f else ACCENT for f in few],
                "line": {"color": "#ffffff", "width": 1},
            },
            error_y={
                "type": "data",
                "array": [
                    round(rolled[i].margin, 1) if f else None for i, f in zip(indices, few, strict=True)
                ],
                "color": FEW_COLOUR,
                "thickness": 1.5,
                "width": 4,
                "visible": any(few),
            },
            customdata=[[rolled[i].total, round(rolled[i].margin or 0)] for i in indices],
            hovertemplate="NPS %{y:.0f} ± %{customdata[1]} (%{customdata[0]:,d} answers)<extra></extra>",
            connectgaps=True,
            cliponaxis=False,
            **style,
        )

    finished = [i for i in range(len(points)) if not is_now[i]]
    if finished or not any(is_now):
        nps_trace(finished, name=name, mode="lines+markers", line={"color": ACCENT, "width": 3})
    if any(is_now):
        i = is_now.index(True)
        if finished:  # the dotted part: from the last finished period to the running one
            fig.add_scatter(
                x=x_of([finished[-1], i]),
                y=y_of([finished[-1], i]),
                yaxis="y2",
                mode="lines",
                line={"color": ACCENT, "width": 2, "dash": "dot"},
                legendgroup="now",
                showlegend=False,
                hoverinfo="skip",
            )
        # With no finished period yet, this point is the NPS of the legend.
        nps_trace(
            [i],
            name=f"{name}, {spec['noun']} so far" if finished else name,
            mode="markers",
            legendgroup="now",
            showlegend=not finished,
        )
    fig.update_layout(
        **_layout(
            height=340,
            barmode="overlay",
            xaxis=_period_axis(labels),
            yaxis=_volume_axis(max(volume, default=0)),
            yaxis2={
                "title": {"text": "NPS"},
                "side": "left",
                "overlaying": "y",
                "range": [-110, 110],  # room for a marker at ±100
                "tick0": -100,
                "dtick": 50,
                "zeroline": True,
                "zerolinecolor": "#9ca3af",
                "fixedrange": True,
            },
        )
    )
    return fig.to_json()


def split_figure(split: Split) -> str:
    fig = go.Figure()
    for label, count, colour in (
        (group.label, split.count(group.name), COLOURS[group.name]) for group in reversed(GROUPS)
    ):
        share = 100 * count / split.total if split.total else 0
        fig.add_bar(
            y=[""],
            x=[share],
            name=label,
            orientation="h",
            marker_color=colour,
            text=[f"{share:.0f}%"],
            textposition="inside",
            customdata=[count],
            hovertemplate=f"{label}: %{{customdata}} (%{{x:.1f}}%)<extra></extra>",
        )
    fig.update_layout(
        **_layout(
            height=120, barmode="stack", xaxis={"range": [0, 100], "ticksuffix": "%"}, hovermode="closest"
        )
    )
    return fig.to_json()


def distribution_figure(counts: dict[int, int]) -> str:
    scores = list(range(11))
    colours = [COLOURS[group_of(score)] for score in scores]
    fig = go.Figure(
        go.Bar(
            x=scores,
            y=[counts[s] for s in scores],
            marker_color=colours,
            hovertemplate="Score %{x}: %{y}<extra></extra>",
        )
    )
    fig.update_layout(
        **_layout(
            height=260,
            xaxis={"dtick": 1, "title": "Score"},
            yaxis={"title": "Responses", **count_axis(max(counts.values(), default=0))},
            hovermode="closest",
        )
    )
    return fig.to_json()


def followup_figure(followed: Split | None, not_followed: Split | None) -> str:
    """NPS of the answer after a detractor case, followed up or not (each left out when None), with the
    95% margin as an error bar."""
    rows = [
        (label, split, colour)
        for label, split, colour in (
            ("Followed up", followed, ACCENT),
            ("Not followed up", not_followed, "#9ca3af"),
        )
        if split is not None and split.total
    ]
    fig = go.Figure(
        go.Bar(
            y=[label for label, _, _ in rows],
            x=[round(split.nps, 1) for _, split, _ in rows],
            orientation="h",
            marker_color=[colour for _, _, colour in rows],
            error_x={
                "type": "data",
                "array": [round(split.margin, 1) for _, split, _ in rows],
                "color": "#374151",
            },
            customdata=[[split.total, round(split.margin, 1)] for _, split, _ in rows],
            hovertemplate="NPS %{x:.0f} ± %{customdata[1]} (%{customdata[0]} answers)<extra></extra>",
        )
    )
    fig.update_layout(
        **_layout(
            height=90 + 40 * len(rows),
            margin={"l": 120, "r": 16, "t": 8, "b": 48},
            xaxis={
                "range": [-100, 100],
                "zeroline": True,
                "zerolinecolor": "#9ca3af",
                "title": "NPS of the next answer",
            },
            yaxis={"autorange": "reversed"},
            hovermode="closest",
            showlegend=False,
        )
    )
    return fig.to_json()


# ---- Segments over time (new functions only: the trend figure and _layout above are shared) ----

# A point whose 95% margin is wider than this is drawn faint and not joined to its neighbours: too few
# answers in that period to read a movement into (about 35 answers at a typical NPS).
SEGMENT_POINT_MAX_MARGIN = 25.0
# Distinct without relying on colour alone (a marker shape each); none of them is the promoter green or
# the detractor red, so that no line reads as good or bad. "Other" is grey.
SEGMENT_COLOURS = ["#4f46e5", "#0f766e", "#c2410c", "#a21caf", "#0369a1", "#854d0e", "#be185d", "#3f6212"]
SEGMENT_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "triangle-down", "star", "hexagon", "cross"]
OTHER_COLOUR = "#6b7280"
GRAIN_PAD_DAYS = {"day": 1, "week": 4, "month": 16}


def segment_points(points: dict[date, Split], periods: list[date], window: int = 1) -> list[Split | None]:
    """Each period's answers of one value (summed over the last `window` periods when smoothing); None
    where the value has no answer in that period."""
    out: list[Split | None] = []
    for i, period in enumerate(periods):
        if period not in points:
            out.append(None)
            continue
        recent = periods[max(0, i - window + 1) : i + 1]
        out.append(sum((points.get(p, Split()) for p in recent), Split()))
    return out


def is_readable(split: Split, max_margin: float = SEGMENT_POINT_MAX_MARGIN) -> bool:
    """Whether a point has enough answers to be drawn as part of its line."""
    return split.margin is not None and split.margin <= max_margin


@functools.cache
def _template() -> dict:
    """plotly's default template, which go.Figure adds to every figure, computed once."""
    return go.Figure().to_plotly_json()["layout"]["template"]


def segment_trend_figure(trend, *, grain: str = "week", window: int = 1) -> str:
    """One NPS line per value (a queries.SegmentTrend); points with too few answers are faint and unjoined.
    The hover gives each point's NPS, margin and number of answers.

    Built as plain JSON rather than through go.Figure, whose validation of a few hundred points costs more
    than the query behind them."""
    periods = trend.periods
    x = [day.isoformat() for day in periods]
    traces = []
    hover = "NPS %{y:.0f} ± %{customdata[1]:.0f} · %{customdata[0]:,} answers"
    for n, series in enumerate(trend.series):
        colour = OTHER_COLOUR if series.value is None else SEGMENT_COLOURS[n % len(SEGMENT_COLOURS)]
        symbol = "circle-open" if series.value is None else SEGMENT_SYMBOLS[n % len(SEGMENT_SYMBOLS)]
        # (x, NPS, answers, margin) of each period in which the value has answers.
        points = [
            (day, round(split.nps, 1), split.total, round(split.margin, 1))
            for day, split in zip(x, segment_points(series.points, periods, window), strict=True)
            if split is not None
        ]
        readable = {day for day, _, _, margin in points if margin <= SEGMENT_POINT_MAX_MARGIN}
        solid = {day: point for day, *point in points if day in readable}
        faint = [point for point in points if point[0] not in readable]
        group = f"series-{n}"
        traces.append(
            {
                "type": "scatter",
                "x": x,
                "y": [solid[day][0] if day in solid else None for day in x],
                "customdata": [solid[day][1:] if day in solid else None for day in x],
                "name": series.label,
                "legendgroup": group,
                "mode": "lines+markers",
                "connectgaps": False,
                "line": {"color": colour, "width": 2.5, "dash": "dot" if series.value is None else "solid"},
                "marker": {"color": colour, "symbol": symbol, "size": 7},
                "hovertemplate": hover,
            }
        )
        if faint:
            traces.append(
                {
                    "type": "scatter",
                    "x": [day for day, *_ in faint],
                    "y": [nps for _, nps, _, _ in faint],
                    "customdata": [[total, margin] for _, _, total, margin in faint],
                    "name": series.label,
                    "legendgroup": group,
                    "showlegend": False,
                    "mode": "markers",
                    "opacity": 0.35,
                    "marker": {"color": colour, "symbol": symbol, "size": 6},
                    "hovertemplate": hover + " (too few to read)",
                }
            )
    pad = GRAIN_PAD_DAYS.get(grain, 4)
    xaxis = {"type": "date", "hoverformat": "%b %Y" if grain == "month" else "%d %b %Y"}
    if periods:
        # Half a period either side, so that a single period is a point, not an axis of milliseconds.
        first, last = periods[0].toordinal() - pad, periods[-1].toordinal() + pad
        xaxis["range"] = [date.fromordinal(first).isoformat(), date.fromordinal(last).isoformat()]
    if 0 < len(periods) <= 8:
        # Few periods: a tick on each, never plotly's fractions of a day.
        xaxis.update(
            tickvals=x, ticktext=[f"{d:%b %Y}" if grain == "month" else f"{d:%-d %b}" for d in periods]
        )
    layout = _layout(
        height=360,
        xaxis=xaxis,
        # A little past ±100, so that markers at the ends are whole.
        yaxis={
            "title": {"text": "NPS"},
            "range": [-105, 105],
            "tickvals": [-100, -50, 0, 50, 100],
            "zeroline": True,
            "zerolinecolor": "#9ca3af",
        },
        showlegend=True,
    )
    return json.dumps({"data": traces, "layout": {**layout, "template": _template()}})


def theme_trend_figure(trend) -> str:
    """Share of comments per period for the top themes (a dashboards.themes.ThemeTrend): one line each, on
    a category axis of every period (labels written here, as for the trend); a rising theme's name says so.
    A period with fewer than FEW_ANSWERS comments has faint markers: its shares are a rough sign.
    Plain JSON like segment_trend_figure."""
    periods = trend.periods
    with_year = bool(periods) and periods[0].year != periods[-1].year
    labels = [period_label(day, trend.grain, with_year=with_year) for day in periods]
    titles = [period_title(day, trend.grain) for day in periods]
    traces = []
    highest = 0.0
    opacity = [1.0 if total >= FEW_ANSWERS else 0.35 for total in trend.comments]
    for n, series in enumerate(trend.series):
        colour = SEGMENT_COLOURS[n % len(SEGMENT_COLOURS)]
        shares = [None if share is None else round(share, 1) for share in series.shares]
        highest = max([highest, *(s for s in shares if s is not None)])
        traces.append(
            {
                "type": "scatter",
                "x": labels,
                "y": shares,
                "customdata": [
                    [title, hits, total]
                    for title, hits, total in zip(titles, series.hits, trend.comments, strict=True)
                ],
                "name": series.name + (" ▲ rising" if series.rising else ""),
                "mode": "lines+markers",
                "connectgaps": False,
                "line": {"color": colour, "width": 2.5},
                "marker": {
                    "color": colour,
                    "symbol": SEGMENT_SYMBOLS[n % len(SEGMENT_SYMBOLS)],
                    "size": 7,
                    "opacity": opacity,
                },
                "hovertemplate": series.name
                + ": %{y:.0f}% (%{customdata[1]:,} of %{customdata[2]:,} comments)<extra>%{customdata[0]}</extra>",
            }
        )
    layout = _layout(
        height=340,
        hovermode="closest",
        xaxis=_period_axis(labels),
        yaxis={
            "title": {"text": "Share of comments"},
            "rangemode": "tozero",
            "range": [0, min(100, max(10, highest * 1.15))],
            "ticksuffix": "%",
            "fixedrange": True,
        },
        showlegend=True,
    )
    return json.dumps({"data": traces, "layout": {**layout, "template": _template()}})
