// Live LAN API responses against docs/api/lan.yaml's schemas.
//
// Starts a real hub (hallkiosk --role hub --listen 127.0.0.1:0) on a temp
// data dir, makes every documented operation succeed and fail the ways the
// description says, and validates each response body against the schema
// documented for its path, method and status (JSON Schema 2020-12, which
// OpenAPI 3.1 uses, with ajv). The stream's snapshot and event data are
// validated too, and so is every example in the description. A status the
// description does not list for an operation is a failure.
//
// Run by CTest (label net): node lan_schema.mjs; env HK_SOURCE_DIR,
// HK_BINARY_DIR, HK_TEST_TMP. Exit 77 (skip) when node_modules is missing.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const src = process.env.HK_SOURCE_DIR;
const bin = join(process.env.HK_BINARY_DIR, "hallkiosk");
if (!existsSync(join(src, "node_modules", "ajv"))) {
  console.log("skip: node_modules missing (toolchain/dev test runs npm ci)");
  process.exit(77);
}
const require = createRequire(join(src, "package.json"));
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;
const YAML = require("yaml");

const doc = YAML.parse(readFileSync(join(src, "docs/api/lan.yaml"), "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, "lan");

let failures = 0;
let checked = 0;
function fail(msg) {
  failures++;
  console.log("not ok - " + msg);
}

function deref(obj) {
  while (obj && obj.$ref) {
    const parts = obj.$ref.replace(/^#\//, "").split("/");
    obj = parts.reduce((o, k) => o[k.replace(/~1/g, "/")], doc);
  }
  return obj;
}

function schemaPtr(schema) {
  // schemas here are $refs into components, or inline under a path
  return schema.$ref ? "lan" + schema.$ref : null;
}

function validate(ptrOrSchema, value, what) {
  const v =
    typeof ptrOrSchema === "string" ? ajv.getSchema(ptrOrSchema) : ajv.compile(ptrOrSchema);
  checked++;
  if (!v(value)) fail(`${what}: ${ajv.errorsText(v.errors)} in ${JSON.stringify(value)}`);
}

// the documented path for a concrete one
function docPath(path) {
  return path
    .replace(/\?.*$/, "")
    .replace(/^\/api\/v1/, "")
    .replace(/^\/counters\/[^/]+\//, "/counters/{counter_id}/")
    .replace(/^\/tickets\/[^/]+\//, "/tickets/{ticket_id}/");
}

function responseSchema(method, path, status) {
  const op = doc.paths[docPath(path)]?.[method.toLowerCase()];
  // a method the path does not take has no operation to document it
  if (!op && status === 405 && doc.paths[docPath(path)])
    return { schema: doc.components.responses.MethodNotAllowed.content["application/json"].schema };
  if (!op) return { err: `${method} ${path}: not in the description` };
  const resp = deref(op.responses[String(status)]);
  if (!resp) return { err: `${method} ${path}: status ${status} not documented` };
  return { schema: resp.content?.["application/json"]?.schema };
}

// ---- examples in the description ---------------------------------------------
for (const [p, item] of Object.entries(doc.paths)) {
  for (const [m, op] of Object.entries(item)) {
    const rb = op.requestBody?.content?.["application/json"];
    if (rb?.example !== undefined)
      validate(schemaPtr(rb.schema) || rb.schema, rb.example, `example request ${m} ${p}`);
    for (const [st, r0] of Object.entries(op.responses)) {
      const c = deref(r0).content?.["application/json"];
      if (c?.example !== undefined)
        validate(schemaPtr(c.schema) || c.schema, c.example, `example ${st} ${m} ${p}`);
    }
  }
}

// ---- a real hub ----------------------------------------------------------------
const PIN_HASH =
  "$argon2id$v=19$m=19456,t=2,p=1$9TAmAzTazftkRfPEX45gMw$5knWFbDoUeD96CmGfXVTf2D1rjGgB3/f7D2lAUd44mQ";
const KIOSK1 = "schema-token-kiosk-1-0123456789";
const KIOSK2 = "schema-token-kiosk-2-0123456789";
const tmp = mkdtempSync(join(process.env.HK_TEST_TMP || "/tmp", "lan-schema-"));
const cfg = join(tmp, "branch.json");
writeFileSync(
  cfg,
  JSON.stringify({
    role: "hub",
    branch: { id: "t1", name_zh: "测试厅", name_en: "Test hall" },
    services: [
      { id: "general", prefix: "A", name_zh: "业务", name_en: "General" },
      { id: "payment", prefix: "B", name_zh: "缴费", name_en: "Payments" },
    ],
    counters: [
      { id: "c1", number: 1, services: ["general", "payment"] },
      { id: "c2", number: 2, services: ["general"] },
    ],
    // PIN 246810 (the sample's hash)
    staff: [{ id: "s1", name_zh: "王丽", name_en: "Wang Li", pin_hash: PIN_HASH }],
    devices: [
      { id: "kiosk-1", token: KIOSK1 },
      { id: "kiosk-2", token: KIOSK2, block_from: 900, block_to: 949 },
    ],
  }),
);
const hub = spawn(bin, ["--role", "hub", "--config", cfg, "--data-dir", join(tmp, "data"),
  "--listen", "127.0.0.1:0"], { stdio: ["ignore", "ignore", "pipe"] });
let stderr = "";
const port = await new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error("hub did not start: " + stderr)), 10000);
  hub.stderr.on("data", (d) => {
    stderr += d;
    const m = stderr.match(/LAN API on http:\/\/127\.0\.0\.1:(\d+)/);
    if (m) {
      clearTimeout(t);
      resolve(Number(m[1]));
    }
  });
});
const base = `http://127.0.0.1:${port}`;

// who calls: a staff session (set after login), a device token, or nobody
let token = null;
async function call(method, path, body, expectStatus, as) {
  const bearer = as === undefined ? token : as;
  const headers = body !== undefined ? { "content-type": "application/json" } : {};
  if (bearer) headers.authorization = "Bearer " + bearer;
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const what = `${method} ${path} -> ${res.status}`;
  if (expectStatus && res.status !== expectStatus) fail(`${what}: expected ${expectStatus}: ${text}`);
  const { schema, err } = responseSchema(method, path, res.status);
  if (err) fail(err);
  else if (schema) {
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      fail(`${what}: not JSON: ${text}`);
    }
    if (json !== undefined) validate(schemaPtr(schema) || schema, json, what);
  }
  return text ? JSON.parse(text) : null;
}

