#!/usr/bin/env bash
# The Bicep gate (`npm run infra:build`): fetches the pinned Bicep CLI through
# infra/bicep-cli/bicep-cli.csproj (`dotnet restore`), then
#   1. `bicep build` of every .bicep, `bicep build-params` of every .bicepparam and `bicep lint` of
#      both, failing on any error OR warning (unknown properties, bad enum values, api-versions the
#      compiler has no types for, and the linter rules of infra/bicepconfig.json);
#   2. the mutation test (infra/mutation-test.sh): planted mistakes in copies of main.bicep must
#      each make the compiler fail, so a gate that stopped biting would be noticed.
#
# Without the .NET SDK the gate cannot run: it says so and exits 0 on a developer machine, and
# fails when CI=true, so CI can never pass without the compiler having checked the templates.
# The offline checks in test/infra (tree-sitter: role GUIDs, settings against the code, secrets)
# run in `npm test` either way.
#
# Note: build-params reads SLACK_WEBHOOK_URL / SLACK_BOT_TOKEN through readEnvironmentVariable;
# they are cleared here so no secret ever lands in the compiled output, which goes to a temporary
# directory deleted on exit.
set -euo pipefail

infra_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$infra_dir/bicep-cli/bicep-cli.csproj"

if ! command -v dotnet >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "infra:build: FAILED: the .NET SDK (dotnet) is not on PATH, so the Bicep CLI cannot be fetched and the templates are not compiled. CI must have it." >&2
    exit 1
  fi
  echo "infra:build: SKIPPED: the .NET SDK (dotnet) is not installed on this machine."
  echo "infra:build: it fetches the Bicep CLI (NuGet package Azure.Bicep.CommandLine.<runtime>) through $project."
  echo "infra:build: install the .NET SDK (8 or later) to compile and lint infra/; CI (CI=true) fails instead of skipping."
  exit 0
fi

echo "infra:build: fetching the Bicep CLI (dotnet restore $project)"
dotnet restore "$project" --nologo --verbosity quiet
bicep="$(dotnet msbuild "$project" -nologo -getProperty:BicepCliPath)"
if [ ! -f "$bicep" ]; then
  echo "infra:build: FAILED: the restore did not produce $bicep" >&2
  exit 1
fi
chmod +x "$bicep"
echo "infra:build: $("$bicep" --version)"

out_dir="$(mktemp -d)"
trap 'rm -rf "$out_dir"' EXIT
export SLACK_WEBHOOK_URL='' SLACK_BOT_TOKEN=''

# Runs one compiler command; fails when it fails or prints any diagnostic (warnings included).
status=0
run_clean() {
  local label="$1"
  shift
  local log="$out_dir/last.log"
  echo "== $label"
  if ! "$@" >"$log" 2>&1; then
    cat "$log"
    echo "infra:build: $label failed" >&2
    status=1
    return
  fi
  if grep -E ' : (Warning|Error|Info) ' "$log" >/dev/null; then
    cat "$log"
    echo "infra:build: $label printed diagnostics; warnings count as failures" >&2
    status=1
  fi
}

while IFS= read -r -d '' file; do
  rel="infra/${file#"$infra_dir"/}"
  case "$file" in
    *.bicepparam)
      run_clean "build-params $rel" "$bicep" build-params "$file" --outfile "$out_dir/$(basename "$file" .bicepparam).parameters.json"
      run_clean "lint $rel" "$bicep" lint "$file"
      ;;
    *.bicep)
      run_clean "build $rel" "$bicep" build "$file" --outdir "$out_dir"
      run_clean "lint $rel" "$bicep" lint "$file"
      ;;
  esac
done < <(find "$infra_dir" -path "$infra_dir/bicep-cli" -prune -o -type f \( -name '*.bicep' -o -name '*.bicepparam' \) -print0 | sort -z)

if [ "$status" -ne 0 ]; then
  echo "infra:build: FAILED" >&2
  exit 1
fi

bash "$infra_dir/mutation-test.sh" "$bicep"
echo "infra:build: every file builds and lints clean, and the gate fails on each planted mistake"
