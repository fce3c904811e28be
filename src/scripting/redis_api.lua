-- The `redis` table's Lua-side functions and constants (see src/scripting/mod.rs).
local redis = ...
redis.replicate_commands = function() return true end
redis.breakpoint = function() return false end
redis.debug = function() end
redis.error_reply = function(...)
  local e = ...
  if select('#', ...) ~= 1 or type(e) ~= 'string' then
    return { err = 'ERR wrong number or type of arguments' }
  end
  if e:sub(1, 1) ~= '-' then e = '-' .. e end
  local code, msg = e:match('^%-(%S*) (.*)$')
  if not code then code, msg = 'ERR', e:sub(2) end
  msg = msg:gsub('[\r\n]+$', '')
  return { err = code .. ' ' .. msg }
end
redis.status_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then
    return { err = 'ERR wrong number or type of arguments' }
  end
  return { ok = s }
end
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REDIS_VERSION, redis.REDIS_VERSION_NUM = '7.0.15', 0x07000f
