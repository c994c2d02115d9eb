-- bench/wrk/client-mix.lua: the project's client mix for wrk (bench/wrk-load.ts runs it).
--
--   wrk -t C -c C -d 10s -s bench/wrk/client-mix.lua http://127.0.0.1:PORT -- PREFIX SEED COUNTS
--
-- PREFIX: 12 random hex digits drawn by the bench for this run (never the same twice), so every
--   uuid is new: PREFIX[1..8]-PREFIX[9..12]-4TTT-8CCC-CCCCCCCCCCCC (T thread, C counter).
-- SEED:   seeds each thread's math.random (seed + thread number).
-- COUNTS: letter weights "e:54944,t:40511,...", lib/client/letter-stream.ts's Sherlock counts
--   (the bench passes them; a letter left out is never sent).
--
-- Each iteration is the original client's (lib/client/load-client.ts): POST /initial for a fresh
-- uuid and the next letter; then, by lib/client/followup-rule.ts applied to the reply, POST
-- /followup for that uuid: only when the server was right by the client's own judgement (its
-- own coin for y), then with p 0.1 for a vowel and 0.2 otherwise (the vowel test drawn afresh).
--
-- wrk's Lua API does not say which connection a response came on, so the bench runs one
-- connection per thread (-t C -c C): a thread's response always answers its last request.
-- done() prints one JSON line: the run's totals and latency percentiles.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
  table.insert(threads, thread)
end

local prefix_a, prefix_b
local letters, cumulative, total = {}, {}, 0
local sequence = 0
local host
-- The request just sent: its kind, uuid and letter; and the followup owed, if any.
local sent_kind, sent_uuid, sent_letter
local owed_uuid = nil

initials, followups, bad, judged_right = 0, 0, 0, 0

local TRUE_VOWELS = { a = true, e = true, i = true, o = true, u = true }

local function is_vowel(letter)
  if TRUE_VOWELS[letter] then
    return true
  end
  if letter == "y" then
    return math.random() < 0.5
  end
  return false
end

-- lib/client/followup-rule.ts, draw for draw.
local function decides_to_follow_up(letter, server_says_vowel)
  if server_says_vowel ~= is_vowel(letter) then
    return false
  end
  judged_right = judged_right + 1
  local p = is_vowel(letter) and 0.1 or 0.2
  return math.random() < p
end

local function next_letter()
  local target = math.random() * total
  local low, high = 1, #cumulative
  while low < high do
    local mid = math.floor((low + high) / 2)
    if cumulative[mid] > target then
      high = mid
    else
      low = mid + 1
    end
  end
  return letters[low]
end

function init(args)
  local prefix = args[1]
  assert(prefix and #prefix == 12, "first script argument: 12 hex digits")
  prefix_a, prefix_b = prefix:sub(1, 8), prefix:sub(9, 12)
  math.randomseed(tonumber(args[2]) + thread_number)
  for letter, count in string.gmatch(args[3], "(%a):(%d+)") do
    total = total + tonumber(count)
    table.insert(letters, letter)
    table.insert(cumulative, total)
  end
  assert(total > 0, "third script argument: letter:count,...")
  host = wrk.headers["Host"] or (wrk.host .. ":" .. tostring(wrk.port))
end

local function post(path)
  return "POST " .. path .. " HTTP/1.1\r\nHost: " .. host .. "\r\nContent-Length: 0\r\n\r\n"
end

function request()
  if owed_uuid then
    sent_kind, sent_uuid, owed_uuid = "followup", owed_uuid, nil
    return post("/followup?uuid=" .. sent_uuid)
  end
  sequence = sequence + 1
  sent_kind = "initial"
  sent_uuid = string.format(
    "%s-%s-4%03x-8%03x-%012x",
    prefix_a,
    prefix_b,
    thread_number,
    math.floor(sequence / 281474976710656) % 4096,
    sequence % 281474976710656
  )
  sent_letter = next_letter()
  return post("/initial?uuid=" .. sent_uuid .. "&symbol=" .. sent_letter)
end

function response(status, headers, body)
  if sent_kind == "initial" then
    if status == 200 and (body == "True" or body == "False") then
      initials = initials + 1
      if decides_to_follow_up(sent_letter, body == "True") then
        owed_uuid = sent_uuid
      end
    else
      bad = bad + 1
    end
  elseif status == 200 and body == "hooray" then
    followups = followups + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local sums = { initials = 0, followups = 0, bad = 0, judged_right = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(sums) do
      sums[name] = sums[name] + (thread:get(name) or 0)
    end
  end
  local e = summary.errors
  io.write(
    string.format(
      '{"requests":%d,"duration_us":%d,"initials":%d,"followups":%d,"bad_replies":%d,'
        .. '"judged_right":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
        .. '"latency_us":{"p50":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
      summary.requests,
      summary.duration,
      sums.initials,
      sums.followups,
      sums.bad,
      sums.judged_right,
      e.connect,
      e.read,
      e.write,
      e.status,
      e.timeout,
      latency:percentile(50),
      latency:percentile(99),
      latency.max,
      latency.mean
    )
  )
end
