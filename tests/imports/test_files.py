"""Whole-file behaviour shared by every kind: bad files, the CLI, the audit trail, all or nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.imports.helpers import csv_text, partnership, run_cli, run_import, table_counts
from training_app.extensions import db
from training_app.imports import KINDS, import_csv
from training_app.imports.authorities import AuthorityReader
from training_app.imports.service import READERS
from training_app.models import AuditEvent, Authority

AUTHORITIES = "code,name,partner,display_order"


def authority_codes() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Authority.code).order_by(Authority.code)))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\n\n  \n", "the file is empty"),
        (b"code,name\xff\xfe,partner\n", "the file is not UTF-8 text (byte 0xff at position 9); save it as CSV UTF-8"),
        ("code,name,partner,display_order\n".encode("utf-16"), "the file is not UTF-8 text"),
        (b"PK\x03\x04\x00\x00binary", "the file is not a CSV text file (it contains NUL characters)"),
        (b'{"authorities": ["LEICESTER"]}\n', "the first line is not the header of a CSV file of authorities"),
        (b'code,name,partner,display_order\nA,"Unclosed,yes,1\n', "the file is not valid CSV"),
        (b"code,name,partner,display_order\n\n\n", "the file has a header but no rows"),
    ],
)
def test_unreadable_files_get_one_clear_message(app_ctx, data, message):
    before = table_counts()

    result = import_csv("authorities", data)

    assert not result.ok
    assert len(result.errors) == 1
    assert result.errors[0].startswith(message)
    assert table_counts() == before


def test_missing_and_extra_columns_are_named(app_ctx):
    result = run_import("authorities", "code,title,partner,colour", "LEICESTER,Leicester,yes,red")

    assert result.errors == [
        "the header is wrong (missing columns: name, display_order; unexpected columns: title, colour); "
        "a file of authorities has the columns code, name, partner, display_order"
    ]
    assert authority_codes() == []


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_names_its_missing_and_extra_columns(app_ctx, kind):
    columns, optional = READERS[kind].columns, READERS[kind].optional_columns
    header = ",".join((*columns[1:], "remarks"))
    also = f" (and optionally {', '.join(optional)})" if optional else ""

    result = run_import(kind, header, ",".join("x" for _ in columns))

    assert result.errors == [
        f"the header is wrong (missing columns: {columns[0]}; unexpected columns: remarks); "
        f"a file of {kind} has the columns {', '.join(columns)}{also}"
    ]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "the file is empty"), (b"\x80\x81", "the file is not UTF-8 text (byte 0x80 at position 0)")],
)
def test_every_kind_refuses_an_empty_or_non_utf8_file(app, app_ctx, tmp_path, kind, data, message):
    result = run_cli(app, tmp_path, kind, data)

    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert result.stderr.endswith("nothing was imported\n")


def test_a_repeated_column_is_named(app_ctx):
    result = run_import("authorities", "code,name,partner,display_order,code", "A,Alpha,yes,1,A")

    assert result.errors[0].startswith("the header is wrong (repeated columns: code); a file of authorities")


def test_any_column_order_a_bom_crlf_and_blank_trailing_lines_are_fine(app_ctx):
    data = "\ufeffDisplay_Order , partner,name,code\r\n3,no,Nottingham,NOTTINGHAM\r\n1,yes,Leicester,LEICESTER\r\n"
    data += "\r\n,,,\r\n"

    result = import_csv("authorities", data.encode())

    assert result.ok, result.errors
    assert result.summary == "imported 2 authorities (2 created, 0 updated)"
    nottingham = db.session.scalars(sa.select(Authority).filter_by(code="NOTTINGHAM")).one()
    assert (nottingham.name, nottingham.partner, nottingham.display_order) == ("Nottingham", False, 3)


def test_a_row_with_the_wrong_number_of_values_is_reported(app_ctx):
    result = run_import("authorities", AUTHORITIES, "A,Alpha,yes,1", "B,Beta,yes", "C,Gamma,no,3,extra")

    assert result.errors == [
        "line 3: row: has 3 values but the header has 4 columns",
        "line 4: row: has 5 values but the header has 4 columns",
    ]
    assert authority_codes() == []


def test_line_numbers_count_the_lines_of_a_quoted_value_over_two_lines(app_ctx):
    result = run_import("authorities", AUTHORITIES, 'A,"Alpha\nand more",yes,1', "B,Beta,maybe,2")

    assert result.errors == [  # a name is one line (it reaches email subjects and calendars), but it is read whole
        'line 2: name: must be on one line (it contains a line break): "Alpha\\nand more"',
        'line 4: partner: must be yes or no, not "maybe"',
    ]


def test_one_bad_row_among_good_rows_imports_nothing_and_every_error_is_listed(app_ctx):
    result = run_import(
        "authorities",
        AUTHORITIES,
        "LEICESTER,Leicester,yes,1",
        ",Nameless,perhaps,first",
        "RUTLAND,Rutland,yes,3",
        "LEICESTER,Leicester again,yes,4",
    )

    assert result.errors == [
        "line 3: code: is required",
        'line 3: partner: must be yes or no, not "perhaps"',
        'line 3: display_order: must be a whole number, not "first"',
        "line 5: code: repeats line 2 (same code)",
    ]
    assert authority_codes() == []


def test_a_failed_import_leaves_the_database_as_it_was(app_ctx):
    partnership()
    before = table_counts()

    result = run_import("authorities", AUTHORITIES, "LEICESTER,Renamed,no,9", "NEW,New one,yes,")

    assert result.ok
    after_good = table_counts()
    assert after_good["authorities"] == before["authorities"] + 1

    result = run_import("authorities", AUTHORITIES, "LEICESTER,Renamed again,no,1", "BAD,,yes,1")

    assert result.errors == ["line 3: name: is required"]
    assert table_counts() == after_good
    assert db.session.scalars(sa.select(Authority.name).filter_by(code="LEICESTER")).one() == "Renamed"


def test_every_import_writes_one_audit_event_with_the_counts(app_ctx):
    partnership()

    run_import("authorities", AUTHORITIES, "LEICESTER,Leicester,yes,1", "NOTTINGHAM,Nottingham,no,9")
    run_import("authorities", AUTHORITIES, "BAD,Bad,maybe,1")

    events = db.session.scalars(sa.select(AuditEvent).filter_by(action="import").order_by(AuditEvent.id)).all()
    assert [(e.entity_type, e.new_value) for e in events] == [("authorities", {"created": 1, "updated": 1, "rows": 2})]


def test_the_service_refuses_an_unknown_kind(app_ctx):
    with pytest.raises(ValueError, match="the kinds are authorities, areas"):
        import_csv("widgets", b"a\n1\n")


def test_cli_prints_a_summary_and_exits_0(app, app_ctx, tmp_path):
    result = run_cli(app, tmp_path, "authorities", csv_text(AUTHORITIES, "LEICESTER,Leicester,yes,1"))

    assert result.exit_code == 0, result.output
    assert result.stdout == "imported 1 authorities (1 created, 0 updated)\n"
    assert authority_codes() == ["LEICESTER"]


def test_cli_lists_every_error_on_stderr_and_exits_1(app, app_ctx, tmp_path):
    text = csv_text(AUTHORITIES, "LEICESTER,Leicester,yes,1", "RUTLAND,Rutland,sometimes,x")

    result = run_cli(app, tmp_path, "authorities", text)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        'line 3: partner: must be yes or no, not "sometimes"',
        'line 3: display_order: must be a whole number, not "x"',
        "nothing was imported",
    ]
    assert authority_codes() == []


def test_cli_reports_a_bad_file_without_a_traceback(app, app_ctx, tmp_path):
    result = run_cli(app, tmp_path, "practitioners", b"\xc3\x28 not utf-8")

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        "the file is not UTF-8 text (byte 0xc3 at position 0); save it as CSV UTF-8",
        "nothing was imported",
    ]


def test_cli_unknown_kind_lists_the_kinds(app, tmp_path):
    result = run_cli(app, tmp_path, "widgets", "a\n")

    assert result.exit_code == 2
    assert "'widgets' is not one of" in result.stderr
    for kind in KINDS:
        assert f"'{kind}'" in result.stderr


def test_cli_missing_file(app):
    result = app.test_cli_runner().invoke(args=["import", "authorities", "/no/such/file.csv"])

    assert result.exit_code == 1
    assert result.stderr == "Error: no such file: /no/such/file.csv\n"


def test_a_refusal_by_the_database_is_one_message_and_nothing_is_written(app_ctx, monkeypatch):
    def locked(self, records):
        db.session.add(Authority(code="HALF", name="Half written"))
        db.session.flush()
        raise sa.exc.OperationalError("INSERT ...", {}, Exception("database is locked"))

    monkeypatch.setattr(AuthorityReader, "write", locked)

    result = run_import("authorities", AUTHORITIES, "LEICESTER,Leicester,yes,1")

    assert result.errors == ["the database refused the file, so nothing was imported: database is locked"]
    assert authority_codes() == []
