// csp-pricing-functions: everything one installation needs, in the partner's own subscription.
// Deploy with `azd up` (azure.yaml) or `az deployment group create -g <rg> -f infra/main.bicep -p environmentName=<name>`.
// docs/operations.md describes every parameter, what this creates and what it costs.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(64)
@description('Name of the environment (azd environment name); used to derive unique resource names and tag resources.')
param environmentName string

@description('Azure region for every resource.')
param location string = resourceGroup().location

@description('Where price sheets come from (PRICES_SOURCE): partnercenter, retail or sample.')
@allowed([ 'partnercenter', 'retail', 'sample' ])
param pricesSource string = 'retail'

@description('Comma-separated two-letter markets refreshed by the timer (PRICES_MARKETS).')
param pricesMarkets string = 'US'

@description('Comma-separated price sheet views (PRICES_VIEWS): azure_consumption, azure_reservations, updatedlicensebased.')
param pricesViews string = 'azure_consumption,azure_reservations'

@description('Six-field NCRONTAB schedule of refreshPrices, UTC (PRICES_SCHEDULE). Flex Consumption does not support WEBSITE_TIME_ZONE.')
param pricesSchedule string = '0 30 2 * * *'

@description('Where exchange rates come from (RATES_SOURCE): partnercenter (needs the Partner Center credentials), ecb (no credentials) or sample.')
@allowed([ 'partnercenter', 'ecb', 'sample' ])
param ratesSource string = 'ecb'

@description('Six-field NCRONTAB schedule of refreshExchangeRates, UTC (RATES_SCHEDULE). Must be set: the host resolves it.')
param ratesSchedule string = '0 0 3 * * *'

@description('Hours without a successful refresh after which health reports stale data and the staleness alert fires (STALE_AFTER_HOURS; at most 48, the longest log-alert window).')
@minValue(1)
@maxValue(48)
param staleAfterHours int = 36

@description('Partner-earned credit in percent of eligible Azure plan consumption (PEC_PERCENT): quotes and exports show the partner cost after it. Partner Center shows the rate on its price list page.')
param pecPercent string = '15'

@description('Create an Event Grid custom topic for price-change notifications (subscriptions with destination eventgrid) and let the app publish to it (NOTIFY_EVENTGRID_ENDPOINT).')
param deployNotificationTopic bool = false

@description('Partner Center: the partner tenant id (PARTNER_CENTER_TENANT_ID). Defaults to the tenant of this deployment.')
param partnerCenterTenantId string = tenant().tenantId

@description('Partner Center: application (client) id of the app registration (PARTNER_CENTER_APP_ID). Empty until registered.')
param partnerCenterAppId string = ''

@secure()
@description('Partner Center app secret, stored in Key Vault. Empty: leave the secret as it is (set it with az keyvault secret set).')
param partnerCenterAppSecret string = ''

@secure()
@description('Partner Center refresh token (secure application model), stored in Key Vault. Empty: leave the secret as it is.')
param partnerCenterRefreshToken string = ''

@secure()
@description('Key that signs the API continuation tokens (PAGING_TOKEN_SECRET, HMAC), stored in Key Vault. Default: a new random key on each deployment; pages handed out before it are then refused with 400 and the caller starts again.')
param pagingTokenSecret string = newGuid()

@description('Comma-separated origins of browser pages that may call the API (CORS_ALLOWED_ORIGINS), e.g. https://portal.example.com; * for any. Applied by the platform CORS of the function app (siteConfig.cors), which answers preflights. Empty: none.')
param corsAllowedOrigins string = ''

@description('Optional: object id of the operator (user or group) who runs backfills and stores secrets; gets data roles on storage and Secrets Officer on the vault. azd passes the signed-in user.')
param principalId string = ''

@description('Principal type of principalId.')
@allowed([ 'User', 'Group', 'ServicePrincipal' ])
param principalType string = 'User'

@description('Optional e-mail address that receives the staleness and failure alerts.')
param alertEmail string = ''

@description('Memory of one Flex Consumption instance (MB).')
@allowed([ 512, 2048, 4096 ])
param instanceMemoryMB int = 2048

