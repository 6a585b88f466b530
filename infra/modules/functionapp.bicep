// Flex Consumption (FC1) function app on Node.js 22, running as the user-assigned identity.
// The deployment package lives in a blob container read with that identity (no storage keys).
param location string
param tags object
param name string
param planName string
param identityId string
param identityClientId string
param deploymentStorageContainerUrl string
param instanceMemoryMB int
param maximumInstanceCount int

@description('Origins allowed to call the API from a browser (the platform CORS answers preflights and adds Access-Control-Allow-Origin; the app adds only Access-Control-Expose-Headers).')
param corsAllowedOrigins array

@description('App settings (name → value). Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and WEBSITE_* runtime settings: the runtime is set in functionAppConfig.')
param appSettings object

// package.json engines is ">=20"; Node 20 is end of life, so Azure runs the current LTS the code also supports.
var runtimeName = 'node'
var runtimeVersion = '22'

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references in app settings are resolved with the user-assigned identity.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      cors: {
        allowedOrigins: corsAllowedOrigins
        supportCredentials: false
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentStorageContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaling: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: runtimeName
        version: runtimeVersion
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: appSettings
  }
}

// No FTP or basic-auth publishing: azd and az deploy with Entra ID.
resource ftp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: { allow: false }
}

resource scm 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: { allow: false }
}

output id string = site.id
output name string = site.name
output url string = 'https://${site.properties.defaultHostName}'
output identityClientId string = identityClientId
