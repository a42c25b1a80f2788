-- wrk script for the capacity phases: every request is the next line of a request file (method, path, cookie,
-- body; tab-separated), so authenticated POSTs carry their session cookie and CSRF token without wrk parsing
-- anything. Each thread starts at its own offset and strides by the thread count, so no line (no draft) is sent
-- twice. A response is ok when its status is 2xx, or (given a suffix) a 302 whose Location ends with it.
-- Usage: wrk -t1 -c16 -d15s -s requests.lua http://127.0.0.1:PORT -- requests.tsv THREADS [/submitted/]

local threads = {}
local counter = 1

function setup(thread)
   thread:set("id", counter)
   table.insert(threads, thread)
   counter = counter + 1
end

local lines = {}
local index, stride, expect = 0, 1, ""
ok, bad = 0, 0  -- globals: done() reads them from each thread

function init(args)
   local file = assert(io.open(args[1], "r"))
   for line in file:lines() do
      local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
      table.insert(lines, {method = method, path = path, cookie = cookie, body = body})
   end
   file:close()
   stride = tonumber(args[2] or "1")
   expect = args[3] or ""
   index = id - 1
end

function request()
   local line = lines[(index % #lines) + 1]
   index = index + stride
   local headers = {["Cookie"] = line.cookie}
   if line.method == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
   end
   return wrk.format(line.method, line.path, headers, line.body ~= "" and line.body or nil)
end

function response(status, headers, body)
   local location = headers["Location"] or ""
   if (status >= 200 and status < 300 and expect == "") or
      (status == 302 and expect ~= "" and location:sub(-#expect) == expect) then
      ok = ok + 1
   else
      bad = bad + 1
   end
end

function done(summary, latency, requests)
   local ok_total, bad_total = 0, 0
   for _, thread in ipairs(threads) do
      ok_total = ok_total + thread:get("ok")
      bad_total = bad_total + thread:get("bad")
   end
   local e = summary.errors
   io.write(string.format(
      'WRK_JSON {"requests": %d, "duration_us": %d, "ok": %d, "unexpected": %d, "connect_errors": %d, ' ..
      '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, ' ..
      '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
      summary.requests, summary.duration, ok_total, bad_total, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
