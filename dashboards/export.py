"""CSV export of the filtered responses, streamed row by row at any size."""

from collections.abc import Iterator

from django.db import connection

from nps import csvsafe

from . import queries
from .filters import Filters, workspace_tz
from .metrics import group_of

BASE_COLUMNS = ["answered_at", "score", "group", "comment", "campaign", "channel", "language"]
CONTACT_COLUMNS = ["contact_email", "contact_name"]
CHUNK = 2000

ALL_KEYS_SQL = """
    SELECT DISTINCT k FROM surveys_contact c
    CROSS JOIN LATERAL jsonb_object_keys(
        CASE WHEN jsonb_typeof(c.properties) = 'object' THEN c.properties ELSE '{}'::jsonb END) k
    ORDER BY k
"""


def property_columns(*, include_contact: bool) -> list[str]:
    """Contact property keys to export: all of them for leads; for viewers only the segment keys (few
    distinct values, like plan or region), which cannot single a person out."""
    if not include_contact:
        return queries.property_keys()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(ALL_KEYS_SQL)
            return [row[0] for row in cursor.fetchall()]
    from surveys.models import Contact

    keys: set[str] = set()
    for properties in Contact.objects.values_list("properties", flat=True).iterator():
        if isinstance(properties, dict):
            keys.update(properties)
    return sorted(keys)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(filters: Filters, *, include_contact: bool) -> Iterator[str]:
    """The header, then one CSV line per answer (oldest first); cells that a spreadsheet would run as a
    formula (=, +, -, @, TAB …) start with an apostrophe (nps.csvsafe)."""
    keys = property_columns(include_contact=include_contact)
    writer = csvsafe.writer(_Echo())
    header = BASE_COLUMNS + (CONTACT_COLUMNS if include_contact else []) + keys
    # A byte order mark: Excel then reads the file as UTF-8.
    yield "\ufeff" + writer.writerow(header)
    fields = [
        "answered_at",
        "score",
        "comment",
        "campaign__name",
        "channel",
        "language",
        "contact__properties",
    ]
    if include_contact:
        fields += ["contact__email", "contact__name"]
    tz = workspace_tz()
    qs = queries.answers(filters).order_by("answered_at", "id").values_list(*fields)
    # A server-side cursor on PostgreSQL: memory stays flat whatever the number of answers.
    for row in qs.iterator(chunk_size=CHUNK):
        answered_at, score, comment, campaign, channel, language, properties = row[:7]
        line = [
            answered_at.astimezone(tz).isoformat(),
            score,
            group_of(score),
            comment,
            campaign,
            channel,
            language,
        ]
        if include_contact:
            line += [row[7] or "", row[8] or ""]
        properties = properties if isinstance(properties, dict) else {}
        line += [_cell(properties.get(key)) for key in keys]
        yield writer.writerow(line)
