// Parameters for infra/main.bicep. Replace the placeholder values with your clusters, registries and
// channel. The Slack credentials are never written here: they are read from environment variables
// when the file is compiled (export SLACK_WEBHOOK_URL and/or SLACK_BOT_TOKEN before deploying).
using './main.bicep'

param namePrefix = 'acrsync'

param clusters = [
  {
    name: 'aks-prod-weu'
    resourceGroup: 'rg-aks-prod-weu'
    subscriptionId: '00000000-0000-0000-0000-000000000000'
    alias: 'prod-weu'
    azureRbac: true
  }
  {
    name: 'aks-prod-neu'
    resourceGroup: 'rg-aks-prod-neu'
    alias: 'prod-neu'
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
    repositoryPermissions: true
  }
]

param slackChannel = '#platform-image-drift'

param slackWebhookUrl = readEnvironmentVariable('SLACK_WEBHOOK_URL', '')
param slackBotToken = readEnvironmentVariable('SLACK_BOT_TOKEN', '')

param scanSchedule = '0 */5 * * * *'
param tagPattern = 'prod-*'
param gracePeriod = '3m'
param notifyRepeatInterval = '6h'
param scanFanout = 'inline'
