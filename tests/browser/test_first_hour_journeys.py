"""A council user's first hour, one journey per role (issue 18), each at 1280 px and at 390 px (a phone): nothing
scrolls sideways on the phone, no journey ends where the next step cannot be found, and every page is kept as a
screenshot (in the test's folder, and the last one of each journey at /tmp/shots/<journey>-<width>.png to look at).

A journey that changes things runs at each width on its own people and sessions (the Ash lane at 1280 px, the Birch
lane at 390 px), so the two runs neither depend on nor disturb each other. One live server and one browser serve
every test (conftest.py); the data goes in once, through the import command and, for what no command does, the
services (`live_app`).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from playwright.sync_api import Locator, Page, expect

from tests.browser.axe import serious_violations as _serious_violations
from tests.browser.conftest import ADMIN_PASSWORD, COORDINATOR_EMAIL, LIVE_PATHS, live_app, live_cli, sign_in
from training_app.extensions import db
from training_app.models import SelfBooking, User
from training_app.services.attendance.registers import Entry, mark_register
from training_app.services.catalogue.courses import course_with_code
from training_app.services.catalogue.trainers import add_trainer
from training_app.services.common.calendar import london_today
from training_app.services.common.lookups import session_with_code
from training_app.web.filters import long_date

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
LANES = {1280: "Ash", 390: "Birch"}  # whose people and sessions a journey that changes things uses at each width
SHOTS = Path("/tmp/shots")  # noqa: S108 (where people look at the journeys; nothing is read back from it)
PASSWORD = "first hour password"
BOOKER = "office@hourbrook-school.example"
TRAINER = "trudy@first-hour-team.example"
LEAD = "lead@first-hour-shire.example"
DEE = "dee@hourbrook-school.example"
SCHOOL = "Hourbrook Primary School"


def _email(first: str, lane: str) -> str:
    return f"{first.lower()}.{lane.lower()}@hourbrook-school.example"


def _person(first: str, lane: str, authorities: str = "FH-SHIRE") -> str:
    return f"{_email(first, lane)},{first},{lane},Teacher,FH-SCH,3,{authorities},teacher\n"


def _csvs(today: date) -> dict[str, str]:
    """First Hour Shire's school: in each lane Pia (who books herself), Ann, Bob and Cat (on a full session, Cat
    waiting) and Ada, Ben and Cal (on a register running today); Dee, whose session yesterday is marked; Hal and Ivy
    trained in 2024; Trudy, who trains. An open session in three weeks and one a week ago, both self-booked."""
    coming, lanes = (today + timedelta(days=21)).isoformat(), LANES.values()
    day = "09:30,16:00,,{capacity},FH-SHIRE,,scheduled\n"
    return {
        "authorities": "code,name,partner,display_order\nFH-SHIRE,First Hour Shire,yes,31\n"
        "FH-TOWN,First Hour Town,yes,32\n",
        "organisations": "code,name,kind,authority,area,urn,phase,pupils,awareness_only\n"
        f"FH-SCH,{SCHOOL},school,FH-SHIRE,,,,,no\n"
        "FH-TEAM,First Hour Training Team,social_care,FH-SHIRE,,,,,no\n",
        "practitioners": "email,first_name,last_name,job_title,organisation,group,authorities,cover_category\n"
        + "".join(_person(first, lane) for lane in lanes for first in ("Pia", "Ann", "Bob", "Cat", "Ada", "Ben", "Cal"))
        + f"{DEE},Dee,Done,Teacher,FH-SCH,3,FH-SHIRE,teacher\n"
        + _person("Hal", "Hart")
        + _person("Ivy", "Holt", "FH-SHIRE;FH-TOWN")
        + f"{TRAINER},Trudy,Tutor,Trainer,FH-TEAM,5,FH-SHIRE,none\n",
        "courses": "code,title,kind,validity_months,counts_as_trained,prerequisites\n"
        "FH-CAF,First hour CAF course,caf_practitioner,36,yes,\n"
        "FH-LP,First hour lead professional course,lead_professional,,no,\n"
        "FH-SAFE,First hour safeguarding course,caf_practitioner,36,yes,\n",
        "sessions": "code,course,date,start,end,venue,capacity,host_authority,host_area,status\n"
        f"FH-OPEN,FH-CAF,{coming},{day.format(capacity=10)}"
        f"FH-PAST,FH-CAF,{(today - timedelta(days=7)).isoformat()},{day.format(capacity=10)}"
        f"FH-DONE,FH-SAFE,{(today - timedelta(days=1)).isoformat()},{day.format(capacity=10)}"
        + "".join(f"FH-FULL-{lane.upper()},FH-LP,{coming},{day.format(capacity=2)}" for lane in lanes)
        + "".join(f"FH-REG-{lane.upper()},FH-SAFE,{today.isoformat()},{day.format(capacity=10)}" for lane in lanes),
        "bookings": "session,practitioner,status\n"
        + "".join(
            "".join(f"FH-FULL-{lane.upper()},{_email(first, lane)},booked\n" for first in ("Ann", "Bob"))
            + f"FH-FULL-{lane.upper()},{_email('Cat', lane)},waitlisted\n"
            + "".join(f"FH-REG-{lane.upper()},{_email(first, lane)},booked\n" for first in ("Ada", "Ben", "Cal"))
            for lane in lanes
        )
        + f"FH-DONE,{DEE},booked\n",
        "training-records": "practitioner,course,completed_on\n"
        f"{_email('Hal', 'Hart')},FH-SAFE,2024-05-01\n{_email('Ivy', 'Holt')},FH-SAFE,2024-05-01\n",
    }


@pytest.fixture(scope="module")
def first_hour(live_server, tmp_path_factory):
    """The data above, accounts for everyone who signs in, Trudy as the trainer of today's and yesterday's sessions,
    the CAF course open to self-booking, and Dee's day yesterday marked attended (so she has a certificate)."""
    today = london_today()
    folder = tmp_path_factory.mktemp("first-hour")
    for kind, text in _csvs(today).items():
        path = folder / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        live_cli("import", kind, str(path))
    accounts = [[_email("Pia", lane), "--role", "practitioner"] for lane in LANES.values()] + [
        [TRAINER, "--role", "practitioner"],  # practitioners' accounts join the practitioner record by its email
        [BOOKER, "--role", "booker", "--organisation", "FH-SCH"],
        [LEAD, "--role", "workforce_lead", "--authority", "FH-SHIRE"],
    ]
    for account in accounts:
        live_cli("users", "create", "--email", *account, stdin=PASSWORD + "\n")
    with live_app().app_context():
        course = course_with_code("FH-CAF")
        assert course is not None
        course.self_booking = SelfBooking.YES
        trainer = add_trainer("Trudy Tutor", TRAINER, "first-hour journeys")
        for code in ("FH-DONE", *(f"FH-REG-{lane.upper()}" for lane in LANES.values())):
            session = session_with_code(code)
            assert session is not None
            session.trainers.append(trainer)
        db.session.commit()
        coordinator = db.session.scalars(sa.select(User).filter_by(email=COORDINATOR_EMAIL)).one()
        done = session_with_code("FH-DONE")
        assert done is not None
        mark_register(done, [Entry(DEE, (today - timedelta(days=1)).isoformat(), "attended")], coordinator)
    return live_server


