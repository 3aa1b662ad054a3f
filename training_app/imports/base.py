"""What every CSV reader shares: decoding, the header check, row validators and the reader contract."""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any, TypeVar

from ..services.common.calendar import EARLIEST_DATE, LATEST_DATE, DateProblem, DateProblemKind, parse_iso_date
from ..validation import code_problem, control_character_problem, email_problem

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)

# ASCII digits only: `\d` would also take Arabic-Indic or full-width digits, which int() reads but nobody means.
TIME_PATTERN = re.compile(r"([0-9]{1,2}):([0-9]{2})")
INTEGER_PATTERN = re.compile(r"[+-]?[0-9]+")
YES_NO = {"yes": True, "no": False}
MAX_INTEGER = 2**31 - 1  # what an INTEGER column holds on PostgreSQL
# More digits than MAX_INTEGER has are too large whatever they say; checked before int(), which refuses
# strings of over 4,300 digits with a ValueError of its own.
MAX_INTEGER_DIGITS = len(str(MAX_INTEGER))
SHOWN_LENGTH = 40  # how much of a bad value an error message repeats


def shown(value: str, limit: int = SHOWN_LENGTH) -> str:
    """A cell as an error message repeats it: on one line (line breaks and other invisible characters written
    as escapes, which also shows a stray non-breaking space) and shortened, so a huge cell buries nothing."""
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    if value.isprintable():
        return value
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in value)


def shown_codes(codes: Sequence[str], most: int = 5) -> str:
    """Codes as an error message lists them: the first few, each shortened, and how many more there are."""
    listed = ", ".join(shown(code) for code in codes[:most])
    return listed + (f" and {len(codes) - most} more" if len(codes) > most else "")


def date_message(value: str, problem: DateProblem) -> str:
    """What is wrong with a date cell, in the words of the import messages."""
    if problem.kind is DateProblemKind.OUT_OF_RANGE:
        return f"{value} is outside the years this system keeps ({EARLIEST_DATE} to {LATEST_DATE})"
    if problem.kind is DateProblemKind.NOT_REAL:
        return f"{value} is not a real date"
    return f'must be a date as YYYY-MM-DD, not "{shown(value)}"'


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why in one sentence."""


@dataclass(frozen=True)
class RowError:
    """One problem in one cell, reported as `line N: column: message`."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.message}"


