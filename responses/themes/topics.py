"""The learned topic model: per language group a TF-IDF vocabulary and the NMF topics' directions, and which
theme each topic became. Stored as numpy arrays in an .npz (no pickle) on the ThemeRun that learned it.

A comment's topics are the directions its TF-IDF vector is closest to (cosine): the same arithmetic for the
full learn and for each new comment, so a comment gets the same themes whichever way it arrives.
"""

import io
import json
from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .concepts import concepts_of
from .text import tokens

# Languages without a lemmatiser: words also count by their 4-letter pieces, so "பணத்தை" and "பணம்"
# share features (Tamil and Bengali glue endings onto words).
CHAR_GROUPS = frozenset({"ta", "bn", "te", "kn", "ml", "gu", "pa", "or"})
# A comment has a topic when its cosine to the topic's direction reaches this and is within SECOND of its
# best topic (a second theme only when it is nearly as strong).
MIN_WEIGHT = 0.12
# Each glossary concept counts this many times in a comment: the shared concepts, not the words peculiar to
# one comment, should shape the topics (measured on the evaluation set: ARI 0.32 once, 0.40 twice, 0.42 three times).
CONCEPT_WEIGHT = 3
SECOND = 0.6
MAX_THEMES_PER_TOPIC_MATCH = 2


def analyser(group: str):
    """Features of one normalised comment: its words (lemmas, no stop words), pairs of neighbouring words,
    the glossary's concepts ("@delivery", shared by every language), and in CHAR_GROUPS the words' 4-letter
    pieces."""
    with_pieces = group in CHAR_GROUPS

    def analyse(text: str) -> list[str]:
        words = tokens(text, group)
        features = list(words)
        features.extend(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
        features.extend(concepts_of(words) * CONCEPT_WEIGHT)
        if with_pieces:
            for word in words:
                if len(word) > 5:
                    features.extend(f"#{word[i : i + 4]}" for i in range(len(word) - 3))
        return features

    return analyse


POOLED = "*"  # one model over every language group: its documents are "group\x1ftext"


def pooled_doc(text: str, group: str) -> str:
    return f"{group}\x1f{text}"


def pooled_analyser():
    """Features of a pooled document: its own language group's features."""
    by_group: dict[str, object] = {}

    def analyse(doc: str) -> list[str]:
        group, _, text = doc.partition("\x1f")
        fn = by_group.get(group)
        if fn is None:
            fn = by_group[group] = analyser(group)
        return fn(text)  # type: ignore[operator]

    return analyse


def vectoriser(group: str, **options) -> TfidfVectorizer:
    if group == POOLED:
        return TfidfVectorizer(analyzer=pooled_analyser(), sublinear_tf=True, dtype=np.float32, **options)
    return TfidfVectorizer(analyzer=analyser(group), sublinear_tf=True, dtype=np.float32, **options)


@dataclass
class GroupModel:
    group: str
    vocabulary: list[str]
    idf: np.ndarray
    directions: np.ndarray  # topics × features, rows of unit length
    theme_ids: np.ndarray  # per topic: the theme it went to, or -1
    _vectoriser: TfidfVectorizer | None = field(default=None, repr=False)

    def vectorise(self, texts: list[str]):
        if self._vectoriser is None:
            self._vectoriser = vectoriser(self.group, vocabulary=self.vocabulary)
            self._vectoriser.idf_ = self.idf
        return self._vectoriser.transform(texts)

    def topic_weights(self, texts: list[str]) -> np.ndarray:
        """Comments × topics: the cosine of each comment to each topic."""
        if not len(texts) or not len(self.directions):
            return np.zeros((len(texts), len(self.directions)), dtype=np.float32)
        return np.asarray((self.vectorise(texts) @ self.directions.T), dtype=np.float32)


def topics_of(weights: np.ndarray) -> list[list[tuple[int, float]]]:
    """Per comment, its topics (index, weight): the best when it reaches MIN_WEIGHT, and the next when it is
    nearly as strong."""
    out: list[list[tuple[int, float]]] = []
    if weights.shape[1] == 0:
        return [[] for _ in range(weights.shape[0])]
    order = np.argsort(-weights, axis=1)[:, :MAX_THEMES_PER_TOPIC_MATCH]
    for row, best in zip(weights, order, strict=True):
        top = float(row[best[0]])
        chosen: list[tuple[int, float]] = []
        if top >= MIN_WEIGHT:
            chosen.append((int(best[0]), top))
            for index in best[1:]:
                weight = float(row[index])
                if weight >= MIN_WEIGHT and weight >= SECOND * top:
                    chosen.append((int(index), weight))
        out.append(chosen)
    return out


@dataclass
class TopicModel:
    groups: dict[str, GroupModel]

    def themes(self, texts: list[str], groups: list[str]) -> list[list[tuple[int, float]]]:
        """Per normalised comment (with its language group): [(theme id, weight)] from its topics."""
        out: list[list[tuple[int, float]]] = [[] for _ in texts]
        by_group: dict[str, list[int]] = {}
        for index, group in enumerate(groups):
            if group in self.groups:
                by_group.setdefault(group, []).append(index)
            elif POOLED in self.groups and group:
                by_group.setdefault(POOLED, []).append(index)
        for group, indexes in by_group.items():
            model = self.groups[group]
            if group == POOLED:
                docs = [pooled_doc(texts[i], groups[i]) for i in indexes]
            else:
                docs = [texts[i] for i in indexes]
            found = topics_of(model.topic_weights(docs))
            for index, chosen in zip(indexes, found, strict=True):
                seen: dict[int, float] = {}
                for topic, weight in chosen:
                    theme = int(model.theme_ids[topic])
                    if theme > 0 and weight > seen.get(theme, 0.0):
                        seen[theme] = weight
                out[index] = list(seen.items())
        return out

    def to_bytes(self) -> bytes:
        arrays: dict[str, np.ndarray] = {}
        names = sorted(self.groups)
        arrays["groups"] = np.array(json.dumps(names))
        for n, name in enumerate(names):
            model = self.groups[name]
            arrays[f"vocabulary{n}"] = np.array(model.vocabulary, dtype=str)
            arrays[f"idf{n}"] = model.idf.astype(np.float32)
            arrays[f"directions{n}"] = model.directions.astype(np.float32)
            arrays[f"themes{n}"] = model.theme_ids.astype(np.int64)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes | memoryview | None) -> "TopicModel":
        if not data:
            return cls(groups={})
        with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as arrays:
            names = json.loads(str(arrays["groups"]))
            groups = {
                name: GroupModel(
                    group=name,
                    vocabulary=arrays[f"vocabulary{n}"].tolist(),
                    idf=arrays[f"idf{n}"],
                    directions=arrays[f"directions{n}"],
                    theme_ids=arrays[f"themes{n}"],
                )
                for n, name in enumerate(names)
            }
        return cls(groups=groups)
