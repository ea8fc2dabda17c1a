// The room's page: it asks /api/room every second and redraws. Every
// text from the room (names, titles, test names) goes in through
// textContent, which never reads markup: a name such as
// "<script>alert(1)</script>" shows as those characters.
"use strict";

const POLL_MS = 1000;
let shown = null; // the attendee drilled into

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function minutes(ms) {
  return Math.max(0, Math.floor(ms / 60000));
}

function cellText(cell) {
  if (!cell || cell.status === "not-started") return "";
  if (cell.status === "done") return "done";
  if (cell.status === "build-error") return "build error";
  const score = cell.passed + "/" + cell.total;
  return cell.status === "crashed" ? "crashed " + score : score;
}

// The first exercise the attendee has not done, in the room's order.
function current(room, attendee) {
  for (const ex of room.exercises) {
    const c = attendee.cells[ex.slug];
    if (!c || c.status !== "done") return ex;
  }
  return null;
}

function header(room) {
  const row = el("tr");
  row.append(el("th", "Attendee", "name"), el("th", "On"), el("th", "Hints"));
  for (const ex of room.exercises) {
    const th = el("th", String(ex.number).padStart(2, "0"));
    th.title = ex.title;
    row.append(th);
  }
  return row;
}

function attendeeRow(room, a) {
  const row = el("tr");
  row.dataset.attendee = a.name;
  const name = el("td", null, "name");
  const button = el("button", a.name);
  button.type = "button";
  button.addEventListener("click", () => { shown = a.name; detail(); });
  name.append(button);
  const ex = current(room, a);
  const idle = minutes(room.now - a.progress_at);
  const on = el("td", ex ? String(ex.number).padStart(2, "0") + " for " + idle + " min" : "all done");
  if (ex && idle >= room.stuck_minutes) {
    on.append(el("span", " stuck", "stuck"));
    row.classList.add("is-stuck");
  }
  row.append(name, on, el("td", a.hints));
  for (const e of room.exercises) {
    const cell = a.cells[e.slug];
    const status = cell ? cell.status : "not-started";
    const td = el("td", cellText(cell), status);
    td.dataset.status = status;
    td.title = e.title;
    row.append(td);
  }
  return row;
}

function failing(room) {
  const list = document.getElementById("failing");
  list.replaceChildren();
  const everyone = room.attendees.length;
  for (const f of room.failing) {
    list.append(el("li", f.test + " (" + f.slug + "): " + f.attendees + " of " + everyone));
  }
  if (room.failing.length === 0) list.append(el("li", "Nothing is failing right now."));
}

function draw(room) {
  const grid = document.getElementById("grid");
  grid.tHead.replaceChildren(header(room));
  const body = grid.tBodies[0];
  body.replaceChildren(...room.attendees.map((a) => attendeeRow(room, a)));
  document.getElementById("empty").hidden = room.attendees.length > 0;
  failing(room);
  document.getElementById("version").textContent = String(room.version);
  document.getElementById("status").textContent =
    room.attendees.length + " attendees, updated " + new Date().toLocaleTimeString() +
    " (stuck after " + room.stuck_minutes + " min without progress)";
}

function eventLine(e) {
  let data = {};
  try { data = JSON.parse(e.data); } catch (err) { data = {}; }
  const when = new Date(e.at).toLocaleTimeString();
  switch (e.type) {
    case "TestsRan": return when + " " + data.exercise + ": " + data.passed + "/" + data.total + " " + data.status;
    case "ExerciseCompleted": return when + " " + data.exercise + " done";
    case "HintRevealed": return when + " " + data.exercise + ": hint " + data.revealed + " of " + data.total;
    case "AttendeeJoined": return when + " joined";
    default: return when + " " + e.type;
  }
}

async function detail() {
  const box = document.getElementById("detail");
  if (shown === null) { box.hidden = true; return; }
  const answer = await fetch("/api/attendee?name=" + encodeURIComponent(shown));
  if (!answer.ok) { box.hidden = true; return; }
  const a = await answer.json();
  document.getElementById("detail-name").textContent = a.name;
  const body = document.getElementById("detail-body");
  const failingTests = el("ul");
  for (const f of a.failing) failingTests.append(el("li", f.slug + ": " + f.test));
  if (a.failing.length === 0) failingTests.append(el("li", "None: every test that ran passes."));
  const events = el("ol");
  for (const e of a.timeline) events.append(el("li", eventLine(e)));
  body.replaceChildren(el("h3", "Failing tests"), failingTests, el("h3", "The attendee's events, newest first"), events);
  box.hidden = false;
}

async function poll() {
  try {
    const answer = await fetch("/api/room", { cache: "no-store" });
    if (!answer.ok) throw new Error("the room answered " + answer.status);
    draw(await answer.json());
    if (shown !== null) await detail();
  } catch (err) {
    document.getElementById("status").textContent = "The room does not answer: " + err.message;
  }
  setTimeout(poll, POLL_MS);
}

document.getElementById("detail-close").addEventListener("click", () => { shown = null; detail(); });
poll();
