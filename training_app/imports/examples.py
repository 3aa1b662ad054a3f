"""Example files for each CSV kind (SPEC 4.3), offered for download beside the upload form.

Imported in the order of EXAMPLE_ORDER into an empty database, every file goes in without an error: each
refers only to records the files before it make. Each also goes unchanged into the demo partnership (seeds/): the
codes, names and emails are the demo's own (Spinney Hills school, its teacher Pauline Wood, session CAF-2007-001).
"""

from __future__ import annotations

import csv
import io

from .service import READERS

EXAMPLE_ORDER = (
    "authorities",
    "areas",
    "organisations",
    "practitioners",
    "courses",
    "pathways",
    "sessions",
    "bookings",
    "training-records",
    "awareness-sign-offs",
    "presentations",
)

EXAMPLES: dict[str, list[dict[str, str]]] = {
    "authorities": [
        {"code": "RUTLAND", "name": "Rutland", "partner": "yes", "display_order": "1"},
        {"code": "LEICESTERSHIRE", "name": "Leicestershire", "partner": "yes", "display_order": "2"},
        {"code": "LEICESTER", "name": "Leicester", "partner": "yes", "display_order": "3"},
        {"code": "NOTTINGHAM", "name": "Nottingham", "partner": "no", "display_order": "4"},
    ],
    "areas": [{"authority": "LEICESTER", "name": "Central Leicester"}, {"authority": "RUTLAND", "name": "Oakham"}],
    "organisations": [
        {
            "code": "LC-SCH-018",
            "name": "Spinney Hills Church of England Primary School",
            "kind": "school",
            "authority": "LEICESTER",
            "area": "Central Leicester",
            "urn": "120500",
            "phase": "primary",
            "pupils": "117",
            "awareness_only": "no",
        },
        {
            "code": "AW-HMP",
            "name": "HMP Leicester",
            "kind": "prison",
            "authority": "LEICESTER",
            "area": "",
            "urn": "",
            "phase": "",
            "pupils": "",
            "awareness_only": "yes",
        },
    ],
    "practitioners": [
        {
            "email": "pauline.wood.1065@spinney-hills-church-of-england-primary.example.org",
            "first_name": "Pauline",
            "last_name": "Wood",
            "job_title": "Class Teacher",
            "organisation": "LC-SCH-018",
            "group": "3",
            "authorities": "LEICESTER",
            "cover_category": "teacher",
        }
    ],
    "courses": [
        {
            "code": "AWARE-PLUS",
            "title": "Awareness plus: identifying additional needs",
            "kind": "awareness_plus",
            "validity_months": "",
            "counts_as_trained": "no",
            "prerequisites": "",
        },
        {
            "code": "CAF",
            "title": "Common Assessment Framework: practitioner training",
            "kind": "caf_practitioner",
            "validity_months": "36",
            "counts_as_trained": "yes",
            "prerequisites": "",
        },
        {
            "code": "LP",
            "title": "Lead Professional training",
            "kind": "lead_professional",
            "validity_months": "36",
            "counts_as_trained": "no",
            "prerequisites": "CAF",
        },
        {
            "code": "CAF-REFRESH",
            "title": "CAF refresher",
            "kind": "refresher",
            "validity_months": "36",
            "counts_as_trained": "no",
            "prerequisites": "CAF",
            "renews": "CAF",
        },
    ],
    "pathways": [
        {"group": "3", "course": "AWARE-PLUS", "requirement": "required", "position": "1"},
        {"group": "3", "course": "CAF", "requirement": "required", "position": "2"},
    ],
    "sessions": [
        {
            "code": "CAF-2007-001",
            "course": "CAF",
            "date": day,
            "start": "09:30",
            "end": "16:00",
            "venue": "Highfields Training Centre",
            "capacity": "24",
            "host_authority": "LEICESTER",
            "host_area": "Central Leicester",
            "status": "completed",
        }
        for day in ("2007-05-08", "2007-05-09")
    ],
    "bookings": [
        {
            "session": "CAF-2007-001",
            "practitioner": "pauline.wood.1065@spinney-hills-church-of-england-primary.example.org",
            "status": "attended",
        }
    ],
    "training-records": [
        {
            "practitioner": "pauline.wood.1065@spinney-hills-church-of-england-primary.example.org",
            "course": "AWARE-PLUS",
            "completed_on": "2007-03-01",
        }
    ],
    "awareness-sign-offs": [
        {
            "service": "Prison Service",
            "sector": "prison",
            "authorities": "LEICESTER;LEICESTERSHIRE",
            "contact_name": "Kevin Edmundston",
            "contact_role": "Prison and YOC Area Training Officer",
            "package": "Leicestershire Awareness Package",
            "version": "2007.1",
            "completed_on": "2007-10",
            "signed_off_by": "Bridges Training Coordinator",
            "notes": "Listed in Appendix B of the Bridges CAF/LP update report",
        }
    ],
    "presentations": [
        {
            "date": "2007-03-14",
            "audience": "Staff meeting: Spinney Hills Church of England Primary School",
            "sector": "school",
            "area": "Central Leicester",
            "presenter": "Helen Ward",
            "headcount": "18",
        }
    ],
}


def example_csv(kind: str) -> str:
    """The example file of a kind: its reader's header, then the example rows (only the header if there are none)."""
    columns = READERS[kind].columns + READERS[kind].optional_columns
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in EXAMPLES.get(kind, []):
        writer.writerow([row.get(column, "") for column in columns])
    return out.getvalue()
