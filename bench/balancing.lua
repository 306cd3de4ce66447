-- balancing.lua - wrk script for bench/balancing.sh: a mixed Azure OpenAI load, with per-status counting.
--
-- Request kinds, interleaved deterministically (smooth weighted round-robin, so every second of the run
-- carries the same mix):
--   chat    POST <chat path>   non-streamed chat completion, max_tokens 64
--   stream  POST <chat path>   the same with "stream":true (server-sent events)
--   embed   POST <embed path>  embeddings of one short sentence
-- The host comes from the wrk command line; the paths from the environment.
--
-- Environment:
--   BENCH_CHAT_PATH   e.g. /openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21 (required)
--   BENCH_EMBED_PATH  e.g. /openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21 (required)
--   BENCH_MIX         chat/stream/embed weights, default "60/20/20"
--   BENCH_TOKEN       if non-empty, sent as "Authorization: Bearer <token>" (the gateway needs it, nginx ignores it)
--
-- At the end it prints, summed over all wrk threads:
--   status <code>: <count>     one line per HTTP status received
--   sent <kind>: <count>       requests issued per kind (includes those still in flight when wrk stopped)

local chat_path = os.getenv("BENCH_CHAT_PATH")
local embed_path = os.getenv("BENCH_EMBED_PATH")
if chat_path == nil or chat_path == "" or embed_path == nil or embed_path == "" then
  error("balancing.lua: BENCH_CHAT_PATH and BENCH_EMBED_PATH must be set")
end

wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["User-Agent"] = "tollgate-bench/1 (wrk, balancing)"
local token = os.getenv("BENCH_TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

local messages = '"messages":['
  .. '{"role":"system","content":"You are a billing support assistant for Contoso Cloud. '
  .. 'Answer in at most three sentences, be precise about dates and amounts, and never invent '
  .. 'charges that are not on the invoice. If the question is not about billing, say so politely."},'
  .. '{"role":"user","content":"My March invoice is 38 EUR higher than February even though '
  .. 'I switched to the cheaper plan on March 10th. Was I charged twice for the same month?"}]'

local kinds = {
  { name = "chat",   path = chat_path,  body = '{' .. messages .. ',"max_tokens":64}' },
  { name = "stream", path = chat_path,  body = '{' .. messages .. ',"max_tokens":64,"stream":true}' },
  { name = "embed",  path = embed_path, body = '{"input":"Invoice 2024-03: plan change on March 10th, prorated credit of 38 EUR."}' },
}

local weights = {}
local mix = os.getenv("BENCH_MIX")
if mix == nil or mix == "" then mix = "60/20/20" end
for w in string.gmatch(mix, "[^/]+") do table.insert(weights, tonumber(w)) end
if #weights ~= #kinds then error("balancing.lua: BENCH_MIX must be chat/stream/embed, e.g. 60/20/20, got " .. mix) end
local total_weight = 0
for i, w in ipairs(weights) do
  if w == nil or w < 0 then error("balancing.lua: bad weight in BENCH_MIX " .. mix) end
  total_weight = total_weight + w
end
if total_weight <= 0 then error("balancing.lua: BENCH_MIX weights must not all be 0") end

local threads = {}
function setup(thread) table.insert(threads, thread) end

function init(args)
  status_counts = {}
  sent_counts = {}
  current = {}
  for i = 1, #kinds do current[i] = 0 end
  -- formatted once per thread, here rather than at load time: wrk sets the Host header just before init()
  for _, k in ipairs(kinds) do
    k.request = wrk.format("POST", k.path, nil, k.body)
  end
end

function request()
  -- smooth weighted round-robin (as nginx does for weighted upstreams): 60/20/20 -> c c s c e c c s c e ...
  local best = 1
  for i, w in ipairs(weights) do
    current[i] = current[i] + w
    if current[i] > current[best] then best = i end
  end
  current[best] = current[best] - total_weight
  local k = kinds[best]
  sent_counts[k.name] = (sent_counts[k.name] or 0) + 1
  return k.request
end

function response(status, headers, body)
  status_counts[status] = (status_counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local statuses, sent = {}, {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("status_counts") or {}) do statuses[status] = (statuses[status] or 0) + n end
    for kind, n in pairs(t:get("sent_counts") or {}) do sent[kind] = (sent[kind] or 0) + n end
  end
  for status, n in pairs(statuses) do io.write(string.format("status %d: %d\n", status, n)) end
  for _, k in ipairs(kinds) do io.write(string.format("sent %s: %d\n", k.name, sent[k.name] or 0)) end
end
