// The head-office protocol's encoders against docs/api/central.yaml.
//
// Runs test_central_proto with HK_CENTRAL_SAMPLES=FILE, which writes one
// line per encoder output ("<schema name>\t<body>": a batch, acks, an
// error, heartbeats, a heartbeat reply, with quotes, control characters
// and invalid UTF-8 in their free text), and validates every body against
// the schema of that name in the description (JSON Schema 2020-12, as
// OpenAPI 3.1 uses, with ajv). So the description cannot drift from what
// central_proto.c writes. (spectral checks the description's examples.)
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
const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.length > 0);
for (const line of lines) {
  const tab = line.indexOf("\t");
  const name = line.slice(0, tab);
  const body = line.slice(tab + 1);
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
for (const name of ["Batch", "Ack", "Error", "Heartbeat", "HeartbeatReply"]) {
  if (!seen.has(name)) {
    failures++;
    console.log(`not ok - no ${name} sample was written`);
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`${lines.length} samples, ${failures} failed`);
process.exit(failures ? 1 : 0);
