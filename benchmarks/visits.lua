-- wrk script of the load benchmark: each request is the next visit of a list (a path and the session
-- cookie of the account that makes it, tab-separated, one a line; the file is the script's
-- argument), every non-2xx answer is counted, and done() prints one JSON line with the figures.
local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  visits = {}
  for line in io.lines(args[1]) do
    local cookie, path = line:match("^([^\t]*)\t(.+)$")
    table.insert(visits, {path = path, cookie = cookie})
  end
  -- Each thread starts at a different visit; its connections take the visits in turn.
  position = (thread_number * 7919) % #visits
  non_2xx = 0
end

function request()
  position = position % #visits + 1
  local visit = visits[position]
  local headers = {}
  if visit.cookie ~= "" then
    headers["Cookie"] = visit.cookie
  end
  return wrk.format("GET", visit.path, headers)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("non_2xx")
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"non_2xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, failed, errors.connect, errors.read, errors.write, errors.timeout))
end
