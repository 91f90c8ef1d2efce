"""Reading the CSV files admins upload, whatever spreadsheet wrote them; shared by every CSV import.

- `inspect_upload`: the encoding (BOMs, UTF-8, UTF-16, Excel's Windows-1252, else detection), the
  delimiter (comma, semicolon or tab), the header and the first rows, or InvalidFile with a reason for
  the admin;
- `store_upload`: save an upload on a CsvUpload (surveys.models) and read it with `inspect_upload`;
- `records`: every record after the header with the line it starts on (a quoted cell may span lines);
- `fit_row`: a record against the header's width.

What a row means is each import's business: surveys.contact_import (contacts) and
responses.history_import (past answers).
"""

import codecs
import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

PREVIEW_ROWS = 5
SAMPLE_BYTES = 64 * 1024
MAX_COLUMNS = 200
# How many rejected rows (line and reason) an import keeps for its page.
ERRORS_KEPT = 200
# A rejected row's reason: PostgreSQL text cannot hold U+0000 (the upload's first 64 KB refuse it whole).
NUL_REASON = "Contains a NUL character (U+0000), which cannot be stored"


class InvalidFile(ValueError):
    """The upload cannot be read as a CSV file; the message says why, for the admin."""


@dataclass
class Upload:
    encoding: str
    delimiter: str
    headers: list[str]
    rows: list[list[str]]


def detect_encoding(path: Path) -> str:
    """BOMs first, then strict UTF-8 over the whole file, then Windows-1252 (Excel), then detection."""
    with open(path, "rb") as file:
        sample = file.read(SAMPLE_BYTES)
    if not sample.strip(b" \t\r\n\x00" + codecs.BOM_UTF8 + codecs.BOM_UTF16_LE + codecs.BOM_UTF16_BE):
        raise InvalidFile(
            "The file is empty. Export your contacts as CSV with a header row and upload again."
        )
    if sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in sample:
        # UTF-16 without a BOM puts a zero byte beside every ASCII character; anything else is binary.
        odd_zeros, even_zeros = sample[1::2].count(0), sample[0::2].count(0)
        if odd_zeros > len(sample) // 4 and even_zeros == 0:
            encoding = "utf-16-le"
        elif even_zeros > len(sample) // 4 and odd_zeros == 0:
            encoding = "utf-16-be"
        else:
            raise not_csv()
    elif decodes_whole_file(path, "utf-8"):
        encoding = "utf-8"
    elif decodes_whole_file(path, "cp1252"):
        encoding = "cp1252"
    else:
        best = from_bytes(sample).best()
        if best is None:
            raise not_csv()
        encoding = best.encoding
    text = sample.decode(encoding, errors="ignore")
    if re.search(r"[\x00-\x08\x0e-\x1f]", text):
        raise not_csv()
    return encoding


def not_csv() -> InvalidFile:
    return InvalidFile(
        "This file is not a CSV file (it contains binary data). In your spreadsheet choose "
        "“Save as” → “CSV” and upload that file."
    )


def decodes_whole_file(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with open(path, "rb") as file:
        try:
            while chunk := file.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def detect_delimiter(text: str) -> str:
    """Comma, semicolon or tab: what the sniffer finds, else the one the header line uses most."""
    try:
        return csv.Sniffer().sniff(text, delimiters=",;\t").delimiter
    except csv.Error:
        first_line = text.split("\n", 1)[0]
        counts = {delimiter: first_line.count(delimiter) for delimiter in ",;\t"}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def open_text(path: Path, encoding: str):
    # newline="" lets the csv module see quoted newlines inside cells.
    return open(path, encoding=encoding, newline="", errors="replace")


def inspect_upload(path: Path) -> Upload:
    """Encoding, delimiter, headers and the first rows of an uploaded file, or InvalidFile."""
    encoding = detect_encoding(path)
    with open_text(path, encoding) as file:
        text = file.read(SAMPLE_BYTES)
    # Sniff whole lines only: a cut last line confuses the sniffer.
    delimiter = detect_delimiter(text.rsplit("\n", 1)[0] if "\n" in text else text)
    with open_text(path, encoding) as file:
        reader = csv.reader(file, delimiter=delimiter)
        try:
            headers = next(reader, None)
            rows = []
            for row in reader:
                if any(cell.strip() for cell in row):
                    rows.append(row)
                if len(rows) == PREVIEW_ROWS:
                    break
        except csv.Error as error:
            raise InvalidFile(f"The file could not be read as CSV: {error}.") from error
    if not headers or not any(cell.strip() for cell in headers):
        raise InvalidFile("The first line must name the columns (for example: email, name, phone).")
    headers = [cell.strip().lstrip("\ufeff") or f"Column {index}" for index, cell in enumerate(headers, 1)]
    if len(headers) > MAX_COLUMNS:
        raise InvalidFile(f"The file has {len(headers)} columns; at most {MAX_COLUMNS} can be imported.")
    return Upload(encoding=encoding, delimiter=delimiter, headers=headers, rows=rows)


def store_upload(csv_upload, upload) -> Upload:
    """Save an uploaded file on a CsvUpload (not yet saved) and note how it is written.

    Sets original_name, file, encoding, delimiter and headers and returns what `inspect_upload` found; on
    InvalidFile the stored file is deleted again before the error goes up.
    """
    name = Path(upload.name).name
    csv_upload.original_name = name[:255]
    csv_upload.file.save(name, upload, save=False)
    try:
        found = inspect_upload(Path(csv_upload.file.path))
    except InvalidFile:
        csv_upload.file.delete(save=False)
        raise
    csv_upload.encoding, csv_upload.delimiter, csv_upload.headers = (
        found.encoding,
        found.delimiter,
        found.headers,
    )
    return found


def header_key(header: str) -> str:
    """A header as the mapping suggestions compare it: lower-case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", header.lower())


def records(lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line it starts on, cells) for every record after the header, blank ones included.

    `lines` is a file from `open_text`. A malformed file raises InvalidFile naming the line.
    """
    reader = csv.reader(lines, delimiter=delimiter)
    line = 1
    try:
        next(reader, None)  # the header
        line = reader.line_num + 1
        for row in reader:
            start, line = line, reader.line_num + 1
            yield start, row
    except csv.Error as error:
        raise InvalidFile(f"Line {line}: the file could not be read as CSV ({error}).") from error


def fit_row(row: list[str], width: int) -> list[str]:
    """The row padded to the header's width; ValueError when it has more non-empty cells than columns."""
    if len(row) > width and any(cell.strip() for cell in row[width:]):
        raise ValueError(f"The row has {len(row)} cells but the header names {width} columns")
    if len(row) < width:
        row += [""] * (width - len(row))
    return row
