#!/bin/bash
# One backup named by its UTC time (training-app-YYYY-MM-DDTHHMMSSZ.zip) in BACKUP_DIR, then the files whose name dates
# them more than BACKUP_KEEP_DAYS days ago removed. Old files go only after a new one was written whole.
set -euo pipefail

: "${BACKUP_DIR:?BACKUP_DIR is not set (see deploy/training-app.env.example)}"
keep_days="${BACKUP_KEEP_DAYS:-14}"
if ! [[ "$keep_days" =~ ^[0-9]+$ ]] || ((keep_days < 1)); then
    echo "BACKUP_KEEP_DAYS must be a whole number of days, 1 or more (it is '$keep_days')" >&2
    exit 1
fi
flask="${FLASK:-$(dirname "$0")/../.venv/bin/flask}"

mkdir -p "$BACKUP_DIR"
"$flask" --app training_app backup --out "$BACKUP_DIR/training-app-$(date -u +%Y-%m-%dT%H%M%SZ).zip"

oldest_kept=$(date -u -d "-$keep_days days" +%Y-%m-%d)
for file in "$BACKUP_DIR"/training-app-*.zip; do
    [[ -e "$file" ]] || continue
    name=$(basename "$file")
    day=${name#training-app-}
    day=${day:0:10}
    if [[ "$day" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ && "$day" < "$oldest_kept" ]]; then
        rm -f -- "$file"
        echo "removed $name (older than $keep_days days)"
    fi
done
