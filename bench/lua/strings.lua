-- String building: string.format, table.concat and gsub with a function replacement.
local parts = {}
for i = 1, 100000 do parts[#parts + 1] = string.format('%d:%s', i, 'x') end
local s = table.concat(parts, ',')
local n = 0
s = s:gsub('%d+', function(d) n = n + 1 return '' end)
return n
