// The Event Grid system topic of ONE container registry, for push-driven checks: created here with a
// system-assigned identity, or an existing one named by the registry entry (only one system topic may
// exist per registry). Deployed by main.bicep with `scope: resourceGroup(subscriptionId, topic's
// resource group)`; its identity is then granted Storage Queue Data Message Sender on the app's push
// queue (main.bicep), and pushEventSubscription.bicep adds the subscription that delivers there.
targetScope = 'resourceGroup'

@description('Name of the existing container registry.')
param registryName string

@description('Resource group of the registry (the topic may live in another one of the same subscription).')
param registryResourceGroup string

@description('Name of an existing system topic on the registry; empty = create newTopicName.')
param existingTopicName string = ''

@description('Name of the system topic to create when existingTopicName is empty.')
param newTopicName string

@description('Region of a topic created here: the registry\'s (a system topic lives in its source\'s region).')
param location string

@description('Tags of a topic created here.')
param tags object = {}

resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' existing = {
  name: registryName
  scope: resourceGroup(registryResourceGroup)
}

// Its identity delivers to the queue (no keys).
resource createdTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = if (empty(existingTopicName)) {
  name: newTopicName
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: registry.id
    topicType: 'Microsoft.ContainerRegistry.Registries'
  }
}

resource reusedTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = if (!empty(existingTopicName)) {
  name: existingTopicName
}

// An existing topic is used as it is (it may carry other subscriptions, tags and identities), so it
// must already be on this registry and have a system-assigned identity; the deployment says so otherwise.
var reusedIdentityType = reusedTopic.?identity.?type ?? 'None'
var reusedPrincipalId = toLower(reusedTopic!.properties.source) != toLower(registry.id)
  ? fail('Event Grid system topic ${existingTopicName} is not on registry ${registryName}: name the registry\'s own system topic in eventGridSystemTopic')
  : contains(reusedIdentityType, 'SystemAssigned')
      ? reusedTopic!.identity.principalId
      : fail('Event Grid system topic ${existingTopicName} has no system-assigned identity: enable it (az eventgrid system-topic update -g <rg> -n ${existingTopicName} --identity systemassigned) and deploy again')

output topicName string = empty(existingTopicName) ? newTopicName : existingTopicName

@description('Object ID of the topic\'s system-assigned identity, which delivers the events.')
output principalId string = empty(existingTopicName) ? createdTopic!.identity.principalId : reusedPrincipalId
