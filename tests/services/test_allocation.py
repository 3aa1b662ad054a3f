"""Sharing a fund among approved claims and returning the underspend (SPEC 3.7), to the penny."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from seeds.funds import CONTRIBUTIONS
from training_app.models import CoverCategory, OrganisationKind, Role
from training_app.services.claims import allocation, claim_decisions, claims
from training_app.services.claims.allocation import apportion, payable

from ..factories import make_attendance, make_fund, make_organisation, make_practitioner, make_user


def test_claims_that_fit_the_fund_are_paid_in_full():
    assert payable(10000, {"A": 6000, "B": 4000}, {"A": "A", "B": "B"}) == {"A": 6000, "B": 4000}


def test_an_oversubscribed_fund_is_shared_pro_rata_with_the_pennies_to_the_largest_remainders():
    # 10000 pence for 13333 approved: exact shares 2499.81, 2499.81, 5000.37; floors 2499 + 2499 + 5000 = 9998,
    # so the two pennies left go to the two largest remainders (A and B), never to C.
    approved = {"A": 3333, "B": 3333, "C": 6667}
    assert payable(10000, approved, {key: key for key in approved}) == {"A": 2500, "B": 2500, "C": 5000}


def test_equal_remainders_are_broken_by_school_code():
    # 1000 pence among three equal claims: 333 each and one penny left, to the first school by code.
    approved = {1: 500, 2: 500, 3: 500}
    codes = {1: "SCH-C", 2: "SCH-A", 3: "SCH-B"}
    assert payable(1000, approved, codes) == {1: 333, 2: 334, 3: 333}


def test_dudleys_unspent_154000_goes_back_pro_rata_to_the_381000_pooled_schools_236000():
    # Dudley 2007-08: £154,000 unspent of a pool of £381k, schools gave £236k (Schools Forum minutes).
    weights = dict(CONTRIBUTIONS)
    assert sum(weights.values()) == 38_100_000
    returned = apportion(15_400_000, weights, {name: name for name in weights})
    # Floors: schools 15,400,000 x 236/381 = 9,539,107.61; LA 2,020,997.37; FE 606,299.21; Health and Connexions
    # 1,212,598.43 each; Police 808,398.95: 15,399,997 in all. Three pennies: Police (.95), schools (.61), then
    # Connexions over Health on an exact tie, by name.
    assert returned == {
        "Local Authority": 2_020_997,
        "Schools (Dedicated Schools Grant)": 9_539_108,
        "Further education colleges": 606_299,
        "Health": 1_212_598,
        "Police": 808_399,
        "Connexions": 1_212_599,
    }
    assert sum(returned.values()) == 15_400_000


@given(
    st.integers(min_value=0, max_value=2**31 - 1),
    st.dictionaries(st.text(min_size=1, max_size=4), st.integers(min_value=0, max_value=2**31 - 1), max_size=12),
)
def test_payments_never_exceed_approved_and_add_up_to_the_fund_when_oversubscribed(fund, approved):
    paid = payable(fund, approved, {key: key for key in approved})
    total = sum(approved.values())
    assert set(paid) == set(approved)
    assert all(0 <= paid[key] <= approved[key] for key in approved)
    if total <= fund:
        assert paid == approved
    else:
        assert sum(paid.values()) == fund
        for key, value in approved.items():  # within a penny of the exact share
            assert abs(paid[key] * total - value * fund) < total


@given(st.integers(min_value=0, max_value=10**9), st.lists(st.integers(min_value=1, max_value=10**8), max_size=10))
def test_apportion_always_sums_to_the_total(total, weights):
    shares = apportion(total, dict(enumerate(weights)), {n: f"{n:03d}" for n in range(len(weights))})
    assert sum(shares.values()) == (total if weights else 0)


def test_the_allocation_counts_approved_and_paid_claims_only(app_ctx):
    fund = make_fund(2007, amount_pence=20000, contributions=[("Schools", 3), ("Council", 1)])
    finance = make_user(Role.FINANCE)
    totals = {}
    for code, days, status in (("SCH-B", 2, "paid"), ("SCH-A", 1, "approved"), ("SCH-C", 1, "submitted")):
        school = make_organisation(kind=OrganisationKind.SCHOOL, code=code)
        booker = make_user(Role.BOOKER, organisation=school)
        teacher = make_practitioner(school, cover=CoverCategory.TEACHER)
        for n in range(days):
            make_attendance(teacher, [date(2007, 10, 1 + n)])
        claim = claims.create_claim(school, fund, booker).claim
        claim_decisions.submit_claim(claim, booker)
        if status != "submitted":
            claim_decisions.approve_claim(claim, finance)
        if status == "paid":
            claim_decisions.mark_paid(claim, finance)
        totals[code] = claim.total_pence
    result = allocation.allocate_fund(fund)
    # Approved 36000 + 18000 = 54000 against 20000: 13333.33 and 6666.67, the penny to SCH-A's larger remainder.
    assert [(s.code, s.approved_pence, s.payable_pence, s.paid_pence) for s in result.schools] == [
        ("SCH-A", 18000, 6667, 0),
        ("SCH-B", 36000, 13333, 36000),
    ]
    assert (result.approved_pence, result.payable_pence, result.remaining_pence) == (54000, 20000, 0)
    assert [(row.contributor, row.return_pence) for row in result.underspend] == [("Schools", 0), ("Council", 0)]


def test_an_underspent_fund_returns_what_is_left_pro_rata_to_the_contributions(app_ctx):
    fund = make_fund(2007, amount_pence=100_000, contributions=[("Schools", 236), ("Local Authority", 145)])
    school = make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-A")
    booker = make_user(Role.BOOKER, organisation=school)
    make_attendance(make_practitioner(school, cover=CoverCategory.TEACHER), [date(2007, 10, 1)])
    claim = claims.create_claim(school, fund, booker).claim
    claim_decisions.submit_claim(claim, booker)
    claim_decisions.approve_claim(claim, make_user(Role.FINANCE))
    result = allocation.allocate_fund(fund)
    # 100000 - 18000 = 82000 left: schools 82000 x 236/381 = 50792.65, the council 31207.34; the penny to schools.
    assert result.remaining_pence == 82000
    assert [(row.contributor, row.return_pence) for row in result.underspend] == [
        ("Schools", 50793),
        ("Local Authority", 31207),
    ]
