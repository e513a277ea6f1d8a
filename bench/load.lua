-- wrk script: POST a different reader's comment on every request (so neither duplicate
-- detection nor per-reader flood control refuses it), then print a JSON summary.
-- Arguments after "--": the bearer token (or Akismet key), a nonce unique to this run (8 hex
-- digits: it is part of every email and IP address, so no reader of an earlier run is met
-- again), the protocol: "json" (POST /api/v1/comments, the default), "akismet"
-- (a form-encoded /1.1/comment-check, as WordPress's plugin sends it) or "isso" (Isso's
-- POST /new?uri=..., as its embed script sends it, the reader's address in X-Forwarded-For),
-- and the texts: "typical" (the default) or "campaign".
--
-- "typical" texts are distinct, as real readers' mostly are: three to five sentences, 20 to
-- 60 words, from templates whose slots are filled by a hash of the reader's number, so two
-- comments rarely share more than a word pair or two, never the many that make
-- service/campaigns.py call them near-duplicates. One comment in four is a spammer's: two
-- or three such sentences and a pitch with a sum of money and a link or a telephone number.
-- "campaign" texts are the worst case for campaign grouping, as every load was until
-- 2026-11-30: each comment two of twelve fixed sentences, so every one is a near-duplicate of
-- hundreds of others and joins a campaign.

-- Typical texts: sentences from templates whose slots each take one word from a pool of
-- 10 to 124 (determiners, adjectives, nouns, people, verbs, adverbs, times, relatives), so
-- two comments share a word pair only where both drew the same two words for two slots, or
-- one word beside a template's fixed one.
local function split(words)
  local list = {}
  for word in string.gmatch(words, "%S+") do list[#list + 1] = word end
  return list
end

local pools = {
  A = split([[old new broken empty local crowded quiet expensive dangerous filthy modern
    historic narrow flooded unsafe overpriced derelict popular tiny huge muddy noisy cheap ugly
    lovely busy abandoned leaky shabby gleaming rundown cramped pricey vandalised beloved
    neglected unlit chilly draughty mouldy crumbling temporary permanent unfinished private
    public rural suburban coastal riverside northern southern eastern western central outer
    inner shared disused seasonal overgrown fenced gated rickety sturdy outdated bright gloomy
    costly weekly nightly annual secret official planned proposed reopened widened dusty
    smelly]]),
  N = split([[library bridge school market hospital clinic pool park station depot garage
    playground footpath roundabout junction bypass tunnel pier harbour marina quarry landfill
    factory brewery bakery cinema theatre museum gallery church chapel mosque temple stadium
    arena gym pitch pavilion courthouse prison barracks airfield runway ferry tram bus train
    lorry cycleway towpath canal river stream reservoir dam sewer drain culvert pipeline
    substation mast windfarm hedge orchard meadow woodland common green square plaza arcade
    precinct mall supermarket pharmacy surgery hospice nursery college academy campus hostel
    hotel pub cafe restaurant takeaway laundrette workshop warehouse shelter allotment cemetery
    crematorium carpark layby verge pavement kerb crossing streetlight bollard bench fountain
    statue monument memorial clocktower lighthouse bandstand boathouse lido skatepark
    velodrome racecourse showground fairground campsite caravan estate tower terrace cottage
    bungalow]]),
  P = split([[residents councillors teachers nurses drivers parents pensioners students
    shopkeepers landlords tenants farmers fishermen cyclists commuters neighbours volunteers
    officials inspectors engineers planners developers contractors paramedics firefighters
    doctors lawyers journalists readers voters campaigners protesters businesses charities
    trustees governors managers cleaners porters carers midwives builders plumbers
    electricians gardeners bakers anglers ramblers locals visitors tourists]]),
  V = split([[ignored promised closed delayed funded blocked approved rejected repaired
    demolished renovated sold bought leased reopened relocated scrapped shelved doubled halved
    audited inspected padlocked polluted cleaned painted defended criticised praised
    questioned mocked cancelled postponed rebuilt replaced upgraded downgraded privatised
    mismanaged neglected abandoned surveyed mapped photographed filmed reported investigated
    overcharged underfunded overspent subsidised taxed fined licensed banned allowed narrowed
    resurfaced rerouted diverted extended shortened moved merged staffed emptied guarded
    patrolled monitored valued forgot wanted]]),
  D = split([[quietly finally clearly suddenly secretly openly badly wisely foolishly rightly
    wrongly barely hardly nearly partly fully slowly quickly proudly sadly happily angrily
    calmly firmly gently loudly oddly rarely often initially eventually apparently reportedly
    allegedly probably certainly honestly frankly hastily carefully]]),
  T = split([[yesterday today lately again twice already recently tonight overnight weekly
    monthly annually meanwhile afterwards beforehand earlier later regularly constantly
    nowadays previously formerly originally soon thereafter midweek yearly instead anyway]]),
  R = split([[uncle aunt son daughter wife husband neighbour landlord brother sister cousin mum
    dad grandson flatmate boss friend colleague partner nephew niece grandfather grandmother
    godson stepfather]]),
  X = split("the this that our their your every each no one"),
  Y = split("the these those our their your some many most all few"),
  -- A spammer's: how much was earned, on what, and what to do about it.
  E = split([[earned made pocketed banked cleared netted won collected withdrew scored grabbed
    raked got brought claimed]]),
  M = split([[crypto surveys betting forex apps trainers followers adverts videos coins
    dropshipping gaming casinos sneakers stocks bitcoin loans giveaways tips vouchers poker
    bingo lottery options futures tokens reviews clicks referrals cashback]]),
  K = split("click visit join message text call contact follow try see register"),
  O = split("now today here me us free fast quickly"),
}
local readers = {
  "{P} {D} {V} {X} {A} {N} {T}.",
  "{X} {A} {N} was {V} {T}, and {P} {D} {V} {X} {N}.",
  "My {R} {V} {X} {N} by {X} {A} {N} {T}.",
  "Why was {X} {A} {N} {V} when {P} {D} {V} {X} {N}?",
  "Nobody {V} {X} {N} until {P} {V} it {T}.",
  "I {D} {V} {X} {A} {N} and {X} {A} {N} {T}.",
  "{T} {Y} {P} {V} {X} {A} {N}.",
  "{X} {N} near {X} {N} is {A}, as {P} {D} said.",
  "Ask {Y} {P} who {V} {X} {A} {N}.",
  "{P} and {P} {D} {V} {X} {N} {T}.",
}
local pitches = {
  "My {R} {E} {#} {T} with {M}, {K} {O} {@}",
  "I {E} {#} {T} from {M}, {K} {O} {@}",
  "{M} {E} my {R} {#} {T}, {K} {O} {@}",
  "{K} {O} {@} for {M}, {E} {#} {T}",
}
local domains = { "cash-fast", "easy-income", "winbig", "quick-loans", "promo-deals", "earnhub" }

-- The old texts, for "campaign": every comment two of these twelve sentences.
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

local token, nonce, protocol, texts = "", "", "json", "typical"
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
  protocol, texts = args[3] or "json", args[4] or "typical"
  if texts ~= "typical" and texts ~= "campaign" then
    error("texts must be typical or campaign, not " .. texts)
  end
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

-- The reader's number in this run's range: the nonce plus the counter, modulo 2^32.
local function reader(n)
  return (tonumber(nonce, 16) + n) % 4294967296
end

-- Each reader is a network of its own: its own IPv6 /64, which Moderato's flood control counts
-- as one reader, and its own /48, which Isso's guard counts (it anonymises an address to
-- that). The reader's number spans the /64's third and fourth groups, low half in the
-- third, so consecutive readers differ in both, and another run (another random nonce)
-- meets these readers only if the two nonces lie within a run's length of each other.
local function address(n)
  local v = reader(n)
  return string.format("2001:db8:%x:%x::1", v % 65536, math.floor(v / 65536))
end

-- A 32-bit hash (Chris Wellons's lowbias32), exact in LuaJIT's doubles: the product is
-- taken in two halves, each below 2^53.
local function mul32(a, b)
  local low = b % 65536
  return (a * low + (a * (b - low) / 65536) % 65536 * 65536) % 4294967296
end

local function mix(x)
  x = bit.bxor(x, bit.rshift(x, 16)) % 4294967296
  x = mul32(x, 0x7feb352d)
  x = bit.bxor(x, bit.rshift(x, 15)) % 4294967296
  x = mul32(x, 0x846ca68b)
  return bit.bxor(x, bit.rshift(x, 16)) % 4294967296
end

-- Draws for the comment being written: a stream of hashes seeded by the reader's number.
local state = 0

local function draw(n)
  state = mix((state + 0x9e3779b9) % 4294967296)
  return state % n
end

local function pick(pool)
  return pool[draw(#pool) + 1]
end

local function words(text)
  return select(2, string.gsub(text, "%S+", ""))
end

-- Fill a template's slots from the draws: a word of a pool, or {#} a sum of money, {@} a link
-- or a telephone number (to the classifier and the rules, a spammer's contact).
local function fill(template)
  local text = string.gsub(template, "{(.)}", function(slot)
    if slot == "#" then return pick({ "$", "£", "€" }) .. (100 + draw(9900)) end
    if slot == "@" then
      if draw(2) == 0 then
        return string.format("http://%s.example/?ref=%d", pick(domains), draw(100000))
      end
      return string.format("+1 555 %04d", draw(10000))
    end
    return pick(pools[slot])
  end)
  return string.upper(string.sub(text, 1, 1)) .. string.sub(text, 2)
end

-- A typical comment: three to five of a reader's sentences, 20 to 60 words; one in four is
-- two or more such sentences (20 to 47 words) and a spammer's pitch (at most 13 words). A
-- sentence that would pass the length is drawn again.
local function typical(n)
  state = mix(reader(n))
  local spam = draw(4) == 0
  local wanted, least, most = 3 + draw(3), 20, 60
  if spam then wanted, least, most = 2, 20, 47 end
  local written, count = {}, 0
  while #written < wanted or count < least do
    local drawn = fill(pick(readers))
    if count + words(drawn) <= most then
      written[#written + 1], count = drawn, count + words(drawn)
    elseif count >= least then
      break
    end
  end
  if spam then written[#written + 1] = fill(pick(pitches)) end
  return table.concat(written, " ")
end

local function content_of(n)
  if texts == "campaign" then
    local first = sentences[n % #sentences + 1]
    local second = sentences[(n * 7) % #sentences + 1]
    return string.format("%s %s (%d)", first, second, n)
  end
  return typical(n)
end

function request()
  counter = counter + 1
  local post = counter % 500
  local email = string.format("reader-%s-%d@example.org", nonce, counter)
  local content = content_of(counter)
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
