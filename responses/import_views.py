"""History import pages (admins): the shared CSV import steps (surveys/import_flow.py) for past answers."""

from surveys.import_flow import ImportFlow
from surveys.models import Brand

from . import importing
from .forms import HistoryMappingForm, HistoryUploadForm
from .models import ResponseImport

history_imports = ImportFlow(
    model=ResponseImport,
    upload_form=HistoryUploadForm,
    mapping_form=HistoryMappingForm,
    templates="responses/import",
    checked_status=ResponseImport.Status.CHECKED,
    create=lambda form, user: importing.create_import(
        form.cleaned_data["file"], brand=form.cleaned_data["brand"], user=user
    ),
    start_check=lambda upload, form: importing.start_check(upload, mapping=form.cleaned_data["mapping"]),
    start_load=importing.start_load,
    cancel=importing.cancel_import,
    start_context=lambda: {
        "has_brands": Brand.objects.exists(),
        "imports": ResponseImport.objects.select_related("brand")[:10],
    },
)
views = history_imports.views()
