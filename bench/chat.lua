-- chat.lua - wrk script: POST an Azure OpenAI chat-completions request.
--
-- The URL (including /openai/deployments/<name>/chat/completions?api-version=...) comes from
-- the wrk command line. Environment:
--   BENCH_TOKEN  if set and non-empty, sent as "Authorization: Bearer <token>"
--   BENCH_BODY   optional override of the JSON request body
--   BENCH_RATE   if set, requests per second this wrk thread offers (paced mode): every request has a slot
--                on a fixed schedule, 1/BENCH_RATE s apart, and waits for it (wrk's delay() hook). A target
--                that answers in time carries exactly that rate whatever its latency; one that falls behind
--                finds its slots in the past and gets a closed loop (compare req/s with the rate offered).
-- No api-key header is sent: callers authenticate to the gateway with an Entra ID token only.

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["User-Agent"] = "tollgate-bench/1 (wrk)"

local token = os.getenv("BENCH_TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

local body = os.getenv("BENCH_BODY")
if body == nil or body == "" then
  body = '{"messages":['
    .. '{"role":"system","content":"You are a billing support assistant for Contoso Cloud. '
    .. 'Answer in at most three sentences, be precise about dates and amounts, and never invent '
    .. 'charges that are not on the invoice. If the question is not about billing, say so politely."},'
    .. '{"role":"user","content":"My March invoice is 38 EUR higher than February even though '
    .. 'I switched to the cheaper plan on March 10th. Was I charged twice for the same month?"}'
    .. '],"max_tokens":64}'
end
wrk.body = body

local rate = tonumber(os.getenv("BENCH_RATE") or "")
if rate ~= nil and rate > 0 then
  -- wrk's Lua is LuaJIT: a monotonic millisecond clock through its FFI (os.clock is CPU time, os.time seconds).
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock, bench_timespec *ts);
  ]]
  local CLOCK_MONOTONIC = 1
  local ts = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  local interval = 1000 / rate
  local slot
  -- Called by wrk before each request of every connection of this thread: the request waits for the next slot.
  -- wrk's delay is whole milliseconds, so requests leave in small groups, but the schedule itself does not drift.
  function delay()
    local now = now_ms()
    slot = slot or now
    local wait = slot - now
    slot = slot + interval
    if wait <= 0 then return 0 end
    return math.floor(wait + 0.5)
  end
end

-- Diagnostics (run.sh uses this after a run with errors): BENCH_COUNT_STATUS=1 counts responses
-- per HTTP status and prints them at the end. Off by default: the per-response Lua callback
-- costs load-generator CPU.
if os.getenv("BENCH_COUNT_STATUS") == "1" then
  local threads = {}
  function setup(thread) table.insert(threads, thread) end
  function init(args) status_counts = {} end
  function response(status, headers, body)
    status_counts[status] = (status_counts[status] or 0) + 1
  end
  function done(summary, latency, requests)
    local total = {}
    for _, t in ipairs(threads) do
      for status, n in pairs(t:get("status_counts") or {}) do total[status] = (total[status] or 0) + n end
    end
    for status, n in pairs(total) do io.write(string.format("status %d: %d\n", status, n)) end
  end
end
