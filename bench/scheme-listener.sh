#!/usr/bin/env bash
# `listen --scheme standard` against `listen --scheme scopien`, in one sitting, with the
# shared listener harness (../shared/bench/listener.sh). The scopien runs are the harness's
# own; the standard runs send the same 442 B delivery (with `type` for `event`) signed in
# Standard Webhooks' three headers. Prints each run, then the standard/scopien req/s ratio
# per concurrency.
#
#   HARNESS=/tmp/scopien-bench bench/scheme-listener.sh     (a copy that ran setup.sh)
#
# Env: HARNESS (default ../shared/bench beside the project), PORT (default 18240), BIN
# (default target/release/scopien-hooks), and the harness's own knobs (REPEAT, CONNS, …).
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

for scheme in scopien standard; do
  body=$work/body.json extra=
  if [ "$scheme" = standard ]; then
    # The signed timestamp is checked against --tolerance: one hour covers the sitting.
    body=$here/standard-body.json extra="--tolerance 1h"
  fi
  SCHEME=$scheme BODY_FILE=$body RUN_TAG=$scheme BENCH_TS=$(date +%s) "$work/listener.sh" "listen-$scheme" \
    "\"\$BIN\" listen --port \$PORT --secret \"\$SECRET\" --no-dedupe --scheme $scheme $extra" "$port"
done

# Mean req/s of the valid runs per scheme and concurrency, and the ratio.
awk -F, 'NR > 1 && $4 == "\"valid\"" {
    gsub(/"/, ""); k = $3 " " $6; sum[k] += $9; n[k]++; conc[$6] = 1 }
  END {
    for (c in conc) {
      s = sum["scopien " c] / n["scopien " c]; t = sum["standard " c] / n["standard " c]
      printf "c=%s  scopien=%.0f req/s  standard=%.0f req/s  standard/scopien=%.3f\n", c, s, t, t / s
    }
  }' "$CSV"
