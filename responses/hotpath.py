"""The two statements of a one-click answer, compiled once per process.

Opening a score link and recording it are the product's hottest requests (see `capture_rps` in
`make bench`). Django's ORM spends more time compiling a five-table select_related and an upsert than
PostgreSQL spends running them, so both statements are built here once from the models' own metadata
(columns, converters, defaults: nothing is restated by hand) and executed as plain SQL; rows become model
instances as Model.from_db() would make them, with the field layout worked out once.

On PostgreSQL they run on a server-side-binding cursor, so psycopg prepares them after their first few
runs on a connection (`prepare_threshold` in settings): PostgreSQL then skips parsing and planning the
five-table join on every request. Django's own cursors bind client-side and are never prepared.
"""

from functools import cache

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import DEFERRED

from surveys.models import Brand, Campaign, Contact, Invitation

from .models import Answer

# The columns each lookup reads; everything else stays deferred, as with .only(). "page" shows the answer
# and thank-you pages; "record" stores a score (no brand, no texts: no JSON to decode on the hot write).
LOOKUPS = {
    "page": {
        Invitation: ["id", "campaign", "contact", "channel", "round", "token", "state", "language", "texts", "sent_at", "state_changed_at"],
        Campaign: ["id", "status", "brand", "question", "translations", "followup_promoter", "followup_passive", "followup_detractor", "redirect_promoter", "redirect_passive", "redirect_detractor"],
        Brand: ["id", "company_name", "logo", "accent_color"],
        Contact: ["id", "language"],
        Answer: ["id", "invitation", "score", "comment", "updated_at"],
    },
    "record": {
        Invitation: ["id", "campaign", "contact", "channel", "token", "state", "language", "sent_at", "state_changed_at"],
        Campaign: ["id", "status", "redirect_promoter", "redirect_passive", "redirect_detractor"],
        Contact: ["id", "language"],
        Answer: ["id", "invitation", "score", "comment", "updated_at"],
    },
}  # fmt: skip
JOINS = {
    Invitation: ("i", ""),
    Campaign: ("c", " JOIN {table} c ON c.id = i.campaign_id"),
    Brand: ("b", " JOIN {table} b ON b.id = c.brand_id"),
    Contact: ("p", " JOIN {table} p ON p.id = i.contact_id"),
    Answer: ("a", " LEFT JOIN {table} a ON a.invitation_id = i.id"),
}


@cache
def _fields(lookup: str, model) -> list:
    """The lookup's fields of `model` in the model's own order, which Model.from_db() expects."""
    wanted = {model._meta.get_field(name) for name in LOOKUPS[lookup][model]}
    return [f for f in model._meta.concrete_fields if f in wanted]


@cache
def _lookup_sql(lookup: str, by: str = "token") -> str:
    columns, joins = [], ""
    for model in LOOKUPS[lookup]:
        alias, join = JOINS[model]
        columns += [f"{alias}.{connection.ops.quote_name(f.column)}" for f in _fields(lookup, model)]
        joins += join.format(table=connection.ops.quote_name(model._meta.db_table))
    invitations = connection.ops.quote_name(Invitation._meta.db_table)
    column = connection.ops.quote_name(Invitation._meta.get_field(by).column)  # "token" or "short_token"
    return f"SELECT {', '.join(columns)} FROM {invitations} i{joins} WHERE i.{column} = %s"


@cache
def _converters(lookup: str, model) -> list[tuple]:
    """Per column, the ORM's own converters (JSON decoding, etc.), as the compiler would apply them."""
    out = []
    for field in _fields(lookup, model):
        column = field.get_col(model._meta.db_table)
        out.append((column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
    return out


@cache
def _positions(lookup: str, model) -> list[int | None]:
    """For each concrete field of `model`, where its value sits among the lookup's columns (None: deferred)."""
    read = [f.attname for f in _fields(lookup, model)]
    return [read.index(f.attname) if f.attname in read else None for f in model._meta.concrete_fields]


def _instance(db, lookup: str, model, values):
    """What Model.from_db() builds, with the field layout worked out once instead of per row."""
    converted = []
    for value, (column, converters) in zip(values, _converters(lookup, model), strict=True):
        for convert in converters:
            value = convert(value, column, db)
        converted.append(value)
    instance = model(*[DEFERRED if at is None else converted[at] for at in _positions(lookup, model)])
    instance._state.adding = False
    instance._state.db = db.alias
    return instance


def _cursor(db):
    """Django's cursor wrapper (query logging and counting as usual), binding server-side on PostgreSQL."""
    if db.vendor != "postgresql":
        return db.cursor()
    db.ensure_connection()
    raw = psycopg.Cursor(db.connection)
    return db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)


def find_invitation(token: str, lookup: str = "page", *, by: str = "token") -> Invitation | None:
    """The invitation behind a token with its campaign, contact, answer (or None) and, for "page", brand.

    One query. `lookup="record"` reads only what storing a score needs; `by="short_token"` finds a texted
    link's invitation (/s?<short_token>).
    """
    db = connections[DEFAULT_DB_ALIAS]  # once, rather than through the `connection` proxy per use
    with _cursor(db) as cursor:
        cursor.execute(_lookup_sql(lookup, by), [token])
        row = cursor.fetchone()
    if row is None:
        return None
    parts, start = {}, 0
    for model, names in LOOKUPS[lookup].items():
        parts[model] = row[start : start + len(names)]
        start += len(names)
    invitation = _instance(db, lookup, Invitation, parts[Invitation])
    campaign = _instance(db, lookup, Campaign, parts[Campaign])
    if Brand in parts:
        campaign.brand = _instance(db, lookup, Brand, parts[Brand])
    invitation.campaign = campaign
    invitation.contact = _instance(db, lookup, Contact, parts[Contact])
    answer = _instance(db, lookup, Answer, parts[Answer]) if parts[Answer][0] is not None else None
    Invitation.answer.related.set_cached_value(invitation, answer)
    if answer is not None:
        Answer.invitation.field.set_cached_value(answer, invitation)
    return invitation


@cache
def _upsert_sql() -> tuple[str, list]:
    fields = [f for f in Answer._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    updated = ", ".join(
        f"{connection.ops.quote_name(c)} = EXCLUDED.{connection.ops.quote_name(c)}"
        for c in ("score", "updated_at", "suspected_scanner")
    )
    table = connection.ops.quote_name(Answer._meta.db_table)
    score = connection.ops.quote_name("score")
    # The upsert never changes a stored score: a change keeps the old score and comment in the answer's
    # history (services.record_score), which takes its own, locked path when this one returns no row.
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        f" ON CONFLICT ({connection.ops.quote_name('invitation_id')}) DO UPDATE SET {updated}"
        f" WHERE {table}.{score} = EXCLUDED.{score} RETURNING id"
    )
    return sql, fields


def upsert_answer(answer: Answer) -> Answer | None:
    """INSERT … ON CONFLICT (invitation) DO UPDATE of updated_at and the scanner flag when the stored score is
    the same: one statement. None when the invitation's answer holds another score (nothing written)."""
    sql, fields = _upsert_sql()
    db = connections[DEFAULT_DB_ALIAS]
    with _cursor(db) as cursor:
        cursor.execute(sql, [f.get_db_prep_save(getattr(answer, f.attname), db) for f in fields])
        row = cursor.fetchone()
    if row is None:
        return None
    answer.pk = row[0]
    answer._state.adding = False
    return answer
