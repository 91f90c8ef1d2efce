"""Format overrides for the staff pages' language (FORMAT_MODULE_PATH); Django's own fill the rest."""
