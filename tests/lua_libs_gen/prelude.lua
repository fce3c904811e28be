local function H(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end
local S
S = function(v)
  local t = type(v)
  if t == 'number' then
    if v ~= v then return 'nan' end
    return string.format('%.17g', v)
  elseif t == 'string' then
    return '"' .. (string.gsub(v, '[^%w%p ]', function(c) return string.format('\\%03d', string.byte(c)) end)) .. '"'
  elseif t == 'table' then
    local keys, parts = {}, {}
    for k in pairs(v) do keys[#keys + 1] = k end
    local sk = {}
    for i, k in ipairs(keys) do sk[i] = {S(k), k} end
    table.sort(sk, function(a, b) return a[1] < b[1] end)
    for _, p in ipairs(sk) do parts[#parts + 1] = p[1] .. '=' .. S(v[p[2]]) end
    return '{' .. table.concat(parts, ',') .. '}'
  elseif t == 'userdata' then
    if v == cjson.null then return 'null' end
    return 'userdata'
  else
    return tostring(v)
  end
end
local function show(...)
  local n = select('#', ...)
  local parts = {}
  for i = 1, n do parts[i] = S((select(i, ...))) end
  return table.concat(parts, ', ')
end
