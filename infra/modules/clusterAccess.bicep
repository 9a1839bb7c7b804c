// Grants the scanner identity read access to ONE AKS cluster. Deployed by main.bicep with
// `scope: resourceGroup(subscriptionId, resourceGroup)` of the cluster, so the cluster may live in
// another resource group or subscription than the function app.
//
// Both read-only roles are assigned to every cluster: Azure Kubernetes Service RBAC Reader only
// takes effect on clusters with Azure RBAC for Kubernetes authorization, and is harmless elsewhere.
// A hand-set flag that chose one of them gave the identity a role that did nothing when it was wrong.
targetScope = 'resourceGroup'

@description('Name of the existing AKS cluster in this resource group.')
param clusterName string

@description('Object (principal) ID of the scanner\'s user-assigned managed identity.')
param principalId string

@description('Resource ID of that identity; known when the deployment starts, so it names the role assignments.')
param identityResourceId string

// Built-in role definitions (IDs are the same in every tenant).
var clusterUserRoleId = '4abbcc35-e782-43d8-92c5-2d3f1bd2253f' // Azure Kubernetes Service Cluster User Role
var rbacReaderRoleId = '7f6c6a51-bcf8-42ba-9220-52d62157d7db' // Azure Kubernetes Service RBAC Reader

resource cluster 'Microsoft.ContainerService/managedClusters@2026-08-01' existing = {
  name: clusterName
}

// ARM: managedClusters/read + listClusterUserCredential (server URL and CA of the API server).
resource clusterUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, identityResourceId, clusterUserRoleId)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', clusterUserRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'acr-aks-sync: read the cluster and list its user kubeconfig'
  }
}

// Kubernetes API on Azure RBAC clusters: read namespaces and pods in every namespace.
resource rbacReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, identityResourceId, rbacReaderRoleId)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', rbacReaderRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'acr-aks-sync: list namespaces and pods through the Kubernetes API (Azure RBAC clusters)'
  }
}

output clusterResourceId string = cluster.id

@description('False: the cluster authorizes Kubernetes requests with Kubernetes RBAC; apply infra/k8s-rbac.yaml to it.')
output azureRbac bool = cluster.properties.?aadProfile.?enableAzureRBAC ?? false