@description('Upper bound of Flex Consumption scale-out.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
var deadLetterContainerName = 'eventgrid-deadletter'

// Everything the app stores (shared/storage/names.ts with no STORAGE_NAME_PREFIX). The app needs no
// create rights beyond its data roles, but creating them here makes a fresh installation complete.
var tableNames = [
  'prices'
  'priceproducts'
  'pricesearch'
  'snapshots'
  'runs'
  'runstatus'
  'ratesnapshots'
  'rates'
  'pricerules'
  'subscriptions'
  'notifications'
]
var containerNames = [
  'price-archive'
  'price-snapshots'
  'price-reports'
  'locks'
  'price-uploads'
  'price-uploads-processed'
  'price-uploads-quarantine'
  'customer-uploads'
  'customer-uploads-processed'
  'customer-uploads-quarantine'
  'notifications'
  deadLetterContainerName
]

// The app's queues (shared/storage/names.ts) and the poison queue the host moves failing messages to.
var queueNames = [
  'price-refresh'
  'price-refresh-poison'
  'rate-refresh'
  'rate-refresh-poison'
  'price-upload-events'
  'price-upload-events-poison'
  'customer-upload-events'
  'customer-upload-events-poison'
  'notifications'
  'notifications-poison'
]

// The upload containers and the queue their BlobCreated events go to (queueFunction with `uploads` in
// runtime/registry.ts consumes it).
var uploadQueues = [
  { container: 'price-uploads', queue: 'price-upload-events' }
  { container: 'customer-uploads', queue: 'customer-upload-events' }
]

// The refresh workers whose successful runs the staleness alerts watch (the timers only plan), and the
// poison functions whose every run is an alert.
var refreshFunctions = [
  'priceRefresh'
  'rateRefresh'
  'deliverNotifications'
  'sendDigests'
]
var poisonFunctions = [
  'priceRefreshPoison'
  'rateRefreshPoison'
  'priceUploadsPoison'
  'customerUploadsPoison'
]

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${resourceToken}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: tags
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: tags
    name: 'st${resourceToken}'
    containerNames: concat(containerNames, [ deploymentContainerName ])
    tableNames: tableNames
    queueNames: queueNames
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    tags: tags
    name: 'kv-${resourceToken}'
    partnerCenterAppSecret: partnerCenterAppSecret
    partnerCenterRefreshToken: partnerCenterRefreshToken
    pagingTokenSecret: pagingTokenSecret
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    identityPrincipalId: identity.properties.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    operatorPrincipalId: principalId
    operatorPrincipalType: principalType
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    name: functionAppName
    planName: 'plan-${resourceToken}'
    identityId: identity.id
    identityClientId: identity.properties.clientId
    deploymentStorageContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainerName}'
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    corsAllowedOrigins: filter(map(split(corsAllowedOrigins, ','), origin => trim(origin)), origin => !empty(origin))
    appSettings: {
      // Storage: identity-based connection (the Functions host and the app read the same settings).
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.properties.clientId
      AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
      AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
      AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
      // Application Insights with Entra ID authentication (local auth is disabled).
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
      // The same V8 heap limit as npm start and the CLI (see docs/design.md: Heap limit).
      languageWorkers__node__arguments: '--max-old-space-size=160'
      // Prices and exchange rates.
      PRICES_SOURCE: pricesSource
      PRICES_MARKETS: pricesMarkets
      PRICES_VIEWS: pricesViews
      PRICES_SCHEDULE: pricesSchedule
      RATES_SOURCE: ratesSource
      RATES_SCHEDULE: ratesSchedule
      STALE_AFTER_HOURS: string(staleAfterHours)
      // Quotes and exports: the partner cost after partner-earned credit.
      PEC_PERCENT: pecPercent
      // Price-change notifications: the delivery timer (the other NOTIFY_* settings keep their code defaults).
      NOTIFY_SCHEDULE: '0 */1 * * * *'
      NOTIFY_DIGEST_SCHEDULE: '0 0 6 * * *'
      NOTIFY_EVENTGRID_ENDPOINT: deployNotificationTopic ? notifications.outputs.endpoint : ''
      // Partner Center: ids in clear, secrets as Key Vault references resolved with the user-assigned identity.
      PARTNER_CENTER_TENANT_ID: partnerCenterTenantId
      PARTNER_CENTER_APP_ID: partnerCenterAppId
      PARTNER_CENTER_APP_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.appSecretUri})'
      PARTNER_CENTER_REFRESH_TOKEN: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.refreshTokenUri})'
      // Every instance signs and checks continuation tokens with the same key.
      PAGING_TOKEN_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.pagingTokenSecretUri})'
    }
  }
  // The app's identity must hold its roles before the host starts and reads storage and Key Vault.
  dependsOn: [ roles ]
}

module notifications 'modules/notifications.bicep' = if (deployNotificationTopic) {
  name: 'notifications'
  params: {
    location: location
    tags: tags
    name: 'evgt-notify-${resourceToken}'
    identityPrincipalId: identity.properties.principalId
  }
}

module events 'modules/events.bicep' = {
  name: 'events'
  params: {
    location: location
    tags: tags
    name: 'evgt-${resourceToken}'
    storageAccountName: storage.outputs.name
    identityId: identity.id
    deadLetterContainerName: deadLetterContainerName
    uploadQueues: uploadQueues
  }
  // Dead-lettering writes blobs with the identity.
  dependsOn: [ roles ]
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    location: location
    tags: tags
    namePrefix: resourceToken
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    refreshFunctions: refreshFunctions
    poisonFunctions: poisonFunctions
    staleAfterHours: staleAfterHours
    alertEmail: alertEmail
  }
}

// Outputs azd stores in the environment (.azure/<env>/.env) and docs/operations.md refers to.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_URL string = functionApp.outputs.url
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.endpoint
output AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID string = identity.properties.clientId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output EVENTGRID_SYSTEM_TOPIC_NAME string = events.outputs.systemTopicName
