import fs from 'node:fs';
import path from 'node:path';
import { settingsSchema } from '../../shared/config/settings';
import { poisonQueue, processedContainer, quarantineContainer, storageNames } from '../../shared/storage/names';
import {
  INFRA,
  ROOT,
  after,
  bicepFiles,
  bracketProblem,
  identifierItems,
  literal,
  moduleCalls,
  objectEntries,
  outputs,
  params,
  readInfra,
  resources,
  stringItems,
} from './bicep';
import { registeredQueueAndTimerFunctions, type QueueFunction } from './registrations';

/**
 * Static checks of infra/ (the Bicep compiler is not available here; `npm run infra:build` compiles where
 * it is). Everything that must agree with the code is derived from the code at test time: the settings
 * schema, the storage names, the function registrations, package.json.
 */

const main = readInfra('main.bicep');
const mainRaw = fs.readFileSync(path.join(INFRA, 'main.bicep'), 'utf8');
const functionApp = readInfra('modules/functionapp.bicep');
const storage = readInfra('modules/storage.bicep');
const roles = readInfra('modules/roles.bicep');
const events = readInfra('modules/events.bicep');
const monitoring = readInfra('modules/monitoring.bicep');
const keyVault = readInfra('modules/keyvault.bicep');
const alerts = readInfra('modules/alerts.bicep');
const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

const appSettings = objectEntries(after(main, /\n\s*appSettings:\s*/));
const schemaSettings = Object.keys(settingsSchema.shape);

/**
 * Settings the code reads that the template deliberately leaves unset in Azure (the code default applies;
 * an operator can still set them with `az functionapp config appsettings set`). Every other setting in
 * settingsSchema must be set by the template. A new setting fails this test until it is added to one or the other.
 */
const NOT_SET_IN_AZURE: Record<string, string> = {
  AzureWebJobsStorage:
    'connection string: local/Azurite only; Azure uses the identity-based AzureWebJobsStorage__* settings',
  AzureWebJobsStorage__accountName:
    'shorthand for the CLI run by an operator (docs/operations.md); in Azure the service URIs are set',
  STORAGE_NAME_PREFIX: 'for sharing one account between installations or test runs; a deployment has its own account',
  REJECTED_ROWS_MAX_PERCENT: 'tuning: the code default suits Azure',
  REMOVAL_GUARD_PERCENT: 'tuning: the code default suits Azure',
  TABLE_WRITE_CONCURRENCY: 'tuning: the code default suits Azure',
  REFRESH_LOCK_WAIT_SECONDS: 'tuning: the code default suits Azure',
  UPLOAD_MAX_ATTEMPTS: 'tuning: the code default suits Azure',
  LEDGER_OUTBOX_DIR: "the default, the instance's temp folder, suits Azure",
  NOTIFY_MAX_ATTEMPTS: 'tuning: the code default suits Azure',
  NOTIFY_RETRY_DELAY_MS: 'tuning: the code default suits Azure',
  NOTIFY_MAX_RETRY_DELAY_MS: 'tuning: the code default suits Azure',
  NOTIFY_BATCH_SIZE: 'tuning: the code default suits Azure',
  NOTIFY_DRAIN_SECONDS: 'tuning: the code default suits Azure',
  NOTIFY_ALLOW_LOOPBACK_HTTP: 'local only: in Azure webhooks must be https',
  NOTIFY_EVENTGRID_LOCAL_TOKEN: "local only: in Azure the app's identity gets the token",
  NOTIFY_EVENTGRID_CA_FILE: 'local only: the Azure topic has a publicly trusted certificate',
  HTTP_TIMEOUT_SECONDS: 'tuning: the code default suits Azure',
  HTTP_MAX_RETRIES: 'tuning: the code default suits Azure',
  HTTP_RETRY_DELAY_MS: 'tuning: the code default suits Azure',
  HTTP_MAX_RETRY_DELAY_MS: 'tuning: the code default suits Azure',
  UPSTREAM_MAX_CONCURRENCY:
    'tuning: the code default with host.json batch settings and maximumInstanceCount (docs/operations.md: Queues)',
  STORAGE_TIMEOUT_SECONDS: 'tuning: the code default suits Azure',
  PARTNER_CENTER_AUTHORITY: 'public-cloud default; override only for a sovereign cloud',
  PARTNER_CENTER_BASE_URL: 'public-cloud default; override only for a sovereign cloud',
  RETAIL_PRICES_URL: 'public-cloud default',
  ECB_RATES_URL: 'public default of the ecb rates source',
  LOCAL_FUNCTION_KEY: "local runner only; in Azure the host's own function keys protect authLevel function",
  CORS_ALLOWED_ORIGINS:
    "local runner only; in Azure the platform's CORS takes the same list (siteConfig.cors, parameter corsAllowedOrigins)",
};

