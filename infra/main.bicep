// acr-aks-sync: Flex Consumption function app that compares the images running in AKS clusters with
// the newest production tags in Azure Container Registries and posts drift to Slack.
//
// Everything the app touches is reached with ONE user-assigned managed identity: host storage,
// alert-state table, fan-out queue, Application Insights ingestion, Key Vault references, the AKS
// clusters and the registries. No shared keys, no connection strings with secrets, no local auth.
//
// Deploy: see infra/README.md (azd up, or az deployment group create -f infra/main.bicep -p infra/main.bicepparam).
//
// Longer than the project's usual file: about half is documented parameters (what azd and the
// portal show) and the app settings, which test/infra checks against the code in one place. The
// parts that stand alone (cluster and registry access, network, alert) are modules.
targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

@description('An AKS cluster to scan. It may live in another resource group or subscription.')
type clusterType = {
  @description('AKS cluster (managedClusters) name.')
  name: string

  @description('Resource group of the cluster.')
  resourceGroup: string

  @description('Subscription of the cluster. Default: the deployment\'s subscription.')
  subscriptionId: string?

  @description('Short name used in messages and in the CLUSTERS setting. Default: the cluster name.')
  alias: string?

  @description('This cluster\'s own settings, written to the CLUSTER_SETTINGS app setting under its alias (or name). They win over the app-wide parameters and over the cluster\'s acr-aks-sync.* Azure tags; namespaces and workloads can still set their own.')
  settings: clusterSettingsType?
}

@description('Settings of one cluster. Each is optional: what is left out comes from the cluster\'s acr-aks-sync.* tags, else from the app-wide setting.')
type clusterSettingsType = {
  @description('Slack channel of the cluster\'s alerts, unless a namespace or workload names its own (e.g. #staging-alerts).')
  slackChannel: string?

  @description('Tags that count as releases on this cluster (e.g. staging-*).')
  tagPattern: string?

  @description('How long a newer tag may exist before running pods count as outdated on this cluster (e.g. 10m).')
  gracePeriod: string?

  @description('all: every workload is watched unless it opts out; annotated: only workloads or namespaces with acr-aks-sync.io/track: "true".')
  track: ('all' | 'annotated')?

  @description('Namespaces never scanned on this cluster, instead of excludedNamespaces (list the system namespaces too).')
  excludedNamespaces: string[]?

  @description('The cluster\'s name in Slack messages (e.g. Staging EU).')
  name: string?
}

@description('An Azure Container Registry whose tags are read. It may live in another resource group or subscription.')
type registryType = {
  @description('Registry name.')
  name: string

  @description('Login server. Default: <name> + the cloud\'s registry suffix (.azurecr.io).')
  loginServer: string?

  @description('Resource group of the registry.')
  resourceGroup: string

  @description('Subscription of the registry. Default: the deployment\'s subscription.')
  subscriptionId: string?

  @description('Send its ImagePushed events to the app (push-driven checks, with pushChecks). Default: true.')
  pushEvents: bool?

  @description('Name of the Event Grid system topic that already exists on the registry (only one may): reused, not created. It needs a system-assigned identity. Default: create evgt-<name>.')
  eventGridSystemTopic: string?

  @description('Resource group of that system topic. Default: the registry\'s.')
  eventGridSystemTopicResourceGroup: string?
}

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

@description('Short prefix for resource names: lowercase letters, digits and single hyphens, starting with a letter (e.g. acrsync).')
@minLength(2)
@maxLength(12)
param namePrefix string

// The regions that offered the Flex Consumption plan when this was written (as listed by the
// functions-quickstart-typescript-azd sample; `az functionapp list-flexconsumption-locations`
// gives today's list). azd offers only these when it asks for a location.
@description('Region of every resource created here. Must offer the Flex Consumption plan.')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Tags applied to every resource created here.')
param tags object = {}

@description('AKS clusters to scan. The identity gets Azure Kubernetes Service Cluster User Role and RBAC Reader on each.')
@minLength(1)
param clusters clusterType[]

