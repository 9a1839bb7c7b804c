#!/usr/bin/env bash
# Compiles and lints every Bicep file under infra/ with the Bicep CLI when one is available
# (`bicep`, or the Azure CLI's `az bicep`), and skips with exit code 0 when neither is installed.
# The offline syntax and structure checks in test/infra run without it (npx vitest run test/infra).
#
# Usage: bash infra/build.sh        (wired as `npm run infra:build`)
# Note: building main.bicepparam reads SLACK_WEBHOOK_URL / SLACK_BOT_TOKEN from the environment;
# the compiled output goes to a temporary directory that is deleted on exit.
set -euo pipefail

infra_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out_dir="$(mktemp -d)"
trap 'rm -rf "$out_dir"' EXIT

if command -v bicep >/dev/null 2>&1; then
  tool=bicep
  version="$(bicep --version 2>/dev/null | head -n 1 || true)"
elif command -v az >/dev/null 2>&1 && az bicep version >/dev/null 2>&1; then
  tool=az
  version="$(az bicep version 2>/dev/null | head -n 1 || true)"
else
  echo "infra:build: no Bicep CLI found (bicep, or az with bicep installed); skipping bicep build and lint."
  exit 0
fi
echo "infra:build: ${version:-$tool}"

# The standalone CLI takes the file as an argument; `az bicep` takes it with --file.
bicep_build() {
  if [ "$tool" = bicep ]; then bicep build "$1" --outdir "$out_dir"; else az bicep build --file "$1" --outdir "$out_dir"; fi
}
bicep_lint() {
  if [ "$tool" = bicep ]; then bicep lint "$1"; else az bicep lint --file "$1"; fi
}
bicep_build_params() {
  local out
  out="$out_dir/$(basename "$1" .bicepparam).parameters.json"
  if [ "$tool" = bicep ]; then bicep build-params "$1" --outfile "$out"; else az bicep build-params --file "$1" --outfile "$out"; fi
}

status=0
while IFS= read -r -d '' file; do
  rel="${file#"$infra_dir"/}"
  case "$file" in
    *.bicepparam)
      echo "== build-params infra/$rel"
      bicep_build_params "$file" || status=1
      ;;
    *.bicep)
      echo "== build infra/$rel"
      bicep_build "$file" || status=1
      echo "== lint infra/$rel"
      bicep_lint "$file" || status=1
      ;;
  esac
done < <(find "$infra_dir" -type f \( -name '*.bicep' -o -name '*.bicepparam' \) -print0 | sort -z)

if [ "$status" -ne 0 ]; then
  echo "infra:build: failed" >&2
fi
exit "$status"
