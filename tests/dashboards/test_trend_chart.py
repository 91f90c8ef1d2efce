"""The trend figure's axes for any amount of data: one answer today, a few, a year of them."""

import json
from datetime import date, timedelta

import pytest

from dashboards.charts import distribution_figure, trend_figure
from dashboards.metrics import FEW_ANSWERS, Split

MONDAY = date(2026, 3, 9)


def _figure(points, **kwargs) -> dict:
    return json.loads(trend_figure(points, **kwargs))


def _traces(figure: dict) -> dict[str, dict]:
    return {trace.get("name", f"#{i}"): trace for i, trace in enumerate(figure["data"])}


def test_one_answer_today_is_a_slim_bar_and_a_point_among_dated_weeks():
    today = MONDAY + timedelta(days=2)
    figure = _figure([(MONDAY, Split(detractors=1))], grain="week", today=today)
    x = figure["layout"]["xaxis"]
    # One category per week, six at least, written as dates: the one bar takes a sixth of the width.
    assert x["type"] == "category" and x["nticks"] == 6
    assert x["categoryarray"] == ["2 Feb", "9 Feb", "16 Feb", "23 Feb", "2 Mar", "9 Mar"]
    assert x["range"] == [-0.5, 5.5]
    bars = [t for t in figure["data"] if t["type"] == "bar"]
    assert {bar["width"] for bar in bars} == {0.7}
    # The only point is the running week: a marker on the legend's NPS, a hatched bar, "so far" said twice.
    traces = _traces(figure)
    point = traces["NPS"]
    assert point["mode"] == "markers" and point["y"] == [-100.0] and point["x"] == ["9 Mar"]
    assert point["cliponaxis"] is False
    so_far = traces["This week, so far"]
    assert so_far["marker"]["pattern"]["shape"] == "/"
    assert so_far["customdata"] == ["Week of 9 Mar 2026"]
    assert [a["text"] for a in figure["layout"]["annotations"]] == ["so far"]


def test_distribution_counts_whole_answers_too():
    figure = json.loads(distribution_figure({score: int(score == 0) for score in range(11)}))
    assert figure["layout"]["yaxis"]["dtick"] == 1 and figure["layout"]["yaxis"]["tickformat"] == ",d"


def test_volume_axis_counts_whole_answers_from_zero():
    figure = _figure([(MONDAY, Split(promoters=1))], grain="day")
    volume = figure["layout"]["yaxis"]
    assert volume["title"]["text"] == "Responses"
    assert volume["rangemode"] == "tozero" and volume["tickformat"] == ",d"
    assert volume["dtick"] == 1 and volume["range"] == [0, 2]


@pytest.mark.parametrize(
    ("most", "step", "top"), [(1, 1, 2), (3, 1, 4), (4, 1, 5), (5, 2, 6), (19, 5, 20), (160, 50, 200)]
)
def test_volume_ticks_are_whole_steps(most, step, top):
    figure = _figure([(MONDAY, Split(passives=most))], grain="day")
    assert (figure["layout"]["yaxis"]["dtick"], figure["layout"]["yaxis"]["range"]) == (step, [0, top])


def test_nps_is_drawn_above_the_bars_on_a_fixed_scale():
    figure = _figure([(MONDAY, Split(promoters=40))], grain="week")
    nps = _traces(figure)["NPS"]
    assert nps["yaxis"] == "y2" and nps["mode"] == "lines+markers" and nps["y"] == [100.0]
    assert figure["layout"]["yaxis2"]["overlaying"] == "y"
    assert figure["layout"]["yaxis2"]["range"] == [-110, 110]
    assert figure["layout"]["yaxis2"]["dtick"] == 50


@pytest.mark.parametrize(
    ("grain", "day", "labels", "title"),
    [
        (
            "day",
            date(2026, 3, 9),
            ["3 Mar", "4 Mar", "5 Mar", "6 Mar", "7 Mar", "8 Mar", "9 Mar"],
            "Mon 9 Mar 2026",
        ),
        (
            "week",
            date(2026, 3, 9),
            ["2 Feb", "9 Feb", "16 Feb", "23 Feb", "2 Mar", "9 Mar"],
            "Week of 9 Mar 2026",
        ),
        (
            "month",
            date(2026, 3, 1),
            ["Oct 2025", "Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026"],
            "March 2026",
        ),
    ],
)
def test_dates_read_at_the_granularity_of_the_period(grain, day, labels, title):
    figure = _figure([(day, Split(promoters=1))], grain=grain)
    assert figure["layout"]["xaxis"]["categoryarray"] == labels
    assert _traces(figure)["Responses"]["customdata"] == [title]


def test_empty_periods_keep_their_place_and_years_are_written_across_new_year():
    points = [(date(2025, 12, 29), Split(promoters=1)), (date(2026, 1, 12), Split(promoters=1))]
    x = _figure(points, grain="week")["layout"]["xaxis"]
    assert x["categoryarray"][-3:] == ["29 Dec 2025", "5 Jan 2026", "12 Jan 2026"]


def test_a_year_of_days_is_one_category_per_day():
    start = date(2025, 6, 1)
    points = [(start + timedelta(days=i), Split(promoters=50, detractors=10)) for i in range(365)]
    figure = _figure(points, grain="day")
    assert len(figure["layout"]["xaxis"]["categoryarray"]) == 365
    assert len(_traces(figure)["NPS"]["x"]) == 365


def test_finished_periods_are_solid_and_the_running_one_dotted():
    weeks = [MONDAY - timedelta(weeks=n) for n in (2, 1, 0)]
    points = [(week, Split(promoters=30, detractors=10)) for week in weeks]
    figure = _figure(points, grain="week", today=MONDAY)
    traces = _traces(figure)
    assert traces["NPS"]["x"] == ["23 Feb", "2 Mar"]
    assert traces["Responses"]["x"] == ["23 Feb", "2 Mar"]
    assert traces["This week, so far"]["x"] == ["9 Mar"]
    assert traces["NPS, this week so far"]["x"] == ["9 Mar"]
    dotted = next(t for t in figure["data"] if t.get("line", {}).get("dash") == "dot")
    assert dotted["x"] == ["2 Mar", "9 Mar"]


def test_without_a_running_period_nothing_is_marked_so_far():
    points = [(MONDAY - timedelta(weeks=1), Split(promoters=40))]
    figure = _figure(points, grain="week", today=MONDAY)
    assert "This week, so far" not in _traces(figure)
    assert not figure["layout"].get("annotations")


def test_few_answer_points_are_grey_with_their_margin():
    few, many = Split(promoters=2, detractors=1), Split(promoters=FEW_ANSWERS)
    figure = _figure([(MONDAY - timedelta(weeks=1), few), (MONDAY, many)], grain="week")
    nps = _traces(figure)["NPS"]
    assert nps["marker"]["color"] == ["#9ca3af", "#4f46e5"]
    assert nps["error_y"]["visible"] is True
    assert nps["error_y"]["array"][0] == round(few.margin, 1) and nps["error_y"]["array"][1] is None


def test_enough_answers_show_no_error_bars():
    figure = _figure([(MONDAY, Split(promoters=FEW_ANSWERS))], grain="week")
    assert _traces(figure)["NPS"]["error_y"]["visible"] is False


def test_few_answers_starts_at_one_and_ends_at_the_threshold():
    assert not Split().is_few
    assert Split(detractors=1).is_few
    assert Split(passives=FEW_ANSWERS - 1).is_few
    assert not Split(passives=FEW_ANSWERS).is_few