@description('Container registries whose tags define "newest". The identity gets AcrPull and Container Registry Repository Reader on each.')
@minLength(1)
param registries registryType[]

@description('Slack channel for alerts (chat.postMessage with a bot token; legacy webhooks only).')
param slackChannel string

// Which credentials the app uses is configuration, kept in the parameter file; the secret values
// are only needed when they are first stored or rotated. So a deployment without the secrets in
// the environment keeps the app settings pointing at the secrets already in Key Vault.
@description('Slack credentials the app reads from Key Vault: botToken, webhook, both, or none (alerts off).')
@allowed([
  'botToken'
  'webhook'
  'both'
  'none'
])
param slackCredentials string

@description('Slack incoming-webhook URL. Stored in Key Vault when given; empty = keep the stored secret.')
@secure()
param slackWebhookUrl string = ''

@description('Slack bot token (xoxb-...). Stored in Key Vault when given; empty = keep the stored secret.')
@secure()
param slackBotToken string = ''

@description('Human-readable channel name shown in messages. Empty = code default.')
param slackChannelLabel string = ''

@description('Icon emoji for messages, e.g. :rotating_light:. Empty = code default.')
param slackIconEmoji string = ''

@description('User name for messages. Empty = code default.')
param slackUsername string = ''

@description('Six-field NCRONTAB schedule of the timer trigger.')
param scanSchedule string = '0 */5 * * * *'

@description('Tag pattern that marks production images, e.g. prod-*.')
param tagPattern string = 'prod-*'

@description('How long a newer tag may exist before running pods count as outdated.')
param gracePeriod string = '3m'

@description('How often an unresolved alert is repeated.')
param notifyRepeatInterval string = '6h'

@description('Post a message when drift is resolved ("true"/"false"). Empty = code default.')
@allowed([
  ''
  'true'
  'false'
])
param notifyResolved string = ''

@description('inline = scan every cluster in the timer invocation; queue = one queue message per cluster.')
@allowed([
  'inline'
  'queue'
])
param scanFanout string = 'inline'

@description('Per-cluster time budget, e.g. 2m. Empty = code default.')
param clusterTimeout string = ''

@description('Maximum tags read per repository. Empty = code default.')
param acrMaxResults string = ''

@description('Parallel registry requests. Empty = code default.')
param acrConcurrency string = ''

@description('Namespaces never scanned. Empty = code default.')
param excludedNamespaces string[] = []

@description('Verbose diagnostic logging (ACR_SYNC_DEBUG).')
param debug bool = false

@description('Table holding alert state (letters and digits, 3-63 characters, starting with a letter).')
@minLength(3)
@maxLength(63)
param stateTableName string = 'acrsyncstate'

@description('Queue for per-cluster fan-out and for the checks pushes schedule (lowercase letters, digits and hyphens, 3-63 characters).')
@minLength(3)
@maxLength(63)
param scanQueueName string = 'acrsync-clusters'

@description('Push-driven checks: each registry\'s ImagePushed events go through Event Grid to pushQueueName, and the clusters running the pushed repository are checked at push time + grace period (PUSH_CHECKS). The timer keeps scanning everything.')
param pushChecks bool = true

@description('Queue Event Grid writes the ImagePushed events to (PUSH_QUEUE; lowercase letters, digits and hyphens, 3-63 characters).')
@minLength(3)
@maxLength(63)
param pushQueueName string = 'acrsync-pushes'

@description('Flex Consumption instance memory size.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Flex Consumption maximum instance count.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Log Analytics retention in days.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Integrate the app with a new virtual network whose NAT gateway gives it one static outbound IP (output outboundIpAddress), for clusters with authorized IP ranges and registries behind a firewall.')
param vnetEnabled bool = false

@description('Address space of that virtual network (vnetEnabled only).')
param vnetAddressPrefix string = '10.60.0.0/24'

@description('The app\'s subnet inside it (vnetEnabled only).')
param appSubnetPrefix string = '10.60.0.0/26'

