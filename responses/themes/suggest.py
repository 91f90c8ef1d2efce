"""Hand tags teach the suggestions: a small linear classifier per theme, trained on people's tags.

Once a theme has MIN_TAGS hand-tagged comments (positives) and as many negatives (its hand removals, then
comments that have other themes but not this one), a logistic regression over hashed character n-grams of
the normalised comment learns it. Character n-grams need no tokeniser, so one method reads every script;
hashing needs no vocabulary, so the model is a vector of coefficients, stored as numpy arrays (.npz, no
pickle). Its precision is cross-validated on the tags when it is trained; below MIN_PRECISION it suggests
nothing. The assigner writes what `Suggester.predict` finds as `learned` rows, which pages show as
suggestions to confirm (a hand tag) or remove (a hand removal).
"""

import io
import logging

import numpy as np
from django.db.models import Count, Q
from django.utils import timezone
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from ..models import COUNTED_THEME_SOURCES, AnswerTheme, Theme, ThemeClassifier
from .text import normalise

log = logging.getLogger(__name__)

Source = AnswerTheme.Source
MIN_TAGS = 15  # hand tags, and as many negatives, before a theme learns
MIN_PRECISION = 0.7  # cross-validated; below it the theme suggests nothing
MIN_PROBABILITY = 0.8  # a suggestion needs at least this
MAX_NEGATIVES = 20_000  # comments of other themes read as negatives (the newest), besides hand removals
N_FEATURES = 2**18


def vectorizer() -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), n_features=N_FEATURES, alternate_sign=False
    )


def training_set(theme: Theme) -> tuple[list[str], list[int]]:
    """(normalised comments, 1 for this theme / 0 for not), from people's tags."""
    rows = AnswerTheme.objects.filter(theme=theme).exclude(answer__comment="")
    positives = dict(rows.filter(source=Source.HAND).values_list("answer_id", "answer__comment"))
    negatives = dict(rows.filter(source=Source.REMOVED).values_list("answer_id", "answer__comment"))
    want = min(MAX_NEGATIVES, max(len(positives) * 5, 2_000))
    if positives:
        has_theme = AnswerTheme.objects.filter(theme=theme, source__in=COUNTED_THEME_SOURCES)
        others = (
            AnswerTheme.objects.filter(source__in=COUNTED_THEME_SOURCES, theme__hidden=False)
            .exclude(theme=theme)
            .exclude(answer__comment="")
            .exclude(answer_id__in=has_theme.values("answer_id"))
            .exclude(answer_id__in=list(negatives))
            .order_by("-answer_id")
            .values_list("answer_id", "answer__comment")
            .distinct()[:want]
        )
        negatives.update(dict(others))
    texts = [normalise(c) for c in positives.values()] + [normalise(c) for c in negatives.values()]
    return texts, [1] * len(positives) + [0] * len(negatives)


def _pack(coef: np.ndarray, intercept: float) -> bytes:
    """The non-zero coefficients (hashed feature index, value) and the intercept, as an .npz."""
    index = np.flatnonzero(coef).astype(np.int32)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer, index=index, value=coef[index].astype(np.float32), intercept=np.array([intercept], np.float64)
    )
    return buffer.getvalue()


def _unpack(data: bytes) -> tuple[np.ndarray, np.ndarray, float]:
    with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as arrays:
        return arrays["index"], arrays["value"], float(arrays["intercept"][0])


def train(theme: Theme) -> ThemeClassifier | None:
    """Train the theme's suggestions on its hand tags; None (and no classifier) while there are too few."""
    texts, labels = training_set(theme)
    positives = sum(labels)
    negatives = len(labels) - positives
    if positives < MIN_TAGS or negatives < MIN_TAGS:
        ThemeClassifier.objects.filter(theme=theme).delete()
        return None
    features = vectorizer().transform(texts)
    target = np.array(labels)
    # C=10 (weaker regularisation than the default 1): with a few dozen tags the default keeps even clear cases
    # under MIN_PROBABILITY, so a theme would suggest nothing until hundreds were tagged.
    model = LogisticRegression(class_weight="balanced", C=10.0, max_iter=1_000)
    folds = StratifiedKFold(n_splits=min(5, positives, negatives), shuffle=True, random_state=0)
    predicted = cross_val_predict(model, features, target, cv=folds)
    precision = float(precision_score(target, predicted, zero_division=0))
    model.fit(features, target)
    classifier, _ = ThemeClassifier.objects.update_or_create(
        theme=theme,
        defaults={
            "positives": positives,
            "negatives": negatives,
            "precision": precision,
            "model": _pack(model.coef_[0], float(model.intercept_[0])),
            "trained_at": timezone.now(),
        },
    )
    log.info(
        "theme %s: suggestions trained on %s + %s, precision %.2f", theme.pk, positives, negatives, precision
    )
    return classifier


def train_all() -> int:
    """Retrain every active theme with enough hand tags (nightly); drop the classifiers of the others."""
    counted = Theme.objects.filter(hidden=False, retired=False, merged_into=None).annotate(
        hand=Count("answer_links", filter=Q(answer_links__source=Source.HAND))
    )
    ready = list(counted.filter(hand__gte=MIN_TAGS))
    ThemeClassifier.objects.exclude(theme__in=ready).delete()
    return sum(1 for theme in ready if train(theme) is not None)


class Suggester:
    """The classifiers good enough to suggest, as one matrix: predicts for many comments at once."""

    def __init__(self, theme_ids: list[int], weights: sparse.csc_matrix, intercepts: np.ndarray):
        self.theme_ids = theme_ids
        self.weights = weights  # (N_FEATURES, themes)
        self.intercepts = intercepts
        self._vectorizer = vectorizer()

    @classmethod
    def load(cls) -> "Suggester":
        rows = ThemeClassifier.objects.filter(
            precision__gte=MIN_PRECISION,
            theme__hidden=False,
            theme__retired=False,
            theme__merged_into=None,
        ).order_by("theme_id")
        theme_ids, columns, indices, values, intercepts = [], [], [], [], []
        for column, (theme_id, model) in enumerate(rows.values_list("theme_id", "model")):
            index, value, intercept = _unpack(model)
            theme_ids.append(theme_id)
            indices.append(index)
            values.append(value)
            columns.append(np.full(len(index), column, dtype=np.int32))
            intercepts.append(intercept)
        if not theme_ids:
            return cls([], sparse.csc_matrix((N_FEATURES, 0)), np.zeros(0))
        weights = sparse.csc_matrix(
            (np.concatenate(values), (np.concatenate(indices), np.concatenate(columns))),
            shape=(N_FEATURES, len(theme_ids)),
        )
        return cls(theme_ids, weights, np.array(intercepts))

    def __bool__(self) -> bool:
        return bool(self.theme_ids)

    def predict(self, normalised_texts: list[str]) -> list[list[tuple[int, float]]]:
        """For each text, the suggested themes with their probability (≥ MIN_PROBABILITY), likeliest first."""
        if not self.theme_ids or not normalised_texts:
            return [[] for _ in normalised_texts]
        features = self._vectorizer.transform(normalised_texts)
        scores = np.asarray((features @ self.weights).todense()) + self.intercepts
        probabilities = 1.0 / (1.0 + np.exp(-scores))
        out = []
        for row in probabilities:
            found = [(self.theme_ids[i], float(row[i])) for i in np.flatnonzero(row >= MIN_PROBABILITY)]
            out.append(sorted(found, key=lambda item: -item[1]))
        return out
