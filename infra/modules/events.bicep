// Event Grid system topic on the storage account and one subscription per upload function.
// The upload handlers are Event Grid triggers (runtime/registry.ts, app.eventGrid): they receive
// Microsoft.Storage.BlobCreated events and stream the blob themselves. A handler that keeps failing is not
// retried forever: after maxDeliveryAttempts the event is dead-lettered to a blob container (written with the
// user-assigned identity, since the account has no shared keys).
param location string
param tags object
param name string
param storageAccountName string
param identityId string
param functionAppName string
param deadLetterContainerName string

@description('Upload handlers and the container each one watches: [{ functionName, container }].')
param uploadFunctions array

@description('ARM checks that a function exists when a subscription points at it, so subscriptions can only be created once the code is deployed.')
param deployEventSubscriptions bool

@description('Delivery attempts before an event is dead-lettered.')
@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int = 5

@description('Minutes Event Grid keeps retrying one event before dead-lettering it.')
param eventTimeToLiveInMinutes int = 1440

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource subscriptions 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = [
  for upload in uploadFunctions: if (deployEventSubscriptions) {
    parent: systemTopic
    name: toLower(upload.functionName)
    properties: {
      destination: {
        endpointType: 'AzureFunction'
        properties: {
          resourceId: '${functionApp.id}/functions/${upload.functionName}'
          maxEventsPerBatch: 1
          preferredBatchSizeInKilobytes: 64
        }
      }
      eventDeliverySchema: 'EventGridSchema'
      filter: {
        includedEventTypes: [ 'Microsoft.Storage.BlobCreated' ]
        // The trailing slash keeps <container>-processed and <container>-quarantine out.
        subjectBeginsWith: '/blobServices/default/containers/${upload.container}/'
        // Only committed blobs (not every block of a large upload).
        advancedFilters: [
          {
            operatorType: 'StringIn'
            key: 'data.api'
            values: [ 'PutBlob', 'PutBlockList', 'CopyBlob', 'FlushWithClose' ]
          }
        ]
      }
      retryPolicy: {
        maxDeliveryAttempts: maxDeliveryAttempts
        eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
      }
      deadLetterWithResourceIdentity: {
        identity: {
          type: 'UserAssigned'
          userAssignedIdentity: identityId
        }
        deadLetterDestination: {
          endpointType: 'StorageBlob'
          properties: {
            resourceId: storage.id
            blobContainerName: deadLetterContainerName
          }
        }
      }
    }
  }
]

output systemTopicName string = systemTopic.name
