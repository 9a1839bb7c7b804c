// Grants the scanner identity read access to ONE Azure Container Registry (tag metadata). Deployed by
// main.bicep with `scope: resourceGroup(subscriptionId, resourceGroup)` of the registry.
//
// Both read-only roles are assigned: AcrPull is honoured in the default "RBAC Registry Permissions"
// mode and ignored in "RBAC Registry + ABAC Repository Permissions" mode, where Container Registry
// Repository Reader applies instead. Assigning both keeps access when a registry changes modes.
targetScope = 'resourceGroup'

@description('Name of the existing container registry in this resource group.')
param registryName string

@description('Object (principal) ID of the scanner\'s user-assigned managed identity.')
param principalId string

@description('Resource ID of that identity; known when the deployment starts, so it names the role assignments.')
param identityResourceId string

// Built-in role definitions (IDs are the same in every tenant).
var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d' // AcrPull
var repositoryReaderRoleId = 'b93aa761-3e63-49ed-ac28-beffa264f7ac' // Container Registry Repository Reader

resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' existing = {
  name: registryName
}

// Registry data plane, default permissions mode: read repositories' tag and manifest metadata.
resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, identityResourceId, acrPullRoleId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'acr-aks-sync: read tag metadata'
  }
}

// The same, for registries in ABAC repository permissions mode.
resource repositoryReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, identityResourceId, repositoryReaderRoleId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', repositoryReaderRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'acr-aks-sync: read tag metadata (ABAC repository permissions mode)'
  }
}

output registryResourceId string = registry.id

@description('The registry\'s region, where its Event Grid system topic must be (main.bicep, push checks).')
output location string = registry.location

@description('The registry\'s role assignment permissions mode, for the record.')
output roleAssignmentMode string = registry.properties.?roleAssignmentMode ?? 'LegacyRegistryPermissions'
