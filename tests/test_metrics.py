import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboards.metrics import (
    GROUPS,
    SCORES_OF,
    Split,
    differs_significantly,
    group_of,
    nps_interval,
    response_rate,
)


@pytest.mark.parametrize(
    ("score", "group"),
    [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"), (9, "promoter"), (10, "promoter")],
)
def test_group_boundaries(score, group):
    assert group_of(score) == group


@pytest.mark.parametrize("score", [-1, 11])
def test_scores_outside_0_10_are_refused(score):
    with pytest.raises(ValueError, match="0–10"):
        group_of(score)


def test_the_groups_cover_every_score_once_and_agree_with_group_of():
    covered = [score for group in GROUPS for score in range(group.low, group.high + 1)]
    assert sorted(covered) == list(range(11))
    for group in GROUPS:
        assert {group_of(score) for score in range(group.low, group.high + 1)} == {group.name}
        assert SCORES_OF[group.name] == (group.low, group.high)
    assert [group.label_with_scores for group in GROUPS] == [
        "Promoters (9–10)",
        "Passives (7–8)",
        "Detractors (0–6)",
    ]


def test_response_rate_is_answers_per_survey_sent_and_none_without_any():
    assert response_rate(3, 12) == 25.0
    assert response_rate(0, 5) == 0.0
    assert response_rate(0, 0) is None


def test_empty_set_has_no_nps_not_zero():
    split = Split()
    assert split.nps is None
    assert split.margin is None
    assert split.percent("promoter") is None


def test_all_promoters_is_plus_100_and_all_detractors_minus_100():
    assert Split(promoters=40).nps == 100.0
    assert Split(detractors=7).nps == -100.0


def test_hand_checked_mix():
    # 50 promoters, 30 passives, 20 detractors: 50% − 20% = 30
    split = Split.from_distribution({10: 20, 9: 30, 8: 10, 7: 20, 6: 5, 0: 15})
    assert (split.promoters, split.passives, split.detractors) == (50, 30, 20)
    assert split.nps == pytest.approx(30.0)
    assert split.percent("passive") == pytest.approx(30.0)


def test_adjusted_wald_interval_matches_hand_computation():
    # n=100, P=50, D=20 → n'=103, p'=50.75/103, d'=20.75/103
    low, high = nps_interval(50, 30, 20)
    p, d = 50.75 / 103, 20.75 / 103
    half = 1.959963984540054 * (((p + d) - (p - d) ** 2) / 103) ** 0.5
    assert low == pytest.approx(100 * (p - d - half))
    assert high == pytest.approx(100 * (p - d + half))


def test_one_response_has_a_wide_interval():
    split = Split(promoters=1)
    assert split.nps == 100.0
    assert split.margin > 50


@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500))
def test_nps_and_interval_stay_in_range(p, q, d):
    split = Split(p, q, d)
    if split.total == 0:
        assert split.nps is None
        return
    assert -100 <= split.nps <= 100
    low, high = nps_interval(p, q, d)
    assert -100 <= low <= high <= 100


@given(st.integers(1, 300), st.integers(0, 300), st.integers(1, 300))
def test_more_answers_of_the_same_mix_narrow_the_interval(p, q, d):
    assert Split(4 * p, 4 * q, 4 * d).margin < Split(p, q, d).margin


def test_significance_needs_a_real_difference():
    assert not differs_significantly(Split(10, 5, 5), Split(11, 5, 4))
    assert differs_significantly(Split(800, 100, 100), Split(100, 100, 800))
    assert not differs_significantly(Split(), Split(5, 5, 5))
