"""GET and PUT /api/v1/funds/{financial_year}: create, change, audit and refuse bad settings."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import AuditEvent, Fund, RateCard, Role

DEFAULT_RATES = {"teacher": {"half_day": 9000, "day": 18000}, "teaching_assistant": {"half_day": 3500, "day": 7000}}
SETTINGS = {"amount_pence": 15_400_000, "scheme_start": "2007-09-01", "claim_deadline": "2008-04-30"}


def put(client, headers, body, year=2007):
    return client.put(f"/api/v1/funds/{year}", headers=headers, json=body)


def audit_trail() -> list[AuditEvent]:
    return list(db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id)).scalars())


def test_finance_creates_a_fund_with_the_default_rates(client, headers_for):
    headers = headers_for(Role.FINANCE, email="budget@council.example")

    response = put(client, headers, SETTINGS)

    assert response.status_code == 201
    expected = {"financial_year": 2007, "label": "2007-08", **SETTINGS, "rates": DEFAULT_RATES, "contributions": []}
    assert response.json == expected
    assert client.get("/api/v1/funds/2007", headers=headers).json == expected
    [event] = audit_trail()
    assert (event.action, event.entity_type, event.actor) == ("fund_created", "fund", "budget@council.example")
    assert event.old_value is None
    assert event.new_value == {**SETTINGS, "rates": DEFAULT_RATES, "contributions": []}


def test_changing_a_fund_keeps_one_rate_card_and_audits_old_and_new_values(client, headers_for):
    headers = headers_for(Role.ADMIN)
    assert put(client, headers, SETTINGS).status_code == 201
    changed = {**SETTINGS, "amount_pence": 16_000_000, "rates": {"teacher": {"day": 19000}}}

    response = put(client, headers, changed)

    assert response.status_code == 200
    assert response.json["amount_pence"] == 16_000_000
    assert response.json["rates"]["teacher"] == {"half_day": 9000, "day": 19000}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Fund)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RateCard)) == 4
    created, change = audit_trail()
    assert change.action == "fund_changed"
    assert change.entity_id == created.entity_id
    assert (change.old_value["amount_pence"], change.new_value["amount_pence"]) == (15_400_000, 16_000_000)
    assert (change.old_value["rates"]["teacher"]["day"], change.new_value["rates"]["teacher"]["day"]) == (18000, 19000)


def test_rates_left_out_of_a_change_go_back_to_the_defaults(client, headers_for):
    headers = headers_for(Role.FINANCE)
    custom = {"teacher": {"half_day": 1, "day": 2}, "teaching_assistant": {"half_day": 3, "day": 4}}
    assert put(client, headers, {**SETTINGS, "rates": custom}).json["rates"] == custom
    assert put(client, headers, SETTINGS).json["rates"] == DEFAULT_RATES


def test_putting_the_same_settings_again_records_no_change(client, headers_for):
    headers = headers_for(Role.FINANCE)
    put(client, headers, SETTINGS)
    assert put(client, headers, SETTINGS).status_code == 200
    assert [event.action for event in audit_trail()] == ["fund_created"]


def test_zero_is_a_valid_amount(client, headers_for):
    body = {**SETTINGS, "amount_pence": 0, "rates": {"teaching_assistant": {"half_day": 0}}}
    response = put(client, headers_for(Role.FINANCE), body)
    assert response.status_code == 201
    assert response.json["rates"]["teaching_assistant"] == {"half_day": 0, "day": 7000}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"amount_pence", "scheme_start", "claim_deadline"}),
        ({**SETTINGS, "amount_pence": "15400000"}, {"amount_pence"}),
        ({**SETTINGS, "amount_pence": 154000.50}, {"amount_pence"}),
        ({**SETTINGS, "amount_pence": 100.0}, {"amount_pence"}),
        ({**SETTINGS, "amount_pence": True}, {"amount_pence"}),
        ({**SETTINGS, "amount_pence": -1}, {"amount_pence"}),
        ({**SETTINGS, "amount_pence": 2**31}, {"amount_pence"}),
        ({**SETTINGS, "amount_pence": None}, {"amount_pence"}),
        ({**SETTINGS, "scheme_start": "2007-02-30"}, {"scheme_start"}),
        ({**SETTINGS, "scheme_start": "1/9/2007"}, {"scheme_start"}),
        ({**SETTINGS, "scheme_start": 20070901}, {"scheme_start"}),
        ({**SETTINGS, "claim_deadline": "2007-09-01"}, {"claim_deadline"}),
        ({**SETTINGS, "claim_deadline": "2007-08-31"}, {"claim_deadline"}),
        ({**SETTINGS, "currency": "GBP"}, {"currency"}),
        ({**SETTINGS, "rates": [9000]}, {"rates"}),
        ({**SETTINGS, "rates": {"cleaner": {"day": 100}}}, {"rates.cleaner"}),
        ({**SETTINGS, "rates": {"teacher": 9000}}, {"rates.teacher"}),
        ({**SETTINGS, "rates": {"teacher": {"hour": 10}}}, {"rates.teacher.hour"}),
        ({**SETTINGS, "rates": {"teacher": {"day": "180.00"}}}, {"rates.teacher.day"}),
        ({**SETTINGS, "rates": {"teacher": {"day": None}}}, {"rates.teacher.day"}),
        ({**SETTINGS, "rates": {"teaching_assistant": {"half_day": -5}}}, {"rates.teaching_assistant.half_day"}),
        (
            {
                "amount_pence": 1.5,
                "scheme_start": "2008-01-01",
                "claim_deadline": "2007-12-31",
                "rates": {"teacher": {"half_day": "a", "day": 2.5}, "teaching_assistant": {"day": -1}},
                "extra": 1,
            },
            {
                "amount_pence",
                "claim_deadline",
                "rates.teacher.half_day",
                "rates.teacher.day",
                "rates.teaching_assistant.day",
                "extra",
            },
        ),
    ],
)
def test_bad_settings_are_a_422_naming_every_bad_field_and_change_nothing(client, headers_for, body, fields):
    response = put(client, headers_for(Role.FINANCE), body)

    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == fields
    assert all(error["fields"].values())
    assert db.session.execute(sa.select(Fund)).first() is None
    assert audit_trail() == []


@pytest.mark.parametrize("year", [1850, 99999, 0, 2100])
def test_an_implausible_financial_year_is_a_422(client, headers_for, year):
    response = put(client, headers_for(Role.FINANCE), SETTINGS, year=year)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"financial_year"}


def test_a_bad_change_leaves_the_fund_as_it_was(client, headers_for):
    headers = headers_for(Role.FINANCE)
    put(client, headers, SETTINGS)
    assert put(client, headers, {**SETTINGS, "amount_pence": -100, "claim_deadline": "2007-01-01"}).status_code == 422
    assert client.get("/api/v1/funds/2007", headers=headers).json["amount_pence"] == SETTINGS["amount_pence"]
    assert len(audit_trail()) == 1


@pytest.mark.parametrize("year", ["99999999999999999999", "9223372036854775808", "2147483648", "9" * 5000, "２００７"])
def test_a_financial_year_no_database_integer_holds_is_a_404_for_every_method(client, headers_for, year):
    headers = headers_for(Role.FINANCE)

    for response in (client.get(f"/api/v1/funds/{year}", headers=headers), put(client, headers, SETTINGS, year=year)):
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"
    assert db.session.execute(sa.select(Fund)).first() is None


@pytest.mark.parametrize("year", ["999999999", "1999", "0"])
def test_a_financial_year_outside_the_scheme_is_a_404_to_read_and_a_422_to_write(client, headers_for, year):
    headers = headers_for(Role.FINANCE)

    assert client.get(f"/api/v1/funds/{year}", headers=headers).status_code == 404
    response = put(client, headers, SETTINGS, year=year)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"financial_year"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("scheme_start", "9999-12-31"), ("claim_deadline", "0001-01-01"), ("scheme_start", "2007-W35-7")],
)
def test_fund_dates_outside_the_supported_years_are_a_422(client, headers_for, field, value):
    response = put(client, headers_for(Role.FINANCE), {**SETTINGS, field: value})

    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert db.session.execute(sa.select(Fund)).first() is None


def test_an_amount_with_more_digits_than_python_reads_is_a_400_not_a_500(client, headers_for):
    body = '{"amount_pence": ' + "9" * 5000 + ', "scheme_start": "2007-09-01", "claim_deadline": "2008-04-30"}'

    response = client.put(
        "/api/v1/funds/2007", headers=headers_for(Role.FINANCE), data=body, content_type="application/json"
    )

    assert response.status_code in (400, 422)
    assert response.json["error"]["code"] in ("bad_request", "validation_failed")


@pytest.mark.parametrize(
    ("rates", "field"),
    [(None, "rates"), ({"teacher": None}, "rates.teacher"), ({"teaching_assistant": []}, "rates.teaching_assistant")],
)
def test_null_where_the_document_asks_for_an_object_is_a_422(client, headers_for, rates, field):
    response = put(client, headers_for(Role.FINANCE), {**SETTINGS, "rates": rates})

    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {field}
