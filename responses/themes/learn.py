"""A full learn of the themes: read every comment, find topics per language group, align them across
languages, keep people's edits, give every comment its themes (the method and its limits: docs/themes.md).

1. Each comment's language group (responses.themes.text) and normalised text.
2. Per group with at least MIN_GROUP comments: TF-IDF over lemmas, word pairs (and 4-letter pieces where
   no lemmatiser exists), then NMF (scikit-learn) with about one topic per 20 comments, at most
   MAX_TOPICS, fitted on at most SAMPLE comments; near-identical topics folded, tiny ones dropped.
3. Each topic's key phrases by YAKE over its most typical comments: its label.
4. Topics of different groups that share words or loan words (responses.themes.align) become one theme; a
   theme whose comments mostly use a rule theme's words becomes that rule theme.
5. Themes are matched to the existing ones by their words, so names, hidden, pinned and merges stay; a
   theme no longer found is retired when someone had touched it, deleted otherwise.
6. Every comment's automatic themes are replaced in one transaction; the model is kept on the run for the
   comments that arrive until the next learn.
"""

import logging
import math
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from sklearn.decomposition import NMF

from responses.models import Answer, AnswerTheme, Theme, ThemeRun

from . import align, assign, text
from .topics import POOLED, GroupModel, TopicModel, pooled_doc, topics_of, vectoriser

log = logging.getLogger(__name__)

MIN_GROUP = 30
MAX_TOPICS = 12
COMMENTS_PER_TOPIC = 20
SAMPLE = 40_000
MIN_TOPIC_SHARE = 0.01  # of the group's comments (and at least MIN_TOPIC_COMMENTS)
MIN_TOPIC_COMMENTS = 3
SAME_TOPIC = 0.6  # cosine of two topics' directions above which they are one
ALIGN_MIN = 0.25  # similarity of two languages' topics to be one theme
MATCH_MIN = 0.3  # similarity of a new theme to an existing one to keep its id and edits
RULE_ABSORB = 0.5  # share of a theme's comments using a rule theme's words to become that rule theme
TOP_TERMS = 20
LABEL_COMMENTS = 150
CHUNK = 50_000
POOL = False

Progress = Callable[[float, str], None]


def _comments_by_id(ids: list[int]) -> list[str]:
    found = dict(Answer.objects.filter(pk__in=ids).values_list("pk", "comment"))
    return [found.get(pk, "") for pk in ids]


@dataclass
class Corpus:
    ids: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # normalised
    groups: list[str] = field(default_factory=list)
    # Some comments as written, by id (labels keep "UPI" and "WhatsApp" as customers write them).
    written: Callable[[list[int]], list[str]] = _comments_by_id


@dataclass
class Topic:
    group: str
    index: int  # its row in the group's model
    terms: dict[str, float]
    comments: list[int]  # corpus indexes
    weights: list[float]  # the comments' cosine to the topic
    phrases: dict[str, list[str]] = field(default_factory=dict)  # key phrases per language group


def _corpus(rows, progress: Progress | None = None, total: int = 1) -> Corpus:
    """(id, comment, survey language) rows with letters in them, normalised, with their language group (each
    distinct text and survey language read once)."""
    corpus = Corpus()
    groups_of: dict[tuple[str, str], str] = {}
    for n, (pk, comment, hint) in enumerate(rows):
        normalised = text.normalise(comment)
        group = groups_of.get((normalised, hint))
        if group is None:
            group = groups_of[normalised, hint] = text.group_of(normalised, hint)
        if group:
            corpus.ids.append(pk)
            corpus.texts.append(normalised)
            corpus.groups.append(group)
        if progress and n % 20_000 == 0:
            progress(0.02 + 0.18 * n / total, f"Reading comments and their languages ({n:,} of {total:,})")
    return corpus


def corpus_of(comments) -> Corpus:
    """A corpus of plain texts (the benchmark's evaluation set); ids are their positions."""
    comments = list(comments)
    corpus = _corpus((i, comment, "") for i, comment in enumerate(comments))
    corpus.written = lambda ids: [comments[i] for i in ids]
    return corpus


