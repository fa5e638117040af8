#!/usr/bin/env bash
# compose_site (ctest label `package`): deploy/compose/site.yaml as deploy/README.md has an
# operator use it — bundles from `itc network init --bundles --listen-any --postgres ...`
# beside it, a password file — is a valid Compose file (docker-compose config, Debian's
# docker-compose) with the services a site needs, each validator mounting its own bundle.
# No container engine runs on these machines: the file is validated, never brought up.
# Usage: compose_site_test.sh ITC_CLI
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
itc=${1:?usage: compose_site_test.sh ITC_CLI}
src=$(cd "$(dirname "$0")/../../deploy/compose" && pwd)
work=$(mktemp -d /tmp/itc-compose-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$src"/* "$work/"
cd "$work"

# The README's commands.
"$itc" network init --validators 4 --bundles --listen-any --out site \
  --hosts validator-0:7100,validator-1:7100,validator-2:7100,validator-3:7100 \
  --postgres "host=postgres dbname=itc user=itc" \
  --postgres-password-file /run/secrets/postgres-password >/dev/null
(umask 077; openssl rand -hex 24 >postgres-password)

docker-compose -f site.yaml config -q || fail "docker-compose refused site.yaml"
services=$(docker-compose -f site.yaml config --services | sort | tr '\n' ' ')
[[ $services == "gateway mosquitto postgres validator-0 validator-1 validator-2 validator-3 " ]] ||
  fail "services are '$services'"
config=$(docker-compose -f site.yaml config)
for i in 0 1 2 3; do
  grep -q -- "- $work/site/validator-$i-bundle:/etc/itc:ro" <<<"$config" ||
    fail "validator-$i does not mount its own bundle"
  yaml=site/validator-$i-bundle/validator-$i.yaml
  grep -q 'listen_address: "0.0.0.0:7100"' "$yaml" || fail "$yaml does not listen on every interface"
  grep -q 'name: store-postgres' "$yaml" || fail "$yaml does not keep its ledger in PostgreSQL"
  grep -q "schema: validator_$i" "$yaml" || fail "$yaml has no schema of its own"
done
echo "site.yaml: valid; $services"

# The check can fail: a mutant with an option Compose does not know is refused.
sed 's/restart: on-failure/restartt: on-failure/' site.yaml >mutant.yaml
if docker-compose -f mutant.yaml config -q 2>/dev/null; then fail "docker-compose accepted a mutant"; fi
echo "PASS"
