// Tollgate on Azure Container Apps: one container app in an existing Container Apps environment, HTTPS at the
// Container Apps edge, secrets from Azure Key Vault through a user-assigned managed identity.
//
//   az deployment group create -g <resource-group> -f tollgate.bicep -p tollgate.example.bicepparam
//
// Prerequisites (not created here; see deployment/README.md, "Azure Container Apps"):
//   - a Container Apps environment (param environmentId)
//   - a user-assigned managed identity (param identityId) with
//       * "Key Vault Secrets User" on the Key Vault holding the secrets (RBAC vaults), and
//       * "AcrPull" on the container registry holding the image
//   - Azure Database for PostgreSQL Flexible Server with an empty database for Tollgate
//   - the Key Vault secrets: the database password and one key per Azure OpenAI backend
//
// Not deployed or compiled here (no Azure CLI / Bicep in the environment it was written in); review before use.

targetScope = 'resourceGroup'

@description('Name of the container app.')
param name string = 'tollgate'

@description('Location of the container app; the environment\'s region.')
param location string = resourceGroup().location

@description('Resource id of an existing Container Apps environment (Microsoft.App/managedEnvironments).')
param environmentId string

@description('Image to run, e.g. myregistry.azurecr.io/tollgate:0.1.0 (built from deployment/Dockerfile).')
param image string

@description('Login server of the registry holding the image, e.g. myregistry.azurecr.io; pulled with the managed identity.')
param registryServer string

@description('Resource id of the user-assigned managed identity used for Key Vault references and image pulls.')
param identityId string

@description('Entra ID tenant (GUID) whose tokens callers present.')
param tenantId string

@description('Accepted token audiences, comma-separated. The Azure OpenAI SDKs request https://cognitiveservices.azure.com.')
param audiences string = 'https://cognitiveservices.azure.com'

@description('JDBC URL of the usage database, e.g. jdbc:postgresql://<server>.postgres.database.azure.com:5432/tollgate?sslmode=require')
param dbUrl string

@description('Database user (needs rights to create tables in the schema: Flyway migrates at start).')
param dbUsername string

@description('Key Vault secret URI of the database password, e.g. https://<vault>.vault.azure.net/secrets/tollgate-db-password (versionless follows rotation).')
param dbPasswordSecretUri string

@description('''One entry per Azure OpenAI key: { env: 'AOAI_SWEDENCENTRAL_KEY', secretName: 'aoai-swedencentral-key', keyVaultSecretUri: 'https://<vault>.vault.azure.net/secrets/aoai-swedencentral-key' }. env is the variable the backends file refers to as ${...}; secretName: lower-case letters, digits and dashes.''')
param backendKeys array

@description('Content of the backends properties file (tollgate.backends.<id>.url|api-key|deployments|region), with api-key=\${ENV} references only, no key values. Mounted as /deployments/config/application.properties.')
param backendsProperties string

@description('Seconds Quarkus waits at shutdown for requests in flight (streams included).')
param shutdownTimeoutSeconds int = 60

@minValue(1)
@description('Minimum replicas. Keep at least 2 for availability.')
param minReplicas int = 2

@description('Maximum replicas.')
param maxReplicas int = 10

@description('CPU cores per replica (Consumption profile: 0.25 steps up to 4, with memory = 2 x CPU in Gi).')
param cpu string = '1.0'

@description('Memory per replica; the JVM heap takes 75 % of it.')
param memory string = '2Gi'

var backendKeySecrets = [for k in backendKeys: {
  name: k.secretName
  keyVaultUrl: k.keyVaultSecretUri
  identity: identityId
}]

var backendKeyEnv = [for k in backendKeys: {
  name: k.env
  secretRef: k.secretName
}]

