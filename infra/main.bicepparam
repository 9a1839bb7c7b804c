// Parameters for infra/main.bicep. Replace the placeholder values with your clusters, registries and
// channel. The Slack credentials are never written here: they are read from environment variables
// when the file is compiled (export SLACK_WEBHOOK_URL and/or SLACK_BOT_TOKEN the first time and when
// rotating; later deployments without them keep the secrets already in Key Vault).
using './main.bicep'

param namePrefix = 'acrsync'

// azd sets AZURE_LOCATION (azd env set AZURE_LOCATION ...); by hand, export it or edit the default.
param location = readEnvironmentVariable('AZURE_LOCATION', 'westeurope')

param clusters = [
  {
    name: 'aks-prod-weu'
    resourceGroup: 'rg-aks-prod-weu'
    subscriptionId: '00000000-0000-0000-0000-000000000000'
    alias: 'prod-weu'
  }
  {
    name: 'aks-prod-neu'
    resourceGroup: 'rg-aks-prod-neu'
    alias: 'prod-neu'
  }
  {
    name: 'aks-staging-weu'
    resourceGroup: 'rg-aks-staging-weu'
    alias: 'staging'
    // This cluster's own settings (CLUSTER_SETTINGS): staging releases staging-* builds to its own channel.
    settings: {
      tagPattern: 'staging-*'
      slackChannel: '#staging-alerts'
      gracePeriod: '10m'
    }
  }
]

param registries = [
  {
    name: 'contosoprod'
    resourceGroup: 'rg-acr'
  }
  {
    name: 'contosoabac'
    resourceGroup: 'rg-acr'
    subscriptionId: '00000000-0000-0000-0000-000000000000'
    // This registry already has an Event Grid system topic (only one is allowed per registry): reuse it.
    eventGridSystemTopic: 'contosoabac-events'
  }
]

param slackChannel = '#platform-image-drift'

// Which stored secrets the app uses: botToken, webhook, both, or none.
param slackCredentials = 'botToken'
param slackWebhookUrl = readEnvironmentVariable('SLACK_WEBHOOK_URL', '')
param slackBotToken = readEnvironmentVariable('SLACK_BOT_TOKEN', '')

param scanSchedule = '0 */5 * * * *'
param tagPattern = 'prod-*'
param gracePeriod = '3m'
param notifyRepeatInterval = '6h'
param scanFanout = 'inline'

// Push-driven checks: ImagePushed events through Event Grid; each push checks the clusters running it at push + gracePeriod.
param pushChecks = true

// One static outbound IP for clusters with authorized IP ranges and registry firewalls (see infra/README.md).
param vnetEnabled = false

// Dead man's switch: alert when no successful scan was logged for this long; e-mail optional.
param scanAlertWindow = 'PT1H'
param alertEmail = ''
