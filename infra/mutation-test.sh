#!/usr/bin/env bash
# Proves that the Bicep gate bites: plants one mistake at a time in a copy of infra/ and requires the
# compiler to fail with the diagnostic that names it. Each mistake is one the tree-sitter checks in
# test/infra pass (they parse syntax, not Azure's resource types). Run by infra/build.sh with the
# path of the Bicep CLI.
set -euo pipefail

bicep="$1"
infra_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

failures=0

# mutate NAME EXPECTED_CODE FROM TO: replaces the first FROM (a literal line fragment) with TO in a
# fresh copy of main.bicep, builds it, and requires a failure whose output names EXPECTED_CODE.
mutate() {
  local name="$1" expected="$2" from="$3" to="$4"
  rm -rf "$work/infra"
  mkdir -p "$work/infra"
  cp -R "$infra_dir/main.bicep" "$infra_dir/bicepconfig.json" "$infra_dir/modules" "$work/infra/"
  FROM="$from" TO="$to" perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/ or die "pattern not found\n"' "$work/infra/main.bicep" ||
    { echo "mutation '$name': the text to change is no longer in main.bicep: $from" >&2; failures=$((failures + 1)); return; }
  local log="$work/build.log"
  if "$bicep" build "$work/infra/main.bicep" --stdout >/dev/null 2>"$log" && ! grep -E ' : (Warning|Error) ' "$log" >/dev/null; then
    echo "mutation '$name': the compiler accepted it" >&2
    failures=$((failures + 1))
  elif ! grep -q "$expected" "$log"; then
    echo "mutation '$name': failed, but not with $expected:" >&2
    cat "$log" >&2
    failures=$((failures + 1))
  else
    echo "mutation '$name': rejected ($(grep -o -m1 "$expected[^:]*: [^[]*" "$log" | head -c 140))"
  fi
}

mutate 'non-existent api-version' BCP081 \
  "'Microsoft.Storage/storageAccounts@2026-09-01'" "'Microsoft.Storage/storageAccounts@2026-09-02'"
# Most Azure enums are open (any string passes); the managed identity type is a closed one.
mutate 'invalid enum value' BCP036 \
  "type: 'UserAssigned'
    userAssignedIdentities" "type: 'UserAsigned'
    userAssignedIdentities"
mutate 'unknown property' BCP089 \
  "allowSharedKeyAccess: false" "allowSharedKeyAcess: false"
mutate 'missing required property' BCP035 \
  "  sku: {
    name: 'Standard_LRS'
  }
" ""
mutate 'misspelt functionAppConfig.deployment.storage.value' BCP037 \
  "value: '\${storage.properties.primaryEndpoints.blob}\${deploymentContainerName}'" "valeu: '\${storage.properties.primaryEndpoints.blob}\${deploymentContainerName}'"

if [ "$failures" -ne 0 ]; then
  echo "mutation test: FAILED: the gate let $failures planted mistake(s) through or the test is out of date" >&2
  exit 1
fi
echo "mutation test: the compiler rejected every planted mistake"
