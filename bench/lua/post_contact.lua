-- POST a realistic contact with an email no other request uses (a counter per thread, and a
-- BENCH_RUN prefix per run). BENCH_PATH lets the same requests go to the ceiling route.
local key = os.getenv("BENCH_KEY")
local path = os.getenv("BENCH_PATH") or "/api/contacts"
local run = os.getenv("BENCH_RUN") or "0"
local source = os.getenv("BENCH_LEAD_SOURCE_ID") or "null"
local counter = 0
local body = [[{"contact":{"first_name":"Jane","last_name":"Sampleton %d","job_title":"Procurement Manager","emails":[{"value":"jane.sampleton.%s.%d.%d@example.com","is_primary":true,"label":"work"}],"work_number":"+1 555 301 4410","mobile_number":"+1 415 555 0199","external_id":"bench-%s-%d-%d","address":"604 Market St","city":"Chicago","state":"Illinois","zipcode":"60606","country":"USA","time_zone":"Central Time (US & Canada)","medium":"cpc","keyword":"crm software","lead_source_id":%s,"subscription_status":1,"linkedin":"https://www.linkedin.com/in/jane-sampleton","custom_field":{}}}]]

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
  local b = string.format(body, counter, run, t, counter, run, t, counter, source)
  return wrk.format("POST", path, nil, b)
end
