#!/bin/bash
# A flask command with the settings the units read (/etc/training-app/training-app.env, or TRAINING_APP_ENV), for the
# one-off commands on a server:  sudo -u training /opt/training-app/deploy/flask.sh db upgrade
# A variable already set in the environment wins over the file's (DATABASE_URL=... deploy/flask.sh restore FILE).
# The file is read as systemd reads it (VARIABLE=value a line, no quotes or expansion), never run as shell code.
set -euo pipefail

env_file="${TRAINING_APP_ENV:-/etc/training-app/training-app.env}"
line_number=0
while IFS= read -r line || [[ -n "$line" ]]; do
    line_number=$((line_number + 1))
    [[ -z "${line//[[:space:]]/}" || "$line" =~ ^[[:space:]]*[#\;] ]] && continue
    key=${line%%=*}
    if [[ "$line" != *=* || ! "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
        echo "$env_file, line $line_number: expected VARIABLE=value" >&2
        exit 1
    fi
    [[ -n "${!key+set}" ]] || export "$key=${line#*=}"
done <"$env_file"

cd "$(dirname "$0")/.."
exec "${FLASK:-.venv/bin/flask}" --app training_app "$@"
