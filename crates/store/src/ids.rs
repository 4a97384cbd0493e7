//! Application-generated ids: milliseconds since 2020 in the high bits, a per-process
//! counter in the low 20. No central sequence, so any number of servers (or Citus shards)
//! can create rows; time order is kept, which keeps B-tree inserts at the right edge.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

const EPOCH_MS: i64 = 1_577_836_800_000; // 2020-01-01T00:00:00Z
const SEQ_BITS: u32 = 20;

static STATE: Mutex<(i64, i64)> = Mutex::new((0, 0));
static SALT: AtomicI64 = AtomicI64::new(-1);

fn salt() -> i64 {
    let s = SALT.load(Ordering::Relaxed);
    if s >= 0 {
        return s;
    }
    let mut b = [0u8; 2];
    let _ = getrandom::fill(&mut b);
    // the counter starts at a random point in its upper half-range, so two processes
    // starting in the same millisecond are unlikely to collide
    let v = i64::from(u16::from_le_bytes(b) & 0x3ff) << 8;
    SALT.store(v, Ordering::Relaxed);
    v
}

/// A new id for an instant `now_ms` (pass the real clock; tests pass a fixed one).
pub fn new_id(now_ms: i64) -> i64 {
    let ms = (now_ms - EPOCH_MS).max(1);
    let mut st = STATE.lock().unwrap_or_else(|e| e.into_inner());
    let (last_ms, seq) = *st;
    let (ms, seq) = if ms > last_ms {
        (ms, salt())
    } else if seq + 1 < (1 << SEQ_BITS) {
        (last_ms, seq + 1)
    } else {
        (last_ms + 1, 0)
    };
    *st = (ms, seq);
    (ms << SEQ_BITS) | seq
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_increasing_even_within_one_millisecond() {
        let mut last = 0;
        for _ in 0..100_000 {
            let id = new_id(1_800_000_000_000);
            assert!(id > last);
            last = id;
        }
    }
}
