"""History import pages (admins): the shared CSV import steps (surveys/import_flow.py) for past answers."""

from surveys.import_flow import ImportFlow
from surveys.models import Brand

from . import history_import
from .forms import HistoryMappingForm, HistoryUploadForm
from .models import ResponseImport

history_imports = ImportFlow(
    model=ResponseImport,
    upload_form=HistoryUploadForm,
    mapping_form=HistoryMappingForm,
    templates="responses/import",
    create=lambda form, user: history_import.create_import(
        form.cleaned_data["file"], brand=form.cleaned_data["brand"], user=user
    ),
    start_check=lambda upload, form: history_import.start_check(upload, mapping=form.cleaned_data["mapping"]),
    start_load=history_import.start_load,
    cancel=history_import.cancel_import,
    start_context=lambda: {
        "has_brands": Brand.objects.exists(),
        "imports": ResponseImport.objects.select_related("brand")[:10],
    },
)
views = history_imports.views()
