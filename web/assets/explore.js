// The explorer's page: plain JavaScript, no framework, no build step.
//
// Every text that comes from the store (stream ids, types, data) goes into
// the page as text (textContent, or append() of a string), never as
// markup: a stream named "<script>..." shows as those characters.
//
// The address says what is shown (#/stream/ID, #/feed, #/checkpoints,
// #/fold/ID, #/event/ID, #/correlation/ID), so a view can be bookmarked
// or reloaded; the page asks the server again every two seconds and
// redraws what changed, so events appear as the application stores them.
"use strict";

const POLL_MS = 2000;
const PAGE = 20;

const page = {
  head: null, // the store's head at the last poll
  newAfter: Infinity, // events after this position arrived since the load
  drawn: {}, // what each area shows now, as JSON text
};

// --- Building the page, as text -----------------------------------------

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "object" ? child : String(child));
  }
  return node;
}

function link(route, id, text) {
  return el("a", { href: "#/" + route + "/" + encodeURIComponent(id) }, text);
}

function pretty(value) {
  return el("pre", {}, JSON.stringify(value, null, 2));
}

// Views leave out what they lack as null: replaceChildren() would show
// it as the text "null".
function replace(area, ...nodes) {
  area.replaceChildren(...nodes.filter((node) => node !== null));
}

// --- Talking to the server ---------------------------------------------

async function api(path, params) {
  const query = new URLSearchParams(params || {}).toString();
  const response = await fetch("/api/" + path + (query ? "?" + query : ""), {
    cache: "no-store",
  });
  const body = await response.json();
  return { ok: response.ok, status: response.status, body: body };
}

function showProblem(text) {
  const problem = document.getElementById("problem");
  problem.textContent = text || "";
  problem.hidden = !text;
}

// Draw only when the answer changed: a poll that finds nothing new leaves
// the page (and where the reader scrolled to) alone.
function changed(area, answer) {
  const text = JSON.stringify(answer);
  if (page.drawn[area] === text) return false;
  page.drawn[area] = text;
  return true;
}

// --- The streams, by category ------------------------------------------

function drawStreams(view) {
  const aside = document.getElementById("streams");
  const nodes = [];
  for (const category of view.categories) {
    nodes.push(el("h2", {}, category.name));
    const list = el("ul");
    for (const s of category.streams) {
      list.append(
        el("li", { class: "stream" },
          link("stream", s.id, s.id), " ",
          el("span", { class: "version" }, "v" + s.version),
          s.closed ? el("span", { class: "closed" }, "closed") : null)
      );
    }
    nodes.push(list);
  }
  if (nodes.length === 0) nodes.push(el("p", {}, "No events yet."));
  replace(aside, ...nodes);
  document.getElementById("head").textContent = "head @" + view.head;
}

// --- Events --------------------------------------------------------------

function eventCard(e) {
  const fresh = e.position > page.newAfter;
  const tags = (e.tags || []).map((t) => el("span", { class: "tag" }, t));
  return el("div", { class: fresh ? "event new" : "event",
                     "data-position": String(e.position) },
    el("div", { class: "title" },
      "@" + e.position + "  ", link("stream", e.stream, e.stream),
      " v" + e.version + "  " + e.type),
    el("div", { class: "meta" },
      e.recorded_at + "  id " + e.id + "  schema " + e.schema,
      e.correlation !== null
        ? el("span", {}, "  correlation ",
             link("correlation", e.correlation, e.correlation)) : null,
      e.causation !== null
        ? el("span", {}, "  causation ", link("event", e.causation, e.causation))
        : null,
      tags.length ? el("span", {}, "  tags ", ...tags) : null),
    pretty(e.data),
    el("details", {}, el("summary", {}, "metadata"), pretty(e.metadata)));
}

function drawStream(view) {
  return [
    el("h2", {}, view.id, " ",
       el("span", { class: "version" }, "v" + view.version),
       view.closed ? el("span", { class: "closed" }, "closed") : null),
    el("p", {}, link("fold", view.id, "Time travel: the state after each event")),
    ...view.events.map(eventCard),
  ];
}

function drawFeed(view, explicit) {
  const pager = el("p", { class: "pager" });
  if (view.after > 0)
    pager.append(el("a", { href: "#/feed/" + Math.max(0, view.after - PAGE) },
                    "older"));
  if (view.next !== null)
    pager.append(el("a", { href: "#/feed/" + view.next }, "newer"));
  if (explicit) pager.append(el("a", { href: "#/feed" }, "follow the head"));
  return [
    el("h2", {}, "Feed, by position (after @" + view.after + ")"),
    pager,
    ...view.events.map(eventCard),
  ];
}

