"""The example file of every kind imports cleanly in order, and a dry run checks and counts but writes nothing."""

from __future__ import annotations

import csv
import io

from tests.imports.helpers import csv_text, run_import, table_counts
from tests.seeds.helpers import seed_demo
from training_app.imports import import_csv
from training_app.imports.examples import EXAMPLE_ORDER, example_csv
from training_app.imports.service import KINDS, READERS


def test_every_kind_has_an_example_whose_header_is_the_kinds_columns(app_ctx):
    for kind in KINDS:
        header = next(csv.reader(io.StringIO(example_csv(kind))))
        assert tuple(header) == READERS[kind].columns + READERS[kind].optional_columns, kind
        assert len(example_csv(kind).splitlines()) > 1, f"{kind} has no example rows"


def test_the_examples_import_in_order_into_an_empty_database(app_ctx):
    for kind in (kind for kind in EXAMPLE_ORDER if kind in KINDS):
        result = import_csv(kind, example_csv(kind))
        assert result.errors == [], kind
        assert result.created > 0, kind


def test_each_example_imports_unchanged_into_the_demo_as_a_dry_run(app, app_ctx):
    assert seed_demo(app).exit_code == 0
    before = table_counts()

    for kind in EXAMPLE_ORDER:
        result = import_csv(kind, example_csv(kind), dry_run=True)
        assert result.errors == [], kind
        assert result.created + result.updated > 0, kind
    assert table_counts() == before


def test_a_dry_run_counts_what_would_be_created_and_updated_and_writes_nothing(app_ctx):
    run_import("authorities", "code,name,partner,display_order", "RUTLAND,Rutland,yes,1")
    before = table_counts()

    result = import_csv(
        "authorities",
        csv_text("code,name,partner,display_order", "RUTLAND,Rutland County,yes,1", "LEICESTER,Leicester,yes,2"),
        dry_run=True,
    )

    assert (result.ok, result.created, result.updated, result.dry_run) == (True, 1, 1, True)
    assert result.summary == "would import 2 authorities (1 created, 1 updated)"
    assert table_counts() == before


def test_a_dry_run_lists_every_error_by_line(app_ctx):
    result = import_csv(
        "authorities", csv_text("code,name,partner,display_order", "A,One,maybe,1", "B,,yes,x"), dry_run=True
    )

    assert not result.ok
    assert [error.split(":")[0] for error in result.errors] == ["line 2", "line 3", "line 3"]
