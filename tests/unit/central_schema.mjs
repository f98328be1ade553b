// The head-office protocol's encoders against docs/api/central.yaml.
//
// Runs test_central_proto with HK_CENTRAL_SAMPLES=FILE, which writes each
// encoder output as "<schema name> <bytes>\n<body>\n" (a batch, acks, an
// error, a config document, heartbeats, a heartbeat reply, with quotes,
// control characters and invalid UTF-8 in their free text), and validates
// every body against the schema of that name in the description (JSON
// Schema 2020-12, as OpenAPI 3.1 uses, with ajv), so the description
// cannot drift from what central_proto.c writes. (spectral checks the
// description's examples.)
//
// Run by CTest: node central_schema.mjs TEST_BINARY; env HK_SOURCE_DIR,
// HK_TEST_TMP. Exit 77 (skip) when node_modules is missing.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const src = process.env.HK_SOURCE_DIR;
const bin = process.argv[2];
if (!existsSync(join(src, "node_modules", "ajv"))) {
  console.log("skip: node_modules missing (toolchain/dev test runs npm ci)");
  process.exit(77);
}
const require = createRequire(join(src, "package.json"));
const Ajv2020 = require("ajv/dist/2020").default;
const YAML = require("yaml");

const doc = YAML.parse(readFileSync(join(src, "docs/api/central.yaml"), "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(doc, "central");

const dir = mkdtempSync(join(process.env.HK_TEST_TMP || "/tmp", "central-schema-"));
const file = join(dir, "samples.txt");
const run = spawnSync(bin, [], { env: { ...process.env, HK_CENTRAL_SAMPLES: file }, encoding: "utf8" });
if (run.status !== 0) {
  console.log(`not ok - ${bin} exited ${run.status}: ${run.stdout}${run.stderr}`);
  process.exit(1);
}

let failures = 0;
const seen = new Set();
const data = readFileSync(file);
let at = 0;
let count = 0;
while (at < data.length) {
  const eol = data.indexOf(0x0a, at);
  const [name, bytes] = data.subarray(at, eol).toString("utf8").split(" ");
  const body = data.subarray(eol + 1, eol + 1 + Number(bytes)).toString("utf8");
  at = eol + 1 + Number(bytes) + 1;
  count++;
  const validate = ajv.getSchema(`central#/components/schemas/${name}`);
  let value;
  try {
    value = JSON.parse(body);
  } catch (e) {
    failures++;
    console.log(`not ok - ${name}: not JSON (${e.message}): ${body}`);
    continue;
  }
  if (!validate) {
    failures++;
    console.log(`not ok - no schema ${name} in docs/api/central.yaml`);
  } else if (!validate(value)) {
    failures++;
    console.log(`not ok - ${name}: ${ajv.errorsText(validate.errors)} in ${body}`);
  } else {
    console.log(`ok - ${name}`);
  }
  seen.add(name);
}
for (const name of ["Batch", "Ack", "Error", "ConfigDocument", "Heartbeat", "HeartbeatReply"]) {
  if (!seen.has(name)) {
    failures++;
    console.log(`not ok - no ${name} sample was written`);
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`${count} samples, ${failures} failed`);
process.exit(failures ? 1 : 0);