class Row:
    """One data row: its cells by column, its line number, and validators that log what is wrong."""

    def __init__(self, line: int, cells: dict[str, str], errors: list[RowError]):
        self.line = line
        self.cells = cells
        self._errors = errors
        self.error_count = 0
        self.malformed = False  # wrong number of values: its cells are not checked one by one

    def __getitem__(self, column: str) -> str:
        return self.cells[column]

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def checked(self, value: T | None) -> T:
        """A required cell's value for building the row's record, once the row has passed its checks.

        The validators return None only after logging an error (or for an empty optional cell), so every
        required value of an ok row is present. Asking for one from a row with errors, or for a value that is
        missing, is a mistake in the reader, not in the file: it raises rather than build a half-checked record.
        """
        if not self.ok:
            raise RuntimeError(f"line {self.line}: a record was built from a row with errors")
        if value is None:
            raise RuntimeError(f"line {self.line}: a required value is missing from a row that passed its checks")
        return value

    def error(self, column: str, message: str) -> None:
        """Record a problem with one cell of this row."""
        self._errors.append(RowError(self.line, column, message))
        self.error_count += 1

    def _value(self, column: str, required: bool) -> str | None:
        value = self.cells[column]
        if not value:
            if required:
                self.error(column, "is required")
            return None
        return value

    def text(self, column: str, max_length: int, required: bool = True, multiline: bool = False) -> str | None:
        """A text cell of at most max_length characters, on one line unless `multiline` (notes)."""
        value = self._value(column, required)
        if value is not None and len(value) > max_length:
            self.error(column, f"must be at most {max_length} characters")
            return None
        if value is not None and (problem := control_character_problem(value, multiline)):
            self.error(column, f'{problem}: "{shown(value)}"')
            return None
        return value

    def code(self, column: str, max_length: int) -> str | None:
        """A required code of at most max_length capital letters, digits and hyphens."""
        value = self.text(column, max_length)
        if value is not None and (problem := code_problem(value)):
            self.error(column, f'{problem}, not "{shown(value)}"')
            return None
        return value

    def yes_no(self, column: str) -> bool | None:
        """A required `yes` or `no`."""
        value = self._value(column, True)
        if value is None:
            return None
        if value.lower() not in YES_NO:
            self.error(column, f'must be yes or no, not "{shown(value)}"')
            return None
        return YES_NO[value.lower()]

    def integer(self, column: str, minimum: int | None = None, required: bool = False) -> int | None:
        """A whole number that an INTEGER column holds, at least `minimum` when given."""
        value = self._value(column, required)
        if value is None:
            return None
        if not INTEGER_PATTERN.fullmatch(value):
            self.error(column, f'must be a whole number, not "{shown(value)}"')
            return None
        if len(value.lstrip("+-").lstrip("0")) > MAX_INTEGER_DIGITS or abs(number := int(value)) > MAX_INTEGER:
            self.error(column, f"{shown(value)} is too large")
            return None
        if minimum is not None and number < minimum:
            self.error(column, f"must be at least {minimum}, not {number}")
            return None
        return number

    def date(self, column: str, required: bool = True) -> date | None:
        """A real date written YYYY-MM-DD, within the years the system keeps; required unless told otherwise."""
        value = self._value(column, required)
        if value is None:
            return None
        try:
            return parse_iso_date(value)
        except DateProblem as problem:
            self.error(column, date_message(value, problem))
            return None

    def time(self, column: str) -> time | None:
        """A required time of day written HH:MM (24-hour clock)."""
        value = self._value(column, True)
        if value is None:
            return None
        match = TIME_PATTERN.fullmatch(value)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            self.error(column, f'must be a time as HH:MM, not "{shown(value)}"')
            return None
        return time(int(match[1]), int(match[2]))

    def email(self, column: str) -> str | None:
        """A required email address, lower-cased."""
        value = self._value(column, True)
        if value is None:
            return None
        if len(value) > 254:
            self.error(column, "must be at most 254 characters")
            return None
        problem = email_problem(value)
        if problem:
            self.error(column, f'"{shown(value, 254)}" is not a valid email address: {problem}')
            return None
        return value.lower()

    def choice(self, column: str, choices: type[E], default: E | None = None) -> E | None:
        """One of an enumeration's values; an empty cell gives `default`, or is an error without one."""
        value = self._value(column, default is None)
        if value is None:
            return default
        try:
            return choices(value.lower())
        except ValueError:
            allowed = ", ".join(member.value for member in choices)
            self.error(column, f'must be one of {allowed}, not "{shown(value)}"')
            return None

    def ref(
        self, column: str, table: Mapping[str, T], missing: str, required: bool = True, lower: bool = False
    ) -> T | None:
        """A code that must be a key of `table`; `missing` says what was not found, e.g. 'no course with code {}'."""
        value = self._value(column, required)
        if value is None:
            return None
        found = table.get(value.lower() if lower else value)
        if found is None:
            self.error(column, missing.format(shown(value)))
        return found

    def code_list(self, column: str) -> list[str]:
        """A `;`-separated list of codes: spaces around codes ignored, repeats collapsed, order kept."""
        codes = (code.strip() for code in self.cells[column].split(";"))
        return list(dict.fromkeys(code for code in codes if code))


