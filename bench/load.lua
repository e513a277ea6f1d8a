-- wrk script: POST a different reader's comment on every request (so neither duplicate
-- detection nor per-reader flood control refuses it), then print a JSON summary.
-- Arguments after "--": the bearer token and a nonce unique to this run (8 hex digits: it is
-- part of every email and IP address, so no reader of an earlier run is met again).

local sentences = {
  "My uncle has been missing since 2018. Thank you for writing about them.",
  "This is the best reporting I have read on the subject all year.",
  "I disagree with the second paragraph, the figures in the council report say otherwise.",
  "Check out my channel for more videos like this, subscribe and share!",
  "Great article, but the headline is misleading about the vote.",
  "Win a free iPhone now, click the link in my profile http://example.com/win",
  "The mayor promised the bridge would open in spring and it is still closed.",
  "Does anyone know where the public meeting will be held next week?",
  "Earn money from home, 500 dollars a day, message me on whatsapp",
  "I grew up on that street and it is sad to see what happened to the market.",
  "Please follow up on this story, the families deserve answers.",
  "Thanks for the photos, they bring back memories of my grandparents' village.",
}

local token, nonce = "", ""
local counter = 0

-- Each wrk thread has its own Lua state: give each its own range of readers, or two
-- threads would post as the same reader and meet flood control.
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  token, nonce = args[1] or "", args[2] or "00000000"
  counter = (id or 0) * 100000000
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  counter = counter + 1
  local first = sentences[counter % #sentences + 1]
  local second = sentences[(counter * 7) % #sentences + 1]
  local body = string.format(
    '{"post_id": "post-%d", "author_name": "Reader %d", ' ..
    '"author_email": "reader-%s-%d@example.org", "content": "%s %s (%d)", ' ..
    '"user_ip": "2001:db8:%s:%s::%x:%x", "user_agent": "wrk"}',
    counter % 500, counter, nonce, counter, first, second, counter,
    string.sub(nonce, 1, 4), string.sub(nonce, 5, 8),
    math.floor(counter / 65536), counter % 65536)
  return wrk.format(nil, nil, nil, body)
end

-- Print the first refusal's status and body (once per thread), so a failing run says why.
local refused = false

function response(status, headers, body)
  if status >= 400 and not refused then
    refused = true
    io.write(string.format("WRK_REFUSAL %d %s\n", status, string.sub(body, 1, 300)))
  end
end

function done(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "status_errors": %d, ' ..
    '"socket_errors": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
