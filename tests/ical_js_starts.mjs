// Reads .ics files as Thunderbird does, with ical.js: each file's VTIMEZONEs are registered, then every VEVENT's
// UID, start and end are printed as UTC instants: one JSON array per file, in an array on stdout.
// Usage: node tests/ical_js_starts.mjs FILE.ics...
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function eventsOf(path) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  }
  return calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
    };
  });
}

process.stdout.write(JSON.stringify(process.argv.slice(2).map(eventsOf)));
