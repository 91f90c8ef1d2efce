"""The Themes panel's arithmetic (dashboards.metrics.theme_impact, share_rise_z) against brute force and
simulation: pure functions, no database."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboards.metrics import DETRACTOR, PASSIVE, PROMOTER, Z_95, Split, share_rise_z, theme_impact


def nps_of(scores: list[int]) -> float:
    return 100.0 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


def test_impact_on_a_hand_computed_example():
    # 50 promoters, 20 passives, 30 detractors: NPS 20. Late delivery is on 12 detractors' comments.
    overall = Split(50, 20, 30)
    impact = theme_impact(overall, 12, DETRACTOR)
    # Without them: 88 answers, 50 promoters, 18 detractors: NPS 36.36…; it costs 16.36 points.
    assert impact.points == pytest.approx(100 * 32 / 88 - 20)
    # Delta method by hand: r = .12, p = .5, d = .18, u = .32; g = (1/.88 − 1, −(1/.88 − 1), .32/.88² + 1).
    g = (1 / 0.88 - 1, -(1 / 0.88 - 1), 0.32 / 0.88**2 + 1)
    pi = (0.5, 0.18, 0.12)
    mean = sum(a * b for a, b in zip(g, pi, strict=True))
    variance = (sum(a * a * b for a, b in zip(g, pi, strict=True)) - mean**2) / 100
    assert impact.margin == pytest.approx(100 * Z_95 * math.sqrt(variance))
    assert impact.is_significant
    # Promoters: "Friendly staff" on 20 promoters' comments earns overall − NPS without them.
    earned = theme_impact(overall, 20, PROMOTER)
    assert earned.points == pytest.approx(20 - 100 * (30 - 30) / 80)


def test_nothing_removed_costs_nothing_and_everything_removed_has_no_answer():
    assert theme_impact(Split(5, 0, 5), 0, DETRACTOR).points == 0
    assert theme_impact(Split(0, 0, 5), 5, DETRACTOR) is None
    assert theme_impact(Split(), 0, PROMOTER) is None
    with pytest.raises(ValueError):
        theme_impact(Split(1, 1, 1), 2, DETRACTOR)
    with pytest.raises(ValueError):
        theme_impact(Split(1, 1, 1), 1, PASSIVE)


splits = st.builds(Split, st.integers(0, 400), st.integers(0, 400), st.integers(0, 400)).filter(
    lambda s: s.total > 0
)


@given(splits, st.data(), st.sampled_from([PROMOTER, DETRACTOR]))
def test_impact_equals_the_nps_of_the_answers_without_the_theme(overall, data, group):
    removed = data.draw(st.integers(0, overall.count(group)))
    impact = theme_impact(overall, removed, group)
    scores = [10] * overall.promoters + [7] * overall.passives + [0] * overall.detractors
    theme_score = 10 if group == PROMOTER else 0
    rest = list(scores)
    for _ in range(removed):
        rest.remove(theme_score)
    if not rest:
        assert impact is None
        return
    expected = nps_of(rest) - nps_of(scores) if group == DETRACTOR else nps_of(scores) - nps_of(rest)
    assert impact.points == pytest.approx(expected, abs=1e-9)
    # Removing detractors never lowers the NPS; removing promoters never raises it.
    assert impact.points >= -1e-9
    assert impact.margin >= 0


@settings(max_examples=12, deadline=None)
@given(
    st.integers(300, 3000),
    st.floats(0.2, 0.6),
    st.floats(0.1, 0.4),
    st.floats(0.1, 0.6),
    st.sampled_from([PROMOTER, DETRACTOR]),
)
def test_the_margin_matches_a_simulation(n, promoters, detractors, theme_share, group):
    """The delta method's 95% half-width against the spread of the impact over 4,000 simulated surveys."""
    if promoters + detractors > 0.95:
        return
    share_of_group = promoters if group == PROMOTER else detractors
    r = share_of_group * theme_share  # the theme's answers, a part of the group
    cells = {
        "r": r,
        "p": promoters - (r if group == PROMOTER else 0),
        "d": detractors - (r if group == DETRACTOR else 0),
    }
    cells["passive"] = 1 - sum(cells.values())
    rng = np.random.default_rng(n)
    draws = rng.multinomial(n, list(cells.values()), size=4000)
    points = []
    for hit, p, d, passives in draws:
        overall = Split(
            p + (hit if group == PROMOTER else 0), passives, d + (hit if group == DETRACTOR else 0)
        )
        impact = theme_impact(overall, int(hit), group)
        if impact is not None:
            points.append(impact.points)
    simulated = Z_95 * float(np.std(points))
    expected = Split(
        round(n * (cells["p"] + (r if group == PROMOTER else 0))),
        round(n * cells["passive"]),
        round(n * (cells["d"] + (r if group == DETRACTOR else 0))),
    )
    removed = min(round(n * r), expected.count(group))
    delta = theme_impact(expected, removed, group).margin
    assert delta == pytest.approx(simulated, rel=0.15)


def test_rising_is_a_two_proportion_z_test():
    # 30 of 100 comments now against 100 of 1,000 before: pooled 130/1100.
    pooled = 130 / 1100
    expected = (0.3 - 0.1) / math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 1000))
    assert share_rise_z(30, 100, 100, 1000) == pytest.approx(expected)
    assert share_rise_z(30, 100, 100, 1000) > Z_95
    assert share_rise_z(10, 100, 100, 1000) == pytest.approx(0)
    assert share_rise_z(0, 0, 1, 10) is None
    assert share_rise_z(0, 10, 0, 10) is None


@given(st.integers(0, 200), st.integers(1, 200), st.integers(0, 500), st.integers(1, 500))
def test_rising_z_is_antisymmetric(a, n, b, m):
    a, b = min(a, n), min(b, m)
    forward, backward = share_rise_z(a, n, b, m), share_rise_z(b, m, a, n)
    if forward is None:
        assert backward is None
    else:
        assert forward == pytest.approx(-backward)
