"""Practitioners: who works where, for which set of authorities, and whether they are trained (SPEC 3.1).

The trained population as of 31 August 2008 is the table of seed 000 (SPEC 3.9), one person per count,
each under the exact set of authorities they work for.
"""

from __future__ import annotations

from dataclasses import dataclass

from training_app.models import CoverCategory, Practitioner, Requirement, authority_key_for
from training_app.models.people import practitioner_authorities

from .common import Demo, insert_links, insert_rows, slug
from .courses import CAF, PATHWAYS
from .names import AREAS, AWARENESS_TITLES, FIRST_NAMES, LAST_NAMES, TITLES
from .places import OrgSeed

# Staff trained to 31/08/08 by the exact set of authorities they work for (seed 000, section 7).
TRAINED_BY_SET = {
    ("RUTLAND",): 132,
    ("LEICESTERSHIRE",): 899,
    ("LEICESTER",): 617,
    ("LEICESTER", "LEICESTERSHIRE"): 39,
    ("LEICESTERSHIRE", "RUTLAND"): 46,
    ("LEICESTER", "LEICESTERSHIRE", "RUTLAND"): 28,
    ("NOTTINGHAM",): 3,
}

# Where people who work across authorities are employed.
CROSS_BORDER_ORGANISATIONS = {
    ("LEICESTER", "LEICESTERSHIRE"): [("LC-CNX", 25), ("LS-POL", 14)],
    ("LEICESTERSHIRE", "RUTLAND"): [("LS-PCT", 32), ("LS-YOS", 14)],
    ("LEICESTER", "LEICESTERSHIRE", "RUTLAND"): [("LS-POL", 16), ("LS-LPT", 12)],
    ("NOTTINGHAM",): [("NT-PCT", 2), ("NT-SC", 1)],
}

# Still requiring training after the September 2008 sessions ("300 practitioners still requiring training").
COVER_WEIGHTS = {CoverCategory.TEACHER: 55, CoverCategory.TEACHING_ASSISTANT: 30, CoverCategory.NONE: 15}
# Those still to train hold jobs whose pathway requires the CAF course, so "Still to train" counts them.
CAF_REQUIRED_GROUPS = {code for code, (_, steps) in PATHWAYS.items() if (CAF, Requirement.REQUIRED) in steps}
STILL_TO_TRAIN = {"RUTLAND": 35, "LEICESTERSHIRE": 300, "LEICESTER": 110}
AWARENESS_ONLY_STAFF = 60


@dataclass
class Person:
    """A practitioner to be inserted, and what the rest of the seed needs to know about them."""

    index: int
    first_name: str
    last_name: str
    job_title: str
    group: str
    cover: CoverCategory
    organisation: OrgSeed
    authorities: tuple[str, ...]
    area: str
    id: int = 0

    @property
    def email(self) -> str:
        domain = slug(self.organisation.name)
        return f"{self.first_name}.{self.last_name}.{self.index}@{domain}.example.org".lower()


def seed_people(demo: Demo, trained_later: dict[str, int]) -> tuple[list[Person], dict[str, list[Person]]]:
    """Insert every practitioner; return those trained by the as-of date and the untrained pools by authority."""
    trained = _trained(demo)
    pools = {
        code: [
            _person(demo, _pick_organisation(demo, code), (code,), CAF_REQUIRED_GROUPS)
            for _ in range(count + trained_later[code])
        ]
        for code, count in STILL_TO_TRAIN.items()
    }
    aware_orgs = [o for o in demo.organisations if o.awareness_only]
    aware = [_person(demo, aware_orgs[i % len(aware_orgs)]) for i in range(AWARENESS_ONLY_STAFF)]
    people = trained + [p for pool in pools.values() for p in pool] + aware
    _insert(demo, people)
    demo.people = people
    return trained, pools


def _trained(demo: Demo) -> list[Person]:
    trained = []
    for authorities, count in TRAINED_BY_SET.items():
        placements = CROSS_BORDER_ORGANISATIONS.get(authorities)
        if placements is None:
            trained += [_person(demo, _pick_organisation(demo, authorities[0]), authorities) for _ in range(count)]
            continue
        assert sum(n for _, n in placements) == count, authorities
        for code, n in placements:
            trained += [_person(demo, demo.organisation(code), authorities) for _ in range(n)]
    return trained


def _titles(organisation: OrgSeed, cover: CoverCategory, groups: set[str] | None) -> list[tuple[str, str, int]]:
    if organisation.awareness_only:
        titles = AWARENESS_TITLES[organisation.kind]
    else:
        titles = TITLES[(organisation.kind, cover.value)]
    return [t for t in titles if groups is None or t[1] in groups]


def _pick_organisation(demo: Demo, authority: str) -> OrgSeed:
    """Mostly schools, then area agencies, with authority-wide agencies weighted up for their size."""
    candidates = [o for o in demo.organisations if o.authority == authority and not o.awareness_only]
    weights = [4 if o.kind == "school" else 3 if o.area else 10 for o in candidates]
    return demo.rng.choices(candidates, weights)[0]


def _person(
    demo: Demo, organisation: OrgSeed, authorities: tuple[str, ...] | None = None, groups: set[str] | None = None
) -> Person:
    """A practitioner at the organisation; `groups` keeps their job to those responsibility groups."""
    rng = demo.rng
    cover = CoverCategory.NONE
    if organisation.kind == "school":
        covers = [c for c in CoverCategory if _titles(organisation, c, groups)]
        cover = rng.choices(covers, [COVER_WEIGHTS[c] for c in covers])[0]
    titles = _titles(organisation, cover, groups)
    title, group, _ = rng.choices(titles, [w for *_, w in titles])[0]
    area = organisation.area or rng.choice(sorted(AREAS[organisation.authority]))
    demo.person_count += 1
    return Person(
        index=demo.person_count,
        first_name=rng.choice(FIRST_NAMES),
        last_name=rng.choice(LAST_NAMES),
        job_title=title,
        group=group,
        cover=cover,
        organisation=organisation,
        authorities=authorities or (organisation.authority,),
        area=area,
    )


def _insert(demo: Demo, people: list[Person]) -> None:
    rows = [
        {
            "email": p.email,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "job_title": p.job_title,
            "organisation_id": p.organisation.id,
            "group_id": demo.group_ids[p.group],
            "cover_category": p.cover,
            "authority_key": authority_key_for(demo.authority_ids[a] for a in p.authorities),
        }
        for p in people
    ]
    for person, id_ in zip(people, insert_rows(Practitioner, rows), strict=True):
        person.id = id_
    insert_links(
        practitioner_authorities,
        [{"practitioner_id": p.id, "authority_id": demo.authority_ids[a]} for p in people for a in p.authorities],
    )
