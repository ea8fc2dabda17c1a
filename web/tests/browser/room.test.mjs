// The room's page in a real browser: Debian's headless Chromium, driven
// by playwright-core (pinned in package.json; it downloads no browser).
//
//   node room.test.mjs KATA_ROOM OUT_DIR [DOCS_SCREENSHOT]
//
// It starts kata-room on a free loopback port with a fresh database,
// opens the page, posts reports as two attendees would, and checks that
// their progress appears and changes without a reload, and that a
// hostile name shows as text and runs nothing, and that an attendee
// without progress for longer than --stuck is marked stuck (the room's
// clock moved forward in its answers). It saves a screenshot in
// OUT_DIR (and in DOCS_SCREENSHOT when given). Exit status 77 (ctest's
// SKIP) when Chromium or node_modules are missing, unless
// ESK_BROWSER_TEST_REQUIRED=1 (set by .ci/run), which makes that a
// failure.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [roomProgram, outDir, docsShot] = process.argv.slice(2);
const CHROMIUM = "/usr/bin/chromium";
const CODE = "K7Q2XP";
const HOSTILE = "<script>alert(1)</script> O'Hara \"Bo\" 🎉";

function skip(why) {
  if (process.env.ESK_BROWSER_TEST_REQUIRED === "1") {
    console.error(`FAILED: ${why} (ESK_BROWSER_TEST_REQUIRED=1)`);
    process.exit(1);
  }
  console.log(`SKIP: ${why}`);
  process.exit(77);
}

if (!existsSync(CHROMIUM)) skip(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
if (!existsSync(join(here, "node_modules", "playwright-core")))
  skip(`playwright-core is missing: run npm ci in ${here} (.ci/run does)`);
const require = createRequire(import.meta.url);
const { chromium } = require(join(here, "node_modules", "playwright-core"));

function check(ok, what) {
  if (!ok) throw new Error(`expected ${what}`);
  console.log(`ok: ${what}`);
}

// Starts kata-room and resolves with its URL once it prints it.
function startRoom(dir) {
  const child = spawn(roomProgram, ["--db", join(dir, "room.db"), "--port", "0", "--code", CODE, "--stuck", "5"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.on("exit", (code) => reject(new Error(`kata-room exited (${code}): ${out}`)));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) resolve({ child, url: m[0] });
    });
  });
}

function report(learner, passed, hints) {
  const names = ["an_event_has_a_type", "an_event_has_data", "an_event_has_an_id"];
  return {
    version: 1, generated_at: "2026-12-06T10:00:00Z", learner,
    summary: { exercises: 2, done: passed === 3 ? 1 : 0, passed, total: 8 },
    exercises: [
      { number: 1, slug: "01-events", title: "Events: facts in the past tense", minutes: 30,
        status: passed === 3 ? "done" : "in-progress", passed, total: 3, hints_revealed: hints, hints_total: 3,
        tests: names.map((name, i) => ({ name, status: i < passed ? "passed" : "failed" })) },
      { number: 2, slug: "02-store", title: "The event store", minutes: 45, status: "not-started",
        passed: 0, total: 5, hints_revealed: 0, hints_total: 2, tests: [] },
    ],
  };
}

async function post(url, body) {
  const answer = await fetch(url + "api/report", {
    method: "POST", headers: { "X-Room-Code": CODE, "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  check(answer.status === 200, `the room to take ${body.learner}'s report (got ${answer.status})`);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "esk-room-browser-"));
  const { child, url } = await startRoom(dir);
  // Whatever ends this script, the room it started ends with it.
  process.on("exit", () => child.kill("SIGTERM"));
  let context = null;
  try {
    context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 720 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    let dialogs = 0, loads = 0;
    page.on("dialog", async (d) => { dialogs++; await d.dismiss(); });
    page.on("load", () => loads++);
    await page.goto(url);
    await page.locator("#empty").waitFor({ state: "visible" });
    check(true, "an empty room says nobody has joined");

    await post(url, report("ada", 1, 1));
    await post(url, report(HOSTILE, 2, 0));
    const ada = page.locator('tr[data-attendee="ada"]');
    await ada.waitFor({ timeout: 10000 });
    check((await ada.locator("td.in-progress").first().textContent()) === "1/3", "ada's cell to show 1/3");
    const rows = page.locator("#grid tbody tr");
    await page.waitForFunction(() => document.querySelectorAll("#grid tbody tr").length === 2);
    const names = await rows.locator("td.name button").allTextContents();
    check(names.includes(HOSTILE), "the hostile name shown as the same text");
    check((await page.locator("script").count()) === 1, "no script element but the page's own");
    check(dialogs === 0, "no alert ran");

    await post(url, report("ada", 3, 1));
    await ada.locator('td[data-status="done"]').waitFor({ timeout: 10000 });
    check(loads === 1, "ada's exercise turned done without a reload");
    await page.locator("#failing li").first().waitFor();
    check((await page.locator("#failing").textContent()).includes("an_event_has_an_id"), "the test most of the room fails");

    await ada.locator("td.name button").click();
    await page.locator("#detail:not([hidden]) li").first().waitFor();
    check((await page.locator("#detail-body").textContent()).includes("01-events done"), "ada's events in the drill-down");

    // Ten minutes later by the room's clock: past --stuck 5, an attendee
    // who has not finished is marked stuck.
    await page.route("**/api/room", async (route) => {
      try {
        const answer = await route.fetch();
        const room = await answer.json();
        room.now += 10 * 60000;
        await route.fulfill({ response: answer, json: room });
      } catch (err) {
        // A poll in flight when the route goes or the page closes.
      }
    });
    await page.locator("tr.is-stuck .stuck").first().waitFor({ timeout: 10000 });
    check((await page.locator("tr.is-stuck").count()) === 2, "both attendees marked stuck after 10 min without progress");
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, "room-stuck.png"), fullPage: true });
    if (docsShot) await page.screenshot({ path: docsShot, fullPage: true });
    await page.unroute("**/api/room", { behavior: "ignoreErrors" });

    await page.screenshot({ path: join(outDir, "room.png"), fullPage: true });
    console.log(`screenshot: ${join(outDir, "room.png")}`);
  } finally {
    if (context) await context.close();
    child.removeAllListeners("exit");
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

process.on("unhandledRejection", (err) => {
  console.error(`FAILED: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
main().catch((err) => {
  console.error(`FAILED: ${err.message}`);
  process.exit(1);
});
