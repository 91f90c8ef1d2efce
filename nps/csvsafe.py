"""CSV files a spreadsheet opens without running anything: every CSV file OpenNPS writes uses `writer`.

Exports, the rejected rows of imports and the audit log carry text that customers and admins typed. A
cell that starts like a formula would run when the file is opened in Excel, LibreOffice or Google Sheets,
so it gets a leading apostrophe (shown as text, not as a formula). Numbers stay numbers.
"""

import csv
import re
from numbers import Number

# Formula starts; TAB and CR too, which spreadsheets skip before an "=" (OWASP's CSV injection list).
FORMULA_START = ("=", "+", "-", "@", "|", "%", "\t", "\r")
# A plain number such as -12 or -1,234.5 is data, not a formula: kept as it is.
PLAIN_NUMBER = re.compile(r"-?[0-9,.]+")


def neutralise(value):
    """The cell as written: formula-like text behind an apostrophe; None, numbers and other text as they are."""
    if value is None or isinstance(value, Number):
        return value
    text = str(value)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Writer:
    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row):
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(out, **options) -> _Writer:
    """`csv.writer` whose every cell goes through `neutralise`."""
    return _Writer(out, **options)
