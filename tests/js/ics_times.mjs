// Prints, for every VEVENT of an .ics file, its UID and the UTC start of each
// occurrence as ical.js (Thunderbird's parser) computes them, as JSON.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const file = process.argv[2];
const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const show = (time) => (time.isDate ? time.toString() : time.toJSDate().toISOString());
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  const starts = [];
  if (event.isRecurring()) {
    const iterator = event.iterator();
    for (let next = iterator.next(); next && starts.length < 1000; next = iterator.next()) {
      starts.push(show(next));
    }
  } else {
    starts.push(show(event.startDate));
  }
  return { uid: event.uid, starts };
});
process.stdout.write(JSON.stringify(events, null, 1) + "\n");
