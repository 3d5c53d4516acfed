#!/usr/bin/env bash
# Soak: `listen` under oha at c=128 for 10 minutes, its RSS sampled every 10 s (it must stay flat).
# 127.0.0.1 only. Uses scopien-hooks from PATH (build with --release) and oha (cargo install oha).
#   ./bench/soak.sh                           # 10 minutes, c=128
#   DURATION=60 CONNS=32 ./bench/soak.sh      # a shorter look
# Prints one `t=…s rss=…KiB` line per sample, oha's summary, then first/max/last RSS.
set -euo pipefail
DURATION=${DURATION:-600}   # seconds of load
CONNS=${CONNS:-128}         # concurrent connections
EVERY=${EVERY:-10}          # seconds between RSS samples
PORT=${PORT:-18310}
B=${B:-scopien-hooks}
SECRET=whsec_soak_bench_secret

dir=$(mktemp -d)
cleanup() { kill "$(jobs -p)" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

body=$dir/body.json
printf '{"id":"evt_soak0000000000000000001","event":"lead.created","timestamp":"%s","data":{"id":"lead_1","email":"ada@example.com","name":"Ada"}}' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$body"
sig="sha256=$(openssl dgst -sha256 -hmac "$SECRET" -hex <"$body" | sed 's/^.*= //')"

"$B" listen --host 127.0.0.1 --port "$PORT" --secret "$SECRET" --no-dedupe >/dev/null 2>"$dir/listen.log" &
pid=$!
for _ in $(seq 200); do grep -q '^Ready!' "$dir/listen.log" 2>/dev/null && break; sleep 0.05; done
grep -q '^Ready!' "$dir/listen.log" || { echo "soak: listen printed no Ready! line" >&2; cat "$dir/listen.log" >&2; exit 1; }

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
samples=$dir/rss
(
  t=0
  while [ "$t" -le "$DURATION" ]; do
    echo "$t $(rss)" >>"$samples"
    echo "t=${t}s rss=$(rss)KiB"
    sleep "$EVERY"
    t=$((t + EVERY))
  done
) &
sampler=$!

oha --no-tui -z "${DURATION}s" -c "$CONNS" -m POST \
  -H "Content-Type: application/json" -H "X-Scopien-Signature: $sig" -D "$body" \
  "http://127.0.0.1:$PORT/" | sed -n '/^Summary/,/^Response time histogram/p;/^Status code distribution/,$p'
wait "$sampler" 2>/dev/null || true

awk 'NR == 1 {first = $2} {if ($2 > max) max = $2; last = $2}
  END {printf "rss_first=%dKiB rss_max=%dKiB rss_last=%dKiB samples=%d\n", first, max, last, NR}' "$samples"
