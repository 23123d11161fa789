#!/usr/bin/env bash
# Checks the deployment files without Docker: compose.yaml against the
# Compose spec, the Grafana files' syntax, the dashboard's queries as PromQL,
# and Prometheus' config and alert rules with their unit tests. promtool comes
# from Debian's prometheus package, unpacked (not installed: that would start
# a Prometheus) under the user's cache, like the check-jsonschema venv.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${XDG_CACHE_HOME:-$HOME/.cache}/igemoji"

venv="$cache/check-jsonschema-0.39.0"
if [ ! -x "$venv/bin/check-jsonschema" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "check-jsonschema==0.39.0"
fi

promtool="$cache/promtool-debian/usr/bin/promtool"
if [ ! -x "$promtool" ]; then
  download="$(mktemp -d)"
  chmod 0777 "$download" # apt's download user writes here
  (cd "$download" && apt-get download -q prometheus) \
    || { apt-get update -q && (cd "$download" && apt-get download -q prometheus); }
  mkdir -p "$cache/promtool-debian"
  dpkg-deb --fsys-tarfile "$download"/prometheus_*.deb | tar -x -C "$cache/promtool-debian" ./usr/bin/promtool
  rm -rf "$download"
fi

echo "== compose.yaml follows the Compose spec"
"$venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec compose.yaml

echo "== Grafana files parse; the dashboard's queries are PromQL"
queries="$(mktemp --suffix=.yml)"
trap 'rm -f "$queries"' EXIT
"$venv/bin/python" - "$queries" <<'PY'
import json, sys, glob
from ruamel.yaml import YAML
yaml = YAML(typ="safe")
for path in glob.glob("deploy/grafana/provisioning/*/*.yml"):
    yaml.load(open(path))
dashboard = json.load(open("deploy/grafana/dashboards/igemoji.json"))
grafana_variables = {"$__rate_interval": "5m", "$__range": "1h", "$instance": ".*"}
rules = []
for panel in dashboard["panels"]:
    for target in panel["targets"]:
        expr = target["expr"]
        for variable, value in grafana_variables.items():
            expr = expr.replace(variable, value)
        rules.append({"record": f"panel_{panel['id']}_{target['refId']}", "expr": expr})
json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, open(sys.argv[1], "w"))
PY
"$promtool" check rules "$queries"

echo "== Prometheus config, alert rules and their tests"
"$promtool" check config deploy/prometheus/prometheus.yml
"$promtool" test rules deploy/prometheus/alerts.test.yml
