#!/usr/bin/env bash
# End-to-end emulator throughput: `trigger --count N` → emulator → `listen`, for each store in
# one sitting: SQLite on disk, PostgreSQL with one emulator, PostgreSQL with two emulators on one
# database (the events split between them). Prints ingest and end-to-end rates per store, then a
# table. Uses scopien-hooks from PATH (build with --release).
#   N=20000 ./bench/emulator.sh                    # one webhook, per-webhook cap off
#   N=1000 HOOKS=25 RATE=100 ./bench/emulator.sh   # 25 webhooks at the documented 100 events/s cap
#   STORES=sqlite ./bench/emulator.sh              # a subset of: sqlite pg1 pg2
#   N=100000 ROUNDS=10 RETAIN=2s ./bench/emulator.sh  # the database's size when --retain prunes
# The last column is the database's size once every delivery has ended (and, with RETAIN, once
# the pruner has had two rounds more): the SQLite file with its WAL, or pg_database_size.
# PostgreSQL runs as a throwaway cluster from the server packages (/usr/lib/postgresql/*/bin,
# as the postgres user when run as root), with its default durability settings.
set -euo pipefail
N=${N:-20000}        # events triggered
HOOKS=${HOOKS:-1}    # webhooks subscribed (each gets every event)
RATE=${RATE:-0}      # emulate --max-rate (0: no per-webhook cap)
RETAIN=${RETAIN:-0}  # emulate --retain (0: keep everything)
ROUNDS=${ROUNDS:-1}  # N is triggered in this many rounds, each after the last one's events are
                     # delivered and, with RETAIN, pruned (the rates then count the pauses too)
STORES=${STORES:-sqlite pg1 pg2}
PG_OPTIONS=${PG_OPTIONS:-}  # extra server settings, e.g. "-c synchronous_commit=off"
PORT=${PORT:-18300}  # first of the ports used (sink, emulators, PostgreSQL)
B=${B:-scopien-hooks}

dir=$(mktemp -d)
chmod 755 "$dir"
export SCOPIEN_CONFIG=$dir/config.toml
pgbin=
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  kill "$(jobs -p)" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ -n "$pgbin" ]; then as_pg "$pgbin/pg_ctl" -D "$dir/pg/data" stop -m fast >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

wait_for() { # FILE: until it has a Ready! line (bounded)
  for _ in $(seq 200); do grep -q '^Ready!' "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "bench: no Ready! line in $1" >&2; cat "$1" >&2; exit 1
}

start_postgres() {
  pgbin=$(find /usr/lib/postgresql -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$pgbin" ]; then echo "bench: no PostgreSQL server under /usr/lib/postgresql" >&2; exit 1; fi
  mkdir -p "$dir/pg"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir/pg"; fi
  as_pg "$pgbin/initdb" -U postgres -A trust -D "$dir/pg/data" >/dev/null
  as_pg "$pgbin/pg_ctl" -w -l "$dir/pg/log" -D "$dir/pg/data" \
    -o "-c listen_addresses=127.0.0.1 -p $((PORT + 9)) -k $dir/pg -c max_connections=200 $PG_OPTIONS" start >/dev/null
}

humantime_s() { # DUR like 500ms, 2s, 1m: seconds
  case $1 in
    *ms) awk -v ms="${1%ms}" 'BEGIN { print ms / 1000 }' ;;
    *s) echo "${1%s}" ;;
    *m) echo $((${1%m} * 60)) ;;
    *h) echo $((${1%h} * 3600)) ;;
    *) echo "bench: give RETAIN as 500ms, 2s, 1m or 1h" >&2; exit 2 ;;
  esac
}

prune_wait() { # with RETAIN: every ended event older than it, then two pruning rounds (a round is a
  # tenth of RETAIN, 60 s at most)
  if [ "$RETAIN" != 0 ]; then sleep "$(awk -v s="$(humantime_s "$RETAIN")" 'BEGIN { print 1 + 1.2 * s }')"; fi
}

