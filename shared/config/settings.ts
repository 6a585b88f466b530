import { z } from 'zod';
import { priceViewSchema } from '../prices/views';
import { DECIMAL } from '../core/decimal';
import { isSecretSetting, rememberSecrets } from '../observability/redact';
import { NAME_PREFIX_PATTERN, NAME_PREFIX_RULE } from '../storage/names';

/**
 * Every setting the app reads, validated once. Names are app-setting names (environment variables
 * in Azure and under `npm start`, `Values` in local.settings.json under `func start`).
 * local.settings.sample.json documents each one; keep the two in step (a test checks it).
 */

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p.length > 0),
    );

const marketSchema = z.string().regex(/^[A-Z]{2}$/, 'a two-letter market code such as US');

/** `partnercenter`, `retail`, `sample`, or `file:<path>`. */
export const priceSourceSchema = z
  .string()
  .regex(/^(partnercenter|retail|sample|file:.+)$/, 'one of partnercenter, retail, sample, file:<path>');

/** `partnercenter`, `ecb`, `sample`, or `file:<path>`. */
export const ratesSourceSchema = z
  .string()
  .regex(/^(partnercenter|ecb|sample|file:.+)$/, 'one of partnercenter, ecb, sample, file:<path>');

const ncrontab = z
  .string()
  .regex(/^\S+( \S+){5}$/, 'a six-field NCRONTAB expression (second minute hour day month weekday), UTC');

const intSetting = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const optionalUrl = z.url().optional();

/** `*`, or an origin exactly as a browser sends it: scheme, host and port only (`https://portal.example.com`). */
const corsOrigin = z
  .string()
  .refine((origin) => origin === '*' || (URL.canParse(origin) && new URL(origin).origin === origin), {
    message:
      'an origin such as https://portal.example.com (scheme, host, optional port; no path or trailing slash), or *',
  });

