// The staff web caller in headless Chromium against a real hub.
//
// Starts the hub (hallkiosk --role hub --listen 127.0.0.1:0, the bundled
// sample branch: staff s1..s6 with the demo PIN, device tokens
// demo-token-*), issues a ticket over the API with the kiosk's token, opens
// /staff/ in Debian's chromium (playwright-core, executablePath
// /usr/bin/chromium) and does what a clerk does: a wrong PIN shows the
// hub's error; log in as s1, choose counter c1, open it, call next with the
// keyboard alone and see the number; reload and see the same state; a
// ticket issued elsewhere shows up live; start and finish by shortcut; the
// language switch; a hub restart (sessions are in memory) brings the page
// back to the login with a word why, and logging in again shows the state
// the hub kept. Also: the page's response headers, no script errors, and
// the contrast of every visible text (>= 4.5:1).
//
// Run by CTest (label web): node staff_page.mjs; env HK_SOURCE_DIR,
// HK_BINARY_DIR, HK_TEST_TMP. Exit 77 (skip) when /usr/bin/chromium or
// node_modules/playwright-core is missing. Screenshots of each step go to
// HK_TEST_TMP/staff-page/ for a person to look at.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const CHROMIUM = "/usr/bin/chromium";
const src = process.env.HK_SOURCE_DIR;
const bin = join(process.env.HK_BINARY_DIR, "hallkiosk");
if (!existsSync(CHROMIUM)) {
  console.log(`skip: ${CHROMIUM} is not installed (apt-get install chromium)`);
  process.exit(77);
}
if (!existsSync(join(src, "node_modules", "playwright-core"))) {
  console.log("skip: node_modules/playwright-core missing (toolchain/dev test runs npm ci)");
  process.exit(77);
}
const require = createRequire(join(src, "package.json"));
const { chromium } = require("playwright-core");

const PIN = "246810";
const KIOSK_TOKEN = "demo-token-kiosk-1";
const started = Date.now();
let failures = 0;
let checked = 0;
function ok(cond, what) {
  checked++;
  if (cond) console.log(`ok - ${what} [${((Date.now() - started) / 1000).toFixed(1)} s]`);
  else {
    failures++;
    console.log("not ok - " + what);
  }
  return cond;
}

// one fixed folder, emptied at the start: the newest run's screenshots
const tmp = join(process.env.HK_TEST_TMP || "/tmp", "staff-page");
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const data = join(tmp, "data");
// the sample branch, open all day: it closes at 18:00 Beijing time, and a
// run after that must not meet a closed branch (409 on take-number)
const cfgPath = join(tmp, "branch.json");
{
  const cfg = JSON.parse(readFileSync(join(src, "assets/config/sample-branch.json"), "utf8"));
  delete cfg.hours;
  for (const s of cfg.services) delete s.hours;
  delete cfg.data_dir;
  writeFileSync(cfgPath, JSON.stringify(cfg, null, 2));
}

// ---- the hub ---------------------------------------------------------------
let hub = null;
let hubLog = "";
function startHub(listen) {
  hub = spawn(bin, ["--role", "hub", "--config", cfgPath, "--data-dir", data, "--listen", listen], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("hub did not start: " + stderr)), 10000);
    hub.stderr.on("data", (d) => {
      stderr += d;
      hubLog += d;
      const m = stderr.match(/LAN API on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
    hub.on("exit", (code) => reject(new Error(`hub exited ${code}: ${stderr}`)));
  });
}
function stopHub() {
  if (!hub || hub.exitCode !== null) return Promise.resolve();
  const h = hub;
  return new Promise((resolve) => {
    h.once("exit", resolve);
    h.kill("SIGTERM");
    setTimeout(() => h.kill("SIGKILL"), 5000);
  });
}

const port = await startHub("127.0.0.1:0");
const base = `http://127.0.0.1:${port}`;

