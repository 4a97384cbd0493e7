# Sourced by the test scripts: makes sure a PostgreSQL server is reachable for the storage
# and HTTP tests, and exports LIANXIN_TEST_PG_URL and LIANXIN_REQUIRE_PG=1.
#   1. LIANXIN_TEST_PG_URL already set: use it.
#   2. The machine's cluster on 127.0.0.1:5432: start it if it is down, and use it.
#   3. Otherwise install Debian's postgresql and run a private cluster on 127.0.0.1:55432.

pg_up() { psql "$1" -Atqc 'select 1' >/dev/null 2>&1; }

ensure_postgres() {
  if [ -n "${LIANXIN_TEST_PG_URL:-}" ] && pg_up "$LIANXIN_TEST_PG_URL"; then
    export LIANXIN_REQUIRE_PG=1; return 0
  fi
  local url="postgres://postgres@127.0.0.1:5432/postgres"
  if ! command -v psql >/dev/null 2>&1; then
    echo "== installing the PostgreSQL client and server (Debian)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
  fi
  if ! pg_up "$url" && [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "== starting the machine's PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_up "$url" && break; sleep 1; done
  fi
  if ! pg_up "$url"; then
    # a private cluster, owned by the postgres user, on its own port
    local dir="${TMPDIR:-/tmp}/lianxin-pg" bin
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
    url="postgres://postgres@127.0.0.1:55432/postgres"
    if ! pg_up "$url"; then
      echo "== starting a private PostgreSQL on 127.0.0.1:55432"
      rm -rf "$dir" && mkdir -p "$dir" && chown postgres "$dir"
      su postgres -c "$bin/initdb -D $dir/data -A trust -U postgres" >/dev/null
      su postgres -c "$bin/pg_ctl -D $dir/data -l $dir/log -o '-h 127.0.0.1 -p 55432 -k $dir' -w start" >/dev/null
    fi
  fi
  pg_up "$url" || { echo "PostgreSQL could not be reached at $url" >&2; return 1; }
  export LIANXIN_TEST_PG_URL="$url" LIANXIN_REQUIRE_PG=1
}

ensure_postgres
