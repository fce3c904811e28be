//! `LuaEngine`: the bare Lua 5.4 engine with budgets, for running snippets.

use crate::lua::{render_values, Engine, Limits, ScriptError};
use wasm_bindgen::prelude::*;

/// A Lua 5.4 engine with budgets (time in ms, memory in bytes).
#[wasm_bindgen(js_name = LuaEngine)]
pub struct LuaEngine {
    engine: Engine,
}

#[wasm_bindgen(js_class = LuaEngine)]
impl LuaEngine {
    /// `new LuaEngine({ timeLimitMs, memoryLimit })` — both optional.
    #[wasm_bindgen(constructor)]
    pub fn new(
        time_limit_ms: Option<f64>,
        memory_limit: Option<f64>,
    ) -> Result<LuaEngine, JsError> {
        let d = Limits::default();
        let limits = Limits {
            time_ms: time_limit_ms.unwrap_or(d.time_ms),
            memory: memory_limit.map(|m| m as usize).unwrap_or(d.memory),
        };
        let engine = Engine::new(limits).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(LuaEngine { engine })
    }

    /// Runs a chunk and returns its results rendered as text; throws on errors.
    pub fn eval(&self, code: &str) -> Result<String, JsValue> {
        match self.engine.eval(code.as_bytes(), "user_script") {
            Ok(v) => Ok(render_values(&v)),
            Err(e) => Err(script_error(&e)),
        }
    }

    /// Bytes the Lua state holds.
    #[wasm_bindgen(js_name = usedMemory)]
    pub fn used_memory(&self) -> f64 {
        self.engine.used_memory() as f64
    }
}

/// A JS `Error` whose `name` tells the kind: `LuaCompileError`, `LuaRuntimeError` or
/// `ScriptAbortedError` (a budget tripped).
fn script_error(e: &ScriptError) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name(match e {
        ScriptError::Compile(_) => "LuaCompileError",
        ScriptError::Runtime(_) => "LuaRuntimeError",
        ScriptError::Aborted(_) => "ScriptAbortedError",
    });
    err.into()
}