def read_corpus(progress: Progress) -> Corpus:
    """Every comment with letters in it, normalised, with its language group."""
    total = Answer.objects.exclude(comment="").count() or 1
    rows = Answer.objects.exclude(comment="").order_by().values_list("pk", "comment", "language")
    return _corpus(rows.iterator(chunk_size=5000), progress, total)


def _repeats(phrase: str, phrases: list[str], group: str) -> bool:
    """The phrase says nothing the chosen ones do not ("gst" beside "gst invoices", "sales reports" beside
    "sales report"), or the reverse."""
    words = _lemmas(phrase, group)
    return any(words <= other or other <= words for other in (_lemmas(p, group) for p in phrases))


def _trimmed(phrase: str) -> str:
    """Without the punctuation YAKE leaves at its ends (the Bengali "।", "?", "؟"); vowel signs stay."""
    start, end = 0, len(phrase)
    while start < end and unicodedata.category(phrase[start])[0] in "PZ":
        start += 1
    while end > start and unicodedata.category(phrase[end - 1])[0] in "PZ":
        end -= 1
    return phrase[start:end]


def _lemmas(phrase: str, group: str) -> set[str]:
    return {text.lemma(word, group) for word in phrase.split()}


def _as_written(phrase: str, written: list[str]) -> str:
    """The phrase with each word as customers mostly write it when that is not lower case: an acronym
    ("upi" → "UPI") or a brand ("whatsapp" → "WhatsApp"); a capital only at a sentence's start does not count."""
    out = []
    for word in phrase.split():
        forms: dict[str, int] = {}
        if word.isalpha() and word.isascii():
            for comment in written:
                for match in re.finditer(rf"(?<![\w]){re.escape(word)}(?![\w])", comment, re.IGNORECASE):
                    form = match.group()
                    forms[form] = forms.get(form, 0) + 1
        lower = forms.get(word, 0)
        best = max(forms, key=forms.__getitem__, default=word)
        shaped = (best.isupper() and len(best) > 1) or best[1:] != best[1:].lower()
        out.append(best if shaped and forms[best] > lower else word)
    return " ".join(out)


def _phrases(group: str, texts: list[str], terms: dict[str, float], written: list[str]) -> list[str]:
    """A topic's key phrases: YAKE over its typical comments, kept when they use one of its top words."""
    import yake

    top = {term for term in list(terms)[:12] if term[:1] != "@"}
    extractor = yake.KeywordExtractor(
        lan=group if group in ("en", "hi", "es", "ar", "fr", "de", "pt", "it") else "noLang",
        n=2,
        top=12,
        dedup_lim=0.7,
        stopwords=set(text.stop_words(group)),
    )
    try:
        found = extractor.extract_keywords(" . ".join(dict.fromkeys(texts)))
    except Exception:  # noqa: BLE001 - a label is a nicety; the topic's words serve instead
        log.warning("key phrases failed for a %s topic", group, exc_info=True)
        found = []
    phrases: list[str] = []
    for phrase, _ in found:
        phrase = _trimmed(phrase)
        words = text.tokens(phrase, group)
        if (
            words
            and any(w in top or " ".join(words) in top for w in words)
            and not _repeats(phrase, phrases, group)
        ):
            phrases.append(phrase)
        if len(phrases) == 4:
            break
    for term in terms:
        if len(phrases) >= 3:
            break
        if term[:1] not in "@#" and not _repeats(term, phrases, group):
            phrases.append(term)
    return [_as_written(phrase, written) for phrase in phrases]


def _doc(corpus: Corpus, group: str, i: int) -> str:
    return pooled_doc(corpus.texts[i], corpus.groups[i]) if group == POOLED else corpus.texts[i]