db_bytes() { # DB: its size on disk
  case $1 in
    postgres://*) as_pg "$pgbin/psql" -At "$1" -c "SELECT pg_database_size(current_database())" ;;
    *) cat "$1" "$1-wal" 2>/dev/null | wc -c ;;
  esac
}

rows=()
run() { # NAME INSTANCES DB
  local name=$1 count=$2 db=$3 sink emus=() i
  local total=$((N * HOOKS)) logs=$dir/$name
  mkdir -p "$logs"
  "$B" listen --port "$PORT" --secret whsec_bench_secret_1 --no-dedupe --json \
    --max-events "$total" --timeout 600s >"$logs/listen.out" 2>"$logs/listen.log" &
  sink=$!
  wait_for "$logs/listen.log"
  for i in $(seq "$count"); do
    "$B" emulate --port $((PORT + i)) --db "$db" --max-rate "$RATE" --retain "$RETAIN" \
      2>"$logs/emulate$i.log" &
    emus+=($!)
    wait_for "$logs/emulate$i.log"
  done
  export SCOPIEN_API_KEY=sk_test_emulator SCOPIEN_API_BASE=http://127.0.0.1:$((PORT + 1))/v1
  for _ in $(seq "$HOOKS"); do
    "$B" create --url "http://127.0.0.1:$PORT/" --event '*' --secret whsec_bench_secret_1 >/dev/null 2>&1
  done
  local t0 t1 t2 round triggers
  t0=$(date +%s.%N)
  for round in $(seq "$ROUNDS"); do
    triggers=()
    for i in $(seq "$count"); do
      SCOPIEN_API_BASE=http://127.0.0.1:$((PORT + i))/v1 "$B" trigger lead.created \
        --count $((N / ROUNDS / count)) >/dev/null 2>&1 &
      triggers+=($!)
    done
    wait "${triggers[@]}"
    t1=$(date +%s.%N)
    if [ "$round" -lt "$ROUNDS" ]; then
      until [ "$(grep -c '' "$logs/listen.out")" -ge $((round * N * HOOKS / ROUNDS)) ]; do
        kill -0 "$sink" 2>/dev/null || { echo "bench: listen stopped early" >&2; cat "$logs/listen.log" >&2; exit 1; }
        sleep 0.1
      done
      prune_wait
    fi
  done
  wait "$sink"
  t2=$(date +%s.%N)
  local rss=0
  for i in "${emus[@]}"; do rss=$((rss + $(ps -o rss= -p "$i"))); done
  prune_wait
  local bytes
  bytes=$(db_bytes "$db")
  kill "${emus[@]}"
  wait "${emus[@]}" 2>/dev/null || true
  local line
  line=$(awk -v name="$name" -v n="$N" -v h="$HOOKS" -v a="$t0" -v b="$t1" -v c="$t2" -v rss="$rss" \
    -v bytes="$bytes" 'BEGIN {
    printf "| %s | %.0f | %.0f | %.1f | %.1f |", name, n / (b - a), n * h / (c - a), rss / 1024, bytes / 1048576 }')
  echo "$name: events $N × webhooks $HOOKS; ingest $(echo "$line" | cut -d'|' -f3)events/s," \
    "end to end $(echo "$line" | cut -d'|' -f4)deliveries/s"
  rows+=("$line")
}

for store in $STORES; do
  case $store in
    sqlite) run "SQLite file, 1 emulator" 1 "$dir/emu.db" ;;
    pg1 | pg2)
      [ -n "$pgbin" ] || start_postgres
      as_pg "$pgbin/createdb" -h 127.0.0.1 -p $((PORT + 9)) -U postgres "bench_$store"
      url=postgres://postgres@127.0.0.1:$((PORT + 9))/bench_$store
      if [ "$store" = pg1 ]; then run "PostgreSQL, 1 emulator" 1 "$url"; else run "PostgreSQL, 2 emulators" 2 "$url"; fi
      ;;
    *) echo "bench: unknown store '$store' (sqlite, pg1, pg2)" >&2; exit 2 ;;
  esac
done

echo
echo "| store | ingest events/s | end to end deliveries/s | emulators' RSS MiB | database MiB |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
