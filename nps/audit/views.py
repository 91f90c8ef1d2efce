"""The audit log page under Settings: filters, pages of 50, CSV export of what the filters select."""

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from nps import csvsafe
from nps.accounts.roles import role_required

from . import ACTIONS, OBJECT_TYPES, record
from .models import AuditEntry

PAGE_SIZE = 50
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)
CSV_COLUMNS = ["at", "actor", "client_address", "action", "object_type", "object_id", "object", "changes"]


class AuditFilterForm(forms.Form):
    actor = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Who")
    action = forms.ChoiceField(required=False, label="Action")
    object_type = forms.ChoiceField(required=False, label="Object")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every account, former teammates included (a handful of rows; the log itself may be millions).
        users = get_user_model().objects.order_by("email")
        self.fields["actor"].choices = [("", "Anyone")] + [
            (user.pk, f"{user.name} <{user.email}>" if user.name else user.email) for user in users
        ]
        self.fields["action"].choices = [("", "Any action"), *ACTIONS.items()]
        self.fields["object_type"].choices = [("", "Any object"), *OBJECT_TYPES.items()]

    def clean(self):
        data = super().clean()
        for name in ("since", "until"):
            # Days outside these bounds overflow once turned into moments in the workspace time zone.
            if data.get(name) and not FIRST_DAY <= data[name] <= LAST_DAY:
                self.add_error(name, f"Choose a day between {FIRST_DAY.year} and {LAST_DAY.year}.")
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data

    def entries(self):
        """The entries the filters select, newest first (all of them when the form is not valid)."""
        entries = AuditEntry.objects.all()
        if not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["actor"]:
            entries = entries.filter(actor_id=data["actor"])
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["object_type"]:
            entries = entries.filter(object_type=data["object_type"])
        tz = timezone.get_current_timezone()
        if data["since"]:
            entries = entries.filter(at__gte=datetime.combine(data["since"], time.min, tzinfo=tz))
        if data["until"]:
            next_day = data["until"] + timedelta(days=1)
            entries = entries.filter(at__lt=datetime.combine(next_day, time.min, tzinfo=tz))
        return entries

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


@require_GET
@role_required("admin")
def audit_log(request):
    form = AuditFilterForm(request.GET)
    page = Paginator(form.entries(), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "total": AuditEntry.objects.exists(),
    }
    return render(request, "nps/audit_log.html", context, status=400 if form.errors else 200)


def _cell(value) -> str:
    return csvsafe.neutralise("" if value is None else str(value))  # no cell runs as a formula


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(entries) -> Iterator[str]:
    """The header, then one CSV line per entry; formula-like cells start with an apostrophe."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)
    for entry in entries.iterator(chunk_size=2000):
        row = [
            entry.at.isoformat(),
            entry.actor_label,
            entry.client_address,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.object_label,
            json.dumps(entry.changes, ensure_ascii=False, sort_keys=True) if entry.changes else "",
        ]
        yield writer.writerow([_cell(value) for value in row])


@require_GET
@role_required("admin")
def audit_export(request):
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(error for errors in form.errors.values() for error in errors)
        return HttpResponse(f"Invalid filters: {errors}\n", status=400, content_type="text/plain")
    entries = form.entries()
    filters = {name: str(value) for name, value in form.cleaned_data.items() if value}
    # The export is itself an audited action; it is written before the file, so the file includes it.
    record("export.audit", label="Audit log", changes={"filters": filters})
    response = StreamingHttpResponse(csv_lines(entries), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="opennps-audit-{stamp}.csv"'
    return response
