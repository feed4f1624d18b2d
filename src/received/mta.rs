//! Recognising which MTA wrote a Received line from the marks its format leaves.
//!
//! The family matters twice: it decides how the `from` part is read (Exim and qmail put the
//! reverse name first, Postfix and Sendmail the HELO name), and the checks compare the
//! formats of lines that claim the same `by` host.

use serde::Serialize;

/// An MTA family, as recognised from a Received line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mta {
    /// Postfix: `by host (Postfix)`, date followed by `(TZ)`.
    Postfix,
    /// Sendmail: `by host (8.17.1/8.17.1)`.
    Sendmail,
    /// Exim: `(Exim 4.96)`, `helo=` inside the peer comment.
    Exim,
    /// qmail and its patches: `(qmail N invoked ...)`, `(HELO x) (ip)`.
    Qmail,
    /// Microsoft Exchange / Office 365: `with Microsoft SMTP Server`, `with mapi`.
    Exchange,
    /// Microsoft IIS SMTP service: `with Microsoft SMTPSVC(6.0...)`.
    Smtpsvc,
    /// Google: `by mx.google.com`, `by 2002:a05:...`, `(Google Transport Security)`.
    Google,
    /// Courier: `(courier-0.x)`, `[::ffff:1.2.3.4]`, `(AUTH: ...)`.
    Courier,
    /// MDaemon: `(MDaemon PRO v19)`.
    Mdaemon,
    /// CommuniGate Pro.
    Communigate,
    /// Lotus / HCL Domino.
    Domino,
    /// Haraka.
    Haraka,
    /// OpenSMTPD.
    Opensmtpd,
    /// fetchmail retrieving from POP/IMAP.
    Fetchmail,
    /// Stalwart.
    Stalwart,
    /// qpsmtpd (qmail-like format).
    Qpsmtpd,
}

impl Mta {
    /// Lower-case name as used in the report.
    pub fn name(self) -> &'static str {
        match self {
            Mta::Postfix => "postfix",
            Mta::Sendmail => "sendmail",
            Mta::Exim => "exim",
            Mta::Qmail => "qmail",
            Mta::Exchange => "exchange",
            Mta::Smtpsvc => "smtpsvc",
            Mta::Google => "google",
            Mta::Courier => "courier",
            Mta::Mdaemon => "mdaemon",
            Mta::Communigate => "communigate",
            Mta::Domino => "domino",
            Mta::Haraka => "haraka",
            Mta::Opensmtpd => "opensmtpd",
            Mta::Fetchmail => "fetchmail",
            Mta::Stalwart => "stalwart",
            Mta::Qpsmtpd => "qpsmtpd",
        }
    }
}

/// A substring mark of [`detect`]. A line meets most of them before its family is known,
/// so each has a searcher built once rather than one per search.
#[derive(Clone, Copy)]
enum Mark {
    MicrosoftSmtp,
    MicrosoftSmtpsvc,
    WithMapi,
    QmailLdap,
    Communigate,
    Domino,
    MappedIpv4,
    WithEsmtp,
    GoogleTls,
    ByMxGoogle,
    GoogleWith,
    ByGoogleV6,
    HeloEquals,
    WithSmtpEnd,
    WithEsmtpEnd,
    Google,
}

/// The marks' text (lower case), in [`Mark`] order.
const MARKS: [&str; 16] = [
    "microsoft smtp",
    "microsoft smtpsvc",
    " with mapi",
    "qmail-ldap",
    "communigate",
    "domino",
    "[::ffff:",
    " with esmtp",
    "google transport security",
    "by mx.google.com",
    ".google.com with",
    "by 2002:a",
    "helo=",
    " with smtp;",
    " with esmtp;",
    "google",
];

