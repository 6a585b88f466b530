import { randomUUID } from 'node:crypto';
import type { HttpClient, PipelineResponse } from '@azure/core-rest-pipeline';
import type { TableClient, TableEntity } from '@azure/data-tables';
import { restPipeline } from '../http/restPipeline';

/**
 * Upserts (Replace) of one partition as one entity group transaction, its body written here and sent
 * through the table client's own pipeline (authentication, retries, logging as every other call).
 *
 * Why not the SDK's `submitTransaction`: it runs each of the ≤100 operations through a whole client
 * pipeline of its own (URL templating, mapper serialisation, a tracing span, header policies) only to
 * capture the request text. That took ~1.2 s of the ~7.5 s of CPU of a cold 50,000-row ingest
 * (bench/prices.ts; the ingest's main thread bounds it in Azure, where storage scales). The text is
 * exactly what the SDK writes (test/shared/storage/transactions.test.ts compares the two byte for
 * byte), for the one kind of operation the app batches: replacing entities whose properties are all
 * strings (the price tables' entities, see storage/batchWriter.ts).
 */

/** An entity of string properties, as the price tables hold them. */
export type StringEntity = TableEntity<Record<string, string>>;

/** Line ending of the multipart body (and of each sub-request). */
const CRLF = '\r\n';
/** The service version the SDK's transactions send (baseTransactionHeaders.ts of @azure/data-tables). */
const SERVICE_VERSION = '2019-02-02';
/** What the SDK's serialisation names the keys on the wire. */
const WIRE_NAMES: Record<string, string> = { partitionKey: 'PartitionKey', rowKey: 'RowKey' };

let httpClient: HttpClient | undefined;

/** Writes the entities (all of one partition, ≤100, each once) as one transaction; throws RestError as the SDK does. */
export async function submitUpserts(table: TableClient, entities: readonly StringEntity[]): Promise<void> {
  const { createDefaultHttpClient, createHttpHeaders, createPipelineRequest } = restPipeline();
  const batch = `batch_${randomUUID()}`;
  const request = createPipelineRequest({
    url: `${table.url}/$batch`,
    method: 'POST',
    body: transactionBody(table, entities, batch, `changeset_${randomUUID()}`),
    headers: createHttpHeaders({
      Accept: 'application/json',
      'x-ms-version': SERVICE_VERSION,
      DataServiceVersion: '3.0;',
      MaxDataServiceVersion: '3.0;NetFx',
      'Content-Type': `multipart/mixed; boundary=${batch}`,
      'Accept-Charset': 'UTF-8',
      Connection: 'Keep-Alive',
    }),
    allowInsecureConnection: table.url.startsWith('http:'),
  });
  const response = await table.pipeline.sendRequest((httpClient ??= createDefaultHttpClient()), request);
  failIfRefused(response);
}

/** The multipart body of a transaction, as the SDK writes it (TablePolicies.ts, transactionHelpers.ts). */
function transactionBody(
  table: Pick<TableClient, 'url' | 'tableName'>,
  entities: readonly StringEntity[],
  batch: string,
  changeset: string,
): string {
  const entityUrl = `${table.url}/${encodeURIComponent(table.tableName)}`;
  const parts = [`--${batch}${CRLF}content-type: multipart/mixed; boundary=${changeset}${CRLF}${CRLF}`];
  for (const entity of entities) {
    const keys = `PartitionKey='${keyText(entity.partitionKey)}',RowKey='${keyText(entity.rowKey)}'`;
    parts.push(
      [
        `--${changeset}`,
        'content-type: application/http',
        'content-transfer-encoding: binary',
        '',
        `PUT ${entityUrl}(${keys}) HTTP/1.1`,
        'Content-Type: application/json',
        'DataServiceVersion: 3.0',
        'Accept: application/json',
        CRLF,
        wireJson(entity),
      ].join(CRLF),
    );
  }
  return `${parts.join(CRLF)}${CRLF}--${changeset}--${CRLF}--${batch}--${CRLF}`;
}

/** A key in an entity's address: quotes doubled (OData), then URI-encoded as the SDK's URL templating does. */
const keyText = (key: string) => encodeURIComponent(key.replace(/'/g, "''"));

/** The entity's JSON with the keys named as on the wire, properties in the entity's order. */
function wireJson(entity: StringEntity): string {
  const wire: Record<string, string> = {};
  for (const [name, value] of Object.entries(entity)) wire[WIRE_NAMES[name] ?? name] = value;
  return JSON.stringify(wire);
}

/**
 * Throws what the SDK's transaction throws (TableTransaction.ts parseTransactionResponse) when the
 * service refused the transaction: a RestError with the failed operation's status, OData error code
 * and message. A transaction is all or nothing: the service answers a refused one with the one
 * operation that failed.
 */
function failIfRefused(response: PipelineResponse): void {
  const { status } = response;
  const body = response.bodyAsText ?? '';
  const failed = [...body.matchAll(/HTTP\/1\.1 ([0-9]{3})/g)].find((part) => Number(part[1]) >= 300);
  if (status >= 200 && status < 300 && !failed) return;
  const { message, code } = odataError(/\{[\s\S]*\}/.exec(body.slice(failed?.index ?? 0))?.[0]);
  const { RestError } = restPipeline();
  throw new RestError(message, {
    code,
    statusCode: failed ? Number(failed[1]) : status,
    request: response.request,
    response,
  });
}

function odataError(text: string | undefined): { message: string; code?: string } {
  try {
    const error = (JSON.parse(text ?? '') as { 'odata.error'?: { code?: string; message?: { value?: string } } })[
      'odata.error'
    ];
    if (error) return { message: error.message?.value ?? 'Transaction Failed', code: error.code };
  } catch {
    // Not JSON: the status says what failed.
  }
  return { message: 'Transaction Failed' };
}
