"""What people do to themes: rename, hide, pin, merge, split off, rule themes, tag and untag, re-learn.

Each function is one transaction, writes the audit log, and, when comments' themes changed, tells the
dashboards after commit (`assign.changed`). Hand tags (`hand`) and hand removals (`removed`) are people's
decisions: nothing here or in the automatic assignment overwrites them, except the person's own next tag.
"""

from collections.abc import Iterator

from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from nps import audit
from nps.inputs import has_nul

from ..models import COUNTED_THEME_SOURCES, Answer, AnswerTheme, Theme, ThemeRun
from . import assign, rules, text

Source = AnswerTheme.Source
NAME_MAX = Theme._meta.get_field("name").max_length
BATCH = 2_000  # comments read per query when a rule theme is applied to every comment
CHANGED_IDS_MAX = 10_000  # past this many answers, the dashboards refresh everything (changed(None))
TRAIN_NOW_MAX = 2_000  # hand tags of a theme up to which a tag retrains its suggestions at once
# Which row wins when two themes' rows of one answer become one (merge): people's decisions first.
STRENGTH = {Source.HAND: 5, Source.REMOVED: 4, Source.RULE: 3, Source.LEARNED: 2, Source.AUTO: 1}


class ThemeError(ValueError):
    """A refused change, with a message a person can act on."""


# --- Helpers ------------------------------------------------------------------------------------------------


def _audit(action: str, theme: Theme, by, changes: dict | None = None) -> None:
    audit.record(action, obj=theme, changes=changes or {}, actor=by)


def _changed(answer_ids) -> None:
    """Tell the dashboards after commit; None (everything) when there are many."""
    ids = None if answer_ids is None else sorted(set(answer_ids))
    if ids is not None and not ids:
        return
    if ids is not None and len(ids) > CHANGED_IDS_MAX:
        ids = None
    transaction.on_commit(lambda: assign.changed(ids))


def _locked(theme: Theme) -> Theme:
    return Theme.objects.select_for_update().get(pk=theme.pk)


def _refresh(target: Theme, source: Theme) -> Theme:
    for field in Theme._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


def active_themes():
    """Themes shown and assigned: not hidden, retired or merged."""
    return Theme.objects.filter(hidden=False, retired=False, merged_into=None)


def clean_name(name: str, *, exclude: Theme | None = None, required: bool = False) -> str:
    """A theme's name as a person typed it: spaces collapsed, unique among active themes (ignoring case)."""
    if not isinstance(name, str) or has_nul(name):
        raise ThemeError("The name contains a character that cannot be stored.")
    name = " ".join(name.split())
    if not name:
        if required:
            raise ThemeError("Give the theme a name.")
        return ""
    if len(name) > NAME_MAX:
        raise ThemeError(f"A theme's name has at most {NAME_MAX} characters.")
    others = active_themes().exclude(pk=exclude.pk) if exclude is not None else active_themes()
    taken = others.filter(Q(name__iexact=name) | Q(name="", label__iexact=name)).first()
    if taken is not None:
        raise ThemeError(f"Another theme is already called “{taken.display_name}”: choose another name.")
    return name


def clean_terms(rule_terms) -> dict[str, list[str]]:
    try:
        return rules.clean_rule_terms(rule_terms)
    except ValueError as error:
        raise ThemeError(str(error)) from error


def hand_tag_count(theme: Theme) -> int:
    return AnswerTheme.objects.filter(theme=theme, source=Source.HAND).count()


def _retrain_later(theme: Theme) -> None:
    """Suggestions learn from hand tags: retrain this theme after commit while it is small enough to do so in
    the request (the nightly run trains the others)."""
    theme_id = theme.pk

    def train():
        from . import suggest

        fresh = Theme.objects.filter(pk=theme_id).first()
        if fresh is not None and hand_tag_count(fresh) <= TRAIN_NOW_MAX:
            suggest.train(fresh)

    transaction.on_commit(train)


# --- Names, hiding, pinning -----------------------------------------------------------------------------


