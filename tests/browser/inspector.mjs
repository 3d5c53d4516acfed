// End-to-end test of the `listen --inspect` page in the system's Chromium
// (never a downloaded browser), driven by playwright-core. Run by
// tests/inspector_browser.rs with:
//   SCOPIEN_HOOKS_BIN  the binary under test
//   SCREENSHOT         where to write the README screenshot
// A receiver that verifies signatures stands in for the user's app; the
// listener forwards to it and the page replays to it.
import { spawn } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { chromium } from "playwright-core";

const BIN = process.env.SCOPIEN_HOOKS_BIN;
const SHOT = process.env.SCREENSHOT;
const CHROMIUM = "/usr/bin/chromium";
const SECRET = "whsec_browser_test_secret";
const WAIT = 15000;

function fail(msg) {
  throw new Error(msg);
}
function check(cond, msg) {
  if (!cond) fail(msg);
}
const sign = (body) => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
function verifies(header, body) {
  const got = Buffer.from(String(header || "").trim().replace(/^sha256=/i, "").toLowerCase());
  const want = Buffer.from(sign(body).slice(7));
  return got.length === want.length && timingSafeEqual(got, want);
}

// ---- the app: verifies every request and remembers it --------------------
const received = [];
const waiters = [];
const app = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const valid = verifies(req.headers["x-scopien-signature"], body);
    received.push({ path: req.url, headers: req.headers, body: body.toString("utf8"), valid });
    for (const w of waiters.splice(0)) w();
    if (valid) {
      res.writeHead(200, { "content-type": "application/json", "x-app": "demo" });
      res.end(JSON.stringify({ received: true, at: req.url }));
    } else {
      res.writeHead(401, { "content-type": "text/plain" });
      res.end("signature mismatch");
    }
  });
});
await new Promise((r) => app.listen(0, "127.0.0.1", r));
const appUrl = `http://127.0.0.1:${app.address().port}/webhooks`;
async function receivedCount(n) {
  const deadline = Date.now() + WAIT;
  while (received.length < n) {
    check(Date.now() < deadline, `the app got ${received.length} requests, expected ${n}`);
    await new Promise((r) => { waiters.push(r); setTimeout(r, 200); });
  }
  return received;
}

// ---- the listener ---------------------------------------------------------
const listener = spawn(BIN, ["listen", "--port", "0", "--secret", SECRET, "--forward-to", appUrl, "--inspect", "--inspect-port", "0"], {
  stdio: ["ignore", "ignore", "pipe"],
  env: { ...process.env, NO_COLOR: "1" },
});
const { listenUrl, inspectorUrl } = await new Promise((resolve, reject) => {
  let err = "";
  const timer = setTimeout(() => reject(new Error(`no Inspector line; stderr: ${err}`)), WAIT);
  listener.stderr.on("data", (d) => {
    err += d;
    const ready = err.match(/^Ready! Listening on (http:\/\/\S+)$/m);
    const insp = err.match(/^Inspector: (http:\/\/127\.0\.0\.1:\d+)$/m);
    if (ready && insp) {
      clearTimeout(timer);
      resolve({ listenUrl: ready[1], inspectorUrl: insp[1] });
    }
  });
  listener.on("exit", (code) => reject(new Error(`listen exited ${code}; stderr: ${err}`)));
});

async function deliver(body, signature) {
  const resp = await fetch(listenUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature ? { "x-scopien-signature": signature } : {}) },
    body,
  });
  return resp.status;
}
const ts = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
const ev = (id, event, data, changes) => JSON.stringify({ id, event, timestamp: ts(), data, ...(changes ? { changes } : {}) });

