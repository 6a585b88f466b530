import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TableClient, type TableEntity } from '@azure/data-tables';
import { RestError } from '@azure/core-rest-pipeline';
import { DEV_ACCOUNT, emulatorConnectionString } from '../../../shared/storage/clients';
import { submitUpserts, type StringEntity } from '../../../shared/storage/transactions';
import { testStorage } from '../../helpers/storage';

/** A table endpoint that records each request and answers what the test says (a transaction's 202 by default). */
async function recordingServer(answer: (body: string) => { status: number; body: string; type?: string }) {
  const requests: { url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', headers: req.headers, body });
      const reply = answer(body);
      res.writeHead(reply.status, { 'Content-Type': reply.type ?? 'multipart/mixed; boundary=batchresponse_r' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const connection = emulatorConnectionString('127.0.0.1', { blob: port, queue: port, table: port });
  return {
    requests,
    table: (name: string) =>
      TableClient.fromConnectionString(connection, name, {
        allowInsecureConnection: true,
        retryOptions: { maxRetries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A transaction's answer: each operation's status, the failed one with the service's OData error. */
function transactionAnswer(parts: { status: number; error?: { code: string; message: string } }[]) {
  const sub = parts.map(({ status, error }) =>
    [
      '--changesetresponse_c',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      `HTTP/1.1 ${status} ${status < 300 ? 'No Content' : 'Bad Request'}`,
      'DataServiceVersion: 3.0;',
      ...(error
        ? [
            'Content-Type: application/json;odata=minimalmetadata;streaming=true;charset=utf-8',
            '',
            JSON.stringify({ 'odata.error': { code: error.code, message: { lang: 'en-US', value: error.message } } }),
          ]
        : ['', '']),
    ].join('\r\n'),
  );
  return [
    '--batchresponse_r',
    'Content-Type: multipart/mixed; boundary=changesetresponse_c',
    '',
    ...sub,
    '--changesetresponse_c--',
    '--batchresponse_r--',
    '',
  ].join('\r\n');
}

/** The error a write failed with (the test fails when it succeeded). */
async function refusal(write: Promise<unknown>): Promise<RestError> {
  const outcome = await write.then(
    () => new Error('the write succeeded'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof RestError)) throw outcome;
  return outcome;
}

/** Entities whose keys and values need every kind of escaping the wire has. */
const tricky: StringEntity[] = [
  {
    partitionKey: 'US|azure_consumption|m0f',
    rowKey: "0f1e|O'Brien|50%2F50 x&y=+é😀 (1)",
    text: 'a "quoted" \\ back\nslash ü',
    empty: '',
  },
  { partitionKey: 'US|azure_consumption|m0f', rowKey: 'plain', p0: 'x'.repeat(300), pendingRun: 'run-1' },
];

/** The request's text with the transaction's random ids replaced, so that two writers' texts compare. */
const normalised = (text: string) =>
  text.replace(/batch_[0-9a-f-]{36}/g, 'batch_ID').replace(/changeset_[0-9a-f-]{36}/g, 'changeset_ID');

/** The headers a transaction sends that do not change from one request to the next. */
const stableHeaders = (headers: http.IncomingHttpHeaders) => {
  const {
    date: _d,
    'x-ms-date': _x,
    'x-ms-client-request-id': _i,
    authorization: _a,
    'content-length': _l,
    ...rest
  } = headers;
  return { ...rest, 'content-type': normalised(String(rest['content-type'])), 'user-agent': 'UA' };
};

describe('entity group transactions', () => {
  it("writes exactly the request the SDK's submitTransaction writes", async () => {
    const server = await recordingServer(() => ({
      status: 202,
      body: transactionAnswer([{ status: 204 }, { status: 204 }]),
    }));
    try {
      const table = server.table('pricesTable');
      await table.submitTransaction(tricky.map((entity) => ['upsert', entity as TableEntity, 'Replace']));
      await submitUpserts(table, tricky);

      const [sdk, ours] = server.requests;
      expect(ours.url).toBe(sdk.url);
      expect(normalised(ours.body)).toBe(normalised(sdk.body));
      expect(stableHeaders(ours.headers)).toEqual(stableHeaders(sdk.headers));
      expect(ours.headers.authorization).toMatch(/^SharedKeyLite devstoreaccount1:/);
    } finally {
      await server.close();
    }
  });

  it('stores the entities, keys and values as given', async () => {
    const { storage } = testStorage();
    const table = storage.table(`${storage.names.tables.prices}tx`);
    await table.createTable();
    await submitUpserts(table, tricky);
    const stored: Record<string, unknown>[] = [];
    for await (const entity of table.listEntities()) {
      const { etag: _e, timestamp: _t, ...fields } = entity;
      stored.push(fields);
    }
    expect(stored.sort((a, b) => String(a.rowKey).localeCompare(String(b.rowKey)))).toEqual(
      [...tricky].sort((a, b) => a.rowKey.localeCompare(b.rowKey)),
    );
  });

  it('fails as the SDK does when the service refuses an operation: its status, code and message', async () => {
    const { storage } = testStorage();
    const table = storage.table(`${storage.names.tables.prices}tx2`);
    await table.createTable();
    // The same row twice in one transaction: the service refuses the whole transaction.
    const twice: StringEntity[] = [
      { partitionKey: 'p', rowKey: 'r', a: '1' },
      { partitionKey: 'p', rowKey: 'r', a: '2' },
    ];
    const sdkError = await refusal(
      table.submitTransaction(twice.map((entity) => ['upsert', entity as TableEntity, 'Replace'])),
    );
    const ourError = await refusal(submitUpserts(table, twice));

    // The message ends with the request's id and time.
    const firstLine = (error: RestError) => error.message.split('\n')[0];
    expect({ status: ourError.statusCode, code: ourError.code, message: firstLine(ourError) }).toEqual({
      status: sdkError.statusCode,
      code: sdkError.code,
      message: firstLine(sdkError),
    });
    expect(ourError.statusCode).toBeGreaterThanOrEqual(400);
    const nothing: unknown[] = [];
    for await (const entity of table.listEntities()) nothing.push(entity);
    expect(nothing).toEqual([]);
  });

  it('reads a refused operation out of the answer and is retried on 503 by the client pipeline', async () => {
    let calls = 0;
    const server = await recordingServer(() => {
      calls++;
      if (calls === 1) return { status: 503, body: '{}', type: 'application/json' };
      return {
        status: 202,
        body: transactionAnswer([
          { status: 413, error: { code: 'EntityTooLarge', message: 'The entity is larger than allowed.' } },
        ]),
      };
    });
    try {
      const error = await refusal(submitUpserts(server.table('t'), tricky));
      expect(calls).toBe(2);
      expect({ status: error.statusCode, code: error.code, message: error.message }).toEqual({
        status: 413,
        code: 'EntityTooLarge',
        message: 'The entity is larger than allowed.',
      });
    } finally {
      await server.close();
    }
  });

  it('succeeds when every operation of the answer succeeded', async () => {
    const server = await recordingServer(() => ({
      status: 202,
      body: transactionAnswer([{ status: 204 }, { status: 204 }]),
    }));
    try {
      await expect(submitUpserts(server.table('t'), tricky)).resolves.toBeUndefined();
      expect(server.requests[0].url).toBe(`/${DEV_ACCOUNT}/$batch`);
    } finally {
      await server.close();
    }
  });
});