/** Template defaults that differ from the code default on purpose. */
const DELIBERATE_DEFAULTS: Record<string, string> = {
  PRICES_SOURCE:
    'the code defaults to the bundled sample data for local runs; a deployment starts with the public retail prices until Partner Center is set up',
  RATES_SOURCE: 'likewise: a deployment starts with the credential-free ECB rates until Partner Center is set up',
};

/** Settings the template sets for the Functions host itself, not read through settingsSchema. */
const HOST_SETTINGS = [
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'languageWorkers__node__arguments',
];

/**
 * Settings the template sets ahead of the code (the exchange-rate refresh is being written). Once the schema
 * has them they are checked like every other setting; until then they only must not be unknown.
 */
const AHEAD_OF_CODE: string[] = [];

/** Flex Consumption rejects these: the runtime is configured in functionAppConfig. */
const FLEX_FORBIDDEN = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_TIME_ZONE',
];

/** Secrets: in Azure only as Key Vault references. */
const isSecret = (name: string) => /SECRET|TOKEN/.test(name);

/** The queue functions the template must provide for, when the function files are not there yet to tell. */
const DOCUMENTED_QUEUE_FUNCTIONS: QueueFunction[] = [
  { name: 'priceRefresh', queue: 'priceRefresh', poison: false },
  { name: 'priceRefreshPoison', queue: 'priceRefresh', poison: true },
  { name: 'rateRefresh', queue: 'rateRefresh', poison: false },
  { name: 'rateRefreshPoison', queue: 'rateRefresh', poison: true },
  { name: 'priceUploads', queue: 'priceUploadEvents', poison: false, uploads: 'priceUploads' },
  { name: 'priceUploadsPoison', queue: 'priceUploadEvents', poison: true, uploads: 'priceUploads' },
  { name: 'customerUploads', queue: 'customerUploadEvents', poison: false, uploads: 'customerUploads' },
  { name: 'customerUploadsPoison', queue: 'customerUploadEvents', poison: true, uploads: 'customerUploads' },
  { name: 'deliverNotification', queue: 'notifications', poison: false },
];
const DOCUMENTED_TIMERS = [
  { name: 'refreshPrices', scheduleSetting: 'PRICES_SCHEDULE' },
  { name: 'refreshExchangeRates', scheduleSetting: 'RATES_SCHEDULE' },
  { name: 'deliverNotifications', scheduleSetting: 'NOTIFY_SCHEDULE' },
  { name: 'sendDigests', scheduleSetting: 'NOTIFY_DIGEST_SCHEDULE' },
];

/**
 * What the template must cover: the documented functions plus whatever the registry holds once the
 * function files are loaded. A registered function missing from the documented list fails here, so a new
 * upload handler or timer cannot be forgotten in the template.
 */
function expectedQueueFunctions(): QueueFunction[] {
  const { queueFunctions, source } = registeredQueueAndTimerFunctions();
  const key = (f: QueueFunction) => JSON.stringify([f.name, f.queue, f.poison, f.uploads ?? null]);
  const documented = new Set(DOCUMENTED_QUEUE_FUNCTIONS.map(key));
  const undocumented = queueFunctions.filter((f) => !documented.has(key(f)));
  if (undocumented.length)
    throw new Error(
      `Queue functions registered (${source}) but not in the template's lists: ${JSON.stringify(undocumented)}`,
    );
  return [...DOCUMENTED_QUEUE_FUNCTIONS];
}

/** Each upload container (no prefix) and the queue its BlobCreated events go to. */
function expectedUploadQueues(): { container: string; queue: string }[] {
  const names = storageNames('');
  return expectedQueueFunctions()
    .filter((f) => f.uploads && !f.poison)
    .map((f) => ({ container: names.containers[f.uploads!], queue: names.queues[f.queue] }));
}

