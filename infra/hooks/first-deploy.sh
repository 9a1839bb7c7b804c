#!/usr/bin/env bash
# azd postprovision hook (azure.yaml): makes the first `azd up` succeed without a manual retry.
#
# The platform uploads the deployment package with the app's identity, whose Storage Blob Data Owner
# role on the account was created moments earlier by the provisioning. Until that role is effective
# (seconds to minutes; Azure/azure-dev issue 8026) the upload fails with 403 and azd's deploy step
# gives up. This hook deploys the same package (npm run package -> dist/package.zip) through the
# same platform path with retries on that 403, so by the time azd deploys, the role is effective.
# It runs once per identity: afterwards the azd environment holds DEPLOYMENT_ACCESS_CONFIRMED_FOR.
#
# Needs the Azure CLI (az login) and the deployment outputs azd passes to hooks: functionAppName,
# identityPrincipalId, AZURE_RESOURCE_GROUP. DEPLOYMENT_ACCESS_TIMEOUT_SECONDS (default 1800) and
# DEPLOYMENT_ACCESS_RETRY_SECONDS (default 20) tune the wait.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

: "${functionAppName:?functionAppName (a deployment output) is not set; run this as the azd postprovision hook}"
: "${identityPrincipalId:?identityPrincipalId (a deployment output) is not set; run this as the azd postprovision hook}"
: "${AZURE_RESOURCE_GROUP:?AZURE_RESOURCE_GROUP is not set (azd env set AZURE_RESOURCE_GROUP <name>)}"

if [ "${DEPLOYMENT_ACCESS_CONFIRMED_FOR:-}" = "$identityPrincipalId" ]; then
  echo "first-deploy: the app's identity could already deploy once; nothing to wait for."
  exit 0
fi
if ! command -v az >/dev/null 2>&1; then
  echo "first-deploy: the Azure CLI (az) is needed to wait for the identity's storage role; install it and run az login." >&2
  exit 1
fi

# azd installs the project's packages only in its deploy step, which comes after this hook.
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run package
timeout_s="${DEPLOYMENT_ACCESS_TIMEOUT_SECONDS:-1800}"
retry_s="${DEPLOYMENT_ACCESS_RETRY_SECONDS:-20}"
deadline=$(($(date +%s) + timeout_s))
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

attempt=1
until az functionapp deployment source config-zip --resource-group "$AZURE_RESOURCE_GROUP" --name "$functionAppName" \
  --src dist/package.zip --build-remote false --only-show-errors >"$log" 2>&1; do
  if ! grep -qiE '403|Forbidden|AuthorizationPermissionMismatch|InaccessibleStorage|not authorized' "$log"; then
    cat "$log" >&2
    echo "first-deploy: the deployment failed for another reason than the storage role (above)." >&2
    exit 1
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    cat "$log" >&2
    echo "first-deploy: the identity still may not write the deployment container after ${timeout_s} s; check its Storage Blob Data Owner role on the storage account, then run azd deploy." >&2
    exit 1
  fi
  echo "first-deploy: attempt ${attempt}: the identity's storage role is not effective yet (403); retrying in ${retry_s} s"
  attempt=$((attempt + 1))
  sleep "$retry_s"
done

azd env set DEPLOYMENT_ACCESS_CONFIRMED_FOR "$identityPrincipalId"
echo "first-deploy: the package was accepted (attempt ${attempt}); azd's deploy step can follow."
