import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Runner } from '../../runtime/localRunner';
import { startTestRunner } from '../helpers/runner';
import { inputSchemaOf, MAX_MCP_BODY_BYTES, MCP_PATH } from '../../runtime/mcpServer';
import { registeredFunctions, type McpToolRegistration } from '../../runtime/registry';
import { createLogger, stderrSink } from '../../shared/observability/logger';
import { refreshPrices } from '../../shared/prices/refresh';
import { createSampleSource, SAMPLE_AS_OF } from '../../shared/prices/sources/sample';
import { refreshRates } from '../../shared/rates/ingest';
import { createFxRatesSource } from '../../shared/rates/sources/factory';
import { createStorageClients } from '../../shared/storage/clients';
import { testSettings } from '../helpers/storage';

/**
 * The MCP tools as an assistant uses them: the local runner (`npm start`) over the sample data, the
 * official SDK's client over streamable HTTP at the Functions host's path, each answer compared with
 * the HTTP endpoint's answer to the same question.
 */

const KEY = 'local-test-key';
const SAMPLE_METER = '50b363d1-feb5-1b7f-a847-bf36ef64b78c';
const SAMPLE_PRODUCT = 'DZH318Z0BQ4L';
/** A Kazakh INN with a valid check digit and a Russian mobile number (from the README). */
const INN = '9401 4000 0385';
const PHONE = '+7 912 345 67 89';
const PERSONAL = ['940140000385', '9401 4000 0385', '9123456789', '912 345 67 89', '+79123456789'];

