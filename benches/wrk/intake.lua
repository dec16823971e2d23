-- Files a web request per call, each from a distinct address, as real
-- requesters do (the same address would soon hit the per-address cap and
-- measure a refusal instead). The CSRF check is a double submission, so one
-- made-up token serves as both cookie and field.
local token = "benchbenchbenchbenchbenchbenchbenchbenchben"
local counter = 0
-- Set by setup() through thread:set, which writes a global: a local of the
-- same name would hide it (it once did, and every thread of every run filed
-- the same addresses).
thread_tag = "unset"

-- Each thread's addresses carry a tag of their own, unique across runs
-- too (several runs file into one database): the run's start time, and the
-- thread's place in it.
local run = tostring(os.time())
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_tag", "t" .. run .. "x" .. threads)
end

function request()
  counter = counter + 1
  local email = "person-" .. thread_tag .. "-" .. counter .. "@example.com"
  local body = "csrf_token=" .. token
    .. "&name=Ada+Lovelace&email=" .. email
    .. "&location=GB&acting_as=self&rights=access&rights=erasure"
    .. "&erasure_ground=no_longer_necessary"
  return wrk.format("POST", wrk.path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "rd_csrf=" .. token,
  }, body)
end

local bad = 0
function response(status, headers, body)
  if status ~= 303 then
    bad = bad + 1
    if bad <= 3 then print("unexpected status " .. status) end
  end
end
