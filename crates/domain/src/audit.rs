//! The audit log is append-only and hash-chained: each entry's hash covers its content and
//! the previous entry's hash, so changing or removing any entry breaks every hash after it.

use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    pub seq: i64,
    pub tenant_id: i64,
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry. Fields are length-prefixed so that no two different entries can
/// produce the same byte string.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    tenant_id: i64,
    at_ms: i64,
    actor_id: Option<i64>,
    actor_name: &str,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    before: Option<&str>,
    after: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    field(prev_hash);
    field(&seq.to_string());
    field(&tenant_id.to_string());
    field(&at_ms.to_string());
    field(&actor_id.map(|a| a.to_string()).unwrap_or_default());
    field(actor_name);
    field(action);
    field(entity);
    field(&entity_id.map(|a| a.to_string()).unwrap_or_default());
    field(before.unwrap_or("\u{0}none"));
    field(after.unwrap_or("\u{0}none"));
    hex(&h.finalize())
}

pub fn hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

pub fn recompute(e: &Entry) -> String {
    entry_hash(
        &e.prev_hash,
        e.seq,
        e.tenant_id,
        e.at_ms,
        e.actor_id,
        &e.actor_name,
        &e.action,
        &e.entity,
        e.entity_id,
        e.before.as_deref(),
        e.after.as_deref(),
    )
}

/// What `lianxin audit verify` finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The entry's content no longer matches its hash.
    Altered { seq: i64 },
    /// The entry does not follow the one before it (one was removed or reordered).
    Unlinked { seq: i64 },
    /// A sequence number is missing.
    Gap { after: i64, next: i64 },
}

/// Checks a run of entries in sequence order, starting from `prev` (the hash and seq of
/// the entry before the run, or GENESIS and 0).
pub fn verify<'a>(entries: impl IntoIterator<Item = &'a Entry>, prev: (&str, i64)) -> Result<(String, i64), Break> {
    let (mut prev_hash, mut prev_seq) = (prev.0.to_string(), prev.1);
    for e in entries {
        if e.seq != prev_seq + 1 {
            return Err(Break::Gap { after: prev_seq, next: e.seq });
        }
        if e.prev_hash != prev_hash {
            return Err(Break::Unlinked { seq: e.seq });
        }
        if recompute(e) != e.hash {
            return Err(Break::Altered { seq: e.seq });
        }
        prev_hash = e.hash.clone();
        prev_seq = e.seq;
    }
    Ok((prev_hash, prev_seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let after = Some(format!("{{\"name\":\"代表{seq}\"}}"));
                let hash = entry_hash(&prev, seq, 1, 1000 + seq, Some(7), "张三", "update", "person", Some(seq), None, after.as_deref());
                let e = Entry {
                    seq,
                    tenant_id: 1,
                    at_ms: 1000 + seq,
                    actor_id: Some(7),
                    actor_name: "张三".into(),
                    action: "update".into(),
                    entity: "person".into(),
                    entity_id: Some(seq),
                    before: None,
                    after,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        let (last, n) = verify(&c, (GENESIS, 0)).unwrap();
        assert_eq!(n, 5);
        assert_eq!(last, c[4].hash);
    }

    #[test]
    fn any_tampering_is_found() {
        let mut c = chain(5);
        c[2].after = Some("{\"name\":\"改过\"}".into());
        assert_eq!(verify(&c, (GENESIS, 0)), Err(Break::Altered { seq: 3 }));

        let mut c = chain(5);
        c.remove(2);
        assert_eq!(verify(&c, (GENESIS, 0)), Err(Break::Gap { after: 2, next: 4 }));

        // removing an entry and renumbering is caught by the link
        let mut c = chain(5);
        c.remove(2);
        for (i, e) in c.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        assert!(matches!(verify(&c, (GENESIS, 0)), Err(Break::Unlinked { .. }) | Err(Break::Altered { .. })));

        // rewriting an entry with a fresh hash breaks the next link
        let mut c = chain(5);
        c[1].actor_name = "李四".into();
        c[1].hash = recompute(&c[1]);
        assert_eq!(verify(&c, (GENESIS, 0)), Err(Break::Unlinked { seq: 3 }));
    }
}
