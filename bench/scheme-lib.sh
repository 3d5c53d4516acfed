
# ---- appended by scheme-listener.sh: the signature in SCHEME's headers (scopien|standard)
SCHEME=${SCHEME:-scopien}
BENCH_MSG_ID=${BENCH_MSG_ID:-msg_2Lk3mN4oP5qR6sT7uV8wX9yZ0a}
BENCH_TS=${BENCH_TS:-$(date +%s)}
export BENCH_SCHEME=$SCHEME BENCH_MSG_ID BENCH_TS BENCH_HARNESS_LUA="$BENCH_DIR/wrk-harness.lua"

# Standard Webhooks: base64 HMAC-SHA256 of "{id}.{ts}.{body}", keyed with the base64 after
# whsec_ (a secret that is not base64, like the harness's bad one, keys with its own bytes).
standard_sig() { # SECRET
  local key
  key=$(printf %s "${1#whsec_}" | base64 -d 2>/dev/null | od -An -v -tx1 | tr -d ' \n') ||
    key=$(printf %s "$1" | od -An -v -tx1 | tr -d ' \n')
  { printf '%s.%s.' "$BENCH_MSG_ID" "$BENCH_TS"; cat "$BODY_FILE"; } |
    openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -binary | base64 | sed 's/^/v1,/'
}

if [ "$SCHEME" = standard ]; then
  sig_value() { standard_sig "$1"; }
  post_once() { # URL SIGVALUE
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 -X POST -H 'Content-Type: application/json' \
      -H "webhook-id: $BENCH_MSG_ID" -H "webhook-timestamp: $BENCH_TS" -H "webhook-signature: $2" \
      --data-binary "@$BODY_FILE" "$1"
  }
fi
