import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Loads a code block of the documentation as a CommonJS module: the fenced block that follows
 * `<!-- {marker} -->` in the file, so that the tests run exactly what the docs show.
 */
export function docsExample<T>(docsFile: string, marker: string): T {
  const text = fs.readFileSync(path.join(__dirname, '../..', docsFile), 'utf8');
  const match = new RegExp(`<!-- ${marker} -->\\n\`\`\`js\\n([\\s\\S]*?)\\n\`\`\``).exec(text);
  if (!match) throw new Error(`${docsFile} has no js block after <!-- ${marker} -->`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-example-'));
  const file = path.join(dir, `${marker}.js`);
  fs.writeFileSync(file, match[1]);
  return require(file) as T;
}
