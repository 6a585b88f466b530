// Staleness alerts: one log alert per refresh timer that fires when the timer has had no successful
// execution within staleAfterHours (Application Insights `requests` holds one row per function execution).
// docs/operations.md (Monitor) has the same query and one over the run-summary events.
param location string
param tags object
param namePrefix string
param applicationInsightsId string
param timerFunctions array
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
  for timer in timerFunctions: {
    name: 'stale-${timer}-${namePrefix}'
    location: location
    tags: tags
    properties: {
      displayName: 'Stale data: no successful ${timer} for ${staleAfterHours} h'
      description: 'No successful execution of ${timer} within STALE_AFTER_HOURS. Check the run ledger (table runs) and the health endpoint.'
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
            query: 'requests | where timestamp > ago(${staleAfterHours}h) | where operation_Name == "${timer}" and success == true'
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
