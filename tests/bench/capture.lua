-- One-click answers over many distinct invitations: each answer is the page GET, then the recording POST.
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end

local threads = 0
local nthreads = tonumber(os.getenv("WRK_THREADS") or "2")
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

local n = 0
function request()
  local answer = math.floor(n / 2)
  local token = tokens[(offset + answer * nthreads) % #tokens + 1]
  local score = (answer % 11)
  n = n + 1
  if n % 2 == 1 then
    return wrk.format("GET", "/r/" .. token .. "/" .. score .. "/")
  end
  -- What static/js/answer.js sends right after the page loads.
  return wrk.format("POST", "/r/" .. token .. "/", { ["Content-Type"] = "application/x-www-form-urlencoded" },
    "score=" .. score .. "&source=link")
end

done = function(summary, latency, requests)
  io.write(string.format("BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
