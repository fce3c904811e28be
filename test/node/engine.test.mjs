// The Lua engine's foundation guarantees in Node, through the installed npm package
// (scripts/test.sh installs the packed tarball next to a copy of this file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LuaEngine } from 'marekvs';

const thrown = (fn) => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected a throw');
};

test('import needs no init and a chunk runs', () => {
  const e = new LuaEngine();
  assert.equal(e.eval('return _VERSION, 6 * 7, 10 / 2'), '"Lua 5.4"\t42\t5.0');
});

test('error() escaping to the host 100,000 times leaves the state usable', () => {
  const e = new LuaEngine();
  for (let i = 0; i < 100_000; i++) {
    const err = thrown(() => e.eval("error('boom')"));
    if (i === 0) {
      assert.equal(err.message, 'user_script:1: boom');
      assert.equal(err.name, 'LuaRuntimeError');
    }
  }
  assert.equal(e.eval('return 40 + 2'), '42');
});

test('pcall(error, ...) 100,000 times inside Lua', () => {
  const e = new LuaEngine(60_000);
  const out = e.eval(`local n = 0
    for i = 1, 100000 do
      local ok, msg = pcall(error, 'x' .. i)
      if not ok and msg == 'x' .. i then n = n + 1 end
    end
    return n`);
  assert.equal(out, '100000');
});

test('an error returned by a Rust callback is catchable by pcall', () => {
  const e = new LuaEngine();
  assert.equal(
    e.eval("local ok, err = pcall(redis.sha1hex) return ok, tostring(err):find('wrong number of arguments') ~= nil"),
    'false\ttrue',
  );
});

test('a 16 MiB ceiling stops a memory bomb, pcall cannot keep it going, state stays usable', () => {
  const e = new LuaEngine(60_000);
  let err = thrown(() => e.eval("local t = {} local s = string.rep('x', 1024) for i = 1, 1e9 do t[i] = s .. i end"));
  assert.equal(err.message, 'script aborted: memory limit exceeded');
  err = thrown(() => e.eval("local t = {} while true do pcall(function() for i = 1, 1e6 do t[#t+1] = ('x'):rep(100) .. i end end) end"));
  assert.equal(err.message, 'script aborted: memory limit exceeded');
  assert.equal(e.eval("return #string.rep('a', 1000)"), '1000');
  assert.ok(e.usedMemory() < 4 * 1024 * 1024, `holds ${e.usedMemory()} bytes`);
});

test('the deadline stops while-true near 20 ms and pcall cannot swallow it', () => {
  const e = new LuaEngine();
  const t0 = performance.now();
  const err = thrown(() => e.eval('while true do end'));
  const took = performance.now() - t0;
  assert.equal(err.message, 'script aborted: time limit exceeded');
  assert.equal(err.name, 'ScriptAbortedError');
  assert.ok(took >= 19 && took < 1000, `took ${took} ms`);
  for (const code of [
    'while true do pcall(function() while true do end end) end',
    'while true do xpcall(function() while true do end end, function(m) return m end) end',
    'while true do local co = coroutine.create(function() while true do end end) coroutine.resume(co) end',
    'local function f() pcall(f) while true do end end f()',
  ]) {
    assert.equal(thrown(() => e.eval(code)).message, 'script aborted: time limit exceeded', code);
  }
  assert.equal(e.eval('return 1'), '1');
});

test('runaway recursion ends as a Lua error, never a trap', () => {
  const e = new LuaEngine(60_000);
  const err = thrown(() => e.eval('local function f() return 1 + f() end return f()'));
  assert.match(err.message, /stack overflow|memory limit exceeded/);
  assert.match(
    thrown(() => e.eval('local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x')).message,
    /stack overflow/,
  );
  assert.equal(e.eval('return 3'), '3');
});