resource app 'Microsoft.App/containerApps@2025-01-01' = {
  name: name
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        // HTTPS ends here, at the Container Apps edge, with a platform certificate for the app's FQDN (or bind a
        // custom domain and certificate). Callers use https://<fqdn> as their Azure OpenAI endpoint.
        external: true
        targetPort: 8080
        transport: 'auto'
        allowInsecure: false // plain http requests are redirected to https
        traffic: [
          {
            latestRevision: true
            weight: 100
          }
        ]
      }
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
      secrets: concat([
        {
          name: 'db-password'
          keyVaultUrl: dbPasswordSecretUri
          identity: identityId
        }
        {
          // Not secret (no keys in it): a secret volume is simply the easiest way to mount one file here.
          name: 'backends-properties'
          value: backendsProperties
        }
      ], backendKeySecrets)
    }
    template: {
      // Shutdown budget: requests in flight (shutdownTimeoutSeconds) + draining the usage queue to PostgreSQL
      // (tollgate.metering.shutdown-timeout, 15 s, plus a write or retry pause in progress) + margin.
      terminationGracePeriodSeconds: shutdownTimeoutSeconds + 30
      containers: [
        {
          name: 'tollgate'
          image: image
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          env: concat([
            // Required: without TOLLGATE_DB_URL the production image does not start.
            {
              name: 'TOLLGATE_DB_URL'
              value: dbUrl
            }
            {
              name: 'TOLLGATE_DB_USERNAME'
              value: dbUsername
            }
            {
              name: 'TOLLGATE_DB_PASSWORD'
              secretRef: 'db-password'
            }
            {
              name: 'TOLLGATE_IDENTITY_KEY_LOCATION'
              value: 'https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys'
            }
            {
              name: 'TOLLGATE_IDENTITY_ISSUERS'
              value: 'https://sts.windows.net/${tenantId}/,https://login.microsoftonline.com/${tenantId}/v2.0'
            }
            {
              name: 'TOLLGATE_IDENTITY_AUDIENCES'
              value: audiences
            }
            {
              name: 'QUARKUS_SHUTDOWN_TIMEOUT'
              value: '${shutdownTimeoutSeconds}s'
            }
            {
              name: 'JAVA_OPTS'
              value: '-XX:MaxRAMPercentage=75 -XX:InitialRAMPercentage=6.25 -XX:NewSize=64m -XX:+ExitOnOutOfMemoryError'
            }
            {
              // The usage journal (docs/operations.md#journal), on the replica's EmptyDir volume below.
              name: 'TOLLGATE_METERING_JOURNAL_DIR'
              value: '/var/lib/tollgate/journal'
            }
          ], backendKeyEnv)
          probes: [
            {
              // Start-up includes Flyway migrations; the port opens when they are done. Up to 10 + 10 x 10 s.
              type: 'Startup'
              httpGet: {
                path: '/q/health/live'
                port: 8080
              }
              initialDelaySeconds: 10
              periodSeconds: 10
              timeoutSeconds: 3
              failureThreshold: 10
            }
            {
              type: 'Liveness'
              httpGet: {
                path: '/q/health/live'
                port: 8080
              }
              periodSeconds: 10
              timeoutSeconds: 3
              failureThreshold: 3
            }
            {
              // Not ready = send this replica no new traffic (see deployment/README.md, "Probes").
              type: 'Readiness'
              httpGet: {
                path: '/q/health/ready'
                port: 8080
              }
              periodSeconds: 5
              timeoutSeconds: 5
              failureThreshold: 3
            }
          ]
          volumeMounts: [
            {
              // Quarkus reads $PWD/config/application.properties; the image's working directory is /deployments.
              volumeName: 'config'
              mountPath: '/deployments/config'
            }
            {
              // Written every 20 ms while requests run; kept across container restarts within the replica, not
              // across replicas (Container Apps has no per-replica persistent volume).
              volumeName: 'journal'
              mountPath: '/var/lib/tollgate/journal'
            }
          ]
        }
      ]
      volumes: [
        {
          name: 'config'
          storageType: 'Secret'
          secrets: [
            {
              secretRef: 'backends-properties'
              path: 'application.properties'
            }
          ]
        }
        {
          name: 'journal'
          storageType: 'EmptyDir'
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          {
            // The gateway is CPU-bound; concurrent-request counts mostly measure how long the models take.
            name: 'cpu'
            custom: {
              type: 'cpu'
              metadata: {
                type: 'Utilization'
                value: '65'
              }
            }
          }
        ]
      }
    }
  }
}

@description('Host name callers use: https://<fqdn>/openai/...')
output fqdn string = app.properties.configuration.ingress.fqdn

@description('Azure OpenAI endpoint to give callers.')
output endpoint string = 'https://${app.properties.configuration.ingress.fqdn}'