export const settingsSchema = z.object({
  /** Storage: a connection string, or identity-based `AzureWebJobsStorage__*` URIs (see storage/clients). */
  AzureWebJobsStorage: z.string().optional(),
  AzureWebJobsStorage__blobServiceUri: optionalUrl,
  AzureWebJobsStorage__queueServiceUri: optionalUrl,
  AzureWebJobsStorage__tableServiceUri: optionalUrl,
  AzureWebJobsStorage__accountName: z.string().optional(),
  AzureWebJobsStorage__credential: z.enum(['managedidentity']).optional(),
  AzureWebJobsStorage__clientId: z.string().optional(),
  /** Prefix for every table and container name, so that several installations or test runs can share one account. */
  STORAGE_NAME_PREFIX: z.string().regex(NAME_PREFIX_PATTERN, NAME_PREFIX_RULE).or(z.literal('')).default(''),

  PRICES_SOURCE: priceSourceSchema.default('sample'),
  PRICES_MARKETS: list('US').pipe(z.array(marketSchema).min(1)),
  PRICES_VIEWS: list('azure_consumption,azure_reservations').pipe(z.array(priceViewSchema).min(1)),
  PRICES_SCHEDULE: ncrontab.default('0 30 2 * * *'),
  /** Rejected rows above this share of a file fail the run and publish nothing. */
  REJECTED_ROWS_MAX_PERCENT: z.coerce.number().min(0).max(100).default(1),
  /**
   * A current sheet that would drop more than this share of the prices its market and view listed
   * fails and publishes nothing, unless the operator confirms it (a tiny file must not wipe a market).
   */
  REMOVAL_GUARD_PERCENT: z.coerce.number().min(0).max(100).default(20),
  /** Health reports a market/view as stale when its last successful refresh is older than this. */
  STALE_AFTER_HOURS: intSetting(36, 1, 24 * 90),
  /** Parallel table transactions during an ingest. */
  TABLE_WRITE_CONCURRENCY: intSetting(16, 1, 128),
  /** How long a refresh waits for another refresh of the same market and view to finish. */
  REFRESH_LOCK_WAIT_SECONDS: intSetting(300, 0, 3600),

  HTTP_TIMEOUT_SECONDS: intSetting(120, 1, 3600),
  HTTP_MAX_RETRIES: intSetting(5, 0, 20),
  HTTP_RETRY_DELAY_MS: intSetting(1000, 1, 60000),
  HTTP_MAX_RETRY_DELAY_MS: intSetting(60000, 1, 600000),
  /** Concurrent calls to one upstream service (origin) per process, all invocations together (shared/http/upstreamSlots). */
  UPSTREAM_MAX_CONCURRENCY: intSetting(2, 1, 64),

  PARTNER_CENTER_TENANT_ID: z.string().min(1).optional(),
  PARTNER_CENTER_APP_ID: z.string().min(1).optional(),
  PARTNER_CENTER_APP_SECRET: z.string().min(1).optional(),
  PARTNER_CENTER_REFRESH_TOKEN: z.string().min(1).optional(),
  PARTNER_CENTER_AUTHORITY: z.url().default('https://login.microsoftonline.com'),
  PARTNER_CENTER_BASE_URL: z.url().default('https://api.partner.microsoft.com'),
  RETAIL_PRICES_URL: z.url().default('https://prices.azure.com/api/retail/prices'),

  RATES_SOURCE: ratesSourceSchema.default('sample'),
  RATES_SCHEDULE: ncrontab.default('0 0 3 * * *'),
  ECB_RATES_URL: z.url().default('https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml'),
  /** Local runner only: when set, functions with authLevel `function` require this key. */
  LOCAL_FUNCTION_KEY: z.string().min(8).optional(),

  /** HTTP API: longest wait for storage on one request, retries included, before answering 503. */
  STORAGE_TIMEOUT_SECONDS: intSetting(5, 1, 120),
  /** HTTP API: origins of browser pages that may call it (CORS); empty: none. The local runner applies it; Azure's platform CORS gets the same list (infra). */
  CORS_ALLOWED_ORIGINS: list('').pipe(z.array(corsOrigin)),
  /** HTTP API: the key continuation tokens are signed with (HMAC-SHA256); unset: a random one per process. */
  PAGING_TOKEN_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /**
   * Quotes and exports: partner-earned credit in percent of eligible Azure plan consumption (decimal
   * text, kept exact). Default 15, the rate partners have long been credited; Microsoft's FAQ points
   * to Partner Center's price list page for the current rate (docs/design.md, "Partner-earned credit").
   */
  PEC_PERCENT: z
    .string()
    .trim()
    .regex(DECIMAL, 'a percentage such as 15')
    .refine((text) => Number(text) >= 0 && Number(text) <= 100, 'a percentage from 0 to 100')
    .default('15'),
  // Hardening of uploads and the run ledger (issue 12).
  /** Deliveries of one upload version that may fail (any error, a crash included) before it is quarantined. */
  // At most 4: the Functions host delivers a queue message at most maxDequeueCount (host.json: 5) times, and
  // the delivery after the last failed attempt is the one that quarantines the upload.
  UPLOAD_MAX_ATTEMPTS: intSetting(3, 1, 4),
  // Price-change notifications (issue 16; docs/operations.md#notifications).
  /** Six-field NCRONTAB schedule of the deliverNotifications timer (fan-out of committed snapshots, then delivery), UTC. */
  NOTIFY_SCHEDULE: ncrontab.default('0 */1 * * * *'),
  /** Six-field NCRONTAB schedule of the sendDigests timer (the day before's digests), UTC. */
  NOTIFY_DIGEST_SCHEDULE: ncrontab.default('0 0 6 * * *'),
  /** Attempts of one event (the first included) before it is dead-lettered with its last error. */
  NOTIFY_MAX_ATTEMPTS: intSetting(8, 1, 50),
  /** First retry delay of a failed delivery; doubled per attempt (with jitter) up to NOTIFY_MAX_RETRY_DELAY_MS. */
  NOTIFY_RETRY_DELAY_MS: intSetting(2000, 1, 3_600_000),
  NOTIFY_MAX_RETRY_DELAY_MS: intSetting(600_000, 1, 86_400_000),
  /** Changed prices in one event at most (one event = one batch of one change code for one subscription). */
  NOTIFY_BATCH_SIZE: intSetting(200, 1, 1000),
  /** Seconds one delivery run keeps waiting for retries that fall due before it ends (the next run takes the rest). */
  NOTIFY_DRAIN_SECONDS: intSetting(240, 0, 3600),
  /** The Event Grid custom topic of `eventgrid` subscriptions: its endpoint, e.g. https://<topic>.<region>-1.eventgrid.azure.net/api/events. */
  NOTIFY_EVENTGRID_ENDPOINT: z.url({ protocol: /^https$/, error: 'an https URL' }).optional(),
  /** Local only: a fixed bearer token for a local topic instead of the app's identity. */
  NOTIFY_EVENTGRID_LOCAL_TOKEN: z.string().min(8).optional(),
  /** Local only: a PEM file of the CA that signed a local topic's certificate (trusted instead of the public CAs). */
  NOTIFY_EVENTGRID_CA_FILE: z.string().min(1).optional(),
  /** Local only: also allow http:// webhooks on this machine (127.0.0.1, localhost, [::1]); https only otherwise. */
  NOTIFY_ALLOW_LOOPBACK_HTTP: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Folder of the ledger outbox: runs whose ledger write failed wait there. Default: the OS temp folder. */
  LEDGER_OUTBOX_DIR: z.string().min(1).optional(),
});

export type Settings = z.infer<typeof settingsSchema>;

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/** Validates an environment; throws one SettingsError naming every bad setting. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  // Empty strings count as unset, as in Azure app settings left blank.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  // Before validation: an invalid configuration is reported, and its secrets must be blanked there too.
  rememberSecrets(present);
  const parsed = settingsSchema.safeParse(present);
  // Checked on the raw values so that they are reported together with any schema problems.
  const missing = requiredTogether(present);
  if (parsed.success && missing.length === 0) return parsed.data;
  const issues = parsed.success ? [] : parsed.error.issues;
  const problems = issues.map((issue) => {
    const name = String(issue.path[0] ?? 'settings');
    const value = present[name];
    const shown = value === undefined ? 'missing' : isSecretSetting(name) ? 'set (value hidden)' : `got "${value}"`;
    return `${name}: ${issue.message} (${shown})`;
  });
  throw new SettingsError([...problems, ...missing]);
}

const PARTNER_CENTER_CREDENTIALS = [
  'PARTNER_CENTER_TENANT_ID',
  'PARTNER_CENTER_APP_ID',
  'PARTNER_CENTER_APP_SECRET',
  'PARTNER_CENTER_REFRESH_TOKEN',
] as const;

function requiredTogether(present: Record<string, string | undefined>): string[] {
  const users = (['PRICES_SOURCE', 'RATES_SOURCE'] as const).filter((name) => present[name] === 'partnercenter');
  if (users.length === 0) return [];
  return PARTNER_CENTER_CREDENTIALS.filter((name) => !present[name]).map(
    (name) => `${name}: required when ${users.join(' or ')} is partnercenter (missing)`,
  );
}

let cached: Settings | undefined;

/** The process-wide settings, read and validated on first use. */
export function getSettings(): Settings {
  cached ??= loadSettings();
  return cached;
}
