#!/usr/bin/env bash
# `listen --scheme standard` against `listen --scheme scopien`, in one sitting, with the
# shared listener harness (../shared/bench/listener.sh). The scopien runs are the harness's
# own; the standard runs send the same 442 B delivery (with `type` for `event`) signed in
# Standard Webhooks' three headers. Prints each run, then the standard/scopien ratios per
# concurrency.
#
#   HARNESS=/tmp/scopien-bench bench/scheme-listener.sh     (a copy that ran setup.sh)
#
# Env: HARNESS (default ../shared/bench beside the project), PORT (default 18240), BIN
# (default target/release/scopien-hooks), ROUNDS (2), and the harness's own knobs (REPEAT=1
# per round, BAD_RUN=0, CONNS, DURATION, …).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
harness=${HARNESS:-$here/../../shared/bench}
bin=${BIN:-$here/../target/release/scopien-hooks}
port=${PORT:-18240}
[ -x "$bin" ] || { echo "scheme-listener: no $bin (cargo build --release)" >&2; exit 2; }
[ -f "$harness/listener.sh" ] || { echo "scheme-listener: no listener.sh in $harness" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$harness"/*.sh "$harness"/*.lua "$harness"/body.json "$work"/
mv "$work/wrk-post.lua" "$work/wrk-harness.lua"
cp "$here/wrk-scheme.lua" "$work/wrk-post.lua"
cat "$here/scheme-lib.sh" >>"$work/lib.sh"
export BENCH_TMP=${BENCH_TMP:-/tmp/bench} CSV=${CSV:-$work/scheme-listener.csv} BIN=$bin
mkdir -p "$BENCH_TMP"

# Rounds alternate the order (scopien standard, standard scopien, …) so that a drift in the
# machine's load weighs on both alike.
rounds=${ROUNDS:-2}
for round in $(seq "$rounds"); do
  order="scopien standard"
  [ $((round % 2)) = 0 ] && order="standard scopien"
  for scheme in $order; do
    body=$work/body.json extra=
    if [ "$scheme" = standard ]; then
      # The signed timestamp is checked against --tolerance: one hour covers the sitting.
      body=$here/standard-body.json extra="--tolerance 1h"
    fi
    SCHEME=$scheme BODY_FILE=$body RUN_TAG=$scheme BENCH_TS=$(date +%s) REPEAT=${REPEAT:-1} BAD_RUN=${BAD_RUN:-0} \
      "$work/listener.sh" "listen-$scheme" \
      "\"\$BIN\" listen --port \$PORT --secret \"\$SECRET\" --no-dedupe --scheme $scheme $extra" "$port"
  done
done

# Per scheme and concurrency: mean req/s of the valid runs, and the listener's CPU time per
# request (steadier than req/s when other processes take the CPUs); then standard/scopien.
awk -F, 'NR > 1 && $4 == "\"valid\"" {
    gsub(/"/, ""); k = $3 " " $6; rps[k] += $9; cpu[k] += 1e4 * $15 / $9; n[k]++; conc[$6] = 1 }
  END {
    for (c in conc) {
      s = "scopien " c; t = "standard " c
      printf "c=%s  scopien %.0f req/s, %.1f us CPU/req  standard %.0f req/s, %.1f us CPU/req  ratio req/s %.3f, CPU/req %.3f\n",
        c, rps[s] / n[s], cpu[s] / n[s], rps[t] / n[t], cpu[t] / n[t], (rps[t] / n[t]) / (rps[s] / n[s]), (cpu[t] / n[t]) / (cpu[s] / n[s])
    }
  }' "$CSV"
