//! Host names as the checks compare them: normalised, reduced to registrable domains (with
//! the public suffix list, not a hand list). A name under a suffix the list does not know
//! (`.local`, `.corp`, `.lan`, `.internal`, the reserved `.example` and `.test`) has its last
//! two labels as its registrable domain, so the comparisons that need one do not fall
//! silent on private names; [`fallback_note`] says so wherever a finding shows one.

/// Lower-case, without a trailing dot, brackets or angle brackets.
pub fn normalize(host: &str) -> String {
    host.trim()
        .trim_matches(['[', ']', '<', '>'])
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// The registrable domain (`mail.example.co.uk` -> `example.co.uk`; `mx1.corp.local` ->
/// `corp.local`, the last two labels, as the suffix is not a public one), or `None` for IP
/// literals, single labels and public suffixes themselves.
pub fn registrable(host: &str) -> Option<String> {
    // The same few names (the From domain, our hosts, the senders) are asked about many
    // times per message and across a mailbox: remember recent answers per thread.
    found(host).map(|f| f.domain)
}

/// A registrable domain, and whether the public suffix list gave it (or it is a private
/// name's last two labels).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    domain: String,
    public: bool,
}

fn found(host: &str) -> Option<Found> {
    if let Some(hit) = RECENT.with(|r| r.borrow().get(host).cloned()) {
        return hit;
    }
    let found = registrable_uncached(host);
    RECENT.with(|r| remember(&mut r.borrow_mut(), host, found.clone()));
    found
}

thread_local! {
    /// Recent answers of [`registrable`], per thread.
    static RECENT: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::default());
}

/// Answers remembered at most; a full memo starts again.
const REMEMBERED: usize = 4096;

/// Host names to their registrable domains. The keys are names the program itself looks up
/// (a memo, not a table an attacker fills to collide), so a simple fast hash is enough.
type Memo = std::collections::HashMap<String, Option<Found>, std::hash::BuildHasherDefault<Fnv>>;

/// FNV-1a: a few instructions per byte, against SipHash's setup per short name.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// True when both names have a registrable domain and it is the same one. Answers from the
/// memo without copying either domain out (links compare several names per hop).
pub fn same_registrable(a: &str, b: &str) -> bool {
    RECENT.with(|r| {
        for host in [a, b] {
            if !r.borrow().contains_key(host) {
                let found = registrable_uncached(host);
                remember(&mut r.borrow_mut(), host, found);
            }
        }
        let memo = r.borrow();
        match (memo.get(a), memo.get(b)) {
            (Some(Some(da)), Some(Some(db))) => da.domain == db.domain,
            (Some(None), _) | (_, Some(None)) => false,
            // Evicted between the two inserts (a full memo is cleared): ask again.
            _ => registrable_uncached(a)
                .is_some_and(|da| registrable_uncached(b).is_some_and(|db| db.domain == da.domain)),
        }
    })
}

fn remember(memo: &mut Memo, host: &str, found: Option<Found>) {
    if memo.len() >= REMEMBERED {
        memo.clear();
    }
    memo.insert(host.to_string(), found);
}

fn registrable_uncached(host: &str) -> Option<Found> {
    let h = normalize(host);
    if h.is_empty()
        || !h.contains('.')
        || h.parse::<std::net::IpAddr>().is_ok()
        || h.starts_with("ipv6:")
    {
        return None;
    }
    // Names under a suffix the public suffix list does not know (`.loc`, `.home`,
    // `.localdomain`, `.corp`, ...) are private names: their last two labels.
    if !psl::suffix(h.as_bytes()).is_some_and(|s| s.is_known()) {
        return Some(Found {
            domain: last_two_labels(&h).to_string(),
            public: false,
        });
    }
    let d = psl::domain_str(&h)?;
    // A name that is itself a public suffix has no registrable domain.
    (d.contains('.')).then(|| Found {
        domain: d.to_string(),
        public: true,
    })
}

fn last_two_labels(h: &str) -> &str {
    match h.rfind('.').and_then(|last| h[..last].rfind('.')) {
        Some(cut) => &h[cut + 1..],
        None => h,
    }
}

/// The registrable domain of `host` from the public suffix list only: `None` for names
/// under a suffix it does not know. For DNS questions, which a private name cannot answer.
pub fn registrable_public(host: &str) -> Option<String> {
    found(host).filter(|f| f.public).map(|f| f.domain)
}

/// True when `domain` ends in a suffix the public suffix list knows.
fn is_public(domain: &str) -> bool {
    psl::suffix(domain.as_bytes()).is_some_and(|s| s.is_known())
}

