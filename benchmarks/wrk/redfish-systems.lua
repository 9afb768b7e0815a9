-- Every system of a lab in turn, as Metal3 (through Ironic) polls each host's power state: the
-- paths come from the file named after `--`, one per line; each thread starts at its own place.
local paths = {}
local next_index = 0

init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  next_index = math.random(#paths)
end

request = function()
  next_index = next_index % #paths + 1
  return wrk.format("GET", paths[next_index])
end
