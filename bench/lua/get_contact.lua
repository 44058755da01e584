-- GET /api/contacts/{id}: a random id over the whole table (1..BENCH_MAX_ID) per request.
local max_id = tonumber(os.getenv("BENCH_MAX_ID") or "1000000")
local key = os.getenv("BENCH_KEY")

function init(args)
  math.randomseed(20261125)
  wrk.headers["Authorization"] = "Token token=" .. key
end

request = function()
  return wrk.format("GET", "/api/contacts/" .. math.random(1, max_id))
end
