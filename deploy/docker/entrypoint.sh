#!/bin/sh
# usage: entrypoint.sh <service> api|worker|migrate
set -eu
service="$1"; role="$2"
case "$role" in
  api)     cd "/app/services/$service" && alembic upgrade head && cd /app
           exec uvicorn "$service.entrypoints.api.app:create_app" --factory --host 0.0.0.0 --port "${PORT:-8000}" ;;
  worker)  exec python -m "$service.entrypoints.worker" ;;
  migrate) cd "/app/services/$service" && exec alembic upgrade head ;;
  *) echo "unknown role $role" >&2; exit 2 ;;
esac
