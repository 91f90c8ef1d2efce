"""What every dashboard panel is filtered by: parsed from the URL by dashboards.forms."""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from surveys.contacts import property_key

# Segments that are columns of an answer; any other segment key is a contact property.
DIMENSIONS = ("campaign", "channel", "language")


def workspace_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Filters:
    start: date | None = None  # inclusive, workspace time zone
    end: date | None = None  # inclusive
    campaign_ids: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    # ("plan", "pro"), ("channel", "email"), ("campaign", "12") or ("language", "hi"): one segment.
    segment: tuple[str, str] | None = None
    # Only answers whose comment has this (active) theme: responses.models.AnswerTheme (dashboards.themes).
    theme_id: int | None = None
    # The contact properties the rollups hold, when the caller has read them already (saves a query).
    rolled_up_keys: tuple[str, ...] | None = None

    def __post_init__(self):
        # A property is named in its one spelling (surveys.contacts.property_key): "Plan:pro" is plan:pro.
        if self.segment and (key := property_key(self.segment[0])) != self.segment[0]:
            object.__setattr__(self, "segment", (key, *self.segment[1:]))

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        tz = workspace_tz()
        start = datetime.combine(self.start, time.min, tz) if self.start else None
        end = datetime.combine(self.end + timedelta(days=1), time.min, tz) if self.end else None
        return start, end

    def previous(self) -> "Filters | None":
        """The period of the same length just before this one."""
        if not (self.start and self.end):
            return None
        length = (self.end - self.start).days + 1
        return replace(self, start=self.start - timedelta(days=length), end=self.start - timedelta(days=1))

    @property
    def property_segment(self) -> tuple[str, str] | None:
        """The segment when it is a contact property."""
        return self.segment if self.segment and self.segment[0] not in DIMENSIONS else None
