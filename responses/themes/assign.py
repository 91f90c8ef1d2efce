"""Giving comments their themes: the learned topics, the rule themes' words and the suggestions learned from
hand tags, combined the same way for a full learn and for each new or changed comment.

Hand tags and hand removals are never touched. Every write replaces a comment's automatic rows whole, so
assigning twice gives the same rows; `assign_new` (every minute) follows `Answer.updated_at` with a
watermark and an overlap, like the rollups.
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from responses.models import (
    COUNTED_THEME_SOURCES,
    Answer,
    AnswerTheme,
    CommentAnalysis,
    Theme,
    ThemeClassifier,
    ThemeRun,
    ThemeState,
)

from . import rules, text
from .topics import TopicModel

log = logging.getLogger(__name__)

AUTOMATIC = (AnswerTheme.Source.AUTO, AnswerTheme.Source.RULE, AnswerTheme.Source.LEARNED)
BATCH = 2000
# Answers whose transaction set updated_at before a pass started but committed after it read are caught by
# the next pass, which looks this far back again.
OVERLAP = timedelta(minutes=5)
MAX_PER_PASS = 50_000
# Serialises writers of automatic rows (a learn's final write and the minute's passes) on PostgreSQL.
LOCK_KEY = 0x7468656D  # "them"

_listeners: list[Callable[[list[int] | None], None]] = []


def on_changed(fn: Callable[[list[int] | None], None]) -> None:
    """Call fn(answer_ids) after themes of these answers changed (None: of any answer, after a learn or
    merge). dashboards.apps registers its theme rollup refresh."""
    _listeners.append(fn)


def changed(answer_ids: list[int] | None) -> None:
    for fn in _listeners:
        fn(answer_ids)


# ---------------------------------------------------------------------------------------------------------
# What decides a comment's themes


@dataclass
class Context:
    """Everything that gives comments their themes, loaded once per pass."""

    model: TopicModel
    run_id: int | None = None
    rules: list[tuple[int, Callable[[str, str], bool]]] = field(default_factory=list)
    split_parent: dict[int, int] = field(default_factory=dict)  # split-off theme → the theme it left
    final: dict[int, int] = field(default_factory=dict)  # merged theme → the theme it went into
    usable: set[int] = field(default_factory=set)  # themes rows may be written for (not retired or merged)
    suggester: object | None = None

    def resolve(self, theme_id: int) -> int | None:
        seen = 0
        while theme_id in self.final and seen < 20:
            theme_id, seen = self.final[theme_id], seen + 1
        return theme_id if theme_id in self.usable else None


def load_context(model: TopicModel | None = None, run_id: int | None = None) -> Context:
    """The current model (the last finished learn's, unless given), the rule themes and the suggestions."""
    if model is None:
        run = ThemeRun.objects.filter(state=ThemeRun.State.DONE).exclude(model=None).order_by("-pk").first()
        model = TopicModel.from_bytes(run.model if run else None)
        run_id = run.pk if run else None
    themes = list(Theme.objects.values("pk", "kind", "rule_terms", "parent_id", "merged_into_id", "retired"))
    ctx = Context(model=model, run_id=run_id)
    for theme in themes:
        if theme["merged_into_id"]:
            ctx.final[theme["pk"]] = theme["merged_into_id"]
        elif not theme["retired"]:
            ctx.usable.add(theme["pk"])
    for theme in themes:
        if theme["pk"] in ctx.usable and theme["rule_terms"]:
            ctx.rules.append((theme["pk"], rules.matcher(theme["rule_terms"])))
            if theme["parent_id"]:
                ctx.split_parent[theme["pk"]] = theme["parent_id"]
    ctx.suggester = _suggester()
    return ctx


def _suggester():
    from .suggest import Suggester

    return Suggester.load()


_cached: dict[str, object] = {}


def current_context() -> Context:
    """load_context, reused while nothing it depends on changed (one small query to know)."""
    key = _context_key()
    if _cached.get("key") != key:
        _cached["context"] = load_context()
        _cached["key"] = key
    return _cached["context"]  # type: ignore[return-value]


def _context_key() -> tuple:
    """What load_context reads, in one round trip: the last finished learn, the themes' last edit and number
    (an edit, a deletion), the classifiers' last training."""
    run, theme, classifier = ThemeRun._meta.db_table, Theme._meta.db_table, ThemeClassifier._meta.db_table
    # Table names from the models, the state a parameter.
    sql = f"""SELECT (SELECT max(id) FROM {run} WHERE state = %s), (SELECT max(updated_at) FROM {theme}),
        (SELECT count(*) FROM {theme}), (SELECT max(trained_at) FROM {classifier})"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [ThemeRun.State.DONE])
        return cursor.fetchone()


Found = dict[int, tuple[str, float]]  # theme id → (source, weight)


def themes_for(
    ctx: Context,
    texts: Sequence[str],
    groups: Sequence[str],
    topic_themes: Sequence[Sequence[tuple[int, float]]] | None = None,
) -> list[Found]:
    """Per normalised comment and its language group: its themes and why. A rule theme's words win over a
    topic; a split-off replaces the theme it was split from."""
    if topic_themes is None:
        topic_themes = ctx.model.themes(list(texts), list(groups))
    suggestions = ctx.suggester.predict(list(texts)) if ctx.suggester and len(texts) else [[] for _ in texts]
    out: list[Found] = []
    for index, normalised in enumerate(texts):
        found: Found = {}
        for theme_id, weight in topic_themes[index]:
            theme = ctx.resolve(theme_id)
            if theme is not None and weight > found.get(theme, ("", 0.0))[1]:
                found[theme] = (AnswerTheme.Source.AUTO, round(float(weight), 4))
        if ctx.rules and normalised:
            forms = rules.comment_forms(normalised, groups[index])
            for theme_id, test in ctx.rules:
                if test(forms, groups[index]):
                    theme = ctx.resolve(theme_id)
                    if theme is not None:
                        found[theme] = (AnswerTheme.Source.RULE, 1.0)
        for theme_id, probability in suggestions[index]:
            theme = ctx.resolve(theme_id)
            if theme is not None and theme not in found:
                found[theme] = (AnswerTheme.Source.LEARNED, round(float(probability), 4))
        for child, parent in ctx.split_parent.items():
            if child in found and parent in found:
                del found[parent]
        out.append(found)
    return out


# ---------------------------------------------------------------------------------------------------------
# Writing


def _among(field: str, ids: list[int]) -> Q:
    """`field` is one of these ids: a range when they are consecutive (new answers usually are), which the
    planner reads as one index range instead of a list of thousands."""
    ordered = sorted(ids)
    if ordered and ordered[-1] - ordered[0] + 1 == len(ordered):
        return Q(**{f"{field}__gte": ordered[0], f"{field}__lte": ordered[-1]})
    return Q(**{f"{field}__in": ordered})


def _hand_pairs(answer_ids: list[int] | None) -> set[tuple[int, int]]:
    qs = AnswerTheme.objects.exclude(source__in=AUTOMATIC)
    if answer_ids is not None:
        qs = qs.filter(_among("answer_id", answer_ids))
    return set(qs.values_list("answer_id", "theme_id"))


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def write(
    answer_ids: list[int],
    languages: list[str],
    found: list[Found],
    *,
    analysed_at: datetime,
    run_id: int | None,
    everything: bool = False,
) -> None:
    """Replace the automatic themes of these answers (of every answer when `everything`) with `found` and note
    their comments as read. Call inside a transaction."""
    _lock()
    hand = _hand_pairs(None if everything else answer_ids)
    rows = [
        (answer_id, theme_id, source, weight)
        for answer_id, themes in zip(answer_ids, found, strict=True)
        for theme_id, (source, weight) in themes.items()
        if (answer_id, theme_id) not in hand
    ]
    automatic = AnswerTheme.objects.filter(source__in=AUTOMATIC)
    if everything:
        automatic._raw_delete(automatic.db)
    else:
        for start in range(0, len(answer_ids), 5000):
            part = automatic.filter(_among("answer_id", answer_ids[start : start + 5000]))
            part._raw_delete(part.db)
    analyses = list(zip(answer_ids, languages, strict=True))
    if connection.vendor == "postgresql":
        _copy_rows(rows, analyses, analysed_at=analysed_at, run_id=run_id)
        return
    existing = set(Answer.objects.filter(pk__in=answer_ids).values_list("pk", flat=True))
    AnswerTheme.objects.bulk_create(
        [
            AnswerTheme(answer_id=a, theme_id=t, source=s, weight=w, created_at=analysed_at)
            for a, t, s, w in rows
            if a in existing
        ],
        batch_size=2000,
    )
    CommentAnalysis.objects.bulk_create(
        [
            CommentAnalysis(answer_id=a, language=language, analysed_at=analysed_at, run_id=run_id)
            for a, language in analyses
            if a in existing
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["answer"],
        update_fields=["language", "analysed_at", "run"],
    )


def _copy_rows(rows, analyses, *, analysed_at: datetime, run_id: int | None) -> None:
    """COPY into temporary tables, then insert what still has its answer (one may be erased meanwhile)."""
    themes, analysis = AnswerTheme._meta.db_table, CommentAnalysis._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS theme_rows"
            " (answer_id bigint, theme_id bigint, source varchar(7), weight float8) ON COMMIT DROP"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS analysis_rows (answer_id bigint, language varchar(12))"
            " ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY theme_rows FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        with cursor.cursor.copy("COPY analysis_rows FROM STDIN") as copy:
            for row in analyses:
                copy.write_row(row)
        # Table names from the models; values are parameters.
        cursor.execute(
            f"INSERT INTO {themes} (answer_id, theme_id, source, weight, created_at)"  # noqa: S608
            " SELECT r.answer_id, r.theme_id, r.source, r.weight, %s FROM theme_rows r"
            " JOIN responses_answer a ON a.id = r.answer_id JOIN responses_theme t ON t.id = r.theme_id"
            " ON CONFLICT (answer_id, theme_id) DO NOTHING",
            [analysed_at],
        )
        cursor.execute(
            f"INSERT INTO {analysis} (answer_id, language, analysed_at, run_id)"  # noqa: S608
            " SELECT r.answer_id, r.language, %s, %s FROM analysis_rows r"
            " JOIN responses_answer a ON a.id = r.answer_id"
            " ON CONFLICT (answer_id) DO UPDATE SET language = EXCLUDED.language,"
            " analysed_at = EXCLUDED.analysed_at, run_id = EXCLUDED.run_id",
            [analysed_at, run_id],
        )
        cursor.execute("DROP TABLE theme_rows")
        cursor.execute("DROP TABLE analysis_rows")


# ---------------------------------------------------------------------------------------------------------
# New and changed comments


def assign_answers(answer_ids: Iterable[int], ctx: Context | None = None) -> int:
    """Give these answers' comments their themes now (topics, rule themes, suggestions), keeping hand tags
    and hand removals; idempotent. Returns how many comments were read."""
    ids = sorted(set(answer_ids))
    if not ids:
        return 0
    ctx = ctx or current_context()
    read = 0
    touched: list[int] = []
    try:
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            started = timezone.now()
            rows = list(Answer.objects.filter(_among("pk", batch)).values_list("pk", "comment", "language"))
            with_comment = [
                (pk, text.normalise(comment), hint) for pk, comment, hint in rows if comment.strip()
            ]
            without = [pk for pk, comment, _ in rows if not comment.strip()]
            pks = [pk for pk, _, _ in with_comment]
            texts = [normalised for _, normalised, _ in with_comment]
            groups = [text.group_of(normalised, hint) for _, normalised, hint in with_comment]
            found = themes_for(ctx, texts, groups)
            with transaction.atomic():
                write(pks, groups, found, analysed_at=started, run_id=ctx.run_id)
                if without:
                    _forget(without)
                touched.extend(pks + without)
            read += len(pks)
    finally:
        # One announcement for the whole call (the dashboards refresh each touched bucket once), after the
        # batches that committed.
        if touched:
            transaction.on_commit(lambda: changed(touched))
    return read


def _forget(answer_ids: list[int]) -> None:
    """Comments that were emptied: no automatic themes, nothing analysed."""
    AnswerTheme.objects.filter(answer_id__in=answer_ids, source__in=AUTOMATIC).delete()
    CommentAnalysis.objects.filter(answer_id__in=answer_ids).delete()


def assign_answer(answer) -> list[int]:
    """Themes of one answer, assigning them first when its comment was not read since it changed: ids of
    its counted themes that are active (what case rules, alerts and webhooks see)."""
    if (answer.comment or "").strip():
        analysed = CommentAnalysis.objects.filter(answer_id=answer.pk).values_list("analysed_at", flat=True)
        when = analysed.first()
        if when is None or (answer.updated_at and when < answer.updated_at):
            assign_answers([answer.pk])
    return list(
        AnswerTheme.objects.filter(
            answer_id=answer.pk,
            source__in=COUNTED_THEME_SOURCES,
            theme__hidden=False,
            theme__retired=False,
            theme__merged_into=None,
        )
        .order_by("theme_id")
        .values_list("theme_id", flat=True)
    )


def wants_each_answer() -> bool:
    """The answer fan-out's question (no query): only without a beat (THEMES_ASSIGN_AT_ONCE)."""
    return settings.THEMES_ASSIGN_AT_ONCE


def receive(event) -> None:
    """A saved answer (responses.fanout), when THEMES_ASSIGN_AT_ONCE: its comment's themes now."""
    assign_answers([event.answer_id])


def assign_new() -> int:
    """Every minute: comments new or changed since the last pass get their themes (at most MAX_PER_PASS;
    the next pass goes on)."""
    state = ThemeState.get()
    started = timezone.now()
    if state.assigned_until is None:
        # Before the first learn: comments from now on; the learn reads every earlier one.
        ThemeState.objects.filter(pk=1).update(assigned_until=started)
        return 0
    qs = Answer.objects.filter(updated_at__gte=state.assigned_until - OVERLAP)
    candidates = list(
        qs.exclude(comment="", analysis=None)
        .order_by("updated_at", "pk")
        .values_list("pk", "updated_at", "analysis__analysed_at")[:MAX_PER_PASS]
    )
    due = [pk for pk, updated, analysed in candidates if analysed is None or analysed < updated]
    read = assign_answers(due) if due else 0
    until = candidates[-1][1] if len(candidates) >= MAX_PER_PASS else started
    ThemeState.objects.filter(pk=1).update(assigned_until=until)
    return read


def rewind(to: datetime) -> None:
    """The next pass starts no later than `to` (a learn read comments from then: newer ones are redone)."""
    state = ThemeState.get()
    if state.assigned_until is None or state.assigned_until > to:
        ThemeState.objects.filter(pk=1).update(assigned_until=to)