@description('Alert when no successful scan was logged for this long.')
@allowed([
  'PT30M'
  'PT1H'
  'PT3H'
  'PT6H'
  'PT12H'
  'P1D'
])
param scanAlertWindow string = 'PT1H'

@description('E-mail address told when no successful scan was logged in scanAlertWindow. Empty = the alert shows in Azure Monitor only.')
param alertEmail string = ''

// ---------------------------------------------------------------------------------------------
// Names and constants
// ---------------------------------------------------------------------------------------------

// Bicep has no regular expressions: every character must be one of these, and the names built below
// need no leading, trailing or doubled hyphen (Key Vault rejects "--").
var prefixCharacters = 'abcdefghijklmnopqrstuvwxyz0123456789-'
var prefixIsValid = empty(filter(range(0, length(namePrefix)), i => !contains(prefixCharacters, substring(namePrefix, i, 1)))) && !contains(namePrefix, '--') && !startsWith(namePrefix, '-') && !endsWith(namePrefix, '-') && !contains('0123456789', substring(namePrefix, 0, 1))
var prefix = prefixIsValid ? namePrefix : fail('namePrefix "${namePrefix}" must be 2-12 lowercase letters, digits and single hyphens, starting with a letter, e.g. acrsync')

var resourceToken = uniqueString(resourceGroup().id, prefix)
var identityName = 'id-${prefix}-${resourceToken}'
var storageAccountName = take('st${replace(prefix, '-', '')}${resourceToken}', 24)
var logAnalyticsName = 'log-${prefix}-${resourceToken}'
var appInsightsName = 'appi-${prefix}-${resourceToken}'
var keyVaultName = take('kv-${prefix}-${resourceToken}', 24)
var planName = 'plan-${prefix}-${resourceToken}'
var functionAppName = 'func-${prefix}-${resourceToken}'
var deploymentContainerName = 'app-package'
var slackWebhookSecretName = 'slack-webhook-url'
var slackBotTokenSecretName = 'slack-bot-token'
var useSlackWebhook = slackCredentials == 'webhook' || slackCredentials == 'both'
var useSlackBotToken = slackCredentials == 'botToken' || slackCredentials == 'both'

// Service name in azure.yaml; azd finds the app to deploy to by this tag.
var azdServiceName = 'scanner'

// Built-in role definitions (IDs are the same in every tenant). Cluster and registry roles are in
// modules/clusterAccess.bicep and modules/registryAccess.bicep.
var storageBlobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
var storageQueueDataContributorRoleId = '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
var monitoringMetricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User
var storageQueueDataMessageSenderRoleId = 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a' // Storage Queue Data Message Sender

// Push-driven checks, per registry: its Event Grid system topic (created, or the existing one named).
var pushTopics = [
  for registry in registries: {
    enabled: pushChecks && (registry.?pushEvents ?? true)
    name: registry.?eventGridSystemTopic ?? 'evgt-${registry.name}'
    subscriptionId: registry.?subscriptionId ?? subscription().subscriptionId
    resourceGroup: registry.?eventGridSystemTopicResourceGroup ?? registry.resourceGroup
  }
]

// ---------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: identityName
  location: location
  tags: tags
}

// ---------------------------------------------------------------------------------------------
// Storage: host storage, deployment package, alert state, fan-out queue (Entra ID only)
// ---------------------------------------------------------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2026-09-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }

  resource tableService 'tableServices' = {
    name: 'default'

    resource stateTable 'tables' = {
      name: stateTableName
    }
  }

  resource queueService 'queueServices' = {
    name: 'default'

    resource scanQueue 'queues' = {
      name: scanQueueName
    }

    resource pushQueue 'queues' = {
      name: pushQueueName
    }
  }
}

// Role assignment names use identity.id rather than its principalId: a name must be known when the
// deployment starts, and the principalId of an identity created in this deployment is not.

