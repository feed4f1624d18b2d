//! The report's `authentication` section: every Authentication-Results and
//! ARC-Authentication-Results field with who wrote it as far as the trace shows
//! (`trusted` or `claimed`), and our own verification.

use super::results::{self, MethodResult};
use super::verify::Verification;
use crate::chain::trust::TrustConfig;
use crate::message::headers::AuthResults;
use serde::Serialize;

/// The section.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Authentication {
    /// Every Authentication-Results and ARC-Authentication-Results field, topmost first.
    pub results: Vec<ResultField>,
    /// Our own check of the signatures, SPF and DMARC.
    pub verification: Verification,
}

/// One field and its results.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResultField {
    /// `Authentication-Results` or `ARC-Authentication-Results`.
    pub field: &'static str,
    /// Its place among the message's header fields (0 = topmost).
    pub header_index: usize,
    /// How many Received fields are above it.
    pub received_above: usize,
    /// The authserv-id, `null` when the writer left it out (Exchange Online).
    pub authserv_id: Option<String>,
    /// The ARC instance of an ARC-Authentication-Results.
    pub instance: Option<u32>,
    /// `trusted` (written by our side: evidence) or `claimed` (anybody's text).
    pub trust: &'static str,
    /// Why, in a sentence.
    pub why: String,
    /// Each `method=result`, in order.
    pub results: Vec<ResultEntry>,
}

/// One `method=result` as the report writes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResultEntry {
    /// `spf`, `dkim`, `dmarc`, `arc`, ... (lower case).
    pub method: String,
    /// `pass`, `fail`, ... (lower case).
    pub result: String,
    /// `reason=`, as written.
    pub reason: Option<String>,
    /// The comment after the result, as written.
    pub comment: Option<String>,
    /// The properties (`smtp.mailfrom`, `header.d`, `policy.dmarc`, ...), first value of
    /// each key.
    pub properties: Properties,
}

/// Properties in the order written, as a JSON object (a repeated key keeps its first value).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Properties(pub Vec<(String, String)>);

impl Serialize for Properties {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seen: Vec<&str> = Vec::with_capacity(self.0.len());
        serializer.collect_map(self.0.iter().filter_map(|(k, v)| {
            if seen.contains(&k.as_str()) {
                return None;
            }
            seen.push(k);
            Some((k, v))
        }))
    }
}

impl From<MethodResult> for ResultEntry {
    fn from(r: MethodResult) -> Self {
        ResultEntry {
            method: r.method,
            result: r.result,
            reason: r.reason,
            comment: r.comment,
            properties: Properties(r.properties),
        }
    }
}

/// Builds the section. `entry_received_index` is the entry hop's place among the Received
/// fields (0 = topmost); `None` when there is no boundary.
pub fn section(
    authentication_results: &[AuthResults],
    arc_authentication_results: &[AuthResults],
    entry_received_index: Option<usize>,
    trust: &TrustConfig,
    verification: Verification,
) -> Authentication {
    let mut out: Vec<ResultField> = Vec::new();
    for field in authentication_results {
        let parsed = results::parse(&field.value);
        let (trusted, why) = judge_field(field, &parsed, entry_received_index, trust);
        out.push(entry("Authentication-Results", field, parsed, trusted, why));
    }
    for field in arc_authentication_results {
        let parsed = results::parse(&field.value);
        let (trusted, why) = judge_arc_field(&parsed, trust, &verification);
        out.push(entry(
            "ARC-Authentication-Results",
            field,
            parsed,
            trusted,
            why,
        ));
    }
    out.sort_by_key(|f| f.header_index);
    Authentication {
        results: out,
        verification,
    }
}

fn entry(
    name: &'static str,
    field: &AuthResults,
    parsed: results::Parsed,
    trusted: bool,
    why: String,
) -> ResultField {
    ResultField {
        field: name,
        header_index: field.field_index,
        received_above: field.received_above,
        authserv_id: parsed.authserv_id,
        instance: parsed.instance,
        trust: if trusted { "trusted" } else { "claimed" },
        why,
        results: parsed.results.into_iter().map(ResultEntry::from).collect(),
    }
}

/// An Authentication-Results field is ours when it sits above the entry hop's Received
/// line (added after our server took the message) and, when our authserv-ids are
/// configured, carries one of them.
fn judge_field(
    field: &AuthResults,
    parsed: &results::Parsed,
    entry: Option<usize>,
    trust: &TrustConfig,
) -> (bool, String) {
    let Some(entry) = entry else {
        return (
            false,
            "no trust boundary was found, so no server's results can be told ours".into(),
        );
    };
    if field.received_above > entry {
        return (
            false,
            format!(
                "below the entry hop's Received line ({} Received fields above it, the entry is \
                 number {}): text the sender could write",
                field.received_above,
                entry + 1
            ),
        );
    }
    if !trust.authserv_ids.is_empty() {
        let ours = parsed.authserv_id.as_deref().is_some_and(|id| {
            trust
                .authserv_ids
                .iter()
                .any(|t| t.eq_ignore_ascii_case(id))
        });
        if !ours {
            return (
                false,
                format!(
                    "above the boundary, but its authserv-id {} is not one of [trust] authserv_ids",
                    parsed.authserv_id.as_deref().unwrap_or("(none)")
                ),
            );
        }
    }
    (
        true,
        "above the entry hop's Received line: added after our server took the message".into(),
    )
}

/// An ARC-Authentication-Results field is believed only when the ARC chain verifies and
/// its instance's sealer is one we trust.
fn judge_arc_field(
    parsed: &results::Parsed,
    trust: &TrustConfig,
    verification: &Verification,
) -> (bool, String) {
    let Some(arc) = &verification.arc else {
        return (
            false,
            if verification.performed {
                "the ARC chain was not verified".into()
            } else {
                "the ARC chain was not verified (no verification ran)".into()
            },
        );
    };
    let sealer = parsed
        .instance
        .and_then(|i| arc.instances.iter().find(|s| s.instance == i))
        .map(|s| s.seal_domain.as_str());
    if arc.result != "pass" {
        return (
            false,
            format!(
                "the ARC chain does not verify ({}): {}",
                arc.result, arc.reason
            ),
        );
    }
    let Some(sealer) = sealer else {
        return (false, "no ARC-Seal of this instance".into());
    };
    let trusted = trust
        .arc_trusted_sealers
        .iter()
        .any(|t| crate::domain::same_host(sealer, t) || crate::domain::within(sealer, t));
    if trusted {
        (
            true,
            format!("the ARC chain verifies and {sealer} is in [trust] arc_trusted_sealers"),
        )
    } else {
        (
            false,
            format!(
                "the ARC chain verifies, but its sealer {sealer} is not in [trust] arc_trusted_sealers"
            ),
        )
    }
}
