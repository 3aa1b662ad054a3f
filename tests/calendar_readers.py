"""Reading .ics files with three independent readers, as calendar programs do: icalendar, vobject, and ical.js
(Thunderbird's reader) run with node through `ical_js_starts.mjs`. Each gives every file's events as (UID, start,
end) with the times in UTC."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import vobject
from icalendar import Calendar

ROOT = Path(__file__).resolve().parents[1]
ICAL_JS_SCRIPT = Path(__file__).with_name("ical_js_starts.mjs")
Instant = tuple[str, datetime, datetime]  # an event's UID, start and end in UTC


def read_with_icalendar(contents: list[bytes], _: Path) -> list[list[Instant]]:
    """The icalendar package, as the app's own tests read files."""
    return [
        [
            (str(event["UID"]), event.decoded("DTSTART").astimezone(UTC), event.decoded("DTEND").astimezone(UTC))
            for event in Calendar.from_ical(content).walk("VEVENT")
        ]
        for content in contents
    ]


def read_with_vobject(contents: list[bytes], _: Path) -> list[list[Instant]]:
    """vobject (Radicale, many CalDAV tools), which builds each zone from the file's VTIMEZONE."""
    return [
        [
            (event.uid.value, event.dtstart.value.astimezone(UTC), event.dtend.value.astimezone(UTC))
            for event in vobject.readOne(content.decode()).vevent_list
        ]
        for content in contents
    ]


def read_with_ical_js(contents: list[bytes], folder: Path) -> list[list[Instant]]:
    """ical.js as Thunderbird runs it (one node process for every file); TZ=UTC, so a time it took for floating
    would be wrong in summer rather than right by chance."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "ical.js").is_dir():
        pytest.fail("reading with ical.js needs node and `npm ci` (make setup)")
    paths = [folder / f"{number}.ics" for number in range(len(contents))]
    for path, content in zip(paths, contents, strict=True):
        path.write_bytes(content)
    result = subprocess.run(
        [node, str(ICAL_JS_SCRIPT), *map(str, paths)],
        cwd=ROOT,
        env={**os.environ, "TZ": "UTC"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [
        [(event["uid"], datetime.fromisoformat(event["start"]), datetime.fromisoformat(event["end"])) for event in file]
        for file in json.loads(result.stdout)
    ]


READERS: dict[str, Callable[[list[bytes], Path], list[list[Instant]]]] = {
    "icalendar": read_with_icalendar,
    "vobject": read_with_vobject,
    "ical.js": read_with_ical_js,
}
