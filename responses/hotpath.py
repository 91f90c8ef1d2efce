"""The two statements of a one-click answer, compiled once per process.

Opening a score link and recording it are the product's hottest requests (see `capture_rps` in
`make bench`). Django's ORM spends more time compiling a five-table select_related and an upsert than
PostgreSQL spends running them, so both statements are built here once from the models' own metadata
(columns, converters, defaults: nothing is restated by hand) and executed as plain SQL.

On PostgreSQL they run on a server-side-binding cursor, so psycopg prepares them after their first few
runs on a pooled connection (`prepare_threshold` in settings): PostgreSQL then skips parsing and planning
the five-table join on every request. Django's own cursors bind client-side and are never prepared.
"""

from functools import cache

import psycopg
from django.db import connection

from surveys.models import Brand, Campaign, Contact, Invitation

from .models import Answer

# The columns the answer and thank-you pages read; everything else stays deferred, as with .only().
PAGE_FIELDS = {
    Invitation: ["id", "campaign", "contact", "channel", "round", "token", "state", "language", "texts", "sent_at", "state_changed_at"],
    Campaign: ["id", "status", "brand", "question", "translations", "followup_promoter", "followup_passive", "followup_detractor", "redirect_promoter", "redirect_passive", "redirect_detractor"],
    Brand: ["id", "company_name", "logo", "accent_color"],
    Contact: ["id", "language"],
    Answer: ["id", "invitation", "score", "comment", "updated_at"],
}  # fmt: skip


@cache
def _fields(model) -> list:
    """The page's fields of `model` in the model's own order, which Model.from_db() expects."""
    wanted = {model._meta.get_field(name) for name in PAGE_FIELDS[model]}
    return [f for f in model._meta.concrete_fields if f in wanted]


@cache
def _lookup_sql() -> str:
    columns = []
    for model, alias in ((Invitation, "i"), (Campaign, "c"), (Brand, "b"), (Contact, "p"), (Answer, "a")):
        columns += [f"{alias}.{connection.ops.quote_name(f.column)}" for f in _fields(model)]
    table = {m: connection.ops.quote_name(m._meta.db_table) for m in PAGE_FIELDS}
    return (
        f"SELECT {', '.join(columns)} FROM {table[Invitation]} i"
        f" JOIN {table[Campaign]} c ON c.id = i.campaign_id"
        f" JOIN {table[Brand]} b ON b.id = c.brand_id"
        f" JOIN {table[Contact]} p ON p.id = i.contact_id"
        f" LEFT JOIN {table[Answer]} a ON a.invitation_id = i.id"
        " WHERE i.token = %s"
    )


@cache
def _converters(model) -> list[tuple]:
    """Per column, the ORM's own converters (JSON decoding, etc.), as the compiler would apply them."""
    out = []
    for field in _fields(model):
        column = field.get_col(model._meta.db_table)
        out.append((column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
    return out


def _instance(model, values):
    converted = []
    for value, (column, converters) in zip(values, _converters(model), strict=True):
        for convert in converters:
            value = convert(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in _fields(model)], converted)


def _cursor():
    """Django's cursor wrapper (query logging and counting as usual), binding server-side on PostgreSQL."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


def find_invitation(token: str) -> Invitation | None:
    """The invitation behind a token with its campaign, brand, contact and answer (or None): one query."""
    with _cursor() as cursor:
        cursor.execute(_lookup_sql(), [token])
        row = cursor.fetchone()
    if row is None:
        return None
    parts, start = {}, 0
    for model in PAGE_FIELDS:
        end = start + len(PAGE_FIELDS[model])
        parts[model] = row[start:end]
        start = end
    invitation = _instance(Invitation, parts[Invitation])
    campaign = _instance(Campaign, parts[Campaign])
    campaign.brand = _instance(Brand, parts[Brand])
    invitation.campaign = campaign
    invitation.contact = _instance(Contact, parts[Contact])
    answer = _instance(Answer, parts[Answer]) if parts[Answer][0] is not None else None
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
    sql = (
        f"INSERT INTO {connection.ops.quote_name(Answer._meta.db_table)} ({columns}) VALUES ({placeholders})"
        f" ON CONFLICT ({connection.ops.quote_name('invitation_id')}) DO UPDATE SET {updated} RETURNING id"
    )
    return sql, fields


def upsert_answer(answer: Answer) -> Answer:
    """INSERT … ON CONFLICT (invitation) DO UPDATE of score, updated_at and the scanner flag: one statement."""
    sql, fields = _upsert_sql()
    with _cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(getattr(answer, f.attname), connection) for f in fields])
        answer.pk = cursor.fetchone()[0]
    answer._state.adding = False
    return answer
