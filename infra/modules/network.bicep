// Optional VNet integration (main.bicep `vnetEnabled`): a virtual network with one subnet delegated
// to the Flex Consumption app, and a NAT gateway with one static public IP, so that every outbound
// connection of the app (ARM, AKS API servers, registries, Slack) comes from that one address.
// Clusters with authorized IP ranges and registries with firewall rules can then allow-list it;
// private clusters and private registries become reachable by peering this network with theirs
// (and linking their private DNS zones), which is left to the network's owners.
targetScope = 'resourceGroup'

param location string
param tags object
param virtualNetworkName string
param natGatewayName string
param publicIpName string

@description('Address space of the virtual network.')
param addressPrefix string

@description('The app\'s subnet (a /28 at least; /26 or larger leaves room for scale-out).')
param appSubnetPrefix string

var appSubnetName = 'app'

resource publicIp 'Microsoft.Network/publicIPAddresses@2026-03-01' = {
  name: publicIpName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
  }
  properties: {
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
  }
}

resource natGateway 'Microsoft.Network/natGateways@2026-03-01' = {
  name: natGatewayName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
  }
  properties: {
    idleTimeoutInMinutes: 4
    publicIpAddresses: [
      {
        id: publicIp.id
      }
    ]
  }
}

resource virtualNetwork 'Microsoft.Network/virtualNetworks@2026-03-01' = {
  name: virtualNetworkName
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: appSubnetName
        properties: {
          addressPrefix: appSubnetPrefix
          natGateway: {
            id: natGateway.id
          }
          // Flex Consumption apps integrate with subnets delegated to Microsoft.App/environments.
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
    ]
  }
}

output appSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', virtualNetwork.name, appSubnetName)
output outboundIpAddress string = publicIp.properties.ipAddress