static MARK_FINDERS: std::sync::OnceLock<[memchr::memmem::Finder<'static>; 16]> =
    std::sync::OnceLock::new();

/// Recognises the family from marks in the raw value. Order matters: a relay can mention
/// another product (`with esmtp (Exim ...)` beats a `Postfix` word in a comment).
pub fn detect(value: &[u8]) -> Option<Mta> {
    // One lower-cased copy. Most marks are a product name right after `(`: those are
    // looked for at the few `(` of the line, the rest with a substring search.
    // Bytes, not text: every mark is ASCII, so invalid UTF-8 around one changes nothing.
    let lower = value.to_ascii_lowercase();
    let after_parens: Vec<&[u8]> = memchr::memchr_iter(b'(', &lower)
        .map(|i| &lower[i + 1..])
        .collect();
    let paren = |prefix: &str| {
        after_parens
            .iter()
            .any(|rest| rest.starts_with(prefix.as_bytes()))
    };
    let finders = MARK_FINDERS.get_or_init(|| MARKS.map(memchr::memmem::Finder::new));
    let has = |mark: Mark| finders[mark as usize].find(&lower).is_some();
    // Marks that contain another are looked for only when it is there.
    let microsoft = || {
        let smtp = has(Mark::MicrosoftSmtp);
        if smtp && !has(Mark::MicrosoftSmtpsvc) || has(Mark::WithMapi) {
            Some(Mta::Exchange)
        } else if smtp {
            Some(Mta::Smtpsvc)
        } else {
            None
        }
    };
    let google = || {
        has(Mark::Google)
            && (has(Mark::GoogleTls) || has(Mark::ByMxGoogle) || has(Mark::GoogleWith))
    };
    let mta = if paren("exim ") || paren("exim)") {
        Mta::Exim
    } else if paren("postfix") {
        Mta::Postfix
    } else if let Some(mta) = microsoft() {
        mta
    } else if paren("fetchmail") {
        Mta::Fetchmail
    } else if paren("qmail ") || has(Mark::QmailLdap) {
        Mta::Qmail
    } else if paren("qpsmtpd") {
        Mta::Qpsmtpd
    } else if paren("mdaemon") {
        Mta::Mdaemon
    } else if has(Mark::Communigate) {
        Mta::Communigate
    } else if has(Mark::Domino) {
        Mta::Domino
    } else if paren("haraka") {
        Mta::Haraka
    } else if paren("opensmtpd") {
        Mta::Opensmtpd
    } else if paren("stalwart") {
        Mta::Stalwart
    } else if paren("courier") || has(Mark::MappedIpv4) && has(Mark::WithEsmtp) {
        Mta::Courier
    } else if google() || has(Mark::ByGoogleV6) {
        Mta::Google
    } else if sendmail_version(value) {
        Mta::Sendmail
    } else if (paren("helo ") || has(Mark::HeloEquals)) && exim_like_id(value) {
        Mta::Exim
    } else if (paren("helo ") || bare_ipv4_comment(value))
        && (has(Mark::WithSmtpEnd) || has(Mark::WithEsmtpEnd))
    {
        Mta::Qmail
    } else {
        return None;
    };
    Some(mta)
}

/// `(8.14.4/8.14.4)`, `(8.12.11/8.12.11/Submit)`, `(SGI-8.9.3/8.8.7)`, `(8.8.5)`: Sendmail's
/// versions.
fn sendmail_version(value: &[u8]) -> bool {
    // Look only a short way past each `(`: a run of parentheses must stay linear.
    const MAX_VERSION_TEXT: usize = 48;
    memchr::memchr_iter(b'(', value).any(|open| {
        let window = &value[open + 1..value.len().min(open + 1 + MAX_VERSION_TEXT)];
        let inner = window
            .split(|&b| b == b')' || b == b' ')
            .next()
            .unwrap_or_default();
        // `(8.8.5)` alone (old Sendmail) or `(8.14.4/8.14.4)`. Alone it must have
        // exactly two dots: `(8.0.0.0)` is qmail's record of an IPv4 peer.
        let closes_here = window.get(inner.len()) == Some(&b')');
        let first = match inner.iter().position(|&b| b == b'/') {
            Some(slash) => &inner[..slash],
            None if closes_here && inner.iter().filter(|&&b| b == b'.').count() == 2 => inner,
            None => return false,
        };
        let version = first.rsplit(|&b| b == b'-').next().unwrap_or_default();
        version.starts_with(b"8.")
            && version.iter().all(|b| b.is_ascii_digit() || *b == b'.')
            && version.iter().filter(|&&b| b == b'.').count() >= 2
    })
}

/// A comment holding only an unbracketed IPv4 address, `(198.51.100.21)`: qmail's peer.
fn bare_ipv4_comment(value: &[u8]) -> bool {
    memchr::memchr_iter(b'(', value).any(|open| {
        let window = &value[open + 1..value.len().min(open + 17)];
        window
            .iter()
            .position(|&b| b == b')')
            .and_then(|close| std::str::from_utf8(&window[..close]).ok())
            .is_some_and(|t| t.parse::<std::net::Ipv4Addr>().is_ok())
    })
}

/// Exim message ids: `1fZ55o-0006DP-3H` (6-6-2) or `1tAbCd-00000000123-4E5F` (6-11-4).
fn exim_like_id(value: &[u8]) -> bool {
    value
        .split(|b| crate::received::lexer::is_space(*b) || *b == b';')
        .any(|w| {
            let mut parts = w.split(|&b| b == b'-');
            let lens = [parts.next(), parts.next(), parts.next(), parts.next()];
            let alnum = |p: &[u8]| p.iter().all(u8::is_ascii_alphanumeric);
            matches!(lens, [Some(a), Some(b), Some(c), None]
                if a.len() == 6 && (b.len() == 6 || b.len() == 11) && (c.len() == 2 || c.len() == 4)
                && alnum(a) && alnum(b) && alnum(c))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_families() {
        let cases: [(&str, Mta); 10] = [
            (
                "from a (b [1.2.3.4]) by c (Postfix) with ESMTP id X; Mon, 1 Jan 2024 00:00:00 +0000 (UTC)",
                Mta::Postfix,
            ),
            (
                "from a (b [1.2.3.4]) by c (8.17.1/8.17.1) with ESMTP id X",
                Mta::Sendmail,
            ),
            (
                "from lemongrass.org by galangal.org (8.7.3); Tue, 11 Mar 1997 21:40:12 -0500",
                Mta::Sendmail,
            ),
            (
                "from aa.com (HELO aa.com) (8.0.0.0)\n  by aa.com with SMTP; 02 Jan 1970 00:00:00 +0000",
                Mta::Qmail,
            ),
            (
                "from a ([1.2.3.4]:25 helo=b) by c with esmtp (Exim 4.96) id 1fZ55o-0006DP-3H",
                Mta::Exim,
            ),
            (
                "from a ([1.2.3.4] helo=b) by c with esmtp id 1fZ55o-0006DP-3H",
                Mta::Exim,
            ),
            (
                "(qmail 123 invoked by uid 89); 1 Jan 2024 00:00:00 -0000",
                Mta::Qmail,
            ),
            (
                "from A (10.0.0.1) by B (10.0.0.2) with Microsoft SMTP Server id 15.1.1",
                Mta::Exchange,
            ),
            (
                "by 2002:a05:6a10:1234:b0:5a:1234:5678 with SMTP id x",
                Mta::Google,
            ),
            (
                "from a [1.2.3.4] by c (MDaemon PRO v19.0.2) with ESMTP id md5",
                Mta::Mdaemon,
            ),
        ];
        for (line, want) in cases {
            assert_eq!(detect(line.as_bytes()), Some(want), "{line}");
        }
        assert_eq!(detect(b"from a by b"), None);
        // Marks found only through a shorter one (`microsoft smtp`, `google`).
        assert_eq!(
            detect(b"from a ([10.0.0.1]) by b with Microsoft SMTPSVC(6.0.3790.4675)"),
            Some(Mta::Smtpsvc)
        );
        assert_eq!(
            detect(b"from a (a [1.2.3.4]) by MX.Google.COM with ESMTPS id x"),
            Some(Mta::Google)
        );
        assert_eq!(detect(b"from a by b with MAPI id 1"), Some(Mta::Exchange));
    }
}