function expectedTimers(): { name: string; scheduleSetting: string }[] {
  const { timers, source } = registeredQueueAndTimerFunctions();
  const undocumented = timers.filter(
    (t) => !DOCUMENTED_TIMERS.some((d) => d.name === t.name && d.scheduleSetting === t.scheduleSetting),
  );
  if (undocumented.length)
    throw new Error(`Timers registered (${source}) but not in the template's list: ${JSON.stringify(undocumented)}`);
  return [...DOCUMENTED_TIMERS];
}

const ROLE = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
};

describe('template structure', () => {
  it.each(bicepFiles())('%s has balanced brackets and strings', (file) => {
    expect(bracketProblem(readInfra(file))).toBeNull();
  });

  it('every module call names an existing file, passes its required params and only known ones', () => {
    for (const call of moduleCalls(main)) {
      const file = path.join(INFRA, call.path);
      expect(fs.existsSync(file)).toBe(true);
      const declared = params(readInfra(call.path));
      const required = declared.filter((p) => p.defaultValue === undefined).map((p) => p.name);
      expect({ module: call.symbol, missing: required.filter((p) => !call.params.has(p)) }).toEqual({
        module: call.symbol,
        missing: [],
      });
      const known = new Set(declared.map((p) => p.name));
      expect({ module: call.symbol, unknown: [...call.params.keys()].filter((p) => !known.has(p)) }).toEqual({
        module: call.symbol,
        unknown: [],
      });
    }
  });

  it('every module output that main.bicep reads exists', () => {
    const calls = new Map(moduleCalls(main).map((c) => [c.symbol, c.path]));
    for (const m of main.matchAll(/\b(\w+)\.outputs\.(\w+)/g)) {
      const file = calls.get(m[1]);
      expect(file).toBeDefined();
      expect({ ref: m[0], exists: outputs(readInfra(file!)).includes(m[2]) }).toEqual({ ref: m[0], exists: true });
    }
  });

  it('every parameter main.bicep uses is declared, and every declared one is used', () => {
    const declared = params(main).map((p) => p.name);
    for (const name of declared) {
      const uses = main.split(new RegExp(`\\b${name}\\b`)).length - 1;
      expect({ name, used: uses > 1 }).toEqual({ name, used: true });
    }
  });
});

