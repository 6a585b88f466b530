#!/bin/sh
# azd postdeploy hook: after the first code deployment the upload functions exist, so the Event Grid
# subscriptions that point at them can be created. Sets DEPLOY_EVENT_SUBSCRIPTIONS in the azd environment
# and provisions again (incremental, idempotent); later `azd up` runs create them in the normal provision step.
set -eu
if [ "${DEPLOY_EVENT_SUBSCRIPTIONS:-false}" = "true" ]; then
  echo "Event Grid subscriptions already provisioned."
  exit 0
fi
echo "Creating the Event Grid subscriptions of the upload functions (second provision)..."
azd env set DEPLOY_EVENT_SUBSCRIPTIONS true
azd provision --no-prompt
