// Validates an AsyncAPI document with the AsyncAPI parser: the specification's JSON Schema and the parser's rules
// (Spectral). Prints every diagnostic; exits non-zero on any error or warning.
import { readFileSync } from 'node:fs';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';

const file = process.argv[2];
const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(file, 'utf8'), { source: file });
const names = { 0: 'error', 1: 'warning', 2: 'information', 3: 'hint' };
let failing = 0;
for (const d of diagnostics) {
  const where = d.path && d.path.length ? d.path.join('.') : '(document)';
  console.log(`${names[d.severity]}: ${d.code}: ${d.message} at ${where}`);
  if (d.severity <= DiagnosticSeverity.Warning) {
    failing++;
  }
}
if (!document || failing > 0) {
  console.log(`${file}: not valid (${failing} errors or warnings)`);
  process.exit(1);
}
console.log(`${file}: valid AsyncAPI ${document.version()}, ${document.channels().length} channel(s), `
  + `${document.operations().length} operation(s), ${document.messages().length} message(s)`);