async function api(method, path, body, token = KIOSK_TOKEN) {
  const res = await fetch(base + "/api/v1" + path, {
    method,
    headers: {
      Authorization: "Bearer " + token,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

let browser = null;
try {
  // ---- the files, as served -----------------------------------------------------
  for (const [path, type] of [
    ["/staff/", "text/html; charset=utf-8"],
    ["/staff", "text/html; charset=utf-8"],
    ["/staff/staff.js", "text/javascript; charset=utf-8"],
    ["/staff/staff.css", "text/css; charset=utf-8"],
  ]) {
    const res = await fetch(base + path);
    await res.text();
    ok(res.status === 200 && res.headers.get("content-type") === type, `GET ${path}: 200 ${type}`);
    ok(/default-src 'self'/.test(res.headers.get("content-security-policy") || ""),
      `GET ${path}: Content-Security-Policy default-src 'self'`);
    ok(res.headers.get("cache-control") === "no-cache", `GET ${path}: Cache-Control no-cache`);
  }
  const miss = await fetch(base + "/staff/nope.js");
  ok(miss.status === 404, "GET /staff/nope.js: 404");
  const post = await fetch(base + "/staff/", { method: "POST", body: "x" });
  ok(post.status === 405, "POST /staff/: 405");

  // ---- a customer takes a number at a kiosk ---------------------------------------
  const issued = await api("POST", "/tickets", { service: "general" });
  ok(issued.status === 201, `ticket issued with the kiosk token (${issued.status})`);
  const number = issued.json?.ticket?.number;

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000); // generous: ctest -j2 on a shared machine
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => {
    // a refused request (the wrong PIN's 401) is logged by the browser itself
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) pageErrors.push(m.text());
  });
  let shot = 0;
  const snap = (name) => page.screenshot({ path: join(tmp, `${String(++shot).padStart(2, "0")}-${name}.png`), fullPage: true });
  const text = (sel) => page.locator(sel).innerText();
  const visible = (sel) => page.locator(sel).isVisible();

  await page.goto(base + "/staff/");
  await page.waitForSelector("#view-login:not([hidden])");
  ok((await page.getAttribute("html", "lang")) === "zh-CN", "the page starts in zh-CN, <html lang=zh-CN>");
  ok((await page.evaluate(() => document.activeElement?.id)) === "staff-id", "the staff id field has focus");
  ok((await page.locator('label[for="staff-id"]').count()) === 1 &&
    (await page.locator('label[for="pin"]').count()) === 1, "the login fields have <label>s");
  await snap("login");

  // ---- a wrong PIN --------------------------------------------------------------
  await page.keyboard.type("s1");
  await page.keyboard.press("Tab");
  await page.keyboard.type("000000");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("alert").textContent.trim() !== "");
  const alert = await text("#alert");
  ok(/工号或 PIN 不正确/.test(alert), `wrong PIN: the alert says so (${JSON.stringify(alert)})`);
  ok(/叫号主机：\S/.test(alert), "wrong PIN: the alert carries the hub's message");
  ok((await page.getAttribute("#alert", "role")) === "alert", "errors show in a role=alert live region");
  ok(await visible("#view-login"), "wrong PIN: still on the login");
  ok((await page.evaluate(() => [document.activeElement?.id, document.activeElement?.value])).join() === "pin,",
    "wrong PIN: the PIN field is emptied and focused");
  await snap("wrong-pin");

  // ---- log in, keyboard only -------------------------------------------------------
  await page.keyboard.type(PIN);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#view-counter:not([hidden])");
  ok((await text("#alert")) === "", "login: the alert is cleared");
  ok(await page.evaluate(() => !!sessionStorage.getItem("hk.staff.session")), "login: the session is in sessionStorage");
  ok((await page.locator('#counter-list input[type="radio"]').count()) >= 2, "the counters of the branch are offered");
  // keyboard: the chosen radio has focus, arrows move it, Enter submits
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowUp");
  ok((await page.evaluate(() => [document.activeElement?.value, document.activeElement?.checked])).join() === "c1,true",
    "the counter choice is a radio group the arrows move through (c1 chosen)");
  await snap("choose-counter");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#view-work:not([hidden])");
  await page.waitForSelector('#conn[data-state="live"]');
  ok(true, "the event stream is live");

  // ---- open the counter (pause it first if the hub started it open) -------------
  await page.waitForSelector("#counter-pill[data-state]");
  if ((await page.getAttribute("#counter-pill", "data-state")) === "open") {
    await page.keyboard.press("p");
    await page.waitForSelector('#counter-pill[data-state="paused"]');
    ok(true, "shortcut P: counter c1 paused");
  }
  await page.click("#btn-open");
  await page.waitForSelector('#counter-pill[data-state="open"]');
  ok(true, "counter c1 open");
  // the waiting count of the issued ticket's service
  const waitingGeneral = () =>
    page.evaluate(() => {
      for (const tr of document.querySelectorAll("#wait-body tr"))
        if (/^A ·/.test(tr.cells[0].textContent)) return Number(tr.cells[1].textContent);
      return null;
    });
  await page.waitForFunction(() => document.querySelectorAll("#wait-body tr").length > 0);
  ok((await waitingGeneral()) === 1, "one ticket waits for general business");
  await snap("open");

  // ---- call next with the keyboard alone: Tab from the top to the button -------
  await page.locator(".skip").focus(); // the first stop of the page
  let reached = false;
  const order = [];
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press("Tab");
    const id = await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
    order.push(id);
    reached = id === "btn-call-next";
  }
  ok(reached, `Tab reaches "call next" (${order.join(" > ")})`);
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).boxShadow);
  ok(ring && ring !== "none", "the focused button shows a focus ring");
  await page.keyboard.press("Enter");
  await page.waitForFunction((n) => document.getElementById("cur-number").textContent === n, number);
  ok(true, `call next by keyboard: ${number} on the page`);
  ok((await page.getAttribute("#cur-state", "data-state")) === "called", "the ticket is shown as called");
  ok(/已叫/.test(await text("#last-action")), "the last action is said in the status line");
  const snapApi = await api("GET", "/snapshot");
  const c1 = snapApi.json?.counters?.find((c) => c.id === "c1");
  ok(c1?.ticket?.number === number && c1.ticket.state === "called", "the hub has the same call");
  ok(c1?.staff === undefined || c1.staff === "s1", "the hub stamps the call with staff s1");
  await snap("called");

  // ---- reload: the same state, without logging in again ------------------------------
  await page.reload();
  await page.waitForSelector("#view-work:not([hidden])");
  await page.waitForFunction((n) => document.getElementById("cur-number").textContent === n, number);
  ok(true, "reload: same counter, same called number");
  ok(await page.locator('#counter-pill[data-state="open"]').count() === 1, "reload: the counter is still open");

  // ---- live: a ticket issued elsewhere appears ----------------------------------------
  await api("POST", "/tickets", { service: "general" });
  await page.waitForFunction(() => {
    for (const tr of document.querySelectorAll("#wait-body tr"))
      if (/^A ·/.test(tr.cells[0].textContent)) return tr.cells[1].textContent === "1";
    return false;
  });
  ok(true, "live: a ticket issued at a kiosk shows in the waiting count");

  // ---- shortcuts: start, finish ------------------------------------------------------
  await page.keyboard.press("s");
  await page.waitForSelector('#cur-state[data-state="serving"]');
  ok(true, "shortcut S: serving");
  await page.keyboard.press("f");
  await page.waitForFunction(() => document.getElementById("cur-number").classList.contains("none"));
  ok(true, "shortcut F: finished, no current ticket");
  // call next while nobody waits for... one does wait: N calls it, X puts it back
  await page.keyboard.press("n");
  await page.waitForSelector('#cur-state[data-state="called"]');
  await page.check("#put-back");
  await page.keyboard.press("x");
  await page.waitForFunction(() => document.getElementById("cur-number").classList.contains("none"));
  ok((await waitingGeneral()) === 1, "no-show with put back: the ticket waits again");
  // nobody waiting for c1's services after it is called and finished
  await page.keyboard.press("n");
  await page.waitForSelector('#cur-state[data-state="called"]');
  await page.keyboard.press("f");
  await page.waitForFunction(() => document.getElementById("cur-number").classList.contains("none"));
  await page.locator("#btn-call-next").focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("alert").textContent.trim() !== "");
  ok(/\S/.test(await text("#alert")), `call next with nobody waiting: ${JSON.stringify(await text("#alert"))}`);

  // ---- contrast of every visible text (zh) ----------------------------------------------
  const lowContrast = () =>
    page.evaluate(() => {
      const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
      const lum = ([r, g, b]) => {
        const f = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const bg = (el) => {
        for (; el; el = el.parentElement) {
          const c = rgb(getComputedStyle(el).backgroundColor);
          if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
        }
        return [255, 255, 255];
      };
      const bad = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!n.textContent.trim() || !el || !el.checkVisibility?.() || el.closest(".sr-only")) continue;
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height) continue;
        const a = lum(rgb(getComputedStyle(el).color));
        const b = lum(bg(el));
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < 4.5) bad.push(`${n.textContent.trim().slice(0, 20)} ${ratio.toFixed(2)}`);
      }
      return bad;
    });
  let low = await lowContrast();
  ok(low.length === 0, `contrast >= 4.5:1 everywhere (zh) ${low.join("; ")}`);
  await snap("alert-zh");

  await page.setViewportSize({ width: 390, height: 844 });
  await snap("narrow-zh");
  await page.setViewportSize({ width: 1280, height: 900 });

  // ---- the language switch ------------------------------------------------------------
  await page.click("#btn-lang");
  ok((await page.getAttribute("html", "lang")) === "en", "language switch: <html lang=en>");
  ok(/Call next/.test(await text("#btn-call-next")), "language switch: the buttons speak English");
  low = await lowContrast();
  ok(low.length === 0, `contrast >= 4.5:1 everywhere (en) ${low.join("; ")}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await snap("narrow-en");
  await page.setViewportSize({ width: 1280, height: 900 });

  // ---- a hub restart: sessions are gone, the page says so; the day is kept -------------
  await api("POST", "/tickets", { service: "general" }); // so there is one to call after
  await stopHub();
  await startHub(`127.0.0.1:${port}`);
  await page.waitForSelector("#view-login:not([hidden])", { timeout: 15000 });
  ok(/log in again/i.test(await text("#alert")), "hub restart: back to the login, the alert says why");
  await page.fill("#staff-id", "s1");
  await page.fill("#pin", PIN);
  await page.press("#pin", "Enter");
  await page.waitForSelector("#view-work:not([hidden])");
  await page.waitForSelector('#conn[data-state="live"]');
  ok((await page.inputValue("#pin")) === "", "the PIN is not kept in the field");
  const sessionToken = await page.evaluate(() => JSON.parse(sessionStorage.getItem("hk.staff.session")).session);
  await page.waitForFunction(() => {
    for (const tr of document.querySelectorAll("#wait-body tr"))
      if (/^A ·/.test(tr.cells[0].textContent)) return tr.cells[1].textContent === "1";
    return false;
  });
  ok(true, "after the restart the page shows the hub's kept state (1 waiting)");
  await snap("after-restart-en");

  // ---- log out; then wrong PINs until the hub locks the login (429) -----------------------
  await page.click("#btn-logout");
  await page.waitForSelector("#view-login:not([hidden])");
  ok(await page.evaluate(() => !sessionStorage.getItem("hk.staff.session")), "log out: the session is gone from the tab");
  const gone = await fetch(base + "/api/v1/snapshot", { headers: { Authorization: "Bearer " + sessionToken } });
  ok(gone.status === 401, `log out: the hub refuses the old session (${gone.status})`);
  let locked = "";
  for (let i = 0; i < 8 && !locked; i++) {
    await page.fill("#staff-id", "s2");
    await page.fill("#pin", "111111");
    await page.press("#pin", "Enter");
    await page.waitForFunction(() => document.getElementById("btn-login").getAttribute("aria-busy") !== "true" &&
      document.getElementById("alert").textContent.trim() !== "");
    const a = await text("#alert");
    if (/Too many attempts/.test(a)) locked = a;
  }
  ok(/Try again in \d+ s/.test(locked), `repeated wrong PINs: the page says when to try again (${JSON.stringify(locked)})`);
  await snap("locked-en");

  ok(pageErrors.length === 0, `no script errors ${pageErrors.join(" | ")}`);
} catch (e) {
  failures++;
  console.log("not ok - " + (e.stack || e));
  console.log("hub log:\n" + hubLog.slice(-3000));
} finally {
  if (browser) await browser.close();
  await stopHub();
}

console.log(`${checked} checks, ${failures} failed, ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${tmp}`);
if (!failures) rmSync(data, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
