"""Adding people today leaves the demo's 2008 figures exactly as they were (SPEC 3.1, 5): new people start today."""

from __future__ import annotations

from datetime import date

from seeds.people import CAF_REQUIRED_GROUPS
from tests.reference import TRAINED_BY_AREA_2008_08_31
from tests.seeds.helpers import seed_demo
from training_app.imports import import_csv
from training_app.services.common.calendar import london_today
from training_app.services.reporting.counting import AreaRow, trained_by_area
from training_app.services.reporting.coverage import coverage_grid
from training_app.services.reporting.report_lists import count_rows, still_to_train_query
from training_app.services.reporting.report_rows import report_sheets, still_to_train

AS_OF = date(2008, 8, 31)
HEADER = "email,first_name,last_name,job_title,organisation,group,authorities,cover_category"


def figures_as_of(on: date) -> tuple:
    return (
        still_to_train(on),
        count_rows(still_to_train_query(on)),
        trained_by_area(on),
        report_sheets(on),
        coverage_grid(on),
    )


def still_in_leicestershire(on: date) -> int:
    return {row.label: row.count for row in still_to_train(on)}["Leicestershire"]


def test_importing_three_people_today_does_not_change_still_to_train_as_of_2008_08_31(app, app_ctx):
    assert seed_demo(app).exit_code == 0
    before, today_before = figures_as_of(AS_OF), still_in_leicestershire(london_today())
    needing_caf = min(CAF_REQUIRED_GROUPS)

    result = import_csv(
        "practitioners",
        "\n".join(
            [HEADER] + [f"new{n}@example.org,New,Person{n},,LS-SC,{needing_caf},LEICESTERSHIRE," for n in range(3)]
        ),
    )

    assert result.summary == "imported 3 practitioners (3 created, 0 updated)"
    assert figures_as_of(AS_OF) == before
    assert trained_by_area(AS_OF) == [AreaRow(*row) for row in TRAINED_BY_AREA_2008_08_31]
    assert still_in_leicestershire(london_today()) == today_before + 3
