-- wrk script: the per-device iPXE script (`/ipxe`, store-backed), for devices in turn.
--   wrk -t2 -c64 -d10s -s device-script.lua http://127.0.0.1:PORT -- DEVICES_FILE THREADS
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local paths = {}
local next = 1

function init(args)
  local file = assert(io.open(args[1]), "the devices file")
  for line in file:lines() do
    local name, token, serial, uuid, mac = line:match("^(%S+) (%S+) (%S+) (%S+) (%S+)$")
    if name then
      table.insert(paths, "/ipxe?serial=" .. serial .. "&uuid=" .. uuid .. "&manufacturer=Contoso&product=Bench%20Laptop&mac=" .. mac)
    end
  end
  file:close()
  next = id + 1
end

function request()
  local path = paths[next]
  next = next % #paths + 1
  return wrk.format("GET", path)
end
