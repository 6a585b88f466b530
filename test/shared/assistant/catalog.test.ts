import fs from 'node:fs';
import path from 'node:path';
import { declareTools, toolDeclaration } from '../../../shared/assistant/catalog';

/**
 * The MCP tools' declarations are registered from shared/assistant/toolCatalog.json, so that the
 * host's load of the app neither loads the tools nor converts their zod schemas. The file must say
 * what the tools say: a tool changed without `npm run mcp:catalog` fails here.
 */
describe('MCP tool catalog', () => {
  it('holds, for every tool, the description and arguments its module declares today', async () => {
    const file = path.join(__dirname, '../../../shared/assistant/toolCatalog.json');
    const committed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    // If this fails: run `npm run mcp:catalog` and commit shared/assistant/toolCatalog.json.
    expect(committed).toEqual(await declareTools());
  });

  it('declares each tool by the name its module gives it, with its required arguments', () => {
    const search = toolDeclaration('search_prices');
    expect(search.description).toMatch(/prices/);
    expect(search.properties.find((p) => p.propertyName === 'market')).toMatchObject({ isRequired: true });
    const quote = toolDeclaration('create_quote');
    expect(quote.properties.find((p) => p.propertyName === 'lines')).toMatchObject({
      propertyType: 'object',
      isArray: true,
      isRequired: true,
    });
  });
});
