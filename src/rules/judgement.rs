//! The verdict: how the findings' strengths decide whether a delivery path was forged.
//!
//! A verdict is not a sum of marks. Honest mail carries many weak marks (a server's clock
//! ten minutes off, a list server under another name, a private hand-off), and a forger who
//! writes tidy lines leaves few; adding marks up flags the first and misses the second.
//! So each finding says what it shows on its own ([`Strength`]), and:
//!
//! * `forged` needs one `proof` (two witnesses contradict each other: the receiver's record
//!   against the client's claim, DNS or a provider's published networks against a line
//!   below the entry), or `strong` findings of two independent groups;
//! * `suspicious` needs one `strong` finding, or `weak` ones of
//!   [`WEAK_GROUPS_FOR_SUSPICIOUS`] independent groups;
//! * `info` findings, and findings whose score is set to 0, never count.
//!
//! Findings of one group ([`Rule::group`](super::Rule)) read one fact (two rules seeing one
//! continuity break), so a group counts once. The path and the sender's identity
//! ([`Concern`]) are judged apart: identity findings never make a genuine path suspicious.
//! The scores stay, summed per concern, as numbers a pipeline can tune and rank by; the
//! optional `[verdict]` score bands add to this calculus but cannot make weak findings
//! alone `forged`.

use super::{CheckSettings, Concern, Finding, Strength, registry};
use std::collections::BTreeSet;

/// How a verdict is reached, for `hopsleuth explain verdict` and the README.
pub const CALCULUS: &str = "How hopsleuth reaches a verdict

Every finding says what it shows on its own (`strength`) and what it is about (`concern`).

Strengths:
  proof    alone shows the path forged: two witnesses contradict each other (our server's
           record against a line below the entry, DNS or a provider's published networks
           against the host a line names, an authentication result in our name where only
           the sender writes)
  strong   evidence of forgery of its own (a HELO claiming a provider or our own domain from
           elsewhere, a Gmail line Google did not write, a replayed chain, HELO injection)
  weak     a mark honest mail also carries (a continuity break at a list, a private
           hand-off, a generic reverse name, a clock an hour off)
  info     reported, never counted (a claim reported as claimed, a clock minutes off)

The path verdict (`verdict`, with its reason in `verdict_basis`):
  forged      one proof, or strong findings of two independent groups
  suspicious  one strong finding, or weak findings of three independent groups
  clean       anything less: weak marks alone never make a path forged

Findings of one group read one fact (two rules seeing one continuity break); a group counts
once (`hopsleuth rules --format json` gives each rule's group). A finding whose score is set
to 0 never counts.

Identity findings (From against the envelope, Reply-To, Message-ID, the Date header, a
provider From that no provider hop carried) are judged apart, by the same calculus, in
`identity`: they never make a genuine path suspicious.

Scores stay as numbers to tune and rank by: `score` sums the path findings, `identity.score`
the identity ones. `[scores]` sets a rule's score, `[strengths]` its strength, and the
optional `[verdict] suspicious` / `forged` score bands raise a verdict when the path score
reaches them (`forged` only with a strong finding among them).

DNS and authentication failures are never evidence: a failed lookup is `unknown`.";

/// How many independent groups of weak findings make a path `suspicious`.
pub const WEAK_GROUPS_FOR_SUSPICIOUS: usize = 3;

/// The overall judgement of a path (or an identity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Nothing, or only weak marks that honest mail also carries.
    Clean,
    /// One strong finding, or several independent weak ones.
    Suspicious,
    /// A proof, or two independent strong findings.
    Forged,
}

impl Verdict {
    /// The verdict as it is written in reports (`clean`, `suspicious`, `forged`).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clean => "clean",
            Verdict::Suspicious => "suspicious",
            Verdict::Forged => "forged",
        }
    }
}

/// A verdict with its score and the reason, for one concern.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    /// The verdict.
    pub verdict: Verdict,
    /// Sum of the scores of this concern's findings.
    pub score: f64,
    /// Why, in a sentence: the findings that decided it.
    pub basis: String,
}

/// The group a finding's rule counts in (its id when the registry does not know it).
fn group_of(finding: &Finding) -> &'static str {
    registry::find(finding.rule).map_or(finding.rule, |r| r.group)
}

