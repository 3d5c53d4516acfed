-- The shared harness's wrk script, for a receiver of another scheme: the same body and
-- the same done() report, with the signature in the scheme's headers.
-- Env: BENCH_SCHEME (scopien|standard), BENCH_SIG (the signature value), and for standard
--      BENCH_MSG_ID and BENCH_TS (the webhook-id and webhook-timestamp that were signed).
local harness = assert(os.getenv("BENCH_HARNESS_LUA"), "BENCH_HARNESS_LUA: the harness's wrk-post.lua")
dofile(harness)
if os.getenv("BENCH_SCHEME") == "standard" then
  wrk.headers["X-Scopien-Signature"] = nil
  wrk.headers["webhook-id"] = os.getenv("BENCH_MSG_ID")
  wrk.headers["webhook-timestamp"] = os.getenv("BENCH_TS")
  wrk.headers["webhook-signature"] = os.getenv("BENCH_SIG")
end
