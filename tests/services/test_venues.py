"""Venues: name, address, postcode, room capacity and accessibility notes; bad input changes nothing; audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import make_venue
from training_app.extensions import db
from training_app.models import AuditEvent, Venue
from training_app.services.catalogue.venues import VenueError, VenueSettings, create_venue, edit_venue

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_a_venue_keeps_every_field_with_its_postcode_tidied_and_is_audited():
    settings = VenueSettings(
        "Council House, Room 2", 24, "1 High Street, Leicester", "le1  6zg", "Step-free; hearing loop"
    )
    venue = create_venue(settings, actor="c@council.example")
    db.session.expire_all()
    venue = db.session.get(Venue, venue.id)
    assert (venue.name, venue.capacity, venue.postcode) == ("Council House, Room 2", 24, "LE1 6ZG")
    assert venue.accessibility_notes == "Step-free; hearing loop"
    event = db.session.scalars(sa.select(AuditEvent).filter_by(action="venue_created")).one()
    assert event.new_value["postcode"] == "LE1 6ZG"


def test_an_edit_records_old_and_new_values():
    venue = create_venue(VenueSettings("Hall", 30), actor=None)
    assert edit_venue(venue, VenueSettings("Hall", 40, postcode="LE15 6HP"), actor=None) is True
    assert edit_venue(venue, VenueSettings("Hall", 40, postcode="LE15 6HP"), actor=None) is False
    event = db.session.scalars(sa.select(AuditEvent).filter_by(action="venue_changed")).one()
    assert (event.old_value["capacity"], event.new_value["capacity"]) == (30, 40)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        (VenueSettings("Hall", 0), "capacity"),
        (VenueSettings("Hall", 10_001), "capacity"),
        (VenueSettings(" ", 10), "name"),
        (VenueSettings("Hall", 10, postcode="not a postcode"), "postcode"),
        (VenueSettings("Hall", 10, address="x" * 401), "address"),
    ],
)
def test_bad_settings_are_refused_by_field(settings, field):
    with pytest.raises(VenueError) as refused:
        create_venue(settings, actor=None)
    assert field in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Venue)) == 0


def test_a_name_another_venue_has_is_refused():
    make_venue(name="Hall")
    other = make_venue(name="Annexe")
    with pytest.raises(VenueError) as refused:
        edit_venue(other, VenueSettings("Hall", 10), actor=None)
    assert "already a venue" in refused.value.fields["name"]
