# Sourced by the build and test scripts: how to compile Lua's C sources for wasm32.
export CC_wasm32_unknown_unknown=clang-19
export AR_wasm32_unknown_unknown=llvm-ar-19
export PATH="$HOME/.cargo/bin:$PATH"
