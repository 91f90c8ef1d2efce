"""English numbers on staff pages, grouped as the workspace chose (settings.NUMBER_GROUPING).

Django's English formats fix NUMBER_GROUPING at 3, and a locale's formats outrank the setting; this module
comes first on FORMAT_MODULE_PATH and defines only the grouping, so separators and dates stay Django's.
The value is read when asked for (not at import), so that a changed setting applies: Django clears its
format cache when NUMBER_GROUPING changes.
"""

from django.conf import settings


def __getattr__(name):
    if name == "NUMBER_GROUPING":
        return settings.NUMBER_GROUPING
    raise AttributeError(name)
