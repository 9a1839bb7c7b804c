// The acr-aks-sync workbook on the app's Application Insights: drift over time by cluster and by
// team channel, where it lags now, and the scanner's health (scan time, failures and their
// reasons, last success per cluster, registry throttling, Slack). Its content is ../workbook.json,
// whose queries test/infra/workbook.test.ts checks against the metric names, dimensions and log
// lines the code emits, so a rename cannot silently empty a chart.
targetScope = 'resourceGroup'

param location string
param tags object

@description('Application Insights component whose metrics and traces the workbook shows.')
param appInsightsId string

@description('Name shown in the portal\'s workbook gallery.')
param displayName string

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; this one is stable per resource group and component.
  name: guid(resourceGroup().id, appInsightsId, 'acr-aks-sync-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    // Lower case, as the portal matches it to list the workbook under the component.
    sourceId: toLower(appInsightsId)
    serializedData: loadTextContent('../workbook.json')
  }
}

output workbookId string = workbook.id