def rename_theme(theme: Theme, name: str, *, by) -> Theme:
    """A person's name for the theme; blank goes back to the automatic label. Re-learning keeps it."""
    with transaction.atomic():
        locked = _locked(theme)
        name = clean_name(name, exclude=locked, required=not locked.label)  # a rule theme has no label
        if name == locked.name:
            return _refresh(theme, locked)
        before = locked.name
        locked.name, locked.updated_at = name, timezone.now()
        locked.save(update_fields=["name", "updated_at"])
        _audit("theme.rename", locked, by, {"name": [before, name]})
    return _refresh(theme, locked)


def set_hidden(theme: Theme, hidden: bool, *, by) -> Theme:
    """A hidden theme keeps its comments but is not shown, counted or assigned until unhidden."""
    return _set_flag(theme, "hidden", bool(hidden), by=by)


def set_pinned(theme: Theme, pinned: bool, *, by) -> Theme:
    """Pinned themes come first in lists."""
    return _set_flag(theme, "pinned", bool(pinned), by=by)


def _set_flag(theme: Theme, field: str, value: bool, *, by) -> Theme:
    with transaction.atomic():
        locked = _locked(theme)
        if getattr(locked, field) == value:
            return _refresh(theme, locked)
        if field == "hidden" and not value and locked.merged_into_id is None and not locked.retired:
            clean_name(locked.display_name if locked.name else "", exclude=locked)  # names stay unique
        setattr(locked, field, value)
        locked.updated_at = timezone.now()
        locked.save(update_fields=[field, "updated_at"])
        _audit(f"theme.{'hide' if field == 'hidden' else 'pin'}", locked, by, {field: [not value, value]})
        if field == "hidden":
            # The theme rollups count active themes only: rebuilt, so an unhidden theme has its figures back.
            transaction.on_commit(lambda: assign.changed(None))
    return _refresh(theme, locked)


# --- Merging ----------------------------------------------------------------------------------------------


