-- wrk script: POST a different reader's comment on every request (so neither duplicate
-- detection nor per-reader flood control refuses it), then print a JSON summary.
-- Arguments after "--": the bearer token (or Akismet key), a nonce unique to this run (8 hex
-- digits: it is part of every email and IP address, so no reader of an earlier run is met
-- again), and the protocol: "json" (POST /api/v1/comments, the default), "akismet"
-- (a form-encoded /1.1/comment-check, as WordPress's plugin sends it) or "isso" (Isso's
-- POST /new?uri=..., as its embed script sends it, the reader's address in X-Forwarded-For).

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

local token, nonce, protocol = "", "", "json"
local counter = 0

-- Each wrk thread has its own Lua state: give each its own range of readers, or two
-- threads would post as the same reader and meet flood control.
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  token, nonce, protocol = args[1] or "", args[2] or "00000000", args[3] or "json"
  counter = (id or 0) * 100000000
  wrk.method = "POST"
  if protocol == "akismet" then
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    wrk.headers["User-Agent"] = "WordPress/6.1.9 | Akismet/5.0.2"
  else
    wrk.headers["Content-Type"] = "application/json"
  end
  if protocol == "json" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
end

local function form_escape(text)
  return (string.gsub(text, "[^%w%-%.]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- Each reader is a network of its own: its own IPv6 /64, which Moderato's flood control counts
-- as one reader, and its own /48, which Isso's guard counts (it anonymises an address to
-- that). The reader's number plus the nonce spans the /64's third and fourth groups, low half
-- in the third, so consecutive readers differ in both, and another run (another random nonce)
-- meets these readers only if the two nonces lie within a run's length of each other.
local function address(n)
  local v = (tonumber(nonce, 16) + n) % 4294967296
  return string.format("2001:db8:%x:%x::1", v % 65536, math.floor(v / 65536))
end

function request()
  counter = counter + 1
  local first = sentences[counter % #sentences + 1]
  local second = sentences[(counter * 7) % #sentences + 1]
  local post = counter % 500
  local email = string.format("reader-%s-%d@example.org", nonce, counter)
  local content = string.format("%s %s (%d)", first, second, counter)
  local ip = address(counter)
  local path, body = nil, nil
  if protocol == "akismet" then
    body = string.format(
      "comment_post_ID=%d&comment_author=Reader+%d&comment_author_email=%s" ..
      "&comment_content=%s&comment_type=comment&user_ip=%s&user_agent=wrk" ..
      "&blog=http%%3A%%2F%%2Fbench.example&api_key=%s",
      post, counter, form_escape(email), form_escape(content), form_escape(ip), token)
  elseif protocol == "isso" then
    -- Isso trusts the loopback proxy's word for the reader's address; the title spares it
    -- fetching the post's page to name a new thread.
    wrk.headers["X-Forwarded-For"] = ip
    path = string.format("%s?uri=/post-%d", wrk.path, post)
    body = string.format(
      '{"text": "%s", "author": "Reader %d", "email": "%s", "title": "Post %d"}',
      content, counter, email, post)
  else
    body = string.format(
      '{"post_id": "post-%d", "author_name": "Reader %d", "author_email": "%s", ' ..
      '"content": "%s", "user_ip": "%s", "user_agent": "wrk"}',
      post, counter, email, content, ip)
  end
  return wrk.format(nil, path, nil, body)
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
