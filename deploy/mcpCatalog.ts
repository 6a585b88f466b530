import fs from 'node:fs';
import path from 'node:path';
import prettier from 'prettier';
import { declareTools } from '../shared/assistant/catalog';
import { projectRoot } from '../shared/config/paths';

/**
 * `npm run mcp:catalog`: writes shared/assistant/toolCatalog.json, the MCP tools' descriptions and
 * arguments as the Functions host needs them at registration (shared/assistant/catalog.ts says why),
 * from the tools themselves. Run it after changing a tool; a test fails while the file is stale.
 */
async function main(): Promise<void> {
  const file = path.join(projectRoot(), 'shared', 'assistant', 'toolCatalog.json');
  const options = await prettier.resolveConfig(file);
  const text = await prettier.format(JSON.stringify(await declareTools()), { ...options, filepath: file });
  fs.writeFileSync(file, text);
  process.stdout.write(`${path.relative(process.cwd(), file)} written\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