// Host storage (AzureWebJobsStorage) and the Flex deployment package container.
resource storageBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, storageBlobDataOwnerRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwnerRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Alert state table.
resource storageTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, storageTableDataContributorRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributorRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Cluster fan-out queue (send, and the queue trigger's receive/delete).
resource storageQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, storageQueueDataContributorRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributorRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------
// Monitoring (Entra ID ingestion only)
// ---------------------------------------------------------------------------------------------

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionInDays
    features: {
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
  }
}

resource appInsightsMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, monitoringMetricsPublisherRoleId)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------
// Key Vault (RBAC mode) for the Slack credentials
// ---------------------------------------------------------------------------------------------

resource keyVault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    // RBAC mode ignores access policies; an explicit empty list keeps the API from asking for one.
    accessPolicies: []
    enableSoftDelete: true
    publicNetworkAccess: 'Enabled'
  }
}

// A secret is written only when its value is given, so a deployment without it keeps the stored one.
resource slackWebhookSecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = if (!empty(slackWebhookUrl)) {
  parent: keyVault
  name: slackWebhookSecretName
  properties: {
    value: slackWebhookUrl
    contentType: 'text/plain'
  }
}

resource slackBotTokenSecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = if (!empty(slackBotToken)) {
  parent: keyVault
  name: slackBotTokenSecretName
  properties: {
    value: slackBotToken
    contentType: 'text/plain'
  }
}

// Lets the platform resolve @Microsoft.KeyVault(...) app settings with the identity.
resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, keyVaultSecretsUserRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------
// Access to the clusters and registries (each in its own resource group / subscription)
// ---------------------------------------------------------------------------------------------

module clusterAccess 'modules/clusterAccess.bicep' = [
  for (cluster, i) in clusters: {
    name: take('acr-aks-sync-${resourceToken}-cluster-${i}', 64)
    scope: resourceGroup(cluster.?subscriptionId ?? subscription().subscriptionId, cluster.resourceGroup)
    params: {
      clusterName: cluster.name
      principalId: identity.properties.principalId
      identityResourceId: identity.id
    }
  }
]

module registryAccess 'modules/registryAccess.bicep' = [
  for (registry, i) in registries: {
    name: take('acr-aks-sync-${resourceToken}-registry-${i}', 64)
    scope: resourceGroup(registry.?subscriptionId ?? subscription().subscriptionId, registry.resourceGroup)
    params: {
      registryName: registry.name
      principalId: identity.properties.principalId
      identityResourceId: identity.id
    }
  }
]

// ---------------------------------------------------------------------------------------------
// Push-driven checks: each registry's ImagePushed events, through its Event Grid system topic, to
// the push queue, delivered with the topic's own identity (no keys). The subscription is made after
// the identity's role on the queue, so the first events are not refused.
// ---------------------------------------------------------------------------------------------

module pushEventTopic 'modules/pushEventTopic.bicep' = [
  for (registry, i) in registries: if (pushTopics[i].enabled) {
    name: take('acr-aks-sync-${resourceToken}-topic-${i}', 64)
    scope: resourceGroup(pushTopics[i].subscriptionId, pushTopics[i].resourceGroup)
    params: {
      registryName: registry.name
      registryResourceGroup: registry.resourceGroup
      existingTopicName: registry.?eventGridSystemTopic ?? ''
      newTopicName: pushTopics[i].name
      location: registryAccess[i].outputs.location
      tags: tags
    }
  }
]

// Only sending, only to the push queue. Named from the topic's resource ID, known when the deployment starts.
resource pushQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (registry, i) in registries: if (pushTopics[i].enabled) {
    name: guid(
      storage::queueService::pushQueue.id,
      resourceId(pushTopics[i].subscriptionId, pushTopics[i].resourceGroup, 'Microsoft.EventGrid/systemTopics', pushTopics[i].name),
      storageQueueDataMessageSenderRoleId
    )
    scope: storage::queueService::pushQueue
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataMessageSenderRoleId)
      principalId: pushEventTopic[i]!.outputs.principalId
      principalType: 'ServicePrincipal'
      description: 'acr-aks-sync: Event Grid delivers ${registry.name}\'s ImagePushed events'
    }
  }
]

