// The first playground page: runs Lua in the wasm engine of the npm package.
import { LuaEngine } from '/js/browser.mjs';

const $ = (id) => document.getElementById(id);
const engine = new LuaEngine();
const run = () => {
  const out = $('output');
  const t0 = performance.now();
  try {
    out.textContent = engine.eval($('code').value);
    out.className = 'ok';
  } catch (e) {
    out.textContent = `error: ${e.message}`;
    out.className = 'error';
  }
  $('status').textContent = `${(performance.now() - t0).toFixed(1)} ms · engine holds ${(engine.usedMemory() / 1024).toFixed(0)} KiB`;
};

$('run').addEventListener('click', run);
$('code').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    run();
  }
});
$('examples').addEventListener('change', (e) => {
  if (e.target.value) $('code').value = e.target.value;
  e.target.value = '';
});
$('run').disabled = false;
$('status').textContent = 'ready';
