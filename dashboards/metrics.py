"""Pure NPS arithmetic on plain numbers: no database, so it is tested by properties in microseconds."""

import math
from dataclasses import dataclass

# The only place with the NPS groups and their bounds: everything else names them from here.
PROMOTER, PASSIVE, DETRACTOR = "promoter", "passive", "detractor"
PROMOTER_MIN = 9  # 9–10: promoters
PASSIVE_MIN = 7  # 7–8: passives; 0–6: detractors
Z_95 = 1.959963984540054
# Below this many answers the dashboards show an NPS as a rough sign, with its margin: at 30 answers the 95%
# margin can still be over ±30 points, and one more answer can move the NPS by over 6.
FEW_ANSWERS = 30


@dataclass(frozen=True)
class Group:
    name: str  # "promoter": in URLs, APIs, CSS classes and campaign fields (followup_promoter …)
    label: str  # "Promoters"
    low: int  # lowest score, included
    high: int  # highest score, included

    @property
    def label_with_scores(self) -> str:
        """The label and the scores, e.g. "Promoters (9–10)"."""
        return f"{self.label} ({self.low}–{self.high})"


# Best first, as the campaign form and the comments page list them; reversed() for worst first.
GROUPS = (
    Group(PROMOTER, "Promoters", PROMOTER_MIN, 10),
    Group(PASSIVE, "Passives", PASSIVE_MIN, PROMOTER_MIN - 1),
    Group(DETRACTOR, "Detractors", 0, PASSIVE_MIN - 1),
)
GROUP_NAMES = tuple(group.name for group in GROUPS)
LABELS = {group.name: group.label for group in GROUPS}
# The scores of each group, both ends included: {"promoter": (9, 10), …}.
SCORES_OF = {group.name: (group.low, group.high) for group in GROUPS}


def group_of(score: int) -> str:
    """9–10 promoter, 7–8 passive, 0–6 detractor."""
    if not 0 <= score <= 10:
        raise ValueError(f"An NPS score is 0–10, not {score}.")
    if score >= PROMOTER_MIN:
        return PROMOTER
    if score >= PASSIVE_MIN:
        return PASSIVE
    return DETRACTOR


def response_rate(answers: int, sent: int) -> float | None:
    """Answers per survey sent, in percent; None (not 0) when nothing was sent."""
    return 100.0 * answers / sent if sent else None


@dataclass(frozen=True)
class Split:
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @classmethod
    def from_distribution(cls, counts: dict[int, int]) -> "Split":
        """Build from {score: count}."""
        split = {PROMOTER: 0, PASSIVE: 0, DETRACTOR: 0}
        for score, count in counts.items():
            split[group_of(score)] += count
        return cls(split[PROMOTER], split[PASSIVE], split[DETRACTOR])

    @property
    def total(self) -> int:
        return self.promoters + self.passives + self.detractors

    def count(self, group: str) -> int:
        """The answers in a group, by its name."""
        return {PROMOTER: self.promoters, PASSIVE: self.passives, DETRACTOR: self.detractors}[group]

    def percent(self, group: str) -> float | None:
        if not self.total:
            return None
        return 100.0 * self.count(group) / self.total

    @property
    def nps(self) -> float | None:
        """%promoters − %detractors, −100…+100; None (not 0) when there is no answer."""
        if not self.total:
            return None
        return 100.0 * (self.promoters - self.detractors) / self.total

    @property
    def margin(self) -> float | None:
        """Half-width of the 95% interval, in NPS points (adjusted Wald, Rocks 2016)."""
        interval = nps_interval(self.promoters, self.passives, self.detractors)
        return None if interval is None else (interval[1] - interval[0]) / 2

    @property
    def is_few(self) -> bool:
        """Too few answers (but some) for the NPS to be more than a rough sign: see FEW_ANSWERS."""
        return 0 < self.total < FEW_ANSWERS

    def __add__(self, other: "Split") -> "Split":
        return Split(
            self.promoters + other.promoters,
            self.passives + other.passives,
            self.detractors + other.detractors,
        )


def nps_interval(
    promoters: int, passives: int, detractors: int, z: float = Z_95
) -> tuple[float, float] | None:
    """95% confidence interval of the NPS by the adjusted Wald method (Rocks 2016).

    Adds 3/4 of an answer to promoters and to detractors (3 answers in all) before the usual variance of a
    difference of two proportions of one multinomial sample; the interval is clipped to −100…+100.
    """
    n = promoters + passives + detractors
    if n == 0:
        return None
    n_adj = n + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    centre = p - d
    variance = p + d - centre**2
    half = z * math.sqrt(variance / n_adj)
    return (max(-100.0, 100 * (centre - half)), min(100.0, 100 * (centre + half)))


