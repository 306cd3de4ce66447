// Example parameters for tollgate.bicep; replace every <...>.
//   az deployment group create -g <resource-group> -f tollgate.bicep -p tollgate.example.bicepparam
using 'tollgate.bicep'

param environmentId = '/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.App/managedEnvironments/<environment>'
param image = 'myregistry.azurecr.io/tollgate:0.1.0'
param registryServer = 'myregistry.azurecr.io'
param identityId = '/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<identity>'

param tenantId = '<tenant-id>'

param dbUrl = 'jdbc:postgresql://<server-name>.postgres.database.azure.com:5432/tollgate?sslmode=require'
param dbUsername = '<db-user>'
param dbPasswordSecretUri = 'https://<vault>.vault.azure.net/secrets/tollgate-db-password'

param backendsProperties = loadTextContent('backends.example.properties')
param backendKeys = [
  {
    env: 'AOAI_SWEDENCENTRAL_KEY'
    secretName: 'aoai-swedencentral-key'
    keyVaultSecretUri: 'https://<vault>.vault.azure.net/secrets/aoai-swedencentral-key'
  }
  {
    env: 'AOAI_EASTUS2_KEY'
    secretName: 'aoai-eastus2-key'
    keyVaultSecretUri: 'https://<vault>.vault.azure.net/secrets/aoai-eastus2-key'
  }
  {
    env: 'AOAI_GLOBAL_KEY'
    secretName: 'aoai-global-key'
    keyVaultSecretUri: 'https://<vault>.vault.azure.net/secrets/aoai-global-key'
  }
]

param minReplicas = 2
param maxReplicas = 10
