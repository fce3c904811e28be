//! SCRIPT KILL from another thread: the interrupt flag stops a running script, whose writes are
//! undone. Its own test binary, because the native flag is process-wide.
#![cfg(not(target_arch = "wasm32"))]

use marekvs::engine::{CallCtx, Shard};
use marekvs::reply::Reply;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn run(sh: &mut Shard, args: &[&str]) -> Reply {
    let argv: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    sh.execute(&argv, &mut CallCtx::new(1_700_000_000_000))
}

#[test]
fn interrupt_flag_kills_a_running_script_and_undoes_its_writes() {
    let mut sh = Shard::standalone(1);
    run(&mut sh, &["CONFIG", "SET", "lua-time-limit", "60000"]);
    run(&mut sh, &["SET", "k", "before"]);
    let killer = std::thread::spawn(|| {
        std::thread::sleep(Duration::from_millis(100));
        marekvs::host::INTERRUPT.store(true, Ordering::Relaxed);
    });
    let t0 = std::time::Instant::now();
    let r = run(
        &mut sh,
        &[
            "EVAL",
            "redis.call('set','k','during') while true do end",
            "0",
        ],
    );
    killer.join().unwrap();
    marekvs::host::INTERRUPT.store(false, Ordering::Relaxed);
    assert!(
        matches!(&r, Reply::Error(e) if e.starts_with("SCRIPTKILLED ")),
        "{r:?}"
    );
    assert!(t0.elapsed() < Duration::from_secs(10));
    assert_eq!(run(&mut sh, &["GET", "k"]), Reply::Bulk(b"before".to_vec()));
    assert_eq!(run(&mut sh, &["EVAL", "return 1", "0"]), Reply::Integer(1));
}