module pushEventSubscription 'modules/pushEventSubscription.bicep' = [
  for (registry, i) in registries: if (pushTopics[i].enabled) {
    name: take('acr-aks-sync-${resourceToken}-events-${i}', 64)
    scope: resourceGroup(pushTopics[i].subscriptionId, pushTopics[i].resourceGroup)
    params: {
      topicName: pushTopics[i].name
      subscriptionName: 'acr-aks-sync-${resourceToken}'
      storageAccountId: storage.id
      queueName: pushQueueName
    }
    dependsOn: [
      pushQueueSender
    ]
  }
]

// ---------------------------------------------------------------------------------------------
// Optional VNet integration, the dead man's switch and the workbook
// ---------------------------------------------------------------------------------------------

module network 'modules/network.bicep' = if (vnetEnabled) {
  name: take('acr-aks-sync-${resourceToken}-network', 64)
  params: {
    location: location
    tags: tags
    virtualNetworkName: 'vnet-${prefix}-${resourceToken}'
    natGatewayName: 'ng-${prefix}-${resourceToken}'
    publicIpName: 'pip-${prefix}-${resourceToken}'
    addressPrefix: vnetAddressPrefix
    appSubnetPrefix: appSubnetPrefix
  }
}

module scanAlert 'modules/scanAlert.bicep' = {
  name: take('acr-aks-sync-${resourceToken}-scan-alert', 64)
  params: {
    location: location
    tags: tags
    alertRuleName: 'alert-${prefix}-${resourceToken}-no-scan'
    actionGroupName: 'ag-${prefix}-${resourceToken}'
    appInsightsId: appInsights.id
    window: scanAlertWindow
    alertEmail: alertEmail
  }
}

// The workbook: the estate's drift over time and the scanner's health, from the app's metrics.
module workbook 'modules/workbook.bicep' = {
  name: take('acr-aks-sync-${resourceToken}-workbook', 64)
  params: {
    location: location
    tags: tags
    appInsightsId: appInsights.id
    displayName: 'acr-aks-sync (${prefix}): image drift'
  }
}

// ---------------------------------------------------------------------------------------------
// Function app (Flex Consumption, Linux, Node 22)
// ---------------------------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: functionAppName
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    virtualNetworkSubnetId: vnetEnabled ? network!.outputs.appSubnetId : null
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
  dependsOn: [
    storageBlobDataOwner
    storage::blobService::deploymentContainer
  ]
}

// No FTP or basic-auth (publishing profile) deployments: azd, `az` and Core Tools deploy with Entra ID.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

// App settings: exactly the variables the code reads (src/config/config.ts) plus the platform's
// identity-based host storage and Application Insights settings.
var requiredAppSettings = {
  // Functions host storage through the managed identity (no connection string, no key). The
  // service URIs come from the account itself, so sovereign clouds get their own endpoints.
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'

  // The identity every Azure SDK credential in the code uses, and this cloud's Resource Manager.
  AZURE_CLIENT_ID: identity.properties.clientId
  ARM_ENDPOINT: environment().resourceManager

  // What to scan: alias=resourceId of each cluster, login server of each registry.
  CLUSTERS: join(
    map(
      clusters,
      cluster =>
        '${cluster.?alias ?? cluster.name}=${resourceId(cluster.?subscriptionId ?? subscription().subscriptionId, cluster.resourceGroup, 'Microsoft.ContainerService/managedClusters', cluster.name)}'
    ),
    ','
  )
  REGISTRIES: join(
    map(
      registries,
      registry => registry.?loginServer ?? toLower('${registry.name}${environment().suffixes.acrLoginServer}')
    ),
    ','
  )
  TAG_PATTERN: tagPattern
  GRACE_PERIOD: gracePeriod
  SCAN_SCHEDULE: scanSchedule
  SCAN_FANOUT: scanFanout
  SCAN_QUEUE: scanQueueName
  STATE_TABLE: stateTableName
  PUSH_CHECKS: pushChecks ? 'true' : 'false'
  PUSH_QUEUE: pushQueueName
  SLACK_CHANNEL: slackChannel
}

