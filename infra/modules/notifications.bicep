// Optional Event Grid custom topic for price-change notifications (subscriptions with destination
// `eventgrid`, docs/api.md#price-change-notifications). The app publishes CloudEvents 1.0 to it with its
// user-assigned identity, which gets "EventGrid Data Sender" on this topic only; local (key) auth is off.
param location string
param tags object
param name string
param identityPrincipalId string

// Built-in role definition id (the same in every tenant): EventGrid Data Sender.
var roleIds = {
  eventGridDataSender: 'd5a91429-5739-47e2-a06b-3470a27159e7'
}

resource topic 'Microsoft.EventGrid/topics@2022-06-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource appDataSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, identityPrincipalId, roleIds.eventGridDataSender)
  scope: topic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.eventGridDataSender)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// What the app posts to (NOTIFY_EVENTGRID_ENDPOINT), e.g. https://<name>.<region>-1.eventgrid.azure.net/api/events.
output endpoint string = topic.properties.endpoint
output name string = topic.name
