"""Example files for each CSV kind (SPEC 4.3), offered for download beside the upload form.

Imported in the order of EXAMPLE_ORDER into an empty database, every file goes in without an error: each
refers only to records the files before it make.
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
        {"code": "LEICESTER", "name": "Leicester", "partner": "yes", "display_order": "3"},
        {"code": "NOTTINGHAM", "name": "Nottingham", "partner": "no", "display_order": "9"},
    ],
    "areas": [{"authority": "LEICESTER", "name": "City North"}, {"authority": "RUTLAND", "name": "Oakham"}],
    "organisations": [
        {
            "code": "SCH001",
            "name": "Oakfield Primary School",
            "kind": "school",
            "authority": "LEICESTER",
            "area": "City North",
            "urn": "120001",
            "phase": "Primary",
            "pupils": "210",
            "awareness_only": "no",
        },
        {
            "code": "GP001",
            "name": "Oakham Medical Practice",
            "kind": "gp",
            "authority": "RUTLAND",
            "area": "Oakham",
            "urn": "",
            "phase": "",
            "pupils": "",
            "awareness_only": "yes",
        },
    ],
    "practitioners": [
        {
            "email": "sam.smith@oakfield.example",
            "first_name": "Sam",
            "last_name": "Smith",
            "job_title": "Class teacher",
            "organisation": "SCH001",
            "group": "3",
            "authorities": "LEICESTER;RUTLAND",
            "cover_category": "teacher",
        }
    ],
    "courses": [
        {
            "code": "AWA",
            "title": "Integrated working awareness",
            "kind": "awareness",
            "validity_months": "",
            "counts_as_trained": "no",
            "prerequisites": "",
        },
        {
            "code": "CAF",
            "title": "CAF practitioner",
            "kind": "caf_practitioner",
            "validity_months": "36",
            "counts_as_trained": "yes",
            "prerequisites": "AWA",
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
        {"group": "3", "course": "AWA", "requirement": "required", "position": "1"},
        {"group": "3", "course": "CAF", "requirement": "required", "position": "2"},
    ],
    "sessions": [
        {
            "code": "CAF-2026-001",
            "course": "CAF",
            "date": day,
            "start": "09:30",
            "end": "16:00",
            "venue": "County Hall",
            "capacity": "20",
            "host_authority": "LEICESTER",
            "host_area": "City North",
            "status": "scheduled",
        }
        for day in ("2026-03-02", "2026-03-03")
    ],
    "bookings": [{"session": "CAF-2026-001", "practitioner": "sam.smith@oakfield.example", "status": "booked"}],
    "training-records": [{"practitioner": "sam.smith@oakfield.example", "course": "AWA", "completed_on": "2025-06-01"}],
    "awareness-sign-offs": [
        {
            "service": "Oakham Medical Practice",
            "sector": "gp",
            "authorities": "RUTLAND",
            "contact_name": "Dr A Patel",
            "contact_role": "Practice manager",
            "package": "Integrated working awareness package",
            "version": "2007.1",
            "completed_on": "2007-10",
            "signed_off_by": "Training coordinator",
            "notes": "Delivered at the practice meeting",
        }
    ],
    "presentations": [
        {
            "date": "2007-03-14",
            "audience": "Staff meeting: Oakfield Primary School",
            "sector": "school",
            "area": "City North",
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
