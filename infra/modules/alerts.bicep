// Staleness alerts: one log alert per refresh worker (the queue-triggered functions that run a planned
// refresh; the timers only plan) that fires when it has had no successful execution within staleAfterHours
// (Application Insights `requests` holds one row per function execution). And one alert when a poison function
// ran: a queued refresh or upload that failed every delivery. docs/operations.md (Monitor) has the same queries
// and one over the run-summary events.
param location string
param tags object
param namePrefix string
param applicationInsightsId string
param refreshFunctions array
@description('The functions on the poison queues: any execution of one is a run the host gave up on.')
param poisonFunctions array
param staleAfterHours int

@description('Receives the alerts; no action group when empty (alerts still show in the portal).')
param alertEmail string = ''

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'csppricing'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource staleness 'Microsoft.Insights/scheduledQueryRules@2022-06-15' = [
  for worker in refreshFunctions: {
    name: 'stale-${worker}-${namePrefix}'
    location: location
    tags: tags
    properties: {
      displayName: 'Stale data: no successful ${worker} for ${staleAfterHours} h'
      description: 'No successful execution of ${worker} within STALE_AFTER_HOURS. Check the run ledger (table runs) and the health endpoint.'
      severity: 2
      enabled: true
      scopes: [ applicationInsightsId ]
      evaluationFrequency: 'PT1H'
      // The query looks back staleAfterHours; the window (the longest a log alert allows) only bounds it.
      windowSize: 'P2D'
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: 'requests | where timestamp > ago(${staleAfterHours}h) | where operation_Name == "${worker}" and success == true'
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
      actions: {
        actionGroups: empty(alertEmail) ? [] : [ actionGroup.id ]
      }
    }
  }
]

resource poisoned 'Microsoft.Insights/scheduledQueryRules@2022-06-15' = {
  name: 'poisoned-${namePrefix}'
  location: location
  tags: tags
  properties: {
    displayName: 'Queued work given up after maxDequeueCount deliveries'
    description: 'A poison function ran: a refresh is recorded as failed in the run ledger (table runs), an upload is in quarantine with its last error.'
    severity: 2
    enabled: true
    scopes: [ applicationInsightsId ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'requests | where operation_Name in (${join(map(poisonFunctions, f => '"${f}"'), ', ')})'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: empty(alertEmail) ? [] : [ actionGroup.id ]
    }
  }
}