// CLUSTER_SETTINGS: each cluster's own settings, keyed as it is named in CLUSTERS (alias, else name).
var clusterSettings = toObject(filter(clusters, cluster => cluster.?settings != null), cluster => cluster.?alias ?? cluster.name, cluster => cluster.?settings)

// Optional settings are only written when given, so the code's defaults apply otherwise.
var optionalAppSettings = toObject(
  filter(
    items({
      NOTIFY_REPEAT_INTERVAL: notifyRepeatInterval
      NOTIFY_RESOLVED: notifyResolved
      CLUSTER_TIMEOUT: clusterTimeout
      ACR_MAX_RESULTS: acrMaxResults
      ACR_CONCURRENCY: acrConcurrency
      EXCLUDED_NAMESPACES: join(excludedNamespaces, ',')
      SLACK_CHANNEL_LABEL: slackChannelLabel
      SLACK_ICON_EMOJI: slackIconEmoji
      SLACK_USERNAME: slackUsername
      ACR_SYNC_DEBUG: debug ? 'true' : ''
      CLUSTER_SETTINGS: empty(clusterSettings) ? '' : string(clusterSettings)
    }),
    setting => !empty(setting.value)
  ),
  setting => setting.key,
  setting => setting.value
)

// Slack credentials: Key Vault references to the secrets named by slackCredentials, whether or not
// this deployment carries their values. A reference to a secret that is missing reaches the app
// unresolved; the app then scans without notifications and fails the invocation, so it is seen.
var slackSecretAppSettings = union(
  useSlackWebhook
    ? {
        SLACK_WEBHOOK_URL: '@Microsoft.KeyVault(SecretUri=${keyVault.properties.vaultUri}secrets/${slackWebhookSecretName})'
      }
    : {},
  useSlackBotToken
    ? {
        SLACK_BOT_TOKEN: '@Microsoft.KeyVault(SecretUri=${keyVault.properties.vaultUri}secrets/${slackBotTokenSecretName})'
      }
    : {}
)

resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(requiredAppSettings, optionalAppSettings, slackSecretAppSettings)
  dependsOn: [
    storageBlobDataOwner
    storageTableDataContributor
    storageQueueDataContributor
    appInsightsMetricsPublisher
    keyVaultSecretsUser
    slackWebhookSecret
    slackBotTokenSecret
    storage::tableService::stateTable
    storage::queueService::scanQueue
    storage::queueService::pushQueue
  ]
}

// ---------------------------------------------------------------------------------------------
// Outputs (names and IDs only; never a secret). azd keeps them as environment values.
// ---------------------------------------------------------------------------------------------

output functionAppName string = functionApp.name
output functionAppHostName string = functionApp.properties.defaultHostName
output identityPrincipalId string = identity.properties.principalId
output identityClientId string = identity.properties.clientId
output identityResourceId string = identity.id
output keyVaultName string = keyVault.name
output storageAccountName string = storage.name
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
output scanAlertRuleId string = scanAlert.outputs.alertRuleId
output workbookId string = workbook.outputs.workbookId

@description('The app\'s one outbound IP when vnetEnabled; empty otherwise. Allow-list it on clusters\' authorized IP ranges and registry firewalls.')
output outboundIpAddress string = vnetEnabled ? network!.outputs.outboundIpAddress : ''

@description('Per cluster, whether it authorizes Kubernetes requests with Azure RBAC (read from its aadProfile). Apply infra/k8s-rbac.yaml to those with azureRbac false.')
output clusterAuthorization object[] = [
  for (cluster, i) in clusters: {
    name: cluster.name
    azureRbac: clusterAccess[i].outputs.azureRbac
  }
]
