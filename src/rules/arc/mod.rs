//! ARC rules: the ARC sets a message carries, cross-checked with its Received chain.

pub mod arc_sealer_off_path;

/// One ARC instance as its fields state it: `i=`, the sealer (ARC-Seal `d=`) and the
/// authserv-id of its ARC-Authentication-Results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// `i=`.
    pub i: u32,
    /// ARC-Seal `d=`, lower case.
    pub sealer: String,
    /// The authserv-id of the instance's ARC-Authentication-Results, lower case.
    pub authserv_id: Option<String>,
}

/// Most ARC instances read (RFC 8617 §4.2.1 allows 50).
const MAX_INSTANCES: usize = 50;

/// The message's ARC instances, `i=1` first; a seal without `i=` or `d=` is skipped.
pub fn instances(trace: &crate::message::headers::TraceFields) -> Vec<Instance> {
    let mut out: Vec<Instance> = trace
        .arc_seals
        .iter()
        .take(MAX_INSTANCES)
        .filter_map(|seal| {
            let i: u32 = tag(&seal.value, "i")?.parse().ok()?;
            let sealer = tag(&seal.value, "d")?.to_ascii_lowercase();
            let authserv_id = trace
                .arc_authentication_results
                .iter()
                .map(|a| crate::auth::results::parse(&a.value))
                .find(|p| p.instance == Some(i))
                .and_then(|p| p.authserv_id)
                .map(|id| id.to_ascii_lowercase());
            Some(Instance {
                i,
                sealer,
                authserv_id,
            })
        })
        .collect();
    out.sort_by_key(|x| x.i);
    out.dedup_by_key(|x| x.i);
    out
}

/// The value of tag `name` in a tag list (`i=1; a=rsa-sha256; d=example.org; ...`).
fn tag<'a>(value: &'a str, name: &str) -> Option<&'a str> {
    value.split(';').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}