/// For a registrable domain that is only its last two labels (its suffix is not a public
/// one), the sentence that says so; `None` for a public suffix list domain.
pub fn fallback_note(domain: &str) -> Option<String> {
    if is_public(domain) {
        return None;
    }
    let tld = domain.rsplit('.').next().unwrap_or(domain);
    Some(format!(
        "{domain} is the last two labels: .{tld} is not in the public suffix list"
    ))
}

/// `host` as [`normalize`] sees it, but borrowed and not lower-cased (the comparisons
/// below ignore ASCII case): these run many times per message.
fn trimmed(host: &str) -> &str {
    // Byte by byte: the brackets are ASCII, so every cut falls between characters.
    let s = host.trim();
    let is_bracket = |b: &u8| matches!(b, b'[' | b']' | b'<' | b'>');
    let bytes = s.as_bytes();
    let start = bytes
        .iter()
        .position(|b| !is_bracket(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_bracket(b))
        .map_or(start, |e| e + 1);
    s[start..end].trim_end_matches('.')
}

/// True when two host names name the same host: equal after normalisation, or one is a
/// single label equal to the other's first label (`mx1` vs `mx1.example.com`).
pub fn same_host(a: &str, b: &str) -> bool {
    let (a, b) = (trimmed(a), trimmed(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    let first_label = |s: &str| -> usize { s.find('.').unwrap_or(s.len()) };
    (!a.contains('.') && a.eq_ignore_ascii_case(&b[..first_label(b)]))
        || (!b.contains('.') && b.eq_ignore_ascii_case(&a[..first_label(a)]))
}

/// True when `host` is `domain` or a name under it.
pub fn within(host: &str, domain: &str) -> bool {
    let (h, d) = (trimmed(host).as_bytes(), trimmed(domain).as_bytes());
    if d.is_empty() {
        return false;
    }
    h.eq_ignore_ascii_case(d)
        || (h.len() > d.len()
            && h[h.len() - d.len() - 1] == b'.'
            && h[h.len() - d.len()..].eq_ignore_ascii_case(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_registrable_domain() {
        assert!(same_registrable("mx1.example.co.uk", "smtp.EXAMPLE.co.uk."));
        assert!(!same_registrable("mx1.example.co.uk", "mx1.example.com"));
        assert!(!same_registrable("co.uk", "co.uk"));
        assert!(!same_registrable("localhost", "localhost"));
        // Past the memo's size it starts again and still answers.
        for i in 0..REMEMBERED + 10 {
            assert!(same_registrable(
                &format!("h{i}.example.org"),
                "example.org"
            ));
        }
    }

    #[test]
    fn registrable_domains_use_the_public_suffix_list() {
        assert_eq!(
            registrable("mail.example.co.uk").as_deref(),
            Some("example.co.uk")
        );
        assert_eq!(
            registrable("MX1.Corp.Example.COM.").as_deref(),
            Some("example.com")
        );
        assert_eq!(registrable("localhost"), None);
        assert_eq!(registrable("[192.0.2.1]"), None);
        assert_eq!(registrable("co.uk"), None);
    }

    #[test]
    fn private_suffixes_have_their_last_two_labels() {
        for (host, want) in [
            ("bilbo.makalumedia.loc", "makalumedia.loc"),
            ("localhost.localdomain", "localhost.localdomain"),
            ("MX1.Corp.Local.", "corp.local"),
            ("dc01.ad.example.corp", "example.corp"),
            ("nas.lan", "nas.lan"),
            ("mail.svc.cluster.internal", "cluster.internal"),
            ("mx.ours.example", "ours.example"),
            ("a.b.test", "b.test"),
        ] {
            assert_eq!(registrable(host).as_deref(), Some(want), "{host}");
            assert_eq!(registrable_public(host), None, "{host}");
            assert!(fallback_note(want).is_some_and(|n| n.contains("public suffix list")));
        }
        assert_eq!(fallback_note("example.com"), None);
        assert_eq!(registrable("localhost"), None);
        assert!(same_registrable("mx1.corp.local", "mx2.corp.local"));
        assert!(!same_registrable("mx1.corp.local", "mx1.other.local"));
    }

    #[test]
    fn host_comparisons() {
        assert!(same_host("mx1", "MX1.example.com."));
        assert!(!same_host("mx1", "mx2.example.com"));
        assert!(within("mail-wr1-f54.google.com", "google.com"));
        assert!(!within("notgoogle.com", "google.com"));
    }
}
