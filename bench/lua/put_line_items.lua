-- PUT /api/deals/{id}?include=products with 100 products, alternating between two sets
-- (bench/line_items.py makes them), so every request replaces the deal's whole set.
-- With BENCH_PATH (the ceiling route) the same bodies are POSTed there instead.
local key = os.getenv("BENCH_KEY")
local ceiling = os.getenv("BENCH_PATH")
local path = ceiling or os.getenv("BENCH_LINE_ITEMS_PATH")
local method = ceiling and "POST" or "PUT"
local bodies = { os.getenv("BENCH_BODY_A"), os.getenv("BENCH_BODY_B") }
local counter = 0

function init(args)
  wrk.headers["Authorization"] = "Token token=" .. key
  wrk.headers["Content-Type"] = "application/json"
end

request = function()
  counter = counter + 1
  return wrk.format(method, path, nil, bodies[counter % 2 + 1])
end
