# azd postdeploy hook (Windows): see postdeploy.sh.
$ErrorActionPreference = 'Stop'
if ($env:DEPLOY_EVENT_SUBSCRIPTIONS -eq 'true') {
  Write-Host 'Event Grid subscriptions already provisioned.'
  exit 0
}
Write-Host 'Creating the Event Grid subscriptions of the upload functions (second provision)...'
azd env set DEPLOY_EVENT_SUBSCRIPTIONS true
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
azd provision --no-prompt
exit $LASTEXITCODE
