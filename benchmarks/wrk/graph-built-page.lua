-- wrk script: the first page of identities, each request with a query no request had before (an
-- `n` parameter Graph ignores), so that none is answered from the kept pages: the page built
-- from the store every time, the figure next to the kept page's.
--   wrk -t2 -c16 -d10s -s graph-built-page.lua -H "Authorization: Bearer TOKEN" http://127.0.0.1:PORT
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local sent = 0
function request()
  sent = sent + 1
  return wrk.format("GET", "/beta/deviceManagement/windowsAutopilotDeviceIdentities?n=" .. id .. "-" .. sent)
end
