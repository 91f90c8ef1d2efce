"""History import pages (admins): upload, map columns, check, import."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from nps.roles import role_required
from surveys.importing import InvalidFile, inspect_upload
from surveys.models import Brand

from . import importing
from .forms import HistoryMappingForm, HistoryUploadForm
from .models import ResponseImport


@role_required("admin")
def import_start(request):
    form = HistoryUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                response_import = importing.create_import(
                    form.cleaned_data["file"], brand=form.cleaned_data["brand"], user=request.user
                )
            except InvalidFile as error:
                form.add_error("file", str(error))
            else:
                return redirect(response_import)
        status = 400
    context = {
        "form": form,
        "has_brands": Brand.objects.exists(),
        "imports": ResponseImport.objects.select_related("brand")[:10],
    }
    return render(request, "responses/import_start.html", context, status=status)


def _mapping_form(response_import, data=None):
    return HistoryMappingForm(
        data, headers=response_import.headers, mapping=response_import.mapping, prefix="map"
    )


def _import_page(request, response_import, *, form=None, status=200):
    context = {"import": response_import}
    if response_import.status == ResponseImport.Status.UPLOADED:
        try:
            found = inspect_upload(response_import.file.path)
        except (InvalidFile, OSError):
            found = None
        context["preview"] = found.rows if found else []
        context["form"] = form or _mapping_form(response_import)
    return render(request, "responses/import_detail.html", context, status=status)


@role_required("admin")
def import_detail(request, pk):
    return _import_page(request, get_object_or_404(ResponseImport, pk=pk))


@require_POST
@role_required("admin")
def import_map(request, pk):
    response_import = get_object_or_404(ResponseImport, pk=pk)
    if response_import.status != ResponseImport.Status.UPLOADED:
        messages.warning(request, "The columns of this import were already mapped.")
        return redirect(response_import)
    form = _mapping_form(response_import, request.POST)
    if not form.is_valid():
        return _import_page(request, response_import, form=form, status=400)
    importing.start_check(response_import, mapping=form.cleaned_data["mapping"])
    return redirect(response_import)


@require_POST
@role_required("admin")
def import_confirm(request, pk):
    response_import = get_object_or_404(ResponseImport, pk=pk)
    action = request.POST.get("action")
    if action not in ("import", "cancel"):
        return HttpResponse("Choose “import” or “cancel”.", status=400, content_type="text/plain")
    if response_import.status != ResponseImport.Status.CHECKED:
        status = response_import.get_status_display().lower()
        messages.warning(request, f"This import is already “{status}”.")
        return redirect(response_import)
    if action == "cancel":
        importing.cancel_import(response_import)
        messages.success(request, "Nothing was imported.")
    elif not response_import.valid_rows:
        messages.warning(request, "There are no valid rows to import.")
    else:
        importing.start_load(response_import)
    return redirect(response_import)