class Reader:
    """One kind of CSV file: subclasses name its columns and key, check rows, and write them."""

    kind: str
    columns: tuple[str, ...]
    optional_columns: tuple[str, ...] = ()  # a file may leave these out; rows then leave what they hold alone
    key_columns: tuple[str, ...]

    def key(self, row: Row) -> tuple[str, ...]:
        """The row's key as written; a key repeated within one file is an error."""
        return tuple(row[column] for column in self.key_columns)

    def load(self, rows: Sequence[Row]) -> None:
        """Fetch what the rows refer to, one query per table, before any row is checked."""

    def check(self, row: Row) -> Any | None:
        """Validate one row; return what to write, or None when the row has errors."""
        raise NotImplementedError

    def check_file(self, records: list[Any]) -> None:
        """Rules across rows (capacity, agreement between rows); log errors on the rows concerned."""

    def write(self, records: list[Any]) -> tuple[int, int]:
        """Create or update the records; return how many were created and how many updated."""
        raise NotImplementedError


def decode(data: bytes | str) -> str:
    """The file's text: UTF-8 with or without a byte order mark."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileProblem(
                f"the file is not UTF-8 text (byte {exc.object[exc.start]:#04x} at position {exc.start}); "
                "save it as CSV UTF-8"
            ) from None
    elif not data.isascii():
        try:
            data.encode("utf-8")  # text handed to the service may hold lone surrogates no database driver can send
        except UnicodeEncodeError as exc:
            raise FileProblem(f"the file is not UTF-8 text (character {exc.start + 1} cannot be encoded)") from None
    text = data.removeprefix("\ufeff")
    if "\x00" in text:
        raise FileProblem("the file is not a CSV text file (it contains NUL characters)")
    if not text.strip():
        raise FileProblem("the file is empty")
    return text


def read_rows(
    data: bytes | str, columns: Sequence[str], kind: str, errors: list[RowError], optional: Sequence[str] = ()
) -> list[Row]:
    """Parse the file into rows, checking the header (`optional` columns may be left out); whole-file problems raise
    FileProblem."""
    reader = csv.reader(io.StringIO(decode(data), newline=""), strict=True)
    try:
        header = [name.strip().lower() for name in next(reader)]
        _check_header(header, columns, kind, optional)
        rows = list(_data_rows(reader, header, errors))
    except csv.Error as exc:
        raise FileProblem(f"the file is not valid CSV: line {reader.line_num}: {exc}") from None
    if not rows:
        raise FileProblem("the file has a header but no rows")
    return rows


def _check_header(header: list[str], columns: Sequence[str], kind: str, optional: Sequence[str] = ()) -> None:
    expected = ", ".join(columns) + (f" (and optionally {', '.join(optional)})" if optional else "")
    if not set(header) & set(columns):
        raise FileProblem(f"the first line is not the header of a CSV file of {kind}: expected the columns {expected}")
    repeated = sorted({name for name in header if header.count(name) > 1})
    missing = [name for name in columns if name not in header]
    extra = [name or "(blank)" for name in header if name not in columns and name not in optional]
    problems = []
    if repeated:
        problems.append(f"repeated columns: {shown_codes(repeated)}")
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected columns: {shown_codes(extra)}")
    if problems:
        raise FileProblem(f"the header is wrong ({'; '.join(problems)}); a file of {kind} has the columns {expected}")


def _data_rows(reader: Any, header: list[str], errors: list[RowError]) -> Iterator[Row]:
    previous_end = reader.line_num
    for values in reader:
        line, previous_end = previous_end + 1, reader.line_num
        cells = [value.strip() for value in values]
        if not any(cells):
            continue  # blank lines, such as those a spreadsheet leaves at the end, are ignored
        padded = cells + [""] * (len(header) - len(cells))
        row = Row(line, dict(zip(header, padded, strict=False)), errors)
        if len(cells) < len(header) or any(cells[len(header) :]):
            row.error("row", f"has {len(cells)} values but the header has {len(header)} columns")
            row.malformed = True
        yield row
