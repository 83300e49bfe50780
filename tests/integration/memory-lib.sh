# Throwaway PostgreSQL for the memory tests (sourced after lib.sh).
# Adapted from the team recipe pg-throwaway.sh: a cluster in $TMPD/pg on
# a Unix socket only (listen_addresses=''), run as `postgres` when root,
# stopped at exit. pg_start exits 77 when the server binaries are absent.

PG_BIN=${PG_BIN:-}
if [ -z "$PG_BIN" ]; then
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && [ -x "$d/postgres" ] && PG_BIN=$d
	done
fi
PG_DIR=$TMPD/pg

# Runs a server command as the cluster's owner.
pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_stop() {
	[ -f "$PG_DIR/data/postmaster.pid" ] &&
	    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop \
	    >/dev/null 2>&1
	return 0
}

# Starts the cluster; sets PG_CONN (libpq conninfo without dbname).
pg_start() {
	if [ -z "$PG_BIN" ]; then
		echo "SKIP: no PostgreSQL server binaries"
		exit 77
	fi
	mkdir -p "$PG_DIR"
	[ "$(id -u)" -eq 0 ] && { chmod 755 "$TMPD"; chown postgres "$PG_DIR"; }
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 \
	    --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
	    fail "initdb: $(tail -3 "$PG_DIR/initdb.log")"
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
	    -t $((30 * RT_TIMEOUT_SCALE)) -o "-k $PG_DIR -c listen_addresses= \
	    -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
	    start >/dev/null || fail "postgres: $(tail -3 "$PG_DIR/server.log")"
	PG_CONN="host=$PG_DIR user=postgres"
	trap 'pg_stop; cleanup' 0
}

# Whether pgvector can be installed in the cluster.
pg_has_vector() {
	[ -f "$("$PG_BIN/pg_config" --sharedir)/extension/vector.control" ]
}

# Runs SQL in a database.
pg_sql() {
	"$PG_BIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 "$PG_CONN dbname=$1" -c "$2"
}
