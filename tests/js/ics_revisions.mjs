// Prints, for every VEVENT of an .ics file, its UID, SEQUENCE and LAST-MODIFIED as
// ical.js (Thunderbird's parser) reads them, as JSON: what a client compares to tell
// an update of an event it has (a higher SEQUENCE) from the event itself.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const file = process.argv[2];
const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  const modified = component.getFirstPropertyValue("last-modified");
  return {
    uid: event.uid,
    sequence: event.sequence ?? 0, // none written: RFC 5545 says 0
    lastModified: modified ? modified.toJSDate().toISOString() : null,
  };
});
process.stdout.write(JSON.stringify(events, null, 1) + "\n");
