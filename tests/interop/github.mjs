#!/usr/bin/env node
// Signs or verifies a webhook body (stdin) with GitHub's own @octokit/webhooks-methods.
//
//   github.mjs sign SECRET            prints {"X-Hub-Signature-256": "sha256=…"}
//   github.mjs verify SECRET HEADERS  prints "valid" (exit 0) or "invalid" (exit 1)
import { sign, verify } from "@octokit/webhooks-methods";

const [action, secret, headers] = process.argv.slice(2);
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
// The library signs the string it is given, as GitHub signs the raw UTF-8 body.
const body = Buffer.concat(chunks).toString("utf8");

if (action === "sign") {
  console.log(JSON.stringify({ "X-Hub-Signature-256": await sign(secret, body) }));
} else if (action === "verify") {
  const lower = Object.fromEntries(Object.entries(JSON.parse(headers)).map(([k, v]) => [k.toLowerCase(), v]));
  const ok = await verify(secret, body, lower["x-hub-signature-256"] ?? "");
  console.log(ok ? "valid" : "invalid");
  process.exitCode = ok ? 0 : 1;
} else {
  console.error(`unknown action ${action}`);
  process.exitCode = 2;
}
