// Prints, for every VEVENT of an .ics file, its UID, SUMMARY and DESCRIPTION as ical.js
// (Thunderbird's parser) reads them, as JSON: the labels a team sees, unfolded and
// unescaped by a client (a line folded inside a UTF-8 character would show here).
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const file = process.argv[2];
const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
const events = calendar.getAllSubcomponents("vevent").map((component) => ({
  uid: component.getFirstPropertyValue("uid"),
  summary: component.getFirstPropertyValue("summary"),
  description: component.getFirstPropertyValue("description"),
}));
process.stdout.write(
  JSON.stringify({ name: calendar.getFirstPropertyValue("x-wr-calname"), events }, null, 1) + "\n"
);
