-- wrk's script for every closed-loop HTTP figure of the benchmarks.
-- Arguments after "--": method, expected status, body template ("" for none).
-- "{n}" in the template becomes a number unique across threads and requests.
-- A response with another status, or a JSON body with "errors", counts as bad.
-- done() prints one JSON line: requests, bad, seconds, p50/p99/mean latency in ms.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  method, expected, template = args[1], tonumber(args[2]), args[3] or ""
  n, bad = 0, 0
end

function request()
  n = n + 1
  local body = nil
  if template ~= "" then
    body = template:gsub("{n}", string.format("%d%08d", id, n))
  end
  return wrk.format(method, nil, nil, body)
end

function response(status, headers, body)
  if status ~= expected or body:find('"errors"', 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total_bad = 0
  for _, thread in ipairs(threads) do
    total_bad = total_bad + thread:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "bad": %d, "socket_errors": %d, "seconds": %.6f, '
      .. '"p50_ms": %.3f, "p99_ms": %.3f, "mean_ms": %.3f}\n',
    summary.requests, total_bad, e.connect + e.read + e.write + e.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000))
end