def _topic_phrases(
    group: str, corpus: Corpus, typical: list[int], terms: dict[str, float]
) -> dict[str, list[str]]:
    """Key phrases per language group of a topic's typical comments (of a pooled topic: per group with at
    least a tenth of them)."""
    written = dict(zip(typical, corpus.written([corpus.ids[i] for i in typical]), strict=False))
    if group != POOLED:
        return {group: _phrases(group, [corpus.texts[i] for i in typical], terms, list(written.values()))}
    by_group: dict[str, list[int]] = {}
    for i in typical:
        by_group.setdefault(corpus.groups[i], []).append(i)
    return {
        g: _phrases(g, [corpus.texts[i] for i in members], terms, [written.get(i, "") for i in members])
        for g, members in sorted(by_group.items(), key=lambda item: -len(item[1]))
        if len(members) >= max(3, len(typical) // 10)
    }


def learn_group(group: str, indexes: list[int], corpus: Corpus) -> tuple[GroupModel, list[Topic]] | None:
    """Topics of one language group (or of all, POOLED), and which of its comments have which."""
    rng = random.Random(0)
    sample = indexes if len(indexes) <= SAMPLE else sorted(rng.sample(indexes, SAMPLE))
    vec = vectoriser(group, min_df=2 if len(sample) < 5000 else 3, max_df=0.5, max_features=20_000)
    try:
        fitted = vec.fit_transform([_doc(corpus, group, i) for i in sample])
    except ValueError:  # no word survives the stop words and frequency limits
        return None
    k = max(2, min(MAX_TOPICS, len(sample) // COMMENTS_PER_TOPIC))
    if fitted.shape[1] < 2 * k:
        return None
    nmf = NMF(n_components=k, init="nndsvda", max_iter=400, random_state=0)
    nmf.fit(fitted)
    components = nmf.components_
    norms = np.linalg.norm(components, axis=1)
    keep: list[int] = []
    directions = components / np.where(norms == 0, 1, norms)[:, None]
    for i in np.argsort(-norms):
        if norms[i] > 0 and all(float(directions[i] @ directions[j]) < SAME_TOPIC for j in keep):
            keep.append(int(i))
    directions = directions[keep].astype(np.float32)
    vocabulary = vec.get_feature_names_out().tolist()
    model = GroupModel(
        group=group,
        vocabulary=vocabulary,
        idf=vec.idf_.astype(np.float32),
        directions=directions,
        theme_ids=np.full(len(keep), -1, dtype=np.int64),
    )
    members: list[list[int]] = [[] for _ in keep]
    weights: list[list[float]] = [[] for _ in keep]
    for start in range(0, len(indexes), CHUNK):
        part = indexes[start : start + CHUNK]
        for i, chosen in zip(
            part, topics_of(model.topic_weights([_doc(corpus, group, j) for j in part])), strict=True
        ):
            for topic, weight in chosen:
                members[topic].append(i)
                weights[topic].append(weight)
    minimum = max(MIN_TOPIC_COMMENTS, math.ceil(MIN_TOPIC_SHARE * len(indexes)))
    topics: list[Topic] = []
    kept_rows: list[int] = []
    for row, comments in enumerate(members):
        if len(comments) < minimum:
            continue
        direction = directions[row]
        top = [j for j in np.argsort(-direction)[: TOP_TERMS * 2] if not vocabulary[j].startswith("#")]
        peak = float(direction[top[0]]) if top else 1.0
        terms = {vocabulary[j]: round(float(direction[j]) / peak, 4) for j in top[:TOP_TERMS]}
        order = np.argsort(-np.asarray(weights[row]))[:LABEL_COMMENTS]
        typical = [comments[j] for j in order]
        phrases = _topic_phrases(group, corpus, typical, terms)
        topics.append(Topic(group, len(kept_rows), terms, comments, weights[row], phrases=phrases))
        kept_rows.append(row)
    if not topics:
        return None
    model.directions = directions[kept_rows]
    model.theme_ids = np.full(len(kept_rows), -1, dtype=np.int64)
    return model, topics


# ---------------------------------------------------------------------------------------------------------
# From topics to themes


@dataclass
class Candidate:
    """One theme-to-be: topics of several languages."""

    topics: list[Topic]
    theme_id: int | None = None

    @property
    def comments(self) -> int:
        return sum(len(t.comments) for t in self.topics)

    def terms(self) -> dict[str, dict[str, float]]:
        return {t.group: t.terms for t in self.topics}

    def key_phrases(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for topic in sorted(self.topics, key=lambda t: -len(t.comments)):
            for group, phrases in topic.phrases.items():
                out.setdefault(group, phrases)
        return out

    def label(self) -> str:
        phrases_by_group = self.key_phrases()
        group = "en" if phrases_by_group.get("en") else next(iter(phrases_by_group), "")
        biggest = max(self.topics, key=lambda t: len(t.comments))
        phrases = phrases_by_group.get(group, [])[:2] or [t for t in biggest.terms if t[:1] not in "@#"][:2]
        label = " · ".join(phrases)
        return (label[:1].upper() + label[1:])[:200]


def _flat(terms: dict[str, dict[str, float]]) -> dict[str, float]:
    return {f"{group}\x1f{term}": w for group, words in terms.items() for term, w in words.items()}


def match_existing(candidates: list[Candidate]) -> list[Theme]:
    """Give candidates the id of the existing discovered theme with the most similar words (each theme once);
    the discovered themes left over."""
    existing = list(Theme.objects.filter(kind=Theme.Kind.AUTO))
    pairs = []
    for c, candidate in enumerate(candidates):
        mine = _flat(candidate.terms())
        for theme in existing:
            similarity = align.cosine(mine, _flat(theme.terms or {}))
            if similarity >= MATCH_MIN:
                pairs.append((similarity, c, theme.pk))
    taken: set[int] = set()
    for _, c, theme_id in sorted(pairs, reverse=True):
        if candidates[c].theme_id is None and theme_id not in taken:
            candidates[c].theme_id = theme_id
            taken.add(theme_id)
    return [theme for theme in existing if theme.pk not in taken]


def _absorbing_rule(candidate: Candidate, rule_hits: list[set[int]]) -> int | None:
    """The rule theme most of the candidate's comments use the words of, if one does."""
    counts: dict[int, int] = {}
    total = 0
    for topic in candidate.topics:
        for i in topic.comments:
            total += 1
            for theme_id in rule_hits[i]:
                counts[theme_id] = counts.get(theme_id, 0) + 1
    if not counts or not total:
        return None
    theme_id, hits = max(counts.items(), key=lambda item: item[1])
    return theme_id if hits / total >= RULE_ABSORB else None


def _named_by_rules() -> set[int]:
    """Themes a case rule or an alert rule names: kept (retired) when a learn no longer finds them."""
    from responses.models import AlertRule, CaseRule

    named: set[int] = set()
    for model in (CaseRule, AlertRule):
        for conditions in model.objects.values_list("conditions", flat=True):
            ids = conditions.get("theme_ids") if isinstance(conditions, dict) else None
            named.update(i for i in ids or () if isinstance(i, int))
    return named


def save_themes(candidates: list[Candidate], rule_hits: list[set[int]], now) -> dict[tuple[str, int], int]:
    """Create, update, retire or delete discovered themes; {(group, topic row): theme id}."""
    mapping: dict[tuple[str, int], int] = {}
    absorbed: list[Candidate] = []
    own: list[Candidate] = []
    for candidate in candidates:
        rule = _absorbing_rule(candidate, rule_hits)
        if rule is not None:
            candidate.theme_id = rule
            absorbed.append(candidate)
        else:
            own.append(candidate)
    leftovers = match_existing(own)
    for candidate in own:
        fields = {
            "label": candidate.label(),
            "key_phrases": candidate.key_phrases(),
            "terms": candidate.terms(),
            "retired": False,
        }
        if candidate.theme_id is None:
            candidate.theme_id = Theme.objects.create(
                kind=Theme.Kind.AUTO, created_at=now, updated_at=now, **fields
            ).pk
        else:
            Theme.objects.filter(pk=candidate.theme_id).update(updated_at=now, **fields)
    for candidate in absorbed:
        # The rule theme learns which words its comments use, for the list and the labels.
        Theme.objects.filter(pk=candidate.theme_id).update(
            key_phrases=candidate.key_phrases(), updated_at=now
        )
    touched = Q(name__gt="") | Q(hidden=True) | Q(pinned=True) | Q(merged_into__isnull=False)
    touched |= Q(merged__isnull=False) | Q(split_offs__isnull=False)
    touched |= Q(answer_links__source__in=[AnswerTheme.Source.HAND, AnswerTheme.Source.REMOVED])
    named = _named_by_rules()
    for theme in leftovers:
        if theme.pk in named or Theme.objects.filter(touched, pk=theme.pk).exists():
            Theme.objects.filter(pk=theme.pk).update(retired=True, updated_at=now)
        else:
            theme.delete()
    for candidate in candidates:
        for topic in candidate.topics:
            mapping[(topic.group, topic.index)] = candidate.theme_id
    return mapping


# ---------------------------------------------------------------------------------------------------------


def discover(corpus: Corpus, progress: Progress | None = None):
    """Topics per language group and their alignment across languages, without the database: (models by
    group, topics, candidates, comment indexes by group)."""
    progress = progress or (lambda fraction, step: None)
    by_group: dict[str, list[int]] = {}
    for i, group in enumerate(corpus.groups):
        by_group.setdefault(group, []).append(i)
    if POOL:
        by_group = {POOLED: list(range(len(corpus.ids))), **by_group}
        learnable = [POOLED]
    else:
        learnable = sorted(
            (g for g, members in by_group.items() if len(members) >= MIN_GROUP),
            key=lambda g: -len(by_group[g]),
        )
    models: dict[str, GroupModel] = {}
    topics: list[Topic] = []
    done = 0
    total = sum(len(by_group[g]) for g in learnable) or 1
    for group in learnable:
        name = "all" if group == POOLED else text.LANGUAGE_GROUP_NAMES.get(group, group)
        progress(0.2 + 0.5 * done / total, f"Finding topics in {name} comments ({len(by_group[group]):,})")
        learned = learn_group(group, by_group[group], corpus)
        done += len(by_group[group])
        if learned:
            models[group], group_topics = learned
            topics.extend(group_topics)
    progress(0.72, "Aligning languages and matching the existing themes")
    clusters = align.cluster([(t.group, align.keys(t.terms)) for t in topics], ALIGN_MIN)
    candidates = [Candidate([topics[i] for i in members]) for members in clusters]
    return models, topics, candidates, by_group


def learn(run: ThemeRun, progress: Progress | None = None) -> None:
    """Learn the themes from every comment and give every comment its themes (see the module's doc)."""
    progress = progress or (lambda fraction, step: None)
    started = timezone.now()
    progress(0.01, "Reading comments")
    corpus = read_corpus(progress)
    models, topics, candidates, by_group = discover(corpus, progress)
    ctx = assign.load_context(TopicModel(groups={}))
    rule_hits = _rule_hits(ctx, corpus)
    with transaction.atomic():
        mapping = save_themes(candidates, rule_hits, started)
        for (group, row), theme_id in mapping.items():
            models[group].theme_ids[row] = theme_id
        model = TopicModel(groups=models)
        ctx = assign.load_context(model)
        topic_themes: list[list[tuple[int, float]]] = [[] for _ in corpus.ids]
        for topic in topics:
            theme_id = mapping[(topic.group, topic.index)]
            for i, weight in zip(topic.comments, topic.weights, strict=True):
                topic_themes[i].append((theme_id, weight))
        progress(0.8, "Giving every comment its themes")
        found = assign.themes_for(ctx, corpus.texts, corpus.groups, topic_themes)
        progress(0.9, "Saving")
        assign.write(corpus.ids, corpus.groups, found, analysed_at=started, run_id=run.pk, everything=True)
        ThemeRun.objects.filter(pk=run.pk).update(
            model=model.to_bytes(),
            comments=len(corpus.ids),
            themes=Theme.objects.filter(retired=False, merged_into=None).count(),
            languages={
                g: len(by_group[g]) for g in sorted(by_group, key=lambda g: -len(by_group[g])) if g != POOLED
            },
        )
        assign.rewind(started)
        transaction.on_commit(lambda: assign.changed(None))
    progress(1.0, "Done")


def _rule_hits(ctx: assign.Context, corpus: Corpus) -> list[set[int]]:
    """Per comment, the rule themes whose words it uses."""
    from . import rules

    if not ctx.rules:
        return [set() for _ in corpus.ids]
    hits = []
    for normalised, group in zip(corpus.texts, corpus.groups, strict=True):
        forms = rules.comment_forms(normalised, group)
        hits.append({theme_id for theme_id, test in ctx.rules if test(forms, group)})
    return hits
