-- POST /api/contacts/upsert by email: each thread cycles over 200 addresses of its own (per
-- BENCH_RUN), so its first 200 requests create contacts and the rest update them.
local key = os.getenv("BENCH_KEY")
local path = os.getenv("BENCH_PATH") or "/api/contacts/upsert"
local run = os.getenv("BENCH_RUN") or "0"
local counter = 0
local body = [[{"unique_identifier":{"emails":"upsert.%s.%d.%d@example.com"},"contact":{"first_name":"Jane","last_name":"Upsert %d","job_title":"Buyer","mobile_number":"+1 415 555 0199","city":"Chicago","country":"USA"}}]]

function setup(thread)
  counter_base = (counter_base or 0) + 1
  thread:set("tid", counter_base)
end

function init(args)
  wrk.headers["Authorization"] = "Token token=" .. key
  wrk.headers["Content-Type"] = "application/json"
end

request = function()
  counter = counter + 1
  local t = tid or 1
  local b = string.format(body, run, t, counter % 200, counter)
  return wrk.format("POST", path, nil, b)
end
