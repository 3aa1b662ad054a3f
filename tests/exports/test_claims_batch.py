"""`flask export claims --financial-year Y --out F.xlsx`: the finance batch; numbers as numbers, text as text."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl

from tests.factories import make_attendance, make_fund, make_organisation, make_practitioner, make_user
from training_app.extensions import db
from training_app.models import CoverCategory, OrganisationKind, Role
from training_app.services.claims import claim_decisions, claims
from training_app.services.claims.claims import Evidence


def export(app, *args):
    return app.test_cli_runner().invoke(args=["export", "claims", *args])


def test_the_batch_lists_each_schools_totals_and_every_approved_line(app, app_ctx, tmp_path):
    fund = make_fund(2007, amount_pence=20000, scheme_start=date(2007, 9, 1))
    finance = make_user(Role.FINANCE)
    school = make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-A", name='=HYPERLINK("x")')
    booker = make_user(Role.BOOKER, organisation=school)
    teacher = make_practitioner(
        school, email="t@alpha.example", first_name="Tess", last_name="T", cover=CoverCategory.TEACHER
    )
    make_attendance(teacher, [date(2007, 10, 10)], code="S-OCT")
    make_attendance(teacher, [date(2007, 8, 20)], code="S-AUG")
    evidence = {("t@alpha.example", date(2007, 8, 20)): Evidence("Supply Co", "+INV-1", 12345)}
    claim = claims.create_claim(school, fund, booker, evidence).claim
    claim_decisions.submit_claim(claim, booker)
    claim_id = claim_decisions.approve_claim(claim, finance).id
    db.session.remove()
    out = tmp_path / "batch.xlsx"

    result = export(app, "--financial-year", "2007", "--out", str(out))

    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(out)
    allocation = [list(row) for row in workbook["Allocation"].iter_rows(values_only=True)]
    # 30345 approved against a 20000 fund: the one school is paid the whole fund.
    assert allocation[1:4] == [
        ["School code", "School", "Approved", "Payable", "Paid"],
        ["SCH-A", '=HYPERLINK("x")', 303.45, 200, 0],
        ["Total", None, 303.45, 200, 0],
    ]
    assert workbook["Allocation"]["B3"].data_type == "s"
    lines = [list(row) for row in workbook["Lines"].iter_rows(values_only=True)]
    assert lines[1][:8] == [
        claim_id,
        "Approved",
        "SCH-A",
        '=HYPERLINK("x")',
        "t@alpha.example",
        "Tess T",
        "S-AUG",
        datetime(2007, 8, 20),
    ]
    assert lines[1][10:] == ["yes", "Supply Co", "+INV-1", 123.45, 180, 123.45]
    assert len(lines) == 3


def test_a_year_without_a_fund_is_refused_in_words(app, app_ctx, tmp_path):
    result = export(app, "--financial-year", "2011", "--out", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 1
    assert "there is no fund for financial year 2011" in result.output