def differs_significantly(a: Split, b: Split, z: float = Z_95) -> bool:
    """Whether two independent NPS values differ by more than the noise (adjusted Wald, two samples)."""
    if not a.total or not b.total:
        return False

    def centre_and_variance(s: Split) -> tuple[float, float, int]:
        n_adj = s.total + 3
        p = (s.promoters + 0.75) / n_adj
        d = (s.detractors + 0.75) / n_adj
        return p - d, (p + d - (p - d) ** 2) / n_adj, n_adj

    ca, va, _ = centre_and_variance(a)
    cb, vb, _ = centre_and_variance(b)
    return abs(ca - cb) > z * math.sqrt(va + vb)


def proportion_interval(hits: int, total: int, z: float = Z_95) -> tuple[float, float] | None:
    """95% confidence interval of a share, in percent, by the adjusted Wald method (Agresti–Coull).

    The same family as the NPS interval above: add z²/2 successes and z²/2 failures, then the usual normal
    interval, clipped to 0…100. Honest at small samples, where the plain Wald interval is far too narrow.
    """
    if total <= 0:
        return None
    if not 0 <= hits <= total:
        raise ValueError(f"A share is 0…{total} out of {total}, not {hits}.")
    n_adj = total + z**2
    p = (hits + z**2 / 2) / n_adj
    half = z * math.sqrt(p * (1 - p) / n_adj)
    return (max(0.0, 100 * (p - half)), min(100.0, 100 * (p + half)))


@dataclass(frozen=True)
class Proportion:
    """A share of a count (detractors followed up, re-surveyed customers whose score rose), with its margin."""

    hits: int = 0
    total: int = 0

    @property
    def percent(self) -> float | None:
        """None (not 0) when there is nothing to share."""
        return 100.0 * self.hits / self.total if self.total else None

    @property
    def margin(self) -> float | None:
        """Half-width of the 95% interval, in percentage points."""
        interval = proportion_interval(self.hits, self.total)
        return None if interval is None else (interval[1] - interval[0]) / 2


# ---- Themes: what a theme costs or earns (dashboards.themes) ----


@dataclass(frozen=True)
class Impact:
    """NPS points a theme moves the overall NPS by, with the half-width of its 95% interval."""

    points: float
    margin: float

    @property
    def is_significant(self) -> bool:
        """The interval leaves out zero: the effect is larger than the noise."""
        return abs(self.points) > self.margin


def theme_impact(overall: Split, removed: int, group: str, z: float = Z_95) -> Impact | None:
    """How many NPS points `removed` answers of `group` (a theme's detractors or promoters) move the overall
    NPS, positive when they cost (detractors) or earn (promoters) points:

        detractors: NPS without them − overall NPS        promoters: overall NPS − NPS without them

    The margin is the delta method on the multinomial proportions of one sample of n answers, with cells
    r (the removed answers), the other promoters p and the other detractors d (passives the rest):
    f = (p − d)/(1 − r) − (p − d + s·r), s = +1 for promoters, −1 for detractors, and
    Var f = (Σ gᵢ² πᵢ − (Σ gᵢ πᵢ)²) / n with g the gradient of f. None when nothing would be left.
    """
    if group not in (PROMOTER, DETRACTOR):
        raise ValueError(f"A theme costs or earns points among promoters or detractors, not {group}.")
    n = overall.total
    if not 0 <= removed <= overall.count(group):
        raise ValueError(f"{removed} answers are not among the {overall.count(group)} {group}s.")
    if n == 0 or removed >= n:
        return None
    sign = 1 if group == PROMOTER else -1
    r = removed / n
    p = (overall.promoters - (removed if group == PROMOTER else 0)) / n
    d = (overall.detractors - (removed if group == DETRACTOR else 0)) / n
    u = p - d
    without_minus_overall = u / (1 - r) - (u + sign * r)
    gradient = {"p": 1 / (1 - r) - 1, "d": -(1 / (1 - r) - 1), "r": u / (1 - r) ** 2 - sign}
    shares = {"p": p, "d": d, "r": r}
    mean = sum(gradient[c] * shares[c] for c in shares)
    variance = max(sum(gradient[c] ** 2 * shares[c] for c in shares) - mean**2, 0.0) / n
    points = -sign * without_minus_overall * 100
    return Impact(points=points, margin=z * math.sqrt(variance) * 100)


def share_rise_z(recent_hits: int, recent_total: int, earlier_hits: int, earlier_total: int) -> float | None:
    """Two-proportion z statistic (pooled) of a share in the recent period against the earlier periods:
    positive when the recent share is higher. None when either period has nothing, or the pooled share is
    0 or 1 (no variance to compare with)."""
    if recent_total <= 0 or earlier_total <= 0:
        return None
    pooled = (recent_hits + earlier_hits) / (recent_total + earlier_total)
    if pooled <= 0 or pooled >= 1:
        return None
    spread = math.sqrt(pooled * (1 - pooled) * (1 / recent_total + 1 / earlier_total))
    return (recent_hits / recent_total - earlier_hits / earlier_total) / spread
