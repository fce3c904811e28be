-- fib(27), timed inside Lua so every platform measures the same thing (ms).
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local t0 = os.clock()
local r = fib(27)
assert(r == 196418)
return (os.clock() - t0) * 1000