/// Judges the findings of one concern.
pub fn judge(findings: &[Finding], concern: Concern, settings: &CheckSettings) -> Judgement {
    let mine = findings.iter().filter(|f| f.concern == concern);
    let score = mine.clone().fold(0.0, |total, f| total + f.score);
    let counted: Vec<&Finding> = mine
        .filter(|f| f.score > 0.0 && f.strength != Strength::Info)
        .collect();
    let proofs: Vec<&Finding> = counted
        .iter()
        .copied()
        .filter(|f| f.strength == Strength::Proof)
        .collect();
    let groups = |strength: Strength| -> BTreeSet<&'static str> {
        counted
            .iter()
            .filter(|f| f.strength == strength)
            .map(|f| group_of(f))
            .collect()
    };
    let strong = groups(Strength::Strong);
    let weak: BTreeSet<&str> = groups(Strength::Weak)
        .difference(&strong)
        .copied()
        .collect();
    let named = |strength: Strength| -> String {
        let mut ids: Vec<&str> = counted
            .iter()
            .filter(|f| f.strength == strength)
            .map(|f| f.rule)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.join(", ")
    };
    let (mut verdict, mut basis) = if !proofs.is_empty() {
        (
            Verdict::Forged,
            format!("forged: {} proves it", named(Strength::Proof)),
        )
    } else if strong.len() >= 2 {
        (
            Verdict::Forged,
            format!(
                "forged: strong findings of {} independent kinds ({})",
                strong.len(),
                named(Strength::Strong)
            ),
        )
    } else if strong.len() == 1 {
        (
            Verdict::Suspicious,
            format!(
                "suspicious: one strong finding ({}); forged needs a proof or a second, independent one",
                named(Strength::Strong)
            ),
        )
    } else if weak.len() >= WEAK_GROUPS_FOR_SUSPICIOUS {
        (
            Verdict::Suspicious,
            format!(
                "suspicious: weak marks of {} independent kinds ({}); weak marks alone never make it forged",
                weak.len(),
                named(Strength::Weak)
            ),
        )
    } else if counted.is_empty() {
        (
            Verdict::Clean,
            "clean: nothing counts against it".to_string(),
        )
    } else {
        (
            Verdict::Clean,
            format!(
                "clean: only weak marks of {} kind{} ({}), which honest mail carries too",
                weak.len(),
                if weak.len() == 1 { "" } else { "s" },
                named(Strength::Weak)
            ),
        )
    };
    // The optional score bands: they raise a verdict, and `forged` still needs a strong
    // finding among the scores.
    if let Some(at) = settings.forged_at
        && score >= at
        && !strong.is_empty()
        && verdict < Verdict::Forged
    {
        verdict = Verdict::Forged;
        basis = format!("forged: score {score:.1} reaches the configured band {at}");
    } else if let Some(at) = settings.suspicious_at
        && score >= at
        && verdict < Verdict::Suspicious
    {
        verdict = Verdict::Suspicious;
        basis = format!("suspicious: score {score:.1} reaches the configured band {at}");
    }
    Judgement {
        verdict,
        score,
        basis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn finding(rule: &'static str, strength: Strength, score: f64) -> Finding {
        let r = registry::find(rule).expect("a rule");
        Finding {
            rule: r.id,
            name: r.name,
            score,
            strength,
            concern: r.concern,
            hops: vec![0],
            message: String::new(),
            evidence: Value::Null,
        }
    }

    fn verdict(findings: &[Finding]) -> Verdict {
        judge(findings, Concern::Path, &CheckSettings::default()).verdict
    }

    #[test]
    fn a_proof_alone_is_forged_and_two_strong_of_one_group_are_not() {
        assert_eq!(
            verdict(&[finding("CHAIN005", Strength::Proof, 6.0)]),
            Verdict::Forged
        );
        assert_eq!(
            verdict(&[finding("HELO005", Strength::Strong, 3.0)]),
            Verdict::Suspicious
        );
        // Two strong findings of one group restate one fact.
        assert_eq!(
            verdict(&[
                finding("CHAIN005", Strength::Strong, 5.0),
                finding("CHAIN005", Strength::Strong, 5.0)
            ]),
            Verdict::Suspicious
        );
        assert_eq!(
            verdict(&[
                finding("CHAIN005", Strength::Strong, 5.0),
                finding("HELO005", Strength::Strong, 3.0)
            ]),
            Verdict::Forged
        );
    }

    #[test]
    fn weak_marks_reach_suspicious_only_from_independent_groups_and_never_forged() {
        let weak = |rule| finding(rule, Strength::Weak, 100.0);
        // One group many times: clean, whatever the score.
        assert_eq!(
            verdict(&[weak("CHAIN003"), weak("CHAIN004"), weak("CHAIN003")]),
            Verdict::Clean
        );
        assert_eq!(
            verdict(&[weak("CHAIN003"), weak("CHAIN001"), weak("HELO006")]),
            Verdict::Suspicious
        );
        let mut settings = CheckSettings {
            forged_at: Some(1.0),
            ..CheckSettings::default()
        };
        let all = [weak("CHAIN003"), weak("CHAIN001"), weak("HELO006")];
        assert_eq!(
            judge(&all, Concern::Path, &settings).verdict,
            Verdict::Suspicious
        );
        settings.suspicious_at = Some(1.0);
        assert_eq!(
            judge(&[weak("CHAIN003")], Concern::Path, &settings).verdict,
            Verdict::Suspicious
        );
    }

    #[test]
    fn identity_findings_never_judge_the_path_and_zero_scores_never_count() {
        let identity = [
            finding("ENV004", Strength::Strong, 2.5),
            finding("DATE004", Strength::Weak, 2.5),
            finding("ENV002", Strength::Weak, 0.5),
            finding("ENV001", Strength::Weak, 0.3),
        ];
        assert_eq!(verdict(&identity), Verdict::Clean);
        assert_eq!(
            judge(&identity, Concern::Identity, &CheckSettings::default()).verdict,
            Verdict::Suspicious
        );
        assert_eq!(
            verdict(&[finding("CHAIN005", Strength::Proof, 0.0)]),
            Verdict::Clean
        );
    }
}