function drawCheckpoints(view) {
  const rows = view.checkpoints.map((c) =>
    el("tr", {},
      el("td", {}, c.name), el("td", {}, c.kind),
      el("td", {}, "@" + c.position), el("td", {}, String(c.version)),
      el("td", { class: c.lag > 0 ? "lag behind" : "lag" },
         c.lag > 0 ? c.lag + " behind" : "up to date"),
      el("td", {}, c.updated_at)));
  return [
    el("h2", {}, "Checkpoints (head @" + view.head + ")"),
    rows.length === 0
      ? el("p", {}, "No projection or process manager has run on this store.")
      : el("table", { id: "checkpoints" },
          el("tr", {}, ...["name", "kind", "position", "version", "lag",
                           "updated"].map((h) => el("th", {}, h))),
          ...rows),
  ];
}

function drawFold(view, chosen) {
  const steps = view.steps;
  const at = steps.find((s) => String(s.version) === chosen) ||
             steps[steps.length - 1];
  const nav = el("div", { class: "steps" });
  for (const s of steps) {
    const a = el("a", { href: "#/fold/" + encodeURIComponent(view.id) + "/" +
                              s.version }, "v" + s.version);
    if (at && s.version === at.version) a.className = "current";
    nav.append(a);
  }
  return [
    el("h2", {}, "Time travel: ", link("stream", view.id, view.id)),
    el("p", {}, "Folded with " + view.fold + ". Pick a version:"),
    nav,
    at ? el("h3", {}, "after v" + at.version + " " + at.type) : null,
    at ? pretty(at.state) : null,
    view.error !== null ? el("p", { class: "problem" }, view.error) : null,
  ];
}

// --- Routes --------------------------------------------------------------

function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  const name = parts[0] || "feed";
  const arg = parts.length > 1 ? decodeURIComponent(parts[1]) : null;
  const extra = parts.length > 2 ? decodeURIComponent(parts[2]) : null;
  return { name: name, arg: arg, extra: extra };
}

async function feedAnswer(r) {
  if (r.arg !== null) return api("feed", { after: r.arg, limit: PAGE });
  // Following the head: the last page, so new events show at the bottom.
  const after = Math.max(0, (page.head || 0) - PAGE);
  return api("feed", { after: after, limit: PAGE });
}

async function viewAnswer(r) {
  switch (r.name) {
    case "stream": return api("stream", { id: r.arg });
    case "event": return api("event", { id: r.arg });
    case "correlation": return api("correlation", { id: r.arg });
    case "checkpoints": return api("checkpoints");
    case "fold": return api("fold", { id: r.arg });
    default: return feedAnswer(r);
  }
}

function drawView(r, view) {
  switch (r.name) {
    case "stream": return drawStream(view);
    case "event": return [el("h2", {}, "Event " + view.id), eventCard(view)];
    case "correlation":
      return [el("h2", {}, "Correlation " + view.id),
              ...view.events.map(eventCard)];
    case "checkpoints": return drawCheckpoints(view);
    case "fold": return drawFold(view, r.extra);
    default: return drawFeed(view, r.arg !== null);
  }
}

async function refresh() {
  const live = document.getElementById("live");
  try {
    const streams = await api("streams");
    if (!streams.ok) {
      // The server answers, about the file (removed, busy): say so.
      live.classList.add("stale");
      showProblem(streams.body.error);
      return;
    }
    if (page.head !== null && streams.body.head > page.head)
      page.newAfter = page.head;
    page.head = streams.body.head;
    if (changed("streams", streams.body)) drawStreams(streams.body);

    const r = route();
    const answer = await viewAnswer(r);
    const key = JSON.stringify([r, answer, page.newAfter]);
    if (changed("view", key)) {
      const main = document.getElementById("view");
      if (answer.ok) replace(main, ...drawView(r, answer.body));
      else replace(main, el("p", { class: "problem" }, answer.body.error));
    }
    showProblem("");
    live.classList.remove("stale");
  } catch (error) {
    live.classList.add("stale");
    showProblem("The explorer does not answer (" + error.message +
                "). Is ./kata explore still running?");
  }
}

window.addEventListener("hashchange", refresh);
refresh();
setInterval(refresh, POLL_MS);