describe('app settings', () => {
  it('sets every setting the code reads, or lists it as deliberately unset with a reason', () => {
    const unaccounted = schemaSettings.filter((name) => !appSettings.has(name) && !(name in NOT_SET_IN_AZURE));
    expect(unaccounted).toEqual([]);
    // The exceptions stay honest: they name real settings and are not set after all.
    expect(Object.keys(NOT_SET_IN_AZURE).filter((name) => !schemaSettings.includes(name))).toEqual([]);
    expect(Object.keys(NOT_SET_IN_AZURE).filter((name) => appSettings.has(name))).toEqual([]);
  });

  it('sets nothing unknown to the code or the host', () => {
    const known = new Set([...schemaSettings, ...HOST_SETTINGS, ...AHEAD_OF_CODE]);
    expect([...appSettings.keys()].filter((name) => !known.has(name))).toEqual([]);
  });

  it('sets no setting Flex Consumption rejects', () => {
    expect(FLEX_FORBIDDEN.filter((name) => appSettings.has(name))).toEqual([]);
  });

  it('sets every timer schedule setting (the host resolves %NAME% itself and fails when it is missing)', () => {
    for (const timer of expectedTimers())
      expect({ timer: timer.name, set: appSettings.has(timer.scheduleSetting) }).toEqual({
        timer: timer.name,
        set: true,
      });
  });

  it('refers to secrets only through Key Vault references', () => {
    // Local-only secrets (a local topic's token) are not set in Azure at all.
    const secrets = schemaSettings.filter((name) => isSecret(name) && !(name in NOT_SET_IN_AZURE));
    expect(secrets.length).toBeGreaterThan(0);
    for (const name of secrets) {
      expect(appSettings.get(name)).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=\$\{keyVault\.outputs\.\w+\}\)'$/);
    }
    // …resolved with the user-assigned identity, which holds Key Vault Secrets User.
    expect(functionApp).toMatch(/keyVaultReferenceIdentity:\s*identityId\b/);
    // The secret values come in as secure parameters only.
    for (const p of [...params(main), ...params(keyVault)].filter((p) => /secret|token/i.test(p.name))) {
      expect({ param: p.name, secure: p.decorators.includes('@secure()') }).toEqual({ param: p.name, secure: true });
    }
    expect(keyVault).toMatch(/enableRbacAuthorization:\s*true/);
  });

  it('connects to storage with the managed identity', () => {
    expect(appSettings.get('AzureWebJobsStorage__credential')).toBe("'managedidentity'");
    expect(appSettings.get('AzureWebJobsStorage__clientId')).toBe('identity.properties.clientId');
    for (const service of ['blob', 'queue', 'table']) {
      expect(appSettings.get(`AzureWebJobsStorage__${service}ServiceUri`)).toBe(`storage.outputs.${service}Endpoint`);
    }
    expect(appSettings.has('AzureWebJobsStorage')).toBe(false);
  });

  it('parameter defaults agree with the code defaults', () => {
    const mainParams = new Map(params(main).map((p) => [p.name, p]));
    const parameterFile = JSON.parse(fs.readFileSync(path.join(INFRA, 'main.parameters.json'), 'utf8'))
      .parameters as Record<string, { value: unknown }>;
    let compared = 0;
    for (const [setting, value] of appSettings) {
      const shape = (
        settingsSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }>
      )[setting];
      const paramName = /^string\((\w+)\)$/.exec(value)?.[1] ?? value;
      const param = mainParams.get(paramName);
      if (!shape || !param?.defaultValue) continue;
      const fromCode = shape.safeParse(undefined);
      if (!fromCode.success || fromCode.data === undefined || setting in DELIBERATE_DEFAULTS) continue;
      const templateDefault = literal(param.defaultValue) ?? param.defaultValue;
      expect({ setting, value: shape.safeParse(templateDefault).data }).toEqual({ setting, value: fromCode.data });
      // azd's main.parameters.json falls back to the same default.
      const azd = /^\$\{(\w+)(?:=(.*))?\}$/.exec(String((parameterFile[paramName]?.value as string | undefined) ?? ''));
      if (azd?.[2] !== undefined) expect({ setting, azd: azd[2] }).toEqual({ setting, azd: templateDefault });
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(4);
  });
});

describe('parameters', () => {
  it('has parameters for environment, location, markets, views, schedules and sources', () => {
    const names = params(main).map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'environmentName',
        'location',
        'pricesMarkets',
        'pricesViews',
        'pricesSchedule',
        'ratesSchedule',
        'pricesSource',
        'ratesSource',
      ]),
    );
  });

  it('main.parameters.json maps only declared parameters and every required one', () => {
    const file = JSON.parse(fs.readFileSync(path.join(INFRA, 'main.parameters.json'), 'utf8'));
    const declared = params(main);
    const mapped = Object.keys(file.parameters);
    expect(mapped.filter((name) => !declared.some((p) => p.name === name))).toEqual([]);
    expect(declared.filter((p) => p.defaultValue === undefined && !mapped.includes(p.name)).map((p) => p.name)).toEqual(
      [],
    );
    expect(file.parameters.environmentName.value).toBe('${AZURE_ENV_NAME}');
  });

  it.each([
    ['pricesSource', 'PRICES_SOURCE'],
    ['ratesSource', 'RATES_SOURCE'],
  ])('%s allows only sources that the code accepts', (param, setting) => {
    const allowed = after(mainRaw, new RegExp(`@allowed\\((?=[^)]*\\)\\s*param ${param}\\b)`));
    const shape = (settingsSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>)[setting];
    expect(stringItems(allowed).length).toBeGreaterThan(0);
    for (const source of stringItems(allowed))
      expect({ source, ok: shape.safeParse(source).success }).toEqual({ source, ok: true });
  });
});

