"""The pages of a CSV import, shared by contact imports (surveys) and answer-history imports (responses).

Upload → map the columns on a preview of the first rows → a task checks every row → the admin imports the
valid rows or nothing. Each kind of import describes itself as an ImportFlow; its methods are the views
of the steps, and `views()` gives them admin-only, ready for a URLconf.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from nps import audit
from nps.accounts.roles import role_required

from . import import_files
from .csvfile import InvalidFile, inspect_upload


def _audit(action: str, upload, **changes) -> None:
    kind = upload._meta.verbose_name.capitalize()  # "Contact import", "Response import"
    audit.record(action, obj=upload, label=f"{kind}: {upload.original_name}", changes=changes)


@dataclass(frozen=True)
class ImportFlow:
    model: type  # a CsvUpload: its Status says which step an upload is at
    upload_form: type
    mapping_form: type  # a ColumnMappingForm (surveys.forms)
    templates: str  # "<app>/import": <app>/import_start.html and <app>/import_detail.html
    create: Callable  # (upload form, user) → the new import, or InvalidFile
    start_check: Callable  # (import, mapping form) → None
    start_load: Callable  # (import) → None
    cancel: Callable  # (import) → None
    start_context: Callable[[], dict]  # what else the upload page shows

    def start(self, request):
        form = self.upload_form(request.POST or None, request.FILES or None)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    upload = self.create(form, request.user)
                except InvalidFile as error:
                    form.add_error("file", str(error))
                else:
                    _audit("import.start", upload)
                    return redirect(upload)
            status = 400
        context = {"form": form, **self.start_context()}
        return render(request, f"{self.templates}_start.html", context, status=status)

    def _mapping_form(self, upload, data=None):
        return self.mapping_form(data, headers=upload.headers, mapping=upload.mapping, prefix="map")

    def _page(self, request, upload, *, form=None, status=200):
        context = {
            "import": upload,
            # Finished imports keep their rejected rows a while (surveys.import_files).
            "files_expire_at": import_files.files_expire_at(upload),
            "rejected_expired": import_files.rejected_rows_expired(upload),
            "retention_days": settings.IMPORT_FILE_RETENTION_DAYS,
        }
        if upload.status == self.model.Status.UPLOADED:
            try:
                found = inspect_upload(upload.file.path)
            except (InvalidFile, OSError):
                found = None
            context["preview"] = found.rows if found else []
            context["form"] = form or self._mapping_form(upload)
        return render(request, f"{self.templates}_detail.html", context, status=status)

    def detail(self, request, pk):
        return self._page(request, get_object_or_404(self.model, pk=pk))

    def map(self, request, pk):
        upload = get_object_or_404(self.model, pk=pk)
        if upload.status != self.model.Status.UPLOADED:
            messages.warning(request, "The columns of this import were already mapped.")
            return redirect(upload)
        form = self._mapping_form(upload, request.POST)
        if not form.is_valid():
            return self._page(request, upload, form=form, status=400)
        self.start_check(upload, form)
        return redirect(upload)

    def confirm(self, request, pk):
        upload = get_object_or_404(self.model, pk=pk)
        action = request.POST.get("action")
        if action not in ("import", "cancel"):
            return HttpResponse("Choose “import” or “cancel”.", status=400, content_type="text/plain")
        if upload.status != self.model.Status.CHECKED:
            messages.warning(request, f"This import is already “{upload.get_status_display().lower()}”.")
            return redirect(upload)
        if action == "cancel":
            self.cancel(upload)
            _audit("import.cancel", upload)
            messages.success(request, "Nothing was imported.")
        elif not upload.valid_rows:
            messages.warning(request, "There are no valid rows to import.")
        else:
            self.start_load(upload)
            _audit("import.load", upload, rows=upload.valid_rows)
        return redirect(upload)

    def views(self) -> dict[str, Callable]:
        """The steps as admin-only views: start, detail, map and confirm (the last two POST only)."""
        admin = role_required("admin")
        return {
            "start": admin(self.start),
            "detail": admin(self.detail),
            "map": require_POST(admin(self.map)),
            "confirm": require_POST(admin(self.confirm)),
        }
