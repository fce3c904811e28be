//! `#!lua flags=...` shebang lines (Redis 7).

/// Flags a script declared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScriptFlags {
    /// The script was written with a shebang (flags are then in force).
    pub has_shebang: bool,
    /// `no-writes`: write commands are refused.
    pub no_writes: bool,
    /// `allow-oom`, `allow-stale`, `no-cluster`: accepted (no effect in marekvs).
    pub allow_oom: bool,
}

/// Splits a body into its flags and the code to compile. The shebang line is blanked, not
/// removed, so that line numbers in errors count it as line 1 (as Redis does).
pub fn parse(body: &[u8]) -> Result<(ScriptFlags, Vec<u8>), String> {
    if !body.starts_with(b"#!") {
        return Ok((ScriptFlags::default(), body.to_vec()));
    }
    let end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
    let line = String::from_utf8_lossy(&body[..end]).to_string();
    let mut parts = line.split(' ').filter(|p| !p.is_empty());
    let engine = parts.next().unwrap_or("#!");
    if engine != "#!lua" {
        return Err(format!(
            "ERR Unexpected engine in script shebang: {}",
            line.trim_end()
        ));
    }
    let mut flags = ScriptFlags {
        has_shebang: true,
        ..ScriptFlags::default()
    };
    for part in parts {
        let Some(list) = part.strip_prefix("flags=") else {
            return Err(format!("ERR Unknown lua shebang option: {part}"));
        };
        for flag in list.split(',').filter(|f| !f.is_empty()) {
            match flag {
                "no-writes" => flags.no_writes = true,
                "allow-oom" => flags.allow_oom = true,
                "allow-stale" | "no-cluster" => {}
                "allow-cross-slot-keys" => {
                    return Err("ERR Script flag 'allow-cross-slot-keys' is not supported: \
                                marekvs scripts are atomic within one partition only"
                        .to_string())
                }
                other => return Err(format!("ERR Unexpected flag in script shebang: {other}")),
            }
        }
    }
    let mut code = body[end..].to_vec();
    code.splice(0..0, b"--".iter().copied());
    Ok((flags, code))
}
