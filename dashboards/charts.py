"""Plotly figures built on the server; the page hands their JSON to the vendored plotly.js."""

from datetime import date

import plotly.graph_objects as go

from .metrics import DETRACTOR, GROUPS, PASSIVE, PROMOTER, Split, group_of

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
        "legend": {"orientation": "h", "y": -0.2},
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


def trend_figure(points: list[tuple[date, Split]], *, window: int = 1) -> str:
    x = [day.isoformat() for day, _ in points]
    nps = rolling(points, window)
    volume = [split.total for _, split in points]
    fig = go.Figure()
    fig.add_bar(
        x=x, y=volume, name="Responses", marker_color="#c7d2fe", yaxis="y2", hovertemplate="%{y} responses"
    )
    fig.add_scatter(
        x=x,
        y=nps,
        name="NPS" if window == 1 else f"NPS (rolling {window})",
        mode="lines+markers",
        line={"color": ACCENT, "width": 3},
        connectgaps=True,
        hovertemplate="NPS %{y:.1f}",
    )
    fig.update_layout(
        **_layout(
            height=340,
            yaxis={"title": "NPS", "range": [-100, 100], "zeroline": True, "zerolinecolor": "#9ca3af"},
            yaxis2={
                "title": "Responses",
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "rangemode": "tozero",
            },
        )
    )
    # Volume sits behind the NPS line.
    fig.update_layout(yaxis={"layer": "above traces"})
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
            yaxis={"title": "Responses"},
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
