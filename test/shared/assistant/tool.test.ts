import { z } from 'zod';
import { runEndpoint } from '../../../shared/api/endpoint';
import { badParameter } from '../../../shared/api/errors';
import { priceChangesQuerySchema } from '../../../shared/api/schemas';
import { endpointResult } from '../../../shared/assistant/tool';
import { toolProperties } from '../../../shared/assistant/toolProperties';
import { logger } from '../../helpers/apiFixtures';

describe('toolProperties: the tool arguments the Functions MCP extension advertises', () => {
  it('takes type, requirement and description from the endpoint schema, enums, defaults and examples included', () => {
    const properties = toolProperties(priceChangesQuerySchema);
    expect(properties.map((p) => [p.propertyName, p.propertyType, p.isRequired])).toEqual([
      ['market', 'string', true],
      ['view', 'string', false],
      ['from', 'string', true],
      // A date or `future`: a union of strings is a string.
      ['to', 'string', true],
      ['top', 'integer', false],
      ['continuationToken', 'string', false],
    ]);
    expect(properties.find((p) => p.propertyName === 'view')?.description).toBe(
      'Partner Center price sheet view. One of: azure_consumption, azure_reservations, updatedlicensebased. ' +
        'Default: azure_consumption.',
    );
    expect(properties.find((p) => p.propertyName === 'market')?.description).toBe(
      'Two-letter market (country) code, e.g. US, DE. Example: US.',
    );
  });

  it("advertises a list as its items' type with isArray (a quote's lines)", () => {
    expect(toolProperties(z.object({ markets: z.array(z.string()) }))).toEqual([
      { propertyName: 'markets', propertyType: 'string', isArray: true, description: '', isRequired: true },
    ]);
  });

  it('refuses an argument the extension has no type for, naming it', () => {
    expect(() => toolProperties(z.object({ markets: z.array(z.array(z.string())) }))).toThrow(
      "tool argument markets: not one of the MCP extension's types (array)",
    );
  });
});

describe('endpointResult: an endpoint answer as a tool result', () => {
  it('names the query parameter at fault as the tool argument the caller sent', async () => {
    const response = await runEndpoint(logger(), async () => {
      throw badParameter('$filter', 'unknown parameter', 'UnknownParameter');
    });
    const result = endpointResult(response, (parameter) => (parameter === '$filter' ? 'filter' : parameter));
    expect(result.isError).toBe(true);
    expect(JSON.parse(result.content[0].text)).toEqual({
      code: 'UnknownParameter',
      message: 'filter: unknown parameter',
      argument: 'filter',
      status: 400,
    });
  });
});
