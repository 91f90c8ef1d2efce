"""CSV export of the filtered responses, streamed row by row at any size."""

from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import connection

from nps import csvsafe
from responses.models import AnswerTag, AnswerTheme
from responses.themes.display import themes_by_answer

from . import queries
from .filters import Filters, workspace_tz
from .metrics import group_of

# tags: the answer's tags, comma-separated; themes: the comment's themes (active ones), "; "-separated (a
# theme's automatic label may hold commas); at_risk: the contact's at-risk flag (empty without a contact).
BASE_COLUMNS = [
    "answered_at",
    "score",
    "group",
    "comment",
    "campaign",
    "channel",
    "language",
    "tags",
    "themes",
    "at_risk",
]
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
        "pk",
        "answered_at",
        "score",
        "comment",
        "campaign__name",
        "channel",
        "language",
        "contact__at_risk",
        "contact__properties",
    ]
    if include_contact:
        fields += ["contact__email", "contact__name"]
    tz = workspace_tz()
    qs = queries.answers(filters).order_by("answered_at", "id").values_list(*fields)
    any_tags = AnswerTag.objects.exists()
    any_themes = AnswerTheme.objects.exists()
    # A server-side cursor on PostgreSQL: memory stays flat whatever the number of answers; the tags and
    # the themes of each chunk in one query each (none at all when no answer has a tag, or a theme).
    for chunk in _chunks(qs.iterator(chunk_size=CHUNK), CHUNK):
        ids = [row[0] for row in chunk]
        tags = _tags_of(ids) if any_tags else {}
        themes = themes_by_answer(ids) if any_themes else {}
        for row in chunk:
            pk, answered_at, score, comment, campaign, channel, language, at_risk, properties = row[:9]
            line = [
                answered_at.astimezone(tz).isoformat(),
                score,
                group_of(score),
                comment,
                campaign,
                channel,
                language,
                ", ".join(tags.get(pk, ())),
                "; ".join(theme.name for theme in themes.get(pk, ())),
                _cell(at_risk),
            ]
            if include_contact:
                line += [row[9] or "", row[10] or ""]
            properties = properties if isinstance(properties, dict) else {}
            line += [_cell(properties.get(key)) for key in keys]
            yield writer.writerow(line)


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _tags_of(answer_ids: list[int]) -> dict[int, list[str]]:
    """{answer id: its tag names, alphabetical} for these answers."""
    tags: dict[int, list[str]] = {}
    rows = AnswerTag.objects.filter(answer_id__in=answer_ids).values_list("answer_id", "tag__name")
    for answer_id, name in rows.order_by("tag__name"):
        tags.setdefault(answer_id, []).append(name)
    return tags