def _strength(field: str = "source"):
    return Case(
        *[When(**{field: source}, then=Value(rank)) for source, rank in STRENGTH.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def merge_counts(source: Theme, target: Theme) -> dict[str, int]:
    """For the confirmation page: comments of each theme, how many have both, and the target's after (a hand
    removal on one side may still take a comment out: "after" is at most this)."""
    counted = AnswerTheme.objects.filter(source__in=COUNTED_THEME_SOURCES)
    source_ids = counted.filter(theme=source).values("answer_id")
    counts = {
        "source": counted.filter(theme=source).count(),
        "target": counted.filter(theme=target).count(),
        "both": counted.filter(theme=target, answer_id__in=source_ids).count(),
    }
    return counts | {"after": counts["source"] + counts["target"] - counts["both"]}


def merge_themes(source: Theme, target: Theme, *, by) -> Theme:
    """Source's comments become target's (one row per comment: the stronger of the two, so hand tags and hand
    removals stay); source is kept as merged into target, so a re-learned topic like it goes there too."""
    if source.pk == target.pk:
        raise ThemeError("A theme cannot be merged into itself.")
    with transaction.atomic():
        first, second = sorted([source.pk, target.pk])
        locked = {t.pk: t for t in Theme.objects.select_for_update().filter(pk__in=[first, second])}
        if len(locked) != 2:
            raise ThemeError("One of the themes no longer exists.")
        src, tgt = locked[source.pk], locked[target.pk]
        if src.merged_into_id:
            raise ThemeError(f"“{src.display_name}” is already merged into another theme.")
        if tgt.merged_into_id:
            raise ThemeError(f"“{tgt.display_name}” is merged into another theme: merge into that one.")
        if tgt.retired:
            raise ThemeError(f"“{tgt.display_name}” is retired: choose an active theme.")
        before = merge_counts(src, tgt)
        source_rows = AnswerTheme.objects.filter(theme=src, answer_id=OuterRef("answer_id"))
        # Answers with both: the target's row takes the source's values where the source's are stronger.
        stronger = source_rows.annotate(rank=_strength()).filter(rank__gt=OuterRef("rank"))
        upgraded = (
            AnswerTheme.objects.filter(theme=tgt)
            .annotate(rank=_strength())
            .filter(Exists(stronger))
            .values_list("pk", flat=True)
        )
        upgraded_ids = list(upgraded)
        AnswerTheme.objects.filter(pk__in=upgraded_ids).update(
            source=Subquery(source_rows.values("source")[:1]),
            weight=Subquery(source_rows.values("weight")[:1]),
            tagged_by=Subquery(source_rows.values("tagged_by")[:1]),
        )
        both = AnswerTheme.objects.filter(theme=tgt).values("answer_id")
        dropped = AnswerTheme.objects.filter(theme=src, answer_id__in=both).delete()[0]
        moved = AnswerTheme.objects.filter(theme=src).update(theme=tgt)
        # Themes merged into the source earlier now point at the target: no chains to follow.
        Theme.objects.filter(merged_into=src).update(merged_into=tgt, updated_at=timezone.now())
        src.merged_into, src.pinned, src.updated_at = tgt, False, timezone.now()
        src.save(update_fields=["merged_into", "pinned", "updated_at"])
        Theme.objects.filter(pk=tgt.pk).update(updated_at=timezone.now())
        _audit(
            "theme.merge",
            src,
            by,
            {
                "into": [None, tgt.display_name],
                "into_id": tgt.pk,
                "comments": before["source"],
                "already_in_target": before["both"],
                "moved": moved,
                "combined": dropped,
                "upgraded": len(upgraded_ids),
            },
        )
        _changed(None)
    return _refresh(source, src)


# --- Rule themes and split-offs ---------------------------------------------------------------------------


def _comments(queryset=None) -> Iterator[tuple[int, str, str]]:
    """(answer id, normalised comment, language group) of every answer with a comment, in batches."""
    queryset = Answer.objects.all() if queryset is None else queryset
    rows = (
        queryset.exclude(comment="")
        .values_list("pk", "comment", "analysis__language", "language")
        .order_by()
        .iterator(chunk_size=BATCH)
    )
    for pk, comment, language, hint in rows:
        group = language if language else text.detect(comment, hint)
        yield pk, rules.comment_forms(text.normalise(comment), group), group


def matching_answers(rule_terms: dict[str, list[str]], queryset=None) -> list[int]:
    """Ids of the answers (of `queryset`, else all) whose comment uses any of the words."""
    test = rules.matcher(rule_terms)
    return [pk for pk, forms, group in _comments(queryset) if test(forms, group)]


def preview_count(rule_terms, *, parent: Theme | None = None) -> int:
    """How many comments a rule theme would have (of the parent's, for a split-off)."""
    return len(matching_answers(clean_terms(rule_terms), _parent_answers(parent) if parent else None))


def _parent_answers(parent: Theme):
    linked = AnswerTheme.objects.filter(theme=parent, source__in=COUNTED_THEME_SOURCES)
    return Answer.objects.filter(pk__in=linked.values("answer_id"))


def _apply_rule(theme: Theme, matched: list[int]) -> tuple[int, int, set[int]]:
    """Make the theme's `rule` rows those of `matched`, never touching hand tags and hand removals; a
    suggestion on a matching comment becomes a rule row. (added, removed, answer ids changed)."""
    matched_set = set(matched)
    # Comparing against a big list in SQL is slow: read the rows once and decide here.
    existing = dict(AnswerTheme.objects.filter(theme=theme).values_list("answer_id", "source"))
    stale = [pk for pk, source in existing.items() if source == Source.RULE and pk not in matched_set]
    upgrade = [
        pk for pk, source in existing.items() if source in (Source.LEARNED, Source.AUTO) and pk in matched_set
    ]
    new = [pk for pk in matched if pk not in existing]
    for start in range(0, len(stale), BATCH):
        AnswerTheme.objects.filter(theme=theme, answer_id__in=stale[start : start + BATCH]).delete()
    for start in range(0, len(upgrade), BATCH):
        AnswerTheme.objects.filter(theme=theme, answer_id__in=upgrade[start : start + BATCH]).update(
            source=Source.RULE, weight=1.0
        )
    now = timezone.now()
    AnswerTheme.objects.bulk_create(
        [AnswerTheme(answer_id=pk, theme=theme, source=Source.RULE, created_at=now) for pk in new],
        batch_size=BATCH,
        ignore_conflicts=True,  # a tag written meanwhile is a person's: it stays
    )
    return len(new), len(stale), set(new) | set(stale) | set(upgrade)


def create_rule_theme(name: str, rule_terms, *, by) -> Theme:
    """A theme of the comments using any of these words or phrases (per language), applied to every comment
    now and to new ones as they come."""
    rule_terms = clean_terms(rule_terms)
    with transaction.atomic():
        name = clean_name(name, required=True)
        theme = Theme.objects.create(kind=Theme.Kind.RULE, name=name, rule_terms=rule_terms, created_by=by)
        added, _, touched = _apply_rule(theme, matching_answers(rule_terms))
        _audit("theme.create", theme, by, {"rule_terms": [None, rule_terms], "comments": added})
        _changed(touched)
    return theme


def update_rule_terms(theme: Theme, rule_terms, *, by) -> Theme:
    """New words for a rule theme (or split-off): every comment is matched again; hand tags stay."""
    rule_terms = clean_terms(rule_terms)
    with transaction.atomic():
        locked = _locked(theme)
        if locked.kind != Theme.Kind.RULE:
            raise ThemeError("Only rule themes have words: this theme was discovered.")
        if rule_terms == locked.rule_terms:
            return _refresh(theme, locked)
        before = locked.rule_terms
        locked.rule_terms, locked.updated_at = rule_terms, timezone.now()
        locked.save(update_fields=["rule_terms", "updated_at"])
        scope = _parent_answers(locked.parent) if locked.parent_id else None
        added, removed, touched = _apply_rule(locked, matching_answers(rule_terms, scope))
        _audit(
            "theme.words",
            locked,
            by,
            {"rule_terms": [before, rule_terms], "added": added, "removed": removed},
        )
        _changed(touched)
    return _refresh(theme, locked)


def split_off(theme: Theme, name: str, rule_terms, *, by) -> Theme:
    """A new rule theme made of the parent's comments that use these words: they leave the parent (a hand tag
    on the parent moves as a hand tag)."""
    rule_terms = clean_terms(rule_terms)
    with transaction.atomic():
        parent = _locked(theme)
        if not parent.is_active:
            raise ThemeError("Only an active theme can be split: unhide it first.")
        name = clean_name(name, required=True)
        child = Theme.objects.create(
            kind=Theme.Kind.RULE, name=name, rule_terms=rule_terms, parent=parent, created_by=by
        )
        matched = matching_answers(rule_terms, _parent_answers(parent))
        sources = dict(
            AnswerTheme.objects.filter(theme=parent, answer_id__in=matched).values_list("answer_id", "source")
        )
        now = timezone.now()
        AnswerTheme.objects.bulk_create(
            [
                AnswerTheme(
                    answer_id=pk,
                    theme=child,
                    source=Source.HAND if sources.get(pk) == Source.HAND else Source.RULE,
                    tagged_by=by if sources.get(pk) == Source.HAND else None,
                    created_at=now,
                )
                for pk in matched
            ],
            batch_size=BATCH,
        )
        for start in range(0, len(matched), BATCH):
            AnswerTheme.objects.filter(
                theme=parent, answer_id__in=matched[start : start + BATCH], source__in=COUNTED_THEME_SOURCES
            ).delete()
        Theme.objects.filter(pk=parent.pk).update(updated_at=now)
        _audit(
            "theme.split",
            child,
            by,
            {
                "from": parent.display_name,
                "from_id": parent.pk,
                "rule_terms": rule_terms,
                "moved": len(matched),
            },
        )
        _changed(matched)
    return child


def delete_rule_theme(theme: Theme, *, by) -> None:
    """Delete a rule theme and its tags. A split-off's comments go back to the theme it came from."""
    with transaction.atomic():
        locked = _locked(theme)
        if locked.kind != Theme.Kind.RULE:
            raise ThemeError("Discovered themes are not deleted: hide it, or merge it into another.")
        rows = list(
            AnswerTheme.objects.filter(theme=locked, source__in=COUNTED_THEME_SOURCES).values_list(
                "answer_id", "source"
            )
        )
        parent = Theme.objects.filter(pk=locked.parent_id).first() if locked.parent_id else None
        if parent is not None:
            back = Source.RULE if parent.kind == Theme.Kind.RULE else Source.AUTO
            AnswerTheme.objects.bulk_create(
                [
                    AnswerTheme(answer_id=pk, theme=parent, source=Source.HAND if s == Source.HAND else back)
                    for pk, s in rows
                ],
                batch_size=BATCH,
                ignore_conflicts=True,  # the parent's own hand decisions stay
            )
        Theme.objects.filter(merged_into=locked).update(merged_into=None, hidden=True)
        _audit(
            "theme.delete",
            locked,
            by,
            {"rule_terms": [locked.rule_terms, None], "comments": len(rows), "back_to": parent and parent.pk},
        )
        locked.delete()
        _changed([pk for pk, _ in rows])


# --- Tagging by hand --------------------------------------------------------------------------------------


def tag_answer(answer: Answer, theme: Theme, *, by) -> AnswerTheme:
    """A person puts the theme on this comment (or confirms a suggestion): never removed automatically."""
    with transaction.atomic():
        locked = _locked(theme)
        if not locked.is_active:
            raise ThemeError(f"“{locked.display_name}” is hidden, merged or retired: choose an active theme.")
        row = AnswerTheme.objects.select_for_update().filter(answer=answer, theme=locked).first()
        before = row.source if row else None
        if row is None:
            row = AnswerTheme.objects.create(answer=answer, theme=locked, source=Source.HAND, tagged_by=by)
        elif row.source != Source.HAND:
            row.source, row.weight, row.tagged_by, row.created_at = Source.HAND, 1.0, by, timezone.now()
            row.save(update_fields=["source", "weight", "tagged_by", "created_at"])
        else:
            return row
        _audit("theme.tag", locked, by, {"answer": answer.pk, "source": [before, Source.HAND]})
        _changed([answer.pk])
        _retrain_later(locked)
    return row


def untag_answer(answer: Answer, theme: Theme, *, by) -> AnswerTheme:
    """A person takes the theme off this comment: it is never put back automatically."""
    with transaction.atomic():
        locked = _locked(theme)
        row = AnswerTheme.objects.select_for_update().filter(answer=answer, theme=locked).first()
        before = row.source if row else None
        if row is None:
            row = AnswerTheme.objects.create(answer=answer, theme=locked, source=Source.REMOVED, tagged_by=by)
        elif row.source != Source.REMOVED:
            row.source, row.tagged_by, row.created_at = Source.REMOVED, by, timezone.now()
            row.save(update_fields=["source", "tagged_by", "created_at"])
        else:
            return row
        _audit("theme.untag", locked, by, {"answer": answer.pk, "source": [before, Source.REMOVED]})
        _changed([answer.pk])
        _retrain_later(locked)
    return row


# --- Re-learning ------------------------------------------------------------------------------------------


def start_learn(*, by) -> ThemeRun:
    """Queue a full learn of the themes (one at a time); people's edits survive it."""
    from .tasks import fail_stale_runs

    fail_stale_runs()  # a run whose worker died does not block this one
    try:
        with transaction.atomic():
            run = ThemeRun.objects.create(requested_by=by, heartbeat_at=timezone.now())
            _audit_run(run, by)
    except IntegrityError as error:
        running = ThemeRun.objects.filter(state__in=[ThemeRun.State.QUEUED, ThemeRun.State.RUNNING]).first()
        raise ThemeError(
            "Themes are already being learned"
            + (f" (started {timezone.localtime(running.created_at):%-d %b, %H:%M})" if running else "")
            + ": wait for that run to finish."
        ) from error
    run_id = run.pk

    def queue():
        from . import tasks  # the task calls learn, which imports this module's neighbours

        tasks.learn_themes.delay(run_id)

    transaction.on_commit(queue)
    return run


def _audit_run(run: ThemeRun, by) -> None:
    audit.record(
        "theme.relearn", object_type="theme", object_id=run.pk, label=f"Learn run {run.pk}", actor=by
    )
