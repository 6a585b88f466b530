// Key Vault (RBAC authorization) holding the Partner Center app secret and refresh token, and the key that
// signs the API's continuation tokens.
// A secret is written only when its parameter is non-empty, so re-provisioning never overwrites a value an
// operator stored with `az keyvault secret set`. App settings refer to the versionless secret URI (latest version).
param location string
param tags object
param name string

@secure()
param partnerCenterAppSecret string
@secure()
param partnerCenterRefreshToken string
@secure()
param pagingTokenSecret string

var appSecretName = 'partner-center-app-secret'
var refreshTokenName = 'partner-center-refresh-token'
var pagingTokenSecretName = 'paging-token-secret'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource appSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(partnerCenterAppSecret)) {
  parent: vault
  name: appSecretName
  properties: { value: partnerCenterAppSecret, contentType: 'Partner Center app registration client secret' }
}

resource refreshToken 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(partnerCenterRefreshToken)) {
  parent: vault
  name: refreshTokenName
  properties: { value: partnerCenterRefreshToken, contentType: 'Partner Center refresh token (secure application model)' }
}

resource pagingSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(pagingTokenSecret)) {
  parent: vault
  name: pagingTokenSecretName
  properties: { value: pagingTokenSecret, contentType: 'HMAC key of the API continuation tokens' }
}

output id string = vault.id
output name string = vault.name
output endpoint string = vault.properties.vaultUri
// Versionless URIs: the app always reads the latest version of each secret.
output appSecretUri string = '${vault.properties.vaultUri}secrets/${appSecretName}'
output refreshTokenUri string = '${vault.properties.vaultUri}secrets/${refreshTokenName}'
output pagingTokenSecretUri string = '${vault.properties.vaultUri}secrets/${pagingTokenSecretName}'
output appSecretName string = appSecretName
output refreshTokenName string = refreshTokenName
