// Dead man's switch for the scanner: a log alert that fires when Application Insights has seen no
// successful scan for `window`. A successful scan is the `scan finished` line that
// src/functions/invocation.ts (logSummary) logs after every scan, with at least one cluster
// scanned and Slack notifications on. Configuration errors, an identity that gets 403 everywhere and
// an unresolved Key Vault reference all end in no such line, so the alert fires instead of the drift
// alerts silently stopping. test/infra checks that the query names the message the code logs.
targetScope = 'resourceGroup'

param location string
param tags object
param alertRuleName string
param actionGroupName string

@description('Application Insights component the app logs to.')
param appInsightsId string

@description('Fire when no successful scan was logged for this long (ISO 8601 duration).')
param window string

@description('E-mail address for the alert; empty = no action group (the alert shows in Azure Monitor only).')
param alertEmail string

var successfulScanQuery = join(
  [
    'traces'
    '| where message startswith "scan finished "'
    '| extend clusters = toint(extract(@"\\bclusters=(\\d+)", 1, message)), failed = toint(extract(@"\\bclustersFailed=(\\d+)", 1, message))'
    '| where clusters > failed and message !contains "notifications=off"'
  ],
  '\n'
)

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: actionGroupName
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'acraksscan'
    enabled: true
    emailReceivers: [
      {
        name: 'scan-owner'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource noSuccessfulScan 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: alertRuleName
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'acr-aks-sync: no successful scan'
    description: 'No successful acr-aks-sync scan was logged in the window: drift alerts have stopped. Look for "configuration error", "notifications are off" or failed clusters in the function app\'s traces.'
    severity: 1
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: window
    criteria: {
      allOf: [
        {
          query: successfulScanQuery
          timeAggregation: 'Count'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: empty(alertEmail) ? [] : [actionGroup.id]
    }
  }
}

output alertRuleId string = noSuccessfulScan.id
