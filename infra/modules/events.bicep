// Event Grid system topic on the storage account, and one subscription per upload container that writes the
// container's BlobCreated events into a storage queue, where a queue-triggered function (runtime/registry.ts,
// queueFunction with `uploads`) takes them on its own schedule: Event Grid does not wait for the processing
// (a webhook or function destination gives up after 30 s), and the subscription needs no deployed code, so one
// provision creates everything. One event per queue message, Event Grid schema, Base64 text (which the
// Functions queue trigger decodes by default).
// Event Grid writes with the topic's system-assigned identity (Storage Queue Data Message Sender on its queue,
// nothing else); a write it cannot make is retried, then dead-lettered to a blob container with the app's
// user-assigned identity. The account has no shared keys.
param location string
param tags object
param name string
param storageAccountName string
param identityId string
param deadLetterContainerName string

@description('Upload containers and the queue each one\'s BlobCreated events go to: [{ container, queue }].')
param uploadQueues array

@description('Attempts to write an event into its queue before it is dead-lettered.')
@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int = 5

@description('Minutes Event Grid keeps retrying one event before dead-lettering it.')
param eventTimeToLiveInMinutes int = 1440

// Built-in role definition id (the same in every tenant).
var queueMessageSenderRoleId = 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = [
  for upload in uploadQueues: {
    parent: queueService
    name: upload.queue
  }
]

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned, UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

// Each queue, not the account: the topic's identity can put messages on the upload queues and nowhere else.
resource queueSenders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (upload, i) in uploadQueues: {
    name: guid(queues[i].id, systemTopic.id, queueMessageSenderRoleId)
    scope: queues[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', queueMessageSenderRoleId)
      principalId: systemTopic.identity.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource subscriptions 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = [
  for (upload, i) in uploadQueues: {
    parent: systemTopic
    name: upload.queue
    properties: {
      deliveryWithResourceIdentity: {
        identity: { type: 'SystemAssigned' }
        destination: {
          endpointType: 'StorageQueue'
          properties: {
            resourceId: storage.id
            queueName: upload.queue
            // Never expire: an upload whose event waits (the app stopped, a backlog) is still handled later.
            queueMessageTimeToLiveInSeconds: -1
          }
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
    // Event Grid writes with the identity as soon as the subscription exists.
    dependsOn: [ queueSenders ]
  }
]

output systemTopicName string = systemTopic.name
