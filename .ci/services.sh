# Sourced by .ci/run: install (when missing) and start what the tests need, and export
# where it is. Debian's PostgreSQL, started with pg_ctlcluster; a superuser role for the
# tests on loopback. Debian's Chromium, for the dashboard's browser test (Playwright drives
# it; no browser is ever downloaded). Nothing here reaches beyond Debian's package registry.
set -euo pipefail

missing=()
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# the cluster Debian made, else a new one for the newest server installed
if [ -z "$(pg_lsclusters -h)" ]; then
    pg_createcluster "$(ls /usr/lib/postgresql | sort -V | tail -n 1)" main >/dev/null
fi
read -r pg_version pg_cluster pg_port pg_status _ < <(pg_lsclusters -h | head -n 1)
if [ "$pg_status" != "online" ]; then
    pg_ctlcluster "$pg_version" "$pg_cluster" start
fi
su postgres -c "psql -p $pg_port -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nqtrack_ci') THEN
        CREATE ROLE nqtrack_ci LOGIN SUPERUSER CREATEROLE CREATEDB PASSWORD 'nqtrack-ci';
    END IF;
END $$;
SQL
export NQTRACK_TEST_PG="postgresql://nqtrack_ci:nqtrack-ci@127.0.0.1:${pg_port}/postgres"
export NQTRACK_TEST_CHROMIUM="$(command -v chromium)"