try {
  // log in (no token needed for that), then act as s1
  token = (await call("POST", "/api/v1/sessions", { staff_id: "s1", pin: "246810" }, 201, null))
    .session;
  // the stream first, so it sees what follows (the token as a query argument)
  const ctl = new AbortController();
  const stream = await fetch(base + "/api/v1/events?access_token=" + KIOSK1, {
    signal: ctl.signal,
  });
  const reader = stream.body.getReader();
  let sse = "";

  await call("GET", "/api/v1/branch", undefined, 200, null);
  await call("GET", "/api/v1/snapshot", undefined, 200);
  const a = (await call("POST", "/api/v1/tickets", { service: "general" }, 201)).ticket.id;
  await call("POST", "/api/v1/counters/c1/call-next", undefined, 200);
  await call("POST", `/api/v1/tickets/${a}/recall`, undefined, 200);
  await call("POST", `/api/v1/tickets/${a}/no-show`, { put_back: true }, 200);
  await call("POST", "/api/v1/counters/c1/call", { ticket_id: a }, 200);
  const b = (await call("POST", `/api/v1/tickets/${a}/transfer`, { service: "payment" }, 200))
    .ticket.id;
  await call("POST", "/api/v1/counters/c1/call-next", {}, 200);
  await call("POST", `/api/v1/tickets/${b}/start`, undefined, 200);
  await call("GET", "/api/v1/snapshot", undefined, 200); // a counter with a ticket
  await call("POST", `/api/v1/tickets/${b}/finish`, undefined, 200);
  await call("POST", "/api/v1/counters/c2/pause", undefined, 200);
  await call("POST", "/api/v1/counters/c2/close", undefined, 200);
  await call("POST", "/api/v1/counters/c2/open", undefined, 200);
  // errors
  await call("POST", "/api/v1/tickets", "{", 400);
  await call("POST", "/api/v1/tickets", {}, 400);
  await call("POST", "/api/v1/tickets", { service: "nope" }, 404);
  await call("POST", "/api/v1/tickets/9999/finish", undefined, 404);
  await call("POST", "/api/v1/counters/c9/open", undefined, 404);
  await call("POST", `/api/v1/tickets/${b}/finish`, undefined, 409);
  await call("POST", "/api/v1/counters/c1/call-next", undefined, 409);
  await call("PUT", "/api/v1/tickets", undefined, 405);
  await call("POST", "/api/v1/tickets", " ".repeat(5000), 413);

  // the stream: a snapshot, then one event per commit so far (12)
  const deadline = Date.now() + 5000;
  while ((sse.match(/\nid: /g) || []).length < 12 && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    sse += new TextDecoder().decode(value);
  }
  ctl.abort();
  const blocks = sse.split("\n\n").filter((b) => b.includes("data: "));
  const field = (blk, name) =>
    (blk.split("\n").find((l) => l.startsWith(name + ": ")) || "").slice(name.length + 2);
  if (field(blocks[0], "event") !== "snapshot") fail("stream: first event is not a snapshot");
  validate("lan#/components/schemas/Snapshot", JSON.parse(field(blocks[0], "data")), "stream snapshot");
  // then the branch document, the same as GET /branch's
  if (field(blocks[1], "event") !== "branch") fail("stream: second event is not the branch");
  const branchDoc = JSON.parse(field(blocks[1], "data"));
  validate("lan#/components/schemas/Branch", branchDoc, "stream branch");
  const branchGet = await call("GET", "/api/v1/branch", undefined, 200, null);
  if (JSON.stringify(branchGet) !== JSON.stringify(branchDoc))
    fail("stream: the branch event differs from GET /branch");
  let seq = 0;
  for (const blk of blocks.slice(2)) {
    const data = JSON.parse(field(blk, "data"));
    validate("lan#/components/schemas/Event", data, `stream event ${field(blk, "id")}`);
    if (String(data.seq) !== field(blk, "id") || data.type !== field(blk, "event"))
      fail(`stream: id/event lines disagree with the data: ${blk}`);
    if (data.seq !== seq + 1) fail(`stream: seq ${data.seq} after ${seq}`);
    seq = data.seq;
  }
  if (seq !== 12) fail(`stream: ${seq} events, expected 12`);

  // ---- access, sessions, ratings, visits, offline tickets ----
  await call("GET", "/api/v1/snapshot", undefined, 401, null);
  await call("GET", "/api/v1/snapshot", undefined, 200, KIOSK1);
  await call("POST", "/api/v1/counters/c1/call-next", undefined, 403, KIOSK1);
  await call("GET", "/api/v1/sessions/current", undefined, 200);
  await call("GET", "/api/v1/sessions/current", undefined, 403, KIOSK1);
  await call("POST", "/api/v1/sessions", { staff_id: "s1" }, 400, null);
  await call("POST", "/api/v1/sessions", { staff_id: "s1", pin: "000000" }, 401, null);
  await call("PUT", "/api/v1/sessions", undefined, 405, null);
  const c = (await call("POST", "/api/v1/tickets", { service: "general" }, 201, KIOSK1)).ticket;
  await call("POST", "/api/v1/counters/c1/call-next", undefined, 200);
  await call("POST", `/api/v1/tickets/${c.id}/finish`, undefined, 200);
  await call("POST", `/api/v1/tickets/${c.id}/rating`, { level: "great" }, 400, KIOSK1);
  await call("POST", `/api/v1/tickets/${c.id}/rating`, { level: "satisfied", praise: ["attitude"] },
    200, KIOSK1);
  await call("POST", `/api/v1/tickets/${c.id}/rating`, { level: "basic" }, 409, KIOSK1);
  await call("POST", "/api/v1/tickets/99999/rating", { level: "basic" }, 404, KIOSK1);
  await call("GET", `/api/v1/ratings/lookup?number=${c.number}`, undefined, 200, KIOSK1);
  await call("GET", "/api/v1/ratings/lookup?number=A777", undefined, 200, KIOSK1);
  await call("GET", "/api/v1/ratings/lookup?number=x", undefined, 400, KIOSK1);
  const d = (await call("POST", "/api/v1/tickets", { service: "general" }, 201, KIOSK1)).ticket;
  await call("GET", `/api/v1/ratings/lookup?number=${d.number}`, undefined, 200, KIOSK1);
  await call("POST", "/api/v1/counters/c1/call-next", undefined, 200);
  await call("POST", `/api/v1/tickets/${d.id}/finish`, undefined, 200);
  await call("POST", "/api/v1/ratings",
    { number: d.number, level: "very_dissatisfied", reasons: ["efficiency"] }, 200, KIOSK1);
  await call("POST", "/api/v1/ratings", { number: d.number, level: "basic" }, 409, KIOSK1);
  await call("POST", "/api/v1/ratings", { number: "A777", level: "basic" }, 404, KIOSK1);
  await call("GET", "/api/v1/visits", undefined, 200, KIOSK1);
  await call("GET", `/api/v1/visits?day=${c.day}`, undefined, 200, KIOSK1);
  await call("GET", "/api/v1/visits?day=soon", undefined, 400, KIOSK1);
  const imp = { service: "general", number: "A901", day: c.day, issued_ms: c.issued_ms,
    device: "kiosk-2" };
  await call("POST", "/api/v1/tickets/import", imp, 201, KIOSK2);
  await call("POST", "/api/v1/tickets/import", imp, 200, KIOSK2);
  await call("POST", "/api/v1/tickets/import", { ...imp, issued_ms: c.issued_ms + 1 }, 409, KIOSK2);
  await call("POST", "/api/v1/tickets/import", { ...imp, number: "A950" }, 400, KIOSK2);
  await call("POST", "/api/v1/tickets/import", imp, 403, KIOSK1);
  await call("POST", "/api/v1/tickets/import", { ...imp, device: "kiosk-9" }, 404, KIOSK2);
  // ---- self-help (issue 8): FAQ feedback, triage choices, submissions ----
  await call("POST", "/api/v1/faq/feedback",
    { article: "bill-check", version: 3, helpful: true, lang: "zh-CN" }, 201, KIOSK1);
  await call("POST", "/api/v1/faq/feedback",
    { article: "bill-check", version: 0, helpful: true, lang: "zh-CN" }, 400, KIOSK1);
  await call("POST", "/api/v1/faq/feedback", { article: "bill-check", version: 1, lang: "en" },
    400, KIOSK1);
  await call("POST", "/api/v1/triage/choices", { need: "no-signal", route: "submit",
    target: "signal" }, 201, KIOSK1);
  await call("POST", "/api/v1/triage/choices", { need: "pay-bill", route: "queue" }, 201, KIOSK1);
  await call("POST", "/api/v1/triage/choices", { need: "x", route: "teleport" }, 400, KIOSK1);
  const form = { category: "broadband", phone: "13812345678", description: "宽带每天晚上断线",
    consent: true, lang: "zh-CN", origin: "triage:broadband-down" };
  const sub = (await call("POST", "/api/v1/submissions", form, 201, KIOSK1)).submission;
  if (!/^S\d{6}-001$/.test(sub.ref) || sub.phone_masked !== "138****5678")
    fail(`submission receipt: ${JSON.stringify(sub)}`);
  await call("POST", "/api/v1/submissions", { ...form, phone: "12812345678" }, 400, KIOSK1);
  await call("POST", "/api/v1/submissions", { ...form, consent: false }, 400, KIOSK1);
  await call("POST", "/api/v1/submissions", { ...form, description: "长".repeat(301) }, 400, KIOSK1);
  await call("POST", "/api/v1/submissions", { ...form, extra: 1 }, 400, KIOSK1);
  await call("POST", "/api/v1/submissions", form, 401, null);
  await call("GET", "/api/v1/submissions", undefined, 405, KIOSK1);
  // ---- engineer (issue 9): a LAN-client kiosk's wrong engineer PIN ----
  const pf = { fails: 5, locks: 1, lock_s: 300 };
  await call("POST", "/api/v1/engineer/pin-failures", pf, 201, KIOSK2);
  await call("POST", "/api/v1/engineer/pin-failures", { ...pf, fails: 0 }, 400, KIOSK2);
  await call("POST", "/api/v1/engineer/pin-failures", { ...pf, device: "kiosk-1" }, 400, KIOSK2);
  await call("POST", "/api/v1/engineer/pin-failures", pf, 403); // a staff session
  await call("POST", "/api/v1/engineer/pin-failures", pf, 401, null);
  await call("DELETE", "/api/v1/sessions/current", undefined, 204);
  await call("GET", "/api/v1/sessions/current", undefined, 401);
  for (let i = 0; i < 5; i++)
    await call("POST", "/api/v1/sessions", { staff_id: "s1", pin: "111111" }, i < 4 ? 401 : 429,
      null);
} catch (e) {
  fail("exception: " + (e.stack || e));
} finally {
  hub.kill("SIGTERM");
  const code = await new Promise((r) => hub.on("exit", (c) => r(c)));
  if (code !== 0) fail(`hub exit code ${code}: ${stderr}`);
  if (!failures) rmSync(tmp, { recursive: true, force: true });
}
console.log(`${checked} validations, ${failures} failure(s)`);
process.exit(failures ? 1 : 0);
