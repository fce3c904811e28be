-- Run once per engine, before any script: Redis 7's script environment on Lua 5.4.
-- Receives the real globals table G and returns the scripts' environment (G itself, read-only
-- once this has run) and Redis's message handler (the host calls each script function under
-- it with lua_pcall). Nothing defined here stays reachable from scripts except through the
-- protected globals. `readonly_flag(t)` sets the read-only flag of a table (the patched VM
-- and C API refuse every write to it: csrc/lua_readonly.h).
local G, where, plain, finalizer_set, readonly_flag, compat51 = ...
local rawpcall, rawxpcall, rawset_, rawget_, type_, tostring_, error_, setmetatable_ =
  pcall, xpcall, rawset, rawget, type, tostring, error, setmetatable

-- Lua 5.1 names real-world Redis scripts use (unpack, loadstring, gcinfo, table.getn/maxn,
-- math.mod/ldexp; math.pow/log10 are Lua 5.4's own), as C functions: csrc/lua_compat.c.
compat51()

-- Errors raised by Rust-implemented functions arrive as mlua error objects; scripts see
-- their message string, as they would see a C library's error in Redis.
-- Lua 5.4 words variable information after the type ("attempt to index a nil value (local
-- 'x')"); Redis scripts see 5.1's order ("attempt to index local 'x' (a nil value)").
local gsub_ = string.gsub
local function clean(e)
  if type_(e) == 'userdata' then e = plain(e) end
  if type_(e) == 'string' then
    e = gsub_(e, "attempt to (.-) a (%a+) value %((%a+) '([^']*)'%)", "attempt to %1 %3 '%4' (a %2 value)")
  end
  return e
end

-- pcall as Redis wraps it: an error table with `err` comes back as just that string.
local function pcall_result(ok, ...)
  if ok then return true, ... end
  local e = clean((...))
  if type_(e) == 'table' and rawget_(e, 'err') ~= nil then return false, e.err end
  return false, e
end
G.pcall = function(f, ...) return pcall_result(rawpcall(f, ...)) end
G.xpcall = function(f, h, ...)
  return rawxpcall(f, function(e) return h(clean(e)) end, ...)
end
local function resume_result(ok, ...)
  if ok then return true, ... end
  return false, clean((...))
end
local rawresume = coroutine.resume
coroutine.resume = function(co, ...) return resume_result(rawresume(co, ...)) end

-- The tables made read-only (below).
local readonly = setmetatable_({}, { __mode = 'k' })

-- Redis's message handler: every error becomes {err=..., source=..., line=...} where
-- source/line name the Lua frame that raised it.
local function handler(err)
  err = clean(err)
  local source, line = where()
  if type_(err) ~= 'table' then
    err = { err = 'ERR ' .. tostring_(err) }
  end
  if source then
    -- A read-only table raised as the error (`error(string)`) cannot take the position:
    -- it is answered as an error table without `err`, as any other.
    if readonly[err] then err = {} end
    rawset_(err, 'source', source)
    rawset_(err, 'line', line)
  end
  return err
end

-- Read-only tables, as in Redis 7: the tables themselves carry the flag (every write raises
-- "Attempt to modify a readonly table", rawset included), so reading a global or a library
-- function is a plain table hit.
local function protect(t)
  readonly_flag(t)
  readonly[t] = true
  return t
end
for _, name in ipairs({ 'string', 'table', 'math', 'coroutine', 'os', 'redis', 'cjson',
                        'cmsgpack', 'bit', 'struct', 'utf8' }) do
  local lib = rawget_(G, name)
  if type_(lib) == 'table' then protect(lib) end
end
-- The string metatable cannot be changed (getmetatable('') answers it, read-only).
do
  local smt = getmetatable('')
  smt.__index = rawget_(G, 'string')
  smt.__metatable = smt
  protect(smt)
end
G.setmetatable = function(t, mt)
  if readonly[t] then error_('Attempt to modify a readonly table', 0) end
  -- Lua marks an object for finalization when its new metatable has __gc; from then on a
  -- finalizer may run in a later script holding an earlier script's values, so the host
  -- stops reusing the KEYS/ARGV tables.
  if type_(mt) == 'table' and rawget_(mt, '__gc') ~= nil then finalizer_set() end
  return setmetatable_(t, mt)
end

-- The environment scripts run in: G itself, raising on unknown names (below) and read-only
-- once everything is in place. Chunks made by load/loadstring get G as their _ENV too, so
-- they cannot create globals that later scripts see either (Redis 7 refuses that: "Attempt
-- to modify a readonly table"); an explicit env argument to load is honoured.
local env = G
setmetatable_(G, {
  __index = function(_, k)
    error_("Script attempted to access nonexistent global variable '" .. tostring_(k) .. "'", 2)
  end,
  __metatable = false,
})
protect(G)

return env, handler
