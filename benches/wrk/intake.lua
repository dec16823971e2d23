-- Files a web request per call, each from a distinct address, as real
-- requesters do (the same address would soon hit the per-address cap and
-- measure a refusal instead). The CSRF check is a double submission, so one
-- made-up token serves as both cookie and field.
local token = "benchbenchbenchbenchbenchbenchbenchbenchben"
local counter = 0
local thread_tag = "t"

function setup(thread)
  thread:set("thread_tag", "t" .. tostring(math.random(1, 1e9)))
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
