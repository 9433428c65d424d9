-- wrk script for the Chapters-vs-PostGraphile comparison on the Chapters schema: each request
-- picks a random chapter (and so its tenant) from the inputs file
-- (CHAPTERS_BENCH_DIR/inputs.tsv, written by bench/peer/tokens.py) and sends the query the way
-- that server wants it:
--   chapters: POST /t/<tenant slug>/graphql, Authorization: Bearer <ops token of that tenant>
--   pg:       POST /graphql, X-Tenant-Id: <tenant uuid>   (PostGraphile pgSettings -> app.tenant_id)
--   pgjwt:    POST /graphql, Authorization: Bearer <the same token>  (PostGraphile verifying it)
-- usage: wrk -t1 -c32 -d15s -s wrk/requests.lua http://127.0.0.1:8100 -- \
--          <query-file> <chapters|pg|pgjwt> <q1|q2|q3> <inputs.tsv> [json-out|-] [check|-] [tenant-slug|-]
--   q1: chapters {"slug","chapterId"(global id)}   pg, pgjwt {"tenantId","slug"}
--   q2: chapters {"status": ACCEPTED...}           pg {"status": accepted...}  (random tenant x status)
--   q3: chapters {"id"(global id)}                 pg {"tenantId","chapterId"}
--   tenant-slug: only that tenant's chapters (data-size comparison)
-- Requests are pre-built in init() (2,000 for q1/q3, 10,000 for q2) so the load tool stays cheap.
-- done() prints one JSON line prefixed with "WRKJSON " (and writes it to json-out if given).
local statuses = { "accepted", "cancelled", "submitted", "draft", "changes_requested" }
local reqs = {}
bad, checked = 0, 0
local threads = {}
local outfile

function setup(thread)
  threads[#threads + 1] = thread
end

local function load_query(path)
  local f = assert(io.open(path, "r"))
  local lines = {}
  for line in f:lines() do
    if not line:match("^%s*#") then lines[#lines + 1] = line end
  end
  f:close()
  local q = table.concat(lines, " "):gsub("%s+", " ")
  return (q:gsub("\\", "\\\\"):gsub('"', '\\"'))
end

local function split_tabs(line)
  local out = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do out[#out + 1] = field end
  return out
end

function init(args)
  local qfile, server, kind, inputs = args[1], args[2], args[3], args[4]
  outfile = args[5]
  if outfile == "-" then outfile = nil end
  local only = args[7]
  if only == "-" then only = nil end
  if args[6] == "check" then
    response = function(status, headers, body)
      if status ~= 200 or body:find('"errors"', 1, true) or not body:find('"data"', 1, true) then
        bad = bad + 1
        if bad <= 3 then io.stderr:write("BAD RESPONSE " .. status .. ": " .. body:sub(1, 300) .. "\n") end
      end
      checked = checked + 1
    end
  end
  local query = load_query(qfile)
  local function add(row, vars)
    local path, headers
    if server == "chapters" then
      path = "/t/" .. row[1] .. "/graphql"
      headers = { ["Authorization"] = "Bearer " .. row[6] }
    elseif server == "pgjwt" then
      path = "/graphql"
      headers = { ["Authorization"] = "Bearer " .. row[6] }
    else
      path = "/graphql"
      headers = { ["X-Tenant-Id"] = row[2] }
    end
    headers["Content-Type"] = "application/json"
    headers["Accept"] = "application/json"
    reqs[#reqs + 1] = wrk.format("POST", path, headers, '{"query":"' .. query .. '","variables":' .. vars .. '}')
  end
  for line in io.lines(inputs) do
    -- tenant_slug, tenant_uuid, chapter_slug, chapter_uuid, chapter_gid, token
    local row = split_tabs(line)
    if not only or row[1] == only then
      if kind == "q1" then
        if server == "chapters" then
          add(row, string.format('{"slug":"%s","chapterId":"%s"}', row[3], row[5]))
        else
          add(row, string.format('{"tenantId":"%s","slug":"%s"}', row[2], row[3]))
        end
      elseif kind == "q2" then
        for _, s in ipairs(statuses) do
          add(row, string.format('{"status":"%s"}', server == "chapters" and s:upper() or s))
        end
      elseif kind == "q3" then
        if server == "chapters" then
          add(row, string.format('{"id":"%s"}', row[5]))
        else
          add(row, string.format('{"tenantId":"%s","chapterId":"%s"}', row[2], row[4]))
        end
      else
        error("unknown kind " .. tostring(kind))
      end
    end
  end
  assert(#reqs > 0, "no requests built (inputs / tenant filter?)")
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
end

function request()
  return reqs[math.random(1, #reqs)]
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  local nbad, nchecked = 0, 0
  for _, t in ipairs(threads) do
    nbad = nbad + (t:get("bad") or 0)
    nchecked = nchecked + (t:get("checked") or 0)
  end
  local s = string.format(
    '{"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"checked":%d,"bad":%d}',
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    e.connect, e.read, e.write, e.status, e.timeout, nchecked, nbad)
  io.write("WRKJSON " .. s .. "\n")
  if outfile then
    local f = io.open(outfile, "w"); f:write(s .. "\n"); f:close()
  end
end
