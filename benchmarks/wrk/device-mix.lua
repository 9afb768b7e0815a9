-- wrk script: the requests a virtual device makes from power-on to business-ready (as counted
-- from the endpoint's /metrics during a fleet run), replayed for many devices with their real
-- tokens and with fresh event sequence numbers, so the endpoint does the work it does in a run.
--   wrk -t2 -c64 -d10s -s device-mix.lua http://127.0.0.1:PORT -- DEVICES_FILE THREADS
-- DEVICES_FILE: one device per line: name token serial uuid mac (written by endpoint.sh).

-- Each thread takes every Nth device (N, the thread count, is the script's second argument).
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local devices = {}
local turn = 0

local function encode(value)
  return (value:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  local file = assert(io.open(args[1]), "the devices file")
  local threads = tonumber(args[2]) or 1
  local index = 0
  for line in file:lines() do
    local name, token, serial, uuid, mac = line:match("^(%S+) (%S+) (%S+) (%S+) (%S+)$")
    if name and index % threads == id then
      table.insert(devices, { name = name, token = token, serial = serial, uuid = uuid, mac = mac, step = 0, seq = 0 })
    end
    index = index + 1
  end
  file:close()
  assert(#devices > 64, "too few devices for thread " .. id .. ": requests in flight must be for different devices")
end

-- Two event batches, as a deployment at instant timing posts them: 13 events before the
-- device's first question (boot, network, profile, the hidden pages), 28 at the end of the boot.
local batches = { { size = 13, phase = "oobe-pages" }, { size = 28, phase = "desktop" } }

local function events(device, batch)
  local items = {}
  for i = 1, batch.size do
    device.seq = device.seq + 1
    items[i] = string.format(
      '{"seq":%d,"time":"2026-11-25T09:30:00.125Z","phase":"%s","step":"bench-%d","status":"completed"}',
      device.seq, batch.phase, i)
  end
  return string.format('{"device":"%s","events":[%s]}', device.name, table.concat(items, ","))
end

-- Devices take turns, one request each, so that the requests in flight on a thread's
-- connections are for different devices (a device's event batches must arrive in order).
-- A device's ten requests, in the order it makes them (counted from /metrics after a fleet run).
function request()
  turn = turn % #devices + 1
  local device = devices[turn]
  local auth = { ["Authorization"] = "Bearer " .. device.token, ["Content-Type"] = "application/json" }
  local name = encode(device.name)
  device.step = device.step % 10 + 1
  local step = device.step
  if step == 1 then
    return wrk.format("GET", "/boot.ipxe")
  elseif step == 2 then
    return wrk.format("GET", "/ipxe?serial=" .. encode(device.serial) .. "&uuid=" .. device.uuid .. "&manufacturer=Contoso"
                      .. "&product=Bench%20Laptop&mac=" .. device.mac)
  elseif step == 3 then
    return wrk.format("GET", "/oobe/v1/faults?device=" .. name, auth)
  elseif step == 4 then
    return wrk.format("GET", "/autopilot/v1/profile?serial=" .. encode(device.serial), auth)
  elseif step == 5 then
    return wrk.format("POST", "/oobe/v1/events", auth, events(device, batches[1]))
  elseif step <= 7 then
    return wrk.format("POST", "/oobe/v1/actions/next?device=" .. name, auth,
                      string.format('{"device":"%s","phase":"technician","step":"start"}', device.name))
  elseif step == 8 then
    return wrk.format("POST", "/mdm/v1/enroll", auth, string.format('{"device":"%s","mode":"user-driven"}', device.name))
  elseif step == 9 then
    return wrk.format("GET", "/mdm/v1/enrollment?device=" .. name, auth)
  else
    return wrk.format("POST", "/oobe/v1/events", auth, events(device, batches[2]))
  end
end

function done(summary, latency, requests)
  io.write(string.format("mix: %d requests, %d not 2xx or failed, p50 %.2f ms, p99 %.2f ms\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
