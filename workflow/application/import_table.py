"""A table read from a file another tool exported: CSV (as Excel writes it: `;` or `,`,
UTF-8 with or without a byte-order mark, or Windows-1252) or an Excel workbook (XLSX, its
first sheet with data). The first row that is not empty holds the headers; every row keeps
its number in the file, so a message can name it."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from lofte.kernel.errors import ConfigError
from lofte.kernel.untrusted import size_text

MAX_BYTES = 20_000_000
MAX_ROWS = 100_000
DELIMITERS = (";", ",", "\t")


class ImportFileError(ConfigError):
    """The file cannot be read as a table (nothing was stored)."""


@dataclass(frozen=True)
class TableRow:
    number: int  # the row's number in the file (1 is the first line or the sheet's row 1)
    cells: tuple[Any, ...]


@dataclass(frozen=True)
class ImportTable:
    name: str  # the file's name
    headers: tuple[str, ...]
    rows: tuple[TableRow, ...]


def read_table(name: str, data: bytes) -> ImportTable:
    """The file's headers and rows; ImportFileError with a Swedish message if it is empty,
    too big, of another format, or has no headers."""
    label = PurePath(name).name or "filen"
    if not data:
        raise ImportFileError(f"{label} är tom")
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            f"{label} är för stor ({size_text(len(data))}; högst {size_text(MAX_BYTES)})"
        )
    suffix = PurePath(name).suffix.casefold()
    if suffix == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            f"{label} är i Excels gamla format (.xls); spara den som .xlsx eller CSV "
            "och försök igen"
        )
    if data[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        lines = _xlsx_rows(label, data)
    elif suffix in (".csv", ".txt", ".tsv", "") or _looks_like_text(data):
        lines = _csv_rows(label, data)
    else:
        raise ImportFileError(f"{label}: okänt format ({suffix}); läs in en CSV- eller XLSX-fil")
    return _table(label, lines)


def _table(label: str, lines: Sequence[tuple[int, tuple[Any, ...]]]) -> ImportTable:
    filled = [(n, cells) for n, cells in lines if any(_filled(c) for c in cells)]
    if not filled:
        raise ImportFileError(f"{label} har inga rader (inte ens rubriker)")
    (_, header_cells), body = filled[0], filled[1:]
    headers = tuple("" if c is None else str(c).strip() for c in header_cells)
    if not any(headers):
        raise ImportFileError(f"{label} har inga rubriker på första raden")
    if len(body) > MAX_ROWS:
        raise ImportFileError(f"{label} har {len(body)} rader; högst {MAX_ROWS} per inläsning")
    width = len(headers)
    rows = tuple(
        TableRow(n, tuple(cells[:width]) + (None,) * (width - len(cells))) for n, cells in body
    )
    return ImportTable(label, headers, rows)


def _filled(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


def _looks_like_text(data: bytes) -> bool:
    return b"\x00" not in data[:4096]


def decoded(data: bytes) -> str:
    """UTF-8 (a byte-order mark dropped), else Windows-1252 as Excel on Windows writes CSV."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_rows(label: str, data: bytes) -> list[tuple[int, tuple[Any, ...]]]:
    text = decoded(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(DELIMITERS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, tuple(cells)) for cells in reader]
    except csv.Error as exc:
        raise ImportFileError(
            f"{label}, rad {reader.line_num}: kan inte läsas som CSV ({exc})"
        ) from None


def _xlsx_rows(label: str, data: bytes) -> list[tuple[int, tuple[Any, ...]]]:
    from openpyxl import load_workbook  # only when a workbook is read

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(
            f"{label} kan inte läsas som en Excel-arbetsbok (.xlsx): {exc.__class__.__name__}"
        ) from None
    try:
        if not book.worksheets:
            raise ImportFileError(f"{label} har inga blad")
        for sheet in book.worksheets:
            lines = [
                (number, tuple(cells))
                for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
            if any(any(_filled(c) for c in cells) for _, cells in lines):
                return lines
        raise ImportFileError(f"{label} har inga rader i något blad (inte ens rubriker)")
    finally:
        book.close()
