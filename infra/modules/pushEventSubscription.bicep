// The event subscription that delivers ONE registry's ImagePushed events to the app's push queue, with
// the system topic's own identity (no keys, nothing to create after the code is deployed). Deployed by
// main.bicep into the topic's resource group after the identity's role on the queue.
targetScope = 'resourceGroup'

@description('Name of the registry\'s Event Grid system topic (pushEventTopic.bicep).')
param topicName string

@description('Name of the event subscription; one per app, so several apps can share a registry\'s topic.')
@minLength(3)
@maxLength(64)
param subscriptionName string

@description('Resource ID of the app\'s storage account.')
param storageAccountId string

@description('The push queue (PUSH_QUEUE) in that account.')
param queueName string

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: topicName
}

// EventGridSchema is what the app decodes (src/push/imagePushedEvent.ts). An event waits in the queue
// for a day at most: by then the timer has long checked every cluster. Event Grid retries a failed
// delivery for a day (30 attempts), which covers a role that is not yet effective after a first deployment.
resource imagePushed 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: subscriptionName
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.ContainerRegistry.ImagePushed'
      ]
    }
    deliveryWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: storageAccountId
          queueName: queueName
          queueMessageTimeToLiveInSeconds: 86400
        }
      }
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output eventSubscriptionId string = imagePushed.id
