// web/tests/browser/explore.test.mjs - the explorer in a real browser:
// Debian's headless Chromium, driven by playwright-core, on a fixture
// store.
//
//   node explore.test.mjs [--postgres] KATA_EXPLORE EXPLORE_FIXTURE OUT_DIR [DOCS_PNG]
//
// With --postgres the store is a schema of the server at ESK_TEST_PG, and
// kata-explore is given the connection string; without a server that is
// a skip (77) whatever ESK_BROWSER_TEST_REQUIRED says, as for every
// PostgreSQL test.
//
// It loads the page, sees a stream's events, the feed, a checkpoint with
// its lag, a hostile stream id shown as text (and no dialog opened), an
// event appended by another process appear without a reload, and a
// workshop folded event by event; it saves a screenshot in OUT_DIR (and
// in DOCS_PNG when given). Exit 77 (ctest's skip) when Chromium or
// node_modules are missing, with what to install, unless
// ESK_BROWSER_TEST_REQUIRED=1 (set by .ci/run) makes that a failure, as
// for the room's test beside it.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const SKIP = 77;
const CHROMIUM = "/usr/bin/chromium";
const HOSTILE_STREAM = '<script>alert(1)</script>-"1"';
const HOSTILE_TEXT = "</pre><script>alert(2)</script>";
const WAIT = { timeout: 15000 };

const args = process.argv.slice(2);
const postgres = args[0] === "--postgres";
if (postgres) args.shift();
const [kataExplore, fixture, outDir, docsPng] = args;
if (!kataExplore || !fixture || !outDir) {
  console.error("usage: explore.test.mjs [--postgres] KATA_EXPLORE EXPLORE_FIXTURE OUT_DIR [DOCS_PNG]");
  process.exit(2);
}
const SCHEMA = "explore_browser";
if (postgres && !process.env.ESK_TEST_PG) {
  console.log("SKIP: no PostgreSQL server (ESK_TEST_PG; tests/pg/cluster.sh start)");
  process.exit(SKIP);
}

function skip(why) {
  if (process.env.ESK_BROWSER_TEST_REQUIRED === "1") {
    console.error(`FAILED: ${why} (ESK_BROWSER_TEST_REQUIRED=1)`);
    process.exit(1);
  }
  console.log(`SKIP: ${why}`);
  process.exit(SKIP);
}

if (!fs.existsSync(CHROMIUM))
  skip(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch {
  skip("playwright-core is missing: run npm ci in web/tests/browser (.ci/run does)");
}

function check(condition, what) {
  if (!condition) throw new Error("FAILED: " + what);
  console.log("ok: " + what);
}

// kata-explore on the store, on a port the system picks; its URL.
function startServer(store) {
  const where = postgres ? ["--schema", SCHEMA, process.env.ESK_TEST_PG] : [store];
  const server = spawn(kataExplore, ["--port", "0", ...where], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const found = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (found) resolve(found[0]);
    });
    server.on("exit", (code) => reject(new Error("kata-explore exited " + code)));
  });
  return { server, url };
}

async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "esk-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
  return { context, profile };
}

async function browse(page, base, store) {
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });

  await page.goto(base + "#/stream/workshop-w-1");
  await page.locator("main .event").nth(2).waitFor(WAIT);
  check((await page.locator("main .event").count()) === 3, "the stream shows its 3 events");
  check((await page.locator("main").innerText()).includes("AttendeeWaitlisted"),
        "an event shows its type");
  check((await page.locator("main .event").nth(2).locator("pre").first().innerText())
          .includes('"attendeeId": "bob"'),
        "an event shows its data as pretty JSON");

  await page.goto(base + "#/feed");
  await page.locator("main .event").nth(5).waitFor(WAIT);
  check((await page.locator("main h2").innerText()).startsWith("Feed"), "the feed shows");

  await page.goto(base + "#/checkpoints");
  const catalogue = page.locator("#checkpoints tr", { hasText: "catalogue" });
  await catalogue.waitFor(WAIT);
  check((await catalogue.innerText()).includes("4 behind"), "a checkpoint shows its lag");

  const hostile = page.locator("#streams a", { hasText: "alert(1)" });
  await hostile.waitFor(WAIT);
  check((await hostile.textContent()) === HOSTILE_STREAM, "a hostile stream id shows as text");
  await hostile.click();
  await page.locator("main pre").first().waitFor(WAIT);
  check((await page.locator("main pre").first().innerText()).includes(HOSTILE_TEXT),
        "hostile data shows as text");
  check((await page.locator("script").count()) === 1, "no script was added to the page");

  await page.goto(base + "#/feed");
  await page.locator("main .event").nth(5).waitFor(WAIT);
  await page.evaluate(() => { window.notReloaded = true; });
  execFileSync(fixture, postgres ? ["append", "--schema", SCHEMA] : ["append", store]);
  await page.locator("main .event.new", { hasText: "RegistrationCancelled" }).waitFor(WAIT);
  check(await page.evaluate(() => window.notReloaded === true),
        "an appended event appears without a reload");

  await page.goto(base + "#/fold/workshop-w-1/3");
  await page.locator("main h3").waitFor(WAIT);
  check((await page.locator("main pre").innerText()).includes('"waitlist": [\n    "bob"'),
        "a workshop is folded event by event");
  check(!(await page.locator("main").innerText()).includes("null"),
        "a view shows nothing it lacks");
  check(dialogs.length === 0, "no dialog opened (" + dialogs.join(", ") + ")");
}

async function main() {
  // The store file, or (PostgreSQL) the fixture's scratch folder.
  const made = execFileSync(fixture, postgres ? ["make", "--schema", SCHEMA] : ["make"]);
  const store = made.toString().trim();
  const { server, url } = startServer(store);
  let browser = null;
  try {
    const base = await url;
    browser = await launch();
    const page = await browser.context.newPage();
    await browse(page, base, store);
    await page.goto(base + "#/stream/workshop-w-1");
    await page.locator("main .event").nth(3).waitFor(WAIT);
    fs.mkdirSync(outDir, { recursive: true });
    const png = path.join(outDir, postgres ? "explore-postgres.png" : "explore.png");
    await page.screenshot({ path: png });
    if (docsPng) await page.screenshot({ path: docsPng });
    console.log("screenshot: " + png);
  } finally {
    if (browser) {
      await browser.context.close();
      fs.rmSync(browser.profile, { recursive: true, force: true });
    }
    server.kill("SIGTERM");
    fs.rmSync(postgres ? store : path.dirname(store), { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