@dataclass
class Journey:
    """One role's journey at one width: the signed-in page, and each page it reaches kept as a screenshot, after
    checking that at a phone's width it does not scroll sideways (and, where asked, meets WCAG 2.2 AA there)."""

    page: Page
    url: str
    name: str
    width: int
    folder: Path
    shots: list[Path] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def look(self, step: str, axe: bool = False) -> None:
        """Screenshot the page as it is now; on a phone, fail if it is wider than the screen, and note what axe-core
        finds serious when asked (the pages laid out anew for a phone)."""
        path = self.folder / f"{self.name}-{self.width}-{len(self.shots) + 1:02d}-{step}.png"
        self.page.screenshot(path=path, full_page=True)
        self.shots.append(path)
        if self.width < 640:
            wide = self.page.evaluate("document.documentElement.scrollWidth")
            assert wide <= self.width + 1, f"{step}: {self.page.url} is {wide} px wide on a {self.width} px screen"
            if axe:
                self.violations += _serious_violations(self.page)

    def menu(self, link: str) -> None:
        """Follow a link of the service navigation, opening the menu first on a phone."""
        toggle = self.page.get_by_role("button", name="Menu")
        if toggle.is_visible():
            toggle.click()
        self.page.get_by_role("navigation", name="Menu").get_by_role("link", name=link, exact=True).click()

    def keep(self) -> None:
        """The journey's last screenshot, also at /tmp/shots/<journey>-<width>.png for people to look at; and no
        serious accessibility problem on the way."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.shots[-1], SHOTS / f"{self.name}-{self.width}.png")
        assert self.violations == []


@pytest.fixture
def journey(first_hour, browser, tmp_path):
    """Start a journey: a new browser context at the width, signed in as the user."""
    contexts = []

    def start(name: str, width: int, email: str, password: str = PASSWORD) -> Journey:
        viewport = {"width": width, "height": 900 if width > 640 else 844}
        context = browser.new_context(viewport=viewport, bypass_csp=True)  # axe-core is injected inline
        contexts.append(context)
        page = context.new_page()
        sign_in(page, first_hour, email, password)
        page.wait_for_url(first_hour + "/")
        return Journey(page, first_hour, name, width, tmp_path)

    yield start
    for context in contexts:
        context.close()


def _banner(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner")


def _emails_to(address: str) -> list:
    """The messages in the live server's outbox addressed to someone, oldest first."""
    found = []
    for path in sorted(LIVE_PATHS["outbox"].glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if address in message["To"]:
            found.append(message)
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_a_practitioner_books_herself_a_place_and_takes_it_to_her_calendar(journey, width):
    lane = LANES[width]
    trip = journey("practitioner-books", width, _email("Pia", lane))
    page = trip.page
    trip.look("dashboard")
    trip.menu("Sessions")
    expect(page.locator("h1")).to_have_text("Sessions")
    page.get_by_label("Course").select_option(label="FH-CAF: First hour CAF course")
    page.get_by_role("button", name="Find sessions").click()
    page.wait_for_url("**/sessions/?course=FH-CAF*")
    listed = page.get_by_role("table", name="1 session open for booking")
    expect(listed).to_contain_text("FH-OPEN")
    expect(listed).not_to_contain_text("FH-PAST")  # the list opens on sessions open for booking
    trip.look("open-sessions", axe=True)

    page.get_by_label("Include sessions not open for booking").check()
    page.get_by_role("button", name="Find sessions").click()
    page.get_by_role("link", name="FH-PAST").click()
    expect(page.locator("#not-open")).to_contain_text("Not open for booking:")
    expect(page.get_by_role("link", name=re.compile("Book a place"))).to_have_count(0)
    trip.look("closed-session-says-why")

    page.go_back()
    page.get_by_role("link", name="FH-OPEN").click()
    expect(page.locator("h1")).to_have_text("Session FH-OPEN")
    trip.look("open-session")
    page.get_by_role("button", name="Book a place on FH-OPEN").click()
    expect(page.get_by_role("button", name="Book my place")).to_be_visible()
    trip.look("book-a-place")
    page.get_by_role("button", name="Book my place").click()
    expect(_banner(page)).to_contain_text("You have a place on FH-OPEN.")
    row = page.get_by_role("row", name=re.compile("FH-OPEN"))
    expect(row).to_contain_text("Booked")
    trip.look("my-bookings", axe=True)

    row.get_by_role("link", name="FH-OPEN", exact=True).click()
    expect(page.locator("#your-booking")).to_contain_text("You have a place on this session.")
    expect(page.get_by_role("button", name="Book a place on FH-OPEN")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="Add session FH-OPEN to your calendar (.ics)").click()
    assert download.value.suggested_filename == "FH-OPEN.ics"
    calendar = Path(download.value.path()).read_text(encoding="utf-8")
    assert calendar.startswith("BEGIN:VCALENDAR") and "First hour CAF course" in calendar
    trip.look("calendar")
    trip.keep()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_booker_cancels_on_a_full_session_and_the_first_waiting_gets_the_place(journey, width):
    lane = LANES[width]
    code, ann, cat = f"FH-FULL-{lane.upper()}", f"Ann {lane}", f"Cat {lane}"
    trip = journey("booker-cancels", width, BOOKER)
    page = trip.page
    trip.look("dashboard")
    trip.menu("Bookings")
    expect(page.locator("h1")).to_have_text("Bookings")
    expect(page.get_by_role("row", name=re.compile(cat))).to_contain_text("Waiting list, number 1")
    trip.look("bookings", axe=True)
    page.get_by_role("link", name=f"Change or cancel {ann}'s booking on {code}").click()
    expect(page.get_by_role("button", name="Cancel booking")).to_be_visible()
    trip.look("cancel")
    page.get_by_role("button", name="Cancel booking").click()
    expect(_banner(page)).to_contain_text(f"{ann}'s booking on {code} is cancelled.")
    expect(_banner(page)).to_contain_text(f"{cat} has been given the place from the waiting list.")
    expect(page.get_by_role("row", name=re.compile(cat))).to_contain_text("Booked")
    trip.look("cat-promoted")

    page.get_by_role("link", name=code).first.click()
    booked = page.locator("#booked + table")
    expect(booked).to_contain_text(cat)
    expect(booked).not_to_contain_text(ann)
    expect(booked).not_to_contain_text("Waiting list")
    trip.look("session")
    (mail,) = [m for m in _emails_to(_email("Cat", lane)) if "A place for you" in m["Subject"]]
    assert mail["Subject"] == f"A place for you: First hour lead professional course ({code})"
    trip.keep()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_trainer_takes_a_register_with_a_partial_day(journey, width):
    lane = LANES[width]
    code, today = f"FH-REG-{lane.upper()}", long_date(london_today())
    trip = journey("trainer-register", width, TRAINER)
    page = trip.page
    trip.look("dashboard")
    page.get_by_role("link", name=f"Register for {code}").click()
    expect(page.locator("h1")).to_have_text(f"Register for {code}")
    trip.look("register")
    page.get_by_role("group", name=f"Ada {lane} on {today}").get_by_label("Attended").check()
    page.get_by_role("group", name=f"Ben {lane} on {today}").get_by_label("Partial").check()
    page.get_by_role("group", name=f"Cal {lane} on {today}").get_by_label("Absent").check()
    page.get_by_role("button", name="Save the register").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(f"Give the time Ben {lane} arrived or left")
    by_the_field = page.locator(".govuk-error-message").inner_text().split()  # "Error:" is for screen readers
    assert by_the_field == ["Error:", *f"Give the time Ben {lane} arrived or left".split()]
    assert page.get_by_role("group", name=f"Ada {lane} on {today}").get_by_label("Attended").is_checked()
    trip.look("partial-needs-a-time", axe=True)

    summary.get_by_role("link", name=f"Give the time Ben {lane} arrived or left").click()
    page.get_by_label(f"Time Ben {lane} arrived or left on {today} (HH:MM)").fill("11:15")
    page.get_by_label(f"Notes on Ben {lane}, {today}").fill("Arrived late: train")
    page.get_by_role("button", name="Save the register").click()
    saved = f"3 marks saved. Completed, with a certificate: Ada {lane}. No-show (charged): Cal {lane}."
    expect(_banner(page)).to_contain_text(saved)
    expect(page.get_by_label(f"Time Ben {lane} arrived or left on {today} (HH:MM)")).to_have_value("11:15")
    trip.look("saved")

    page.get_by_role("link", name=f"Session {code}").click()  # the session's page leads back to its register
    expect(page.get_by_role("link", name=f"Register for session {code}")).to_be_visible()
    trip.look("session", axe=True)
    trip.keep()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_coordinator_opens_a_persons_records_from_the_register_and_the_session(journey, width):
    trip = journey("records-and-certificate", width, COORDINATOR_EMAIL, ADMIN_PASSWORD)
    page = trip.page
    page.goto(trip.url + "/sessions/FH-DONE")
    page.locator("#booked + table").get_by_role("link", name="Dee Done").click()
    expect(page.locator("h1")).to_have_text("Training records")
    trip.look("records-from-session")
    page.go_back()
    page.get_by_role("link", name="Register for session FH-DONE").click()
    expect(page.locator("h1")).to_have_text("Register for FH-DONE")
    trip.look("register")
    page.get_by_role("link", name="Dee Done").click()
    expect(page.locator("h1")).to_have_text("Training records")
    row = page.get_by_role("row", name=re.compile("FH-SAFE"))
    expect(row).to_contain_text("Session FH-DONE")
    trip.look("records-from-register", axe=True)
    link = row.get_by_role("link", name=re.compile("Download CERT-"))
    with page.expect_download() as download:
        link.click()
    assert re.fullmatch(r"certificate-CERT-.+\.pdf", download.value.suggested_filename)
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    trip.keep()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_workforce_lead_reads_trained_by_area_and_its_workbook_agrees(journey, width):
    trip = journey("lead-report", width, LEAD)
    page = trip.page
    trip.look("dashboard")
    trip.menu("Reports")
    expect(page.locator("h1")).to_have_text("Trained by area")
    total_row = page.get_by_role("row", name=re.compile("Total Number Trained"))
    total = int(total_row.locator("td").first.inner_text().replace(",", ""))
    assert total >= 3  # Hal, Ivy and Dee at least; today's registers may have added more
    trip.look("report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this report as a spreadsheet (XLSX)").click()
    with open(download.value.path(), "rb") as file:  # the download's path has no .xlsx for openpyxl to go by
        workbook = openpyxl.load_workbook(file, read_only=True)
        rows = [tuple(row) for row in workbook["By authority"].iter_rows(values_only=True)]
        workbook.close()
    assert rows[-1][:2] == ("Total Number Trained", total)
    assert [row[0] for row in rows[1:-1]] == ["First Hour Shire", "First Hour Shire and First Hour Town"]
    trip.keep()