describe('MCP tools through the local runner', () => {
  const settings = testSettings({ LOCAL_FUNCTION_KEY: KEY });
  const storage = createStorageClients(settings);
  const logs: string[] = [];
  let runner: Runner;
  let client: Client;

  const connect = async (headers: Record<string, string>) => {
    const connected = new Client({ name: 'test-assistant', version: '1.0.0' });
    await connected.connect(
      new StreamableHTTPClientTransport(new URL(`${runner.url}${MCP_PATH}`), { requestInit: { headers } }),
    );
    return connected;
  };

  beforeAll(async () => {
    // The functions read their settings from the environment, as under the Functions host.
    process.env.AzureWebJobsStorage = settings.AzureWebJobsStorage;
    process.env.STORAGE_NAME_PREFIX = settings.STORAGE_NAME_PREFIX;
    // The sample `npm start` loads on first start.
    const common = { storage, settings, logger: createLogger(stderrSink), asOf: SAMPLE_AS_OF };
    await refreshPrices({
      ...common,
      source: createSampleSource(),
      markets: ['US'],
      views: ['azure_consumption', 'azure_reservations', 'updatedlicensebased'],
      timeline: 'current',
      kind: 'refresh',
    });
    await refreshRates({ ...common, source: createFxRatesSource(settings, 'sample') });
    runner = await startTestRunner({
      settings,
      storage,
      functionKey: KEY,
      log: (line) => logs.push(line),
    });
    client = await connect({ 'x-functions-key': KEY });
  });
  afterAll(async () => {
    await client?.close();
    await runner?.close();
  });

  const call = async (name: string, args: Record<string, unknown>): Promise<CallToolResult> =>
    CallToolResultSchema.parse(await client.callTool({ name, arguments: args }));
  const textOf = (result: CallToolResult) => {
    expect(result.content).toHaveLength(1);
    const [block] = result.content;
    if (block.type !== 'text') throw new Error(`expected a text block, got ${block.type}`);
    return block.text;
  };
  const answer = async (name: string, args: Record<string, unknown>) => {
    const result = await call(name, args);
    expect(result.isError).toBeFalsy();
    return textOf(result);
  };
  const failure = async (name: string, args: Record<string, unknown>) => {
    const result = await call(name, args);
    expect(result.isError).toBe(true);
    return JSON.parse(textOf(result)) as { code: string; message: string; argument?: string; status?: number };
  };
  const http = async (pathAndQuery: string, init: RequestInit = {}) => {
    const response = await fetch(`${runner.url}/api/${pathAndQuery}`, {
      ...init,
      headers: { 'x-functions-key': KEY, ...init.headers },
    });
    expect(response.status).toBe(200);
    return response.text();
  };

  it('lists every registered tool with its description and the input schema the host advertises', async () => {
    const registered = registeredFunctions().filter((fn): fn is McpToolRegistration => fn.kind === 'mcpTool');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'create_quote',
      'get_exchange_rates',
      'get_item_price',
      'get_price_changes',
      'search_prices',
      'validate_customer',
    ]);
    for (const tool of tools) {
      const registration = registered.find((fn) => fn.toolName === tool.name)!;
      expect(tool.description).toBe(registration.description);
      expect(tool.inputSchema).toEqual(inputSchemaOf(registration.properties));
    }
    const search = tools.find((tool) => tool.name === 'search_prices')!;
    expect(search.inputSchema.required).toEqual(['market']);
    expect(search.inputSchema.properties).toMatchObject({
      market: { type: 'string', description: expect.stringContaining('Two-letter market') },
      top: { type: 'integer', description: expect.stringContaining('Default: 100.') },
      view: {
        type: 'string',
        description: expect.stringContaining('One of: azure_consumption, azure_reservations, updatedlicensebased.'),
      },
      filter: { type: 'string' },
    });
    expect(tools.find((tool) => tool.name === 'create_quote')!.inputSchema.properties).toMatchObject({
      lines: { type: 'array', items: { type: 'object' } },
    });
    expect(tools.find((tool) => tool.name === 'get_price_changes')!.inputSchema.required).toEqual([
      'market',
      'from',
      'to',
    ]);
  });

  it('names itself as host.json extensions.mcp names the server in Azure', () => {
    expect(client.getServerVersion()).toEqual({ name: 'csp-pricing', version: '0.1.0' });
    expect(client.getInstructions()).toContain('continuationToken');
  });

  it('search_prices answers what GET /api/prices answers, digits as published', async () => {
    const text = await answer('search_prices', { market: 'US', meterId: SAMPLE_METER, date: SAMPLE_AS_OF });
    expect(text).toBe(await http(`prices?market=US&meterId=${SAMPLE_METER}&date=${SAMPLE_AS_OF}`));
    expect(text).toContain('"unitPrice":0.096000');
  });

  it('search_prices searches with filter as GET /api/prices does with $filter, and names filter when it does not parse', async () => {
    const filter = "armRegionName eq 'eastus' and contains(productName, 'Virtual Machines')";
    const text = await answer('search_prices', { market: 'US', date: SAMPLE_AS_OF, filter });
    const query = new URLSearchParams({ market: 'US', date: SAMPLE_AS_OF, $filter: filter });
    expect(text).toBe(await http(`prices?${query.toString()}`));
    const { items } = JSON.parse(text) as { items: { region: string }[] };
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((item) => item.region === 'eastus')).toBe(true);
    expect(await failure('search_prices', { market: 'US', filter: "skuName eq 'D2" })).toMatchObject({
      code: 'InvalidFilter',
      argument: 'filter',
      status: 400,
    });
  });

  it('search_prices pages like the endpoint: top as a number, the continuation token passed back', async () => {
    const args = { market: 'US', view: 'azure_reservations', date: SAMPLE_AS_OF, top: 2 };
    const first = JSON.parse(await answer('search_prices', args));
    expect(first.items).toHaveLength(2);
    expect(first.continuationToken).toEqual(expect.any(String));
    const second = await answer('search_prices', { ...args, continuationToken: first.continuationToken });
    const query = new URLSearchParams({ ...args, top: '2', continuationToken: first.continuationToken });
    expect(second).toBe(await http(`prices?${query.toString()}`));
    expect(JSON.parse(second).items[0]).not.toEqual(first.items[0]);
  });

  it('get_item_price answers the price of a product on a date in another currency, as the endpoint does', async () => {
    const args = { market: 'US', productId: SAMPLE_PRODUCT, date: SAMPLE_AS_OF, convertTo: 'EUR' };
    const text = await answer('get_item_price', args);
    expect(text).toBe(await http(`prices?${new URLSearchParams(args).toString()}`));
    const body = JSON.parse(text);
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items[0].converted).toMatchObject({ currency: 'EUR' });
    expect(body.conversion).toMatchObject({ to: 'EUR', via: 'USD' });
  });

  it('get_price_changes answers what GET /api/prices/changes answers', async () => {
    const args = { market: 'US', view: 'azure_consumption', from: SAMPLE_AS_OF, to: '2026-11-02' };
    const text = await answer('get_price_changes', args);
    expect(text).toBe(await http(`prices/changes?${new URLSearchParams(args).toString()}`));
    expect(JSON.parse(text).snapshots).toEqual({ from: SAMPLE_AS_OF, to: SAMPLE_AS_OF });
  });

  it('get_exchange_rates answers what GET /api/exchange-rates answers', async () => {
    const text = await answer('get_exchange_rates', { date: SAMPLE_AS_OF, currency: 'eur' });
    expect(text).toBe(await http(`exchange-rates?date=${SAMPLE_AS_OF}&currency=eur`));
    expect(JSON.parse(text).rates).toEqual([expect.objectContaining({ currency: 'EUR' })]);
  });

  describe('create_quote', () => {
    const BANDWIDTH = '5853cb31-e2db-95bd-d3e6-0281dc347847';
    const request = {
      market: 'US',
      date: SAMPLE_AS_OF,
      currency: 'EUR',
      lines: [
        { meterId: BANDWIDTH, quantity: 101 },
        { productId: 'CFQ7TTC0LH18', skuId: '0001', termDuration: 'P1Y', billingPlan: 'Annual', quantity: 10 },
      ],
    };

    it('answers what POST /api/quotes answers, tiers and exact amounts included', async () => {
      const text = await answer('create_quote', request);
      const body = JSON.stringify(request);
      expect(text).toBe(
        await http('quotes', { method: 'POST', body, headers: { 'content-type': 'application/json' } }),
      );
      expect(JSON.parse(text)).toMatchObject({ currency: 'EUR', lines: [{ tiers: [{}, {}] }, {}] });
    });

    it('takes the lines as JSON text, as the Functions host hands arguments over', async () => {
      const text = await answer('create_quote', { ...request, lines: JSON.stringify(request.lines) });
      expect(JSON.parse(text)).toMatchObject({ currency: 'EUR', lines: [{}, {}] });
    });

    it('names the line at fault', async () => {
      const unknown = { meterId: '00000000-0000-0000-0000-000000000000', quantity: 1 };
      expect(await failure('create_quote', { ...request, lines: [request.lines[0], unknown] })).toMatchObject({
        code: 'ItemNotFound',
        argument: 'lines[1]',
        status: 422,
      });
      expect(
        await failure('create_quote', { ...request, lines: [{ meterId: BANDWIDTH, quantity: -1 }] }),
      ).toMatchObject({ code: 'InvalidBody', argument: 'lines[0].quantity', status: 400 });
    });
  });

  describe('bad arguments come back as tool errors naming the argument as sent', () => {
    it('a value the endpoint refuses, with its message', async () => {
      expect(await failure('search_prices', { market: 'USA' })).toEqual({
        code: 'InvalidParameter',
        message: 'market: a two-letter market code such as US',
        argument: 'market',
        status: 400,
      });
      expect(await failure('search_prices', { market: 'US', top: 0 })).toMatchObject({
        argument: 'top',
        message: 'top: must be a whole number from 1 to 1000',
      });
      expect(await failure('get_price_changes', { market: 'US', from: '2026-13-01', to: 'future' })).toMatchObject({
        argument: 'from',
        message: expect.stringMatching(/^from: must be an ISO 8601 date/),
      });
    });

    it('a required argument left out', async () => {
      expect(await failure('search_prices', {})).toMatchObject({
        code: 'InvalidParameter',
        message: 'market: Invalid input: expected string, received undefined',
        argument: 'market',
      });
      expect(await failure('validate_customer', { phoneNumber: PHONE })).toMatchObject({
        code: 'InvalidArgument',
        argument: 'country',
      });
    });

    it('an argument the tool does not take, or one that is not a scalar', async () => {
      expect(await failure('search_prices', { market: 'US', colour: 'red' })).toMatchObject({
        code: 'UnknownArgument',
        argument: 'colour',
        message: expect.stringMatching(/^colour: unknown argument; this tool takes market, view, /),
      });
      expect(await failure('search_prices', { market: 'US', meterId: { id: SAMPLE_METER } })).toEqual({
        code: 'InvalidArgument',
        message: 'meterId: must be a string or a number',
        argument: 'meterId',
      });
    });

    it('a question with no answer: the endpoint’s code and status', async () => {
      expect(await failure('get_exchange_rates', { date: SAMPLE_AS_OF, currency: 'XYZ' })).toMatchObject({
        code: 'RateNotFound',
        argument: 'currency',
        status: 404,
      });
      expect(await failure('get_price_changes', { market: 'US', from: '2020-01-01', to: SAMPLE_AS_OF })).toMatchObject({
        code: 'SnapshotNotFound',
        argument: 'from',
        status: 404,
      });
    });

    it('get_item_price without an item', async () => {
      expect(await failure('get_item_price', { market: 'US', date: SAMPLE_AS_OF })).toMatchObject({
        code: 'InvalidArgument',
        argument: 'meterId',
        message: expect.stringContaining('give meterId or productId'),
      });
    });

    it('a tool that does not exist is a protocol error, as under the host', async () => {
      await expect(client.callTool({ name: 'get_weather', arguments: {} })).rejects.toThrow(
        /Unknown tool: 'get_weather'/,
      );
    });
  });

  describe('validate_customer', () => {
    it('answers the endpoint’s verdict as codes, without the INN or phone number', async () => {
      const customer = { country: 'KZ', organizationRegistrationNumber: INN, phoneNumber: PHONE };
      const text = await answer('validate_customer', customer);
      const verdict = JSON.parse(text);
      const endpoint = JSON.parse(
        await http('customers/validate', {
          method: 'POST',
          body: JSON.stringify(customer),
          headers: { 'content-type': 'application/json' },
        }),
      );
      expect(verdict).toEqual({ valid: endpoint.valid, errors: endpoint.errors, warnings: endpoint.warnings });
      expect(verdict.valid).toBe(false);
      expect(verdict.errors.map((e: { code: string }) => e.code)).toEqual(['PHONE_WRONG_COUNTRY']);
      expect(verdict).not.toHaveProperty('normalized');
      for (const value of PERSONAL) expect(text).not.toContain(value);
    });

    it('names a wrongly typed argument without echoing its value', async () => {
      const error = await failure('validate_customer', { country: 'KZ', phoneNumber: 79123456789 });
      expect(error).toMatchObject({ code: 'InvalidArgument', argument: 'phoneNumber' });
      expect(JSON.stringify(error)).not.toContain('79123456789');
    });

    it('writes no INN or phone number to the log', () => {
      expect(logs.some((line) => line.includes('customer validated'))).toBe(true);
      for (const value of PERSONAL) expect(logs.filter((line) => line.includes(value))).toEqual([]);
    });
  });

  /** One JSON-RPC tools/call as a plain HTTP client sends it (the curl example of docs/api.md). */
  const rawToolCall = (name: string, args: Record<string, unknown>) =>
    fetch(`${runner.url}${MCP_PATH}`, {
      method: 'POST',
      headers: {
        'x-functions-key': KEY,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
    });

  it('answers a plain JSON-RPC tools/call (the curl example of docs/api.md), no session needed', async () => {
    const response = await rawToolCall('get_exchange_rates', { date: SAMPLE_AS_OF, currency: 'EUR' });
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    const body = (await response.json()) as { result: CallToolResult };
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text' }] } });
    expect(textOf(body.result)).toBe(await http(`exchange-rates?date=${SAMPLE_AS_OF}&currency=EUR`));
  });

  describe('with LOCAL_FUNCTION_KEY set', () => {
    it('refuses a client without the key or with another one (401), as the host does without mcp_extension', async () => {
      for (const headers of [{}, { 'x-functions-key': 'wrong' }] as Record<string, string>[]) {
        await expect(connect(headers)).rejects.toMatchObject({
          code: 401,
          message: expect.stringContaining('the MCP endpoint requires the key (x-functions-key)'),
        });
      }
    });

    it('answers 413 to a body over 64 KiB', async () => {
      const response = await rawToolCall('search_prices', { market: 'US', meterId: 'x'.repeat(MAX_MCP_BODY_BYTES) });
      expect(response.status).toBe(413);
    });

    it('answers 405 to GET and DELETE: the server is stateless', async () => {
      for (const method of ['GET', 'DELETE']) {
        const response = await fetch(`${runner.url}${MCP_PATH}`, { method, headers: { 'x-functions-key': KEY } });
        expect(response.status).toBe(405);
      }
    });
  });
});