// ---- the browser ----------------------------------------------------------
const profile = mkdtempSync(join(tmpdir(), "scopien-hooks-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  viewport: { width: 1440, height: 860 },
  colorScheme: "light",
  permissions: ["clipboard-read", "clipboard-write"],
});
let exitCode = 0;
try {
  context.setDefaultTimeout(WAIT);
  const page = context.pages()[0] || (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  let loads = 0;
  page.on("load", () => loads++);
  // The page loads nothing but its own inspector.
  const outside = [];
  page.on("request", (r) => { if (!r.url().startsWith(inspectorUrl)) outside.push(r.url()); });

  await page.goto(inspectorUrl);
  await page.locator("#live.on").waitFor();
  check((await page.locator("#rows tr").count()) === 0, "the list starts empty");

  // Deliveries arrive while the page is open: signed with changes, badly signed, signed.
  const lead = ev("evt_browser_lead", "lead.updated", { id: "lead_8f2k", name: "Ada Lovelace", company: "Analytical Engines Ltd", status: "qualified", score: 87 },
    { status: { old: "new", new: "qualified" }, score: { old: 40, new: 87 } });
  check((await deliver(lead, sign(lead))) === 200, "the signed delivery is forwarded and answered 200");
  const bad = ev("evt_browser_bad", "opportunity.created", { id: "opp_x1", name: "Acme renewal", amount: 48000 });
  check((await deliver(bad, sign(bad).replace(/.$/, (c) => (c === "0" ? "1" : "0")))) === 401, "a bad signature is refused");
  const closed = ev("evt_browser_case", "case.closed", { id: "case_77", subject: "Billing question", status: "Closed" }, { status: { old: "In Progress", new: "Closed" } });
  check((await deliver(closed, sign(closed))) === 200, "the second signed delivery is answered");
  await receivedCount(2);

  const rows = page.locator("#rows tr");
  // Waits until the list shows exactly these events, newest first.
  const listShows = (names) => page.waitForFunction((want) => {
    const got = [...document.querySelectorAll("#rows tr .ev")].map((e) => e.textContent);
    return got.length === want.length && got.every((g, i) => g === want[i]);
  }, names);
  await listShows(["case.closed", "opportunity.created", "lead.updated"]);
  check(loads === 1, "the rows appeared without a reload");
  await page.locator("#rows tr", { hasText: "signature mismatch" }).waitFor();
  check((await rows.nth(0).innerText()).includes("case.closed"), "newest first");

  // Filters: status class, event pattern, verified, text.
  await page.selectOption("#f-status", "4xx");
  await listShows(["opportunity.created"]);
  check((await rows.nth(0).innerText()).includes("signature mismatch"), "4xx shows the rejected one");
  await page.selectOption("#f-status", "");
  await page.fill("#f-event", "lead.*");
  await listShows(["lead.updated"]);
  await page.fill("#f-event", "");
  await page.selectOption("#f-verified", "true");
  await listShows(["case.closed", "lead.updated"]);
  await page.selectOption("#f-verified", "");
  await page.fill("#f-q", "Acme renewal");
  await listShows(["opportunity.created"]);
  await page.fill("#f-q", "");
  await listShows(["case.closed", "opportunity.created", "lead.updated"]);

  // The rejected request says why, as prominently as the terminal line.
  await page.locator("#rows tr", { hasText: "opportunity.created" }).click();
  await page.locator("#verdict.bad", { hasText: "signature mismatch" }).waitFor();

  // Detail of the lead: changes, body, headers, the answer and the forward.
  await page.locator("#rows tr", { hasText: "lead.updated" }).click();
  await page.locator("#verdict.ok", { hasText: "lead.updated" }).waitFor();
  const changes = await page.locator("#changes").innerText();
  check(/status\s+new\s*→\s*qualified/.test(changes) && /score\s+40\s*→\s*87/.test(changes), `changes as old → new: ${changes}`);
  check((await page.locator("#body").innerText()).includes('"Ada Lovelace"'), "the pretty body");
  await page.click("[data-body=raw]");
  check((await page.locator("#body").innerText()) === lead, "the raw body is the exact bytes");
  await page.click("[data-body=pretty]");
  check((await page.locator("#headers").innerText()).includes("x-scopien-signature"), "the headers");
  await page.click("[data-tab=response]");
  check((await page.locator("#answer-body").innerText()).includes('"received"'), "the answer sent is the app's");
  await page.click("[data-tab=forward]");
  const fwd = await page.locator("#forward-meta").innerText();
  check(fwd.includes(appUrl) && fwd.includes("200"), `the forward exchange: ${fwd}`);
  check((await page.locator("#forward-headers").innerText()).includes("x-app"), "the app's headers");
  await page.click("[data-tab=request]");

  // Replay to the forward target: the same bytes and signature arrive.
  await page.click("#replay");
  await page.locator("#replay-result.ok", { hasText: "200" }).waitFor();
  let got = await receivedCount(3);
  check(got[2].body === lead && got[2].valid, "the replay carried the exact bytes and a valid signature");

  // Replay to a typed URL.
  await page.fill("#replay-url", appUrl.replace("/webhooks", "/typed"));
  await page.click("#replay");
  got = await receivedCount(4);
  check(got[3].path === "/typed", `replayed to the typed URL: ${got[3].path}`);
  await page.fill("#replay-url", "");

  // Edit and replay, re-signed: the app verifies the new body.
  await page.click("#edit");
  await page.locator("#editor[open]").waitFor();
  check(await page.isChecked("#ed-resign"), "re-sign is on by default");
  const edited = (await page.inputValue("#ed-body")).replace('"score":87', '"score":99');
  await page.fill("#ed-body", edited);
  await page.fill("#ed-headers", `${await page.inputValue("#ed-headers")}\nx-edited: yes`);
  await page.click("#ed-send");
  await page.locator("#ed-result.ok", { hasText: "200" }).waitFor();
  got = await receivedCount(5);
  check(got[4].body === edited && got[4].valid && got[4].headers["x-edited"] === "yes", "the edited body arrived re-signed and verified");
  // Without re-signing, the old signature no longer matches: the app says so.
  await page.uncheck("#ed-resign");
  await page.click("#ed-send");
  await page.locator("#ed-result.bad", { hasText: "401" }).waitFor();
  got = await receivedCount(6);
  check(!got[5].valid, "unchecked re-sign keeps the old signature");
  await page.keyboard.press("Escape");
  await page.locator("#editor[open]").waitFor({ state: "detached" }).catch(() => {});
  await page.waitForFunction(() => !document.getElementById("editor").open);

  // Copy as curl: the command's signature matches its body, and it works.
  await page.click("#curl");
  const cmd = await page.locator("#curl-text").innerText();
  const clip = await page.evaluate(() => navigator.clipboard.readText()).catch(() => cmd);
  check(clip === cmd, "the command is on the clipboard");
  const unquote = (s) => s.slice(1, -1).replace(/'\\''/g, "'");
  const sigHeader = cmd.match(/-H '(x-scopien-signature: [^']*)'/);
  const data = cmd.match(/--data-binary ('(?:[^']|'\\'')*')\s*$/);
  check(sigHeader && data, `curl has a signature and a body: ${cmd}`);
  check(verifies(sigHeader[1].split(": ")[1], unquote(data[1])), "the curl signature matches its body");
  // Run asynchronously: the app answering it lives in this process.
  const run = await new Promise((resolve) => {
    const c = spawn("bash", ["-c", `${cmd} -sS -o /dev/null -w '%{http_code}'`]);
    let out = "", err = "";
    const timer = setTimeout(() => c.kill(), WAIT);
    c.stdout.on("data", (d) => { out += d; });
    c.stderr.on("data", (d) => { err += d; });
    c.on("exit", (status) => { clearTimeout(timer); resolve({ status, out, err }); });
  });
  const code = run.out;
  check(run.status === 0, `curl ran: ${run.status} ${run.err}`);
  check(code === "200", `the curl command is accepted by the app: ${code}`);
  got = await receivedCount(7);
  check(got[6].valid && got[6].body === lead, "curl sent the same body, verified");

  // The keyboard: ↓ moves to the next request, r replays it.
  await page.locator("#rows tr", { hasText: "case.closed" }).click();
  await page.locator("#verdict", { hasText: "case.closed" }).waitFor();
  await page.keyboard.press("ArrowDown");
  await page.locator("#verdict.bad", { hasText: "opportunity.created" }).waitFor();
  await page.keyboard.press("ArrowUp");
  await page.locator("#verdict.ok", { hasText: "case.closed" }).waitFor();
  await page.keyboard.press("r");
  await page.locator("#replay-result.ok", { hasText: "200" }).waitFor();
  got = await receivedCount(8);
  check(got[7].body === closed, "r replayed the selected request");

  // Both themes are readable: the dark one really is dark.
  await page.emulateMedia({ colorScheme: "dark" });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check(bg === "rgb(15, 18, 23)", `dark background: ${bg}`);
  await page.emulateMedia({ colorScheme: "light" });

  check(errors.length === 0, `no errors in the page: ${errors.join("; ")}`);
  check(outside.length === 0, `the page loaded nothing else: ${outside.join(", ")}`);

  // The README picture: the forwarded lead with its changes beside rejections,
  // a duplicate and a few more arrivals.
  const contact = ev("evt_browser_contact", "contact.updated", { id: "con_51", email: "grace@example.com" }, { email: { old: "grace@old.example", new: "grace@example.com" } });
  check((await deliver(contact, sign(contact))) === 200, "a third signed delivery");
  const task = ev("evt_browser_task", "task.completed", { id: "task_9", title: "Call back" });
  check((await deliver(task, null)) === 401, "an unsigned delivery is refused");
  check((await deliver(lead, sign(lead))) === 200, "a repeated id is answered 200");
  await listShows(["lead.updated", "task.completed", "contact.updated", "case.closed", "opportunity.created", "lead.updated"]);
  check((await rows.nth(0).innerText()).includes("duplicate"), "the repeat is marked as a duplicate");
  check((await rows.nth(1).innerText()).includes("missing signature"), "the unsigned one says why");
  await rows.last().click();
  await page.locator("#verdict.ok", { hasText: "lead.updated" }).waitFor();
  await page.locator("#stats", { hasText: "6 received" }).waitFor();
  // A still picture: no replay result, toast or arrival highlight left over.
  await page.evaluate(() => {
    document.getElementById("replay-result").hidden = true;
    document.getElementById("toast").hidden = true;
    for (const tr of document.querySelectorAll("#rows tr.new")) tr.classList.remove("new");
  });
  await page.mouse.move(0, 0);
  if (SHOT) {
    mkdirSync(dirname(SHOT), { recursive: true });
    await page.screenshot({ path: SHOT });
  }
  console.log(`ok: inspector page checked in Chromium (${received.length} requests reached the app)`);
} catch (e) {
  console.error(`FAILED: ${e.stack || e}`);
  exitCode = 1;
} finally {
  await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
  listener.kill("SIGTERM");
  app.close();
}
process.exit(exitCode);
