// Grants the scanner identity read access to ONE Azure Container Registry (tag metadata). Deployed by
// main.bicep with `scope: resourceGroup(subscriptionId, resourceGroup)` of the registry.
targetScope = 'resourceGroup'

@description('Name of the existing container registry in this resource group.')
param registryName string

@description('Object (principal) ID of the scanner\'s user-assigned managed identity.')
param principalId string

@description('True when the registry\'s role assignment permissions mode is "RBAC Registry + ABAC Repository Permissions" (roleAssignmentMode AbacRepositoryPermissions); AcrPull does not apply there.')
param repositoryPermissions bool = false

// Built-in role definitions (IDs are the same in every tenant).
var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d' // AcrPull
var repositoryReaderRoleId = 'b93aa761-3e63-49ed-ac28-beffa264f7ac' // Container Registry Repository Reader

var roleId = repositoryPermissions ? repositoryReaderRoleId : acrPullRoleId

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

// Registry data plane: read repositories' tag and manifest metadata.
resource registryReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, principalId, roleId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'acr-aks-sync: read tag metadata'
  }
}

output registryResourceId string = registry.id