describe('security', () => {
  const allText = [
    ...bicepFiles().map(readInfra),
    fs.readFileSync(path.join(INFRA, 'main.parameters.json'), 'utf8'),
    fs.readFileSync(path.join(ROOT, 'azure.yaml'), 'utf8'),
  ];

  it('uses no account keys, SAS or storage connection strings anywhere', () => {
    for (const text of allText) {
      expect(text).not.toMatch(/AccountKey/i);
      expect(text).not.toMatch(/listKeys\(|listAccountSas\(|listServiceSas\(/);
      expect(text).not.toMatch(/DefaultEndpointsProtocol|SharedAccessSignature/i);
      // The only connection string is Application Insights' (not a secret with local auth disabled).
      for (const line of text.split('\n').filter((l) => /connectionString/i.test(l))) {
        expect(line).toMatch(/applicationInsights|APPLICATIONINSIGHTS/i);
      }
    }
  });

  it('locks the storage account down', () => {
    expect(storage).toMatch(/allowSharedKeyAccess:\s*false/);
    expect(storage).toMatch(/allowBlobPublicAccess:\s*false/);
    expect(storage).toMatch(/minimumTlsVersion:\s*'TLS1_2'/);
    expect(storage).toMatch(/supportsHttpsTrafficOnly:\s*true/);
    expect(storage).toMatch(/publicAccess:\s*'None'/);
  });

  it('disables local auth on Application Insights and sends telemetry with the identity', () => {
    expect(monitoring).toMatch(/DisableLocalAuth:\s*true/);
    expect(appSettings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toBe(
      "'ClientId=${identity.properties.clientId};Authorization=AAD'",
    );
    expect(appSettings.get('APPLICATIONINSIGHTS_CONNECTION_STRING')).toBe('monitoring.outputs.connectionString');
  });

  it('gives the app identity exactly its roles, each scoped to its resource', () => {
    const roleIds = objectEntries(after(roles, /var roleIds\s*=\s*/));
    for (const [key, guid] of Object.entries(ROLE))
      expect({ key, guid: roleIds.get(key) }).toEqual({ key, guid: `'${guid}'` });
    const assignments = resources(roles)
      .filter((r) => r.type.startsWith('Microsoft.Authorization/roleAssignments@'))
      .map((r) => {
        const props = objectEntries(after(r.body, /properties:\s*/));
        const top = objectEntries(r.body);
        return {
          symbol: r.symbol,
          scope: top.get('scope'),
          principal: props.get('principalId'),
          role: /roleIds\.(\w+)\)/.exec(props.get('roleDefinitionId') ?? '')?.[1],
          nameSeed: top.get('name'),
        };
      });
    const app = assignments.filter((a) => a.principal === 'identityPrincipalId');
    expect(app.map((a) => ({ role: a.role, scope: a.scope })).sort((x, y) => x.role!.localeCompare(y.role!))).toEqual([
      { role: 'keyVaultSecretsUser', scope: 'vault' },
      { role: 'monitoringMetricsPublisher', scope: 'applicationInsights' },
      { role: 'storageBlobDataOwner', scope: 'storage' },
      { role: 'storageQueueDataContributor', scope: 'storage' },
      { role: 'storageTableDataContributor', scope: 'storage' },
    ]);
    // Deterministic, unique names: guid(scope, principal, role).
    for (const a of assignments)
      expect(a.nameSeed).toMatch(new RegExp(`^guid\\(${a.scope}\\.id, \\w+, roleIds\\.${a.role}\\)$`));
    // Everything else is for the optional operator, and only when one is given.
    for (const a of assignments.filter((x) => x.principal !== 'identityPrincipalId'))
      expect(a.principal).toBe('operatorPrincipalId');
    // The scopes are the app's own resources, never the resource group or subscription.
    expect(roles).not.toMatch(/scope:\s*(resourceGroup|subscription)\(/);
    expect(main).toMatch(/identityPrincipalId:\s*identity\.properties\.principalId/);
  });

  it('runs the function app as the user-assigned identity, HTTPS only, without basic-auth publishing', () => {
    expect(functionApp).toMatch(/type:\s*'UserAssigned'/);
    expect(functionApp).toMatch(/httpsOnly:\s*true/);
    expect(functionApp).toMatch(/userAssignedIdentityResourceId:\s*identityId/);
    expect((functionApp.match(/allow:\s*false/g) ?? []).length).toBe(2);
  });
});

describe('function app', () => {
  it('is a Flex Consumption (FC1) app', () => {
    expect(functionApp).toMatch(/tier:\s*'FlexConsumption'/);
    expect(functionApp).toMatch(/name:\s*'FC1'/);
    expect(functionApp).toMatch(/type:\s*'blobContainer'/);
  });

  it('runs Node 22, which satisfies package.json engines', () => {
    expect(functionApp).toMatch(/var runtimeName = 'node'/);
    const version = Number(/var runtimeVersion = '(\d+)'/.exec(functionApp)?.[1]);
    expect(version).toBe(22);
    const engines = String(packageJson.engines?.node ?? '');
    const min = /^>=\s*(\d+)(?:\.\d+){0,2}$/.exec(engines.trim());
    if (!min) throw new Error(`engines.node "${engines}" is not of the form >=N: extend this check`);
    expect(version).toBeGreaterThanOrEqual(Number(min[1]));
    expect(version % 2).toBe(0); // an LTS line
  });

  it('is the azd service "api"', () => {
    expect(main).toMatch(/'azd-service-name':\s*'api'/);
  });

  it('outputs what azd and the operations guide use', () => {
    expect(outputs(main)).toEqual(
      expect.arrayContaining([
        'AZURE_LOCATION',
        'AZURE_TENANT_ID',
        'AZURE_RESOURCE_GROUP',
        'AZURE_FUNCTION_APP_NAME',
        'AZURE_STORAGE_ACCOUNT_NAME',
        'AZURE_KEY_VAULT_NAME',
        'AZURE_FUNCTION_URL',
      ]),
    );
  });
});

describe('storage contents', () => {
  const names = storageNames('');
  const templateTables = stringItems(after(main, /var tableNames\s*=\s*/));
  const containerBody = after(main, /var containerNames\s*=\s*/);
  const templateContainers = stringItems(containerBody);
  const deadLetter = literal(/var deadLetterContainerName = (.+)/.exec(main)?.[1]);

  it('creates every table of shared/storage/names', () => {
    expect(templateTables.sort()).toEqual(Object.values(names.tables).sort());
  });

  it('creates every container, the processed/quarantine containers of the uploads, and the dead-letter container', () => {
    const uploads = [names.containers.priceUploads, names.containers.customerUploads];
    const expected = [
      ...Object.values(names.containers),
      ...uploads.flatMap((c) => [processedContainer(c), quarantineContainer(c)]),
    ];
    expect(templateContainers.sort()).toEqual(expected.sort());
    expect(deadLetter).toBe('eventgrid-deadletter');
    expect(identifierItems(containerBody)).toEqual(['deadLetterContainerName']);
  });

  const templateQueues = stringItems(after(main, /var queueNames\s*=\s*/));

  it('creates every queue of shared/storage/names and its poison queue', () => {
    const expected = Object.values(names.queues).flatMap((q) => [q, poisonQueue(q)]);
    expect(templateQueues.sort()).toEqual(expected.sort());
    expect(storage).toMatch(/Microsoft\.Storage\/storageAccounts\/queueServices\/queues@/);
    expect(main).toMatch(/queueNames:\s*queueNames/);
  });

  it('container, queue and table names are valid', () => {
    for (const c of [...templateContainers, deadLetter!, ...templateQueues])
      expect(c).toMatch(/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
    for (const t of templateTables) expect(t).toMatch(/^[A-Za-z][A-Za-z0-9]{2,62}$/);
  });
});

describe('Event Grid', () => {
  const uploadsInTemplate = [
    ...after(main, /var uploadQueues\s*=\s*/).matchAll(/\{\s*container:\s*'([\w-]+)',\s*queue:\s*'([\w-]+)'\s*\}/g),
  ].map((m) => ({ container: m[1], queue: m[2] }));
  const subscription = () =>
    resources(events).find((r) => r.type.startsWith('Microsoft.EventGrid/systemTopics/eventSubscriptions@'))!.body;

  it('routes each upload container of the registered upload functions to its queue', () => {
    const byContainer = (a: { container: string }, b: { container: string }) => a.container.localeCompare(b.container);
    expect([...uploadsInTemplate].sort(byContainer)).toEqual(expectedUploadQueues().sort(byContainer));
    expect(main).toMatch(/uploadQueues:\s*uploadQueues/);
  });

  it("has a system topic on the storage account with its own identity (delivery) and the app's (dead letters)", () => {
    expect(events).toMatch(/Microsoft\.EventGrid\/systemTopics@/);
    expect(events).toMatch(/topicType:\s*'Microsoft\.Storage\.StorageAccounts'/);
    expect(events).toMatch(/source:\s*storage\.id/);
    expect(events).toMatch(/type:\s*'SystemAssigned, UserAssigned'/);
  });

  it('writes BlobCreated of each upload container into its queue with the topic identity, bounded retries and dead letters', () => {
    const body = subscription();
    expect(events).toMatch(/eventSubscriptions@[\w-]+' = \[\s*for \(upload, i\) in uploadQueues:/);
    expect(body).toMatch(/deliveryWithResourceIdentity:\s*\{\s*identity:\s*\{\s*type:\s*'SystemAssigned'\s*\}/);
    expect(body).toMatch(/endpointType:\s*'StorageQueue'/);
    expect(body).toMatch(/resourceId:\s*storage\.id,?\s*queueName:\s*upload\.queue/);
    expect(body).toMatch(/queueMessageTimeToLiveInSeconds:\s*-1/);
    expect(body).toMatch(/eventDeliverySchema:\s*'EventGridSchema'/);
    expect(body).toMatch(/includedEventTypes:\s*\[\s*'Microsoft\.Storage\.BlobCreated'\s*\]/);
    // The trailing slash keeps <container>-processed and -quarantine out of the subscription.
    expect(body).toMatch(/subjectBeginsWith:\s*'\/blobServices\/default\/containers\/\$\{upload\.container\}\/'/);
    expect(body).toMatch(/maxDeliveryAttempts:\s*maxDeliveryAttempts/);
    const attempts = params(events).find((p) => p.name === 'maxDeliveryAttempts')!;
    expect(Number(attempts.defaultValue)).toBeLessThanOrEqual(10);
    expect(body).toMatch(/deadLetterWithResourceIdentity/);
    expect(body).toMatch(/blobContainerName:\s*deadLetterContainerName/);
    expect(body).toMatch(/userAssignedIdentity:\s*identityId/);
    expect(body).toMatch(/dependsOn:\s*\[\s*queueSenders\s*\]/);
    expect(main).toMatch(/deadLetterContainerName:\s*deadLetterContainerName/);
  });

  it('lets the topic identity send to the upload queues only (Storage Queue Data Message Sender on each queue)', () => {
    const senders = resources(events).find((r) => r.symbol === 'queueSenders')!;
    expect(senders.type).toMatch(/^Microsoft\.Authorization\/roleAssignments@/);
    expect(events).toMatch(/queueMessageSenderRoleId = 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'/);
    expect(senders.body).toMatch(/scope:\s*queues\[i\]/);
    expect(senders.body).toMatch(/principalId:\s*systemTopic\.identity\.principalId/);
  });

  it('needs no second provision: no postdeploy hook, no switch for the subscriptions', () => {
    const azureYaml = fs.readFileSync(path.join(ROOT, 'azure.yaml'), 'utf8');
    expect(azureYaml).not.toMatch(/postdeploy/);
    expect(mainRaw).not.toMatch(/deployEventSubscriptions|DEPLOY_EVENT_SUBSCRIPTIONS/);
    expect(fs.existsSync(path.join(INFRA, 'scripts'))).toBe(false);
  });
});

describe('alerts', () => {
  it('watches every refresh worker for staleness (the timers only plan)', () => {
    const watched = stringItems(after(main, /var refreshFunctions\s*=\s*/));
    // The refresh workers; and the notification timers, which do their work themselves (the fan-out,
    // the digests). deliverNotification runs only when there are events: its silence is no staleness.
    const workers = expectedQueueFunctions().filter((f) => !f.uploads && !f.poison && f.queue !== 'notifications');
    const notificationTimers = ['deliverNotifications', 'sendDigests'];
    expect(watched.sort()).toEqual([...workers.map((f) => f.name), ...notificationTimers].sort());
    expect(alerts).toMatch(/operation_Name == "\$\{worker\}" and success == true/);
    expect(appSettings.get('STALE_AFTER_HOURS')).toBe('string(staleAfterHours)');
  });

  it('alerts on every run of a poison function', () => {
    const watched = stringItems(after(main, /var poisonFunctions\s*=\s*/));
    const poison = expectedQueueFunctions().filter((f) => f.poison);
    expect(watched.sort()).toEqual(poison.map((f) => f.name).sort());
    expect(alerts).toMatch(/requests \| where operation_Name in/);
  });
});

describe('azd and packaging', () => {
  const azureYaml = fs.readFileSync(path.join(ROOT, 'azure.yaml'), 'utf8');

  it('azure.yaml declares the api function service, shipping the package npm run package builds', () => {
    expect(azureYaml).toMatch(/^services:\s*\n\s+api:\s*\n/m);
    expect(azureYaml).toMatch(/\n\s+host:\s*function\s*\n/);
    expect(azureYaml).toMatch(/\n\s+language:\s*js\s*\n/);
    expect(azureYaml).toMatch(/\n\s+dist:\s*\.package\/app\s*\n/);
    expect(azureYaml).toMatch(/prepackage:[\s\S]*run:\s*npm ci && npm run package/);
    expect(azureYaml).toMatch(/provider:\s*bicep/);
  });

  it('sets remoteBuild explicitly, and .funcignore agrees with it as azd requires', () => {
    // azd refuses `remoteBuild: false` when .funcignore excludes node_modules, and `true` when it does not.
    const remoteBuild = /\n\s+remoteBuild:\s*(true|false)\s*\n/.exec(azureYaml)?.[1];
    expect(remoteBuild).toBe('false');
    const funcignore = fs
      .readFileSync(path.join(ROOT, '.funcignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(funcignore.some((pattern) => /^\/?node_modules\/?$/.test(pattern))).toBe(false);
  });

  it('package.json builds to the files the host loads and has infra:build', () => {
    expect(packageJson.main).toBe('dist/functions/*.js');
    expect(packageJson.scripts.build).toBeDefined();
    expect(packageJson.scripts['infra:build']).toBe('node infra/build.js');
  });
});

describe('host.json', () => {
  const host = JSON.parse(fs.readFileSync(path.join(ROOT, 'host.json'), 'utf8'));

  it('is a v2 host with the v4 extension bundle (storage queue extension 5.x; MCP tools)', () => {
    expect(host.version).toBe('2.0');
    // 4.34.0: the first bundle whose MCP extension (1.3.0) takes a tool's whole CallToolResult, isError included.
    expect(host.extensionBundle).toEqual({
      id: 'Microsoft.Azure.Functions.ExtensionBundle',
      version: '[4.34.0, 5.0.0)',
    });
  });

  it('names the MCP server (the local runner reads the same section)', () => {
    expect(host.extensions.mcp).toEqual({
      serverName: expect.any(String),
      serverVersion: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      instructions: expect.any(String),
    });
  });

  it('has a bounded function timeout within the 60 minutes Flex Consumption grants a running execution on scale-in', () => {
    const m = /^(\d{2}):(\d{2}):(\d{2})$/.exec(host.functionTimeout);
    expect(m).not.toBeNull();
    const minutes = Number(m![1]) * 60 + Number(m![2]);
    expect(minutes).toBeGreaterThanOrEqual(30);
    expect(minutes).toBeLessThanOrEqual(60);
  });

  it('states the queue settings: few messages at a time per instance, bounded redelivery, Base64 messages', () => {
    const queues = host.extensions.queues;
    expect(queues).toEqual({
      batchSize: expect.any(Number),
      newBatchThreshold: expect.any(Number),
      maxDequeueCount: expect.any(Number),
      visibilityTimeout: expect.stringMatching(/^\d{2}:\d{2}:\d{2}$/),
      maxPollingInterval: expect.stringMatching(/^\d{2}:\d{2}:\d{2}$/),
      // What Event Grid writes and shared/storage/queues.ts encodes.
      messageEncoding: 'base64',
    });
    // At most batchSize + newBatchThreshold messages run at once per instance (docs/operations.md: Queues).
    expect(queues.batchSize + queues.newBatchThreshold).toBeLessThanOrEqual(4);
    // The delivery after UPLOAD_MAX_ATTEMPTS failures quarantines an upload: it must come before the poison queue.
    expect(queues.maxDequeueCount).toBeGreaterThan(4);
  });

  it('keeps requests, exceptions, events and traces (run summaries) out of sampling and logs function output', () => {
    const excluded = String(host.logging.applicationInsights.samplingSettings.excludedTypes).split(';');
    expect(excluded).toEqual(expect.arrayContaining(['Request', 'Exception', 'Event', 'Trace']));
    expect(host.logging.logLevel.Function).toBe('Information');
    expect(host.logging.logLevel['Host.Results']).toBe('Information');
  });

  it('has no blob-trigger settings (uploads arrive as Event Grid messages on storage queues)', () => {
    expect(host.extensions?.blobs).toBeUndefined();
  });
});
