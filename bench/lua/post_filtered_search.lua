-- POST /api/filtered_search/contact with the same three conditions every time
-- (bench/filtered_search.py makes the body). With BENCH_PATH (the ceiling route) the same
-- body is POSTed there instead.
local key = os.getenv("BENCH_KEY")
local path = os.getenv("BENCH_PATH") or "/api/filtered_search/contact"
local body = os.getenv("BENCH_FILTERED_SEARCH_BODY")

function init(args)
  wrk.headers["Authorization"] = "Token token=" .. key
  wrk.headers["Content-Type"] = "application/json"
end

request = function()
  return wrk.format("POST", path, nil, body)
end
