#!/bin/sh
# The detail view lists the memories linked to the row, 160x50: racktop
# --demo with its throwaway PostgreSQL; memories added through the socket
# for a guest (pve:qemu/101), a container (docker:traefik) and a client
# (unifi:MAC, added in upper case: the entity id is lower case, so it is
# not the client's) appear in those rows' detail, a row without any says
# "no memories", and another row's memory never shows. Then a memory that
# cannot be reached: the detail opens at once and shows the error.
. "${srcdir:-.}/tests/tui/lib.sh"
. "${srcdir:-.}/tests/integration/memory-lib.sh"
if [ -z "$PG_BIN" ]; then
	echo "SKIP: no PostgreSQL server binaries"
	exit 77
fi
# The demo's cluster and sockets go in private folders (as memory-demo.sh).
mkdir -m 700 "$TMPD/run"
mkdir -m 755 "$TMPD/tmp"
chmod 755 "$TMPD"
S=$TMPD/s.sock

# add ENTITY CONTENT [k=v...]: a memory through the dashboard's socket.
add() {
	ent=$1 content=$2
	shift 2
	"$RACKTOP" call --socket "$S" memory_add entity="$ent" \
	    content="$content" "$@" >"$TMPD/out" 2>&1
}

tui_start 160 50 XDG_RUNTIME_DIR=$TMPD/run TMPDIR=$TMPD/tmp -- --demo
expect "demo guests" has "web01"
# The cluster starts beside the dashboard: the first add may wait for it.
expect "memory_add in the demo" add pve:qemu/101 \
    "db01 keeps the family photo archive" user_id=alice
add docker:traefik "traefik terminates TLS for every lab service" ||
    fail "add for traefik: $(cat "$TMPD/out")"
add unifi:00:17:88:00:00:00 "iphone-anna is Anna's work phone" ||
    fail "add for iphone-anna: $(cat "$TMPD/out")"
add unifi:EC:B5:FA:00:00:01 "an upper-case id links to no row" ||
    fail "add in upper case: $(cat "$TMPD/out")"

# db01 (VMID 101): its memory, with who wrote it, and nothing else.
keys Home j Enter
expect "db01's detail" has "name: db01"
expect "db01's memories" has "Memories of pve:qemu/101:"
expect "db01's memory content" has "db01 keeps the family photo archive"
expect "the memory's user" has ", user alice"
line_has " UTC " "user alice" && ok "the memory's time" ||
    fail "no update time beside the memory"
lacks "traefik terminates" && ok "no other row's memory" ||
    fail "traefik's memory in db01's detail"
keys q
expect "db01's detail closes" lacks "Memories of"
expect "the lookup in the activity pane" line_has "memory_list" "1 item"

# web01 (VMID 100): none.
keys Home Enter
expect "web01's detail" has "name: web01"
expect "web01's memories" has "Memories of pve:qemu/100:"
expect "web01 has no memories" has "no memories"
lacks "family photo" && ok "db01's memory not in web01's" ||
    fail "db01's memory in web01's detail"
keys q

# A container and a client.
keys 4 Home Enter
expect "traefik's detail" has "Memories of docker:traefik:"
expect "traefik's memory" has "traefik terminates TLS for every lab service"
keys q
keys 5 Home Enter
expect "iphone-anna's detail" has "Memories of unifi:00:17:88:00:00:00:"
expect "iphone-anna's memory" has "iphone-anna is Anna's work phone"
keys q
keys j Enter
expect "macbook-ben's detail" has "Memories of unifi:ec:b5:fa:00:00:01:"
expect "macbook-ben: none in lower case" has "no memories"
keys q
# A row with no inventory id (a node) has no memories section.
keys 2 Home Enter
expect "a node's detail" has "node: pve1"
lacks "Memories of" && ok "no memories section for a node" ||
    fail "a node's detail looks up memories"
keys q q
expect "q quits the demo" has "racktop-exit=0"

# A memory PostgreSQL cannot be reached at: the detail opens at once, the
# lookup fails on a worker, and the error shows in the detail.
start_sim
(umask 077; cat >>"$TMPD/racktop.conf" <<EOC
[memory "lab"]
conninfo = host=$TMPD/nowhere dbname=racktop connect_timeout=2
timeout = 2
EOC
)
tui_start 160 50 -- --config "$TMPD/racktop.conf"
expect "guests" has "web01"
keys Home Enter
expect "web01's detail" has "name: web01"
expect "the error shows" line_has "error:" "memory lab"
keys q
expect "the error in the activity pane" line_has "memory_list" " error "
keys q
expect "q quits" has "racktop-exit=0"
[ $fails -eq 0 ]
