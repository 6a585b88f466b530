/**
 * Secrets never reach a log line, the run ledger or the CLI's output, even when an upstream
 * service echoes a request back in an error body (some proxies and fakes echo the Authorization
 * header). Every place that keeps or prints error text passes it through `redact`: the logger,
 * the ledger's `error`, the CLI's output and UpstreamHttpError.
 */

const REDACTED = '[redacted]';

/**
 * Settings whose values are secrets: names ending in KEY, SECRET, TOKEN or PASSWORD (any case,
 * so `AccountKey` and `LOCAL_FUNCTION_KEY` alike), names holding SECRET or TOKEN anywhere, and
 * the storage connection string (it carries the account key).
 */
export function isSecretSetting(name: string): boolean {
  return /(KEY|SECRET|TOKEN|PASSWORD)$|SECRET|TOKEN|^AzureWebJobsStorage$/i.test(name);
}

/**
 * Shorter values are not looked for in text: a 3-letter value would blank out unrelated words,
 * and no real credential is that short (the settings schema refuses a LOCAL_FUNCTION_KEY under 8).
 */
const MIN_SECRET_LENGTH = 6;

/** Values of secret settings seen by loadSettings, so that text quoting them verbatim is caught. */
const knownSecrets = new Set<string>();

/** Remembers the values of the secret-like names in an environment (loadSettings calls this, valid or not). */
export function rememberSecrets(env: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.length >= MIN_SECRET_LENGTH && isSecretSetting(name)) knownSecrets.add(value);
  }
}

/** Characters a credential may be made of, up to whatever ends it in a header, a form, JSON or a sentence. */
const VALUE = `[^\\s"'\\\\&,;}]+`;

/**
 * Credentials recognisable by their shape whatever setting (or token endpoint) they came from.
 * Each keeps the label and replaces what follows it.
 */
const SHAPES: [RegExp, string][] = [
  // An echoed header (`Authorization: Basic …`, `"authorization":"Bearer …"`): the whole value.
  [/(\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?)[^"'\r\n,}]+/gi, `$1${REDACTED}`],
  [new RegExp(`\\b(Bearer\\s+)${VALUE}`, 'gi'), `$1${REDACTED}`],
  // OAuth form fields and JSON properties: client_secret=…, "access_token": "…".
  [
    new RegExp(
      `\\b((?:client_secret|client_assertion|refresh_token|access_token|id_token|password)["']?\\s*[:=]\\s*["']?)` +
        VALUE,
      'gi',
    ),
    `$1${REDACTED}`,
  ],
  // Connection strings and SAS URLs: AccountKey=…;, SharedAccessSignature=…, sig=….
  [new RegExp(`\\b((?:AccountKey|SharedAccessSignature|sig)=)${VALUE}`, 'gi'), `$1${REDACTED}`],
  // A JWT anywhere (three base64url parts, the first two JSON objects: `eyJ…`).
  [/\beyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]*/g, REDACTED],
];

/** The text with every known secret value and every credential-shaped part replaced by `[redacted]`. */
export function redact(text: string): string {
  let result = text;
  for (const secret of knownSecrets) if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  for (const [pattern, replacement] of SHAPES) result = result.replace(pattern, replacement);
  return result;
}
