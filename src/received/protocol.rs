//! The `with` clause and what it says about the session: the protocol spoken, TLS and
//! authentication, whether stated in a comment (`(using TLSv1.3 ...)`,
//! `(Authenticated sender: x)`) or implied by the protocol name (`ESMTPSA`).
//!
//! Comment forms are read first and win: they name a version, a cipher or a user, where a
//! protocol name only says yes.

use super::Comment;
use super::bytes::{contains_ci, strip_prefix_ci};
use super::lexer::{self, Token};
use super::model::{Auth, Received, Tls};
use super::mta::Mta;

/// Reads the `with` value (every word up to the first comment or keyword) and Exim 4.9x's
/// `with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384`.
pub(super) fn read_with_clause<'a>(r: &mut Received<'a>, value: &'a [u8], words: &[Token<'a>]) {
    let base = value.as_ptr() as usize;
    let mut end = None;
    let mut start = None;
    for t in words {
        match *t {
            Token::Word(w) | Token::Angle(w) => {
                let s = w.as_ptr() as usize - base;
                start.get_or_insert(s);
                end = Some(s + w.len());
            }
            _ => break,
        }
    }
    if let (Some(s), Some(e)) = (start, end) {
        r.with = value.get(s..e);
    }
    let mut version = None;
    for pair in words.windows(2) {
        match pair {
            [Token::Comment(c), _] if c.len() > 3 && c[..3].eq_ignore_ascii_case(b"tls") => {
                version.get_or_insert(*c);
            }
            [Token::Word(k), Token::Word(cipher)] if k.eq_ignore_ascii_case(b"tls") => {
                r.tls = Some(Tls {
                    version,
                    cipher: Some(cipher),
                    evidence: "exim",
                });
            }
            _ => {}
        }
    }
}

/// The protocol named by a `with` (or `via`) value, normalised.
pub fn protocol_of(with: &[u8]) -> Option<&'static str> {
    const KNOWN: [&str; 24] = [
        "ESMTPSA",
        "ESMTPS",
        "ESMTPA",
        "ESMTP",
        "SMTPS",
        "SMTP",
        "LMTPSA",
        "LMTPS",
        "LMTPA",
        "LMTP",
        "UTF8SMTPSA",
        "UTF8SMTPS",
        "UTF8SMTPA",
        "UTF8SMTP",
        "UTF8LMTPSA",
        "UTF8LMTPS",
        "UTF8LMTPA",
        "UTF8LMTP",
        "HTTPS",
        "HTTP",
        "IMAP",
        "POP3",
        "LOCAL",
        "QMQP",
    ];
    // Upper-cased on the stack when short (it nearly always is).
    let mut short = [0u8; 64];
    let text: std::borrow::Cow<'_, str> = match short.get_mut(..with.len()) {
        Some(buf) if with.is_ascii() => {
            buf.copy_from_slice(with);
            buf.make_ascii_uppercase();
            String::from_utf8_lossy(buf)
        }
        _ => String::from_utf8_lossy(with).to_ascii_uppercase().into(),
    };
    for raw in text.split(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | '(' | '/')) {
        if raw.is_empty() {
            continue;
        }
        // Exim's local-esmtp / local-bsmtp, CommuniGate's ESMTP-TLS.
        let word = raw.strip_prefix("LOCAL-").unwrap_or(raw);
        let word = word.trim_end_matches([',', ';']);
        let mapped = match word {
            "ESMTP-TLS" => Some("ESMTPS"),
            "BSMTP" => Some("SMTP"),
            "HTTPREST" | "HTTPU" | "REST" => Some("HTTP"),
            "POP" => Some("POP3"),
            "SMTPSVC" => Some("SMTP"),
            w if w.starts_with("SMTPSVC") => Some("SMTP"),
            w => KNOWN.iter().copied().find(|k| *k == w),
        };
        if let Some(p) = mapped {
            // `with local-esmtp` is a local SMTP session: report the protocol spoken.
            return Some(p);
        }
        if word == "MICROSOFT" && text.contains("SMTP") {
            return Some("SMTP");
        }
    }
    None
}

/// A web or API hand-off that names no protocol: GMX / web.de webmail `(via HTTP)`,
/// Mandrill's API `from [ip] by mandrillapp.com id x`, Coremail's webmail
/// `by ajax-webmail-wmsvrN`.
pub(super) fn implied_http(r: &Received<'_>, comments: &[Comment<'_>]) -> Option<&'static str> {
    let via_http = comments.iter().any(|(_, words)| {
        matches!(words.as_slice(), [via, http] if via.eq_ignore_ascii_case(b"via") && http.eq_ignore_ascii_case(b"HTTP"))
    });
    let by = r.by_host.unwrap_or_default();
    let api_host = r.with.is_none()
        && (by.eq_ignore_ascii_case(b"mandrillapp.com")
            || by.len() > 13 && by[..13].eq_ignore_ascii_case(b"ajax-webmail-"));
    (via_http || api_host).then_some("HTTP")
}

/// Fills TLS and authentication from the comments (each split into words once), then
/// from the protocol name and the rest of the line.
pub(super) fn read_tls_and_auth<'a>(
    r: &mut Received<'a>,
    comments: &[Comment<'a>],
    value: &'a [u8],
) {
    for (c, words) in comments {
        let (c, words) = (*c, words.as_slice());
        // A `using` or `version=` comment is about TLS alone.
        if !read_tls_comment(r, c, words) {
            read_auth_comment(r, c, words);
        }
    }
    read_protocol_implied(r);
    read_tls_in_text(r, value);
}

/// TLS stated in one comment. Returns true for the comment forms that say nothing else
/// (`using ...`, `version=...`), so no authentication is looked for in them.
fn read_tls_comment<'a>(r: &mut Received<'a>, c: &'a [u8], words: &[&'a [u8]]) -> bool {
    let first = words.first().copied().unwrap_or_default();
    // Postfix: `(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) ...)`.
    if first.eq_ignore_ascii_case(b"using") {
        let version = words.get(1).copied();
        let cipher = words
            .iter()
            .position(|w| w.eq_ignore_ascii_case(b"cipher"))
            .and_then(|i| words.get(i + 1).copied());
        r.tls = Some(Tls {
            version,
            cipher,
            evidence: "using",
        });
        return true;
    }
    // Exchange / Gmail: `(version=TLS1_2, cipher=TLS_ECDHE_...)`.
    if let Some(v) = words.iter().find_map(|w| strip_prefix_ci(w, b"version=")) {
        let cipher = words.iter().find_map(|w| strip_prefix_ci(w, b"cipher="));
        r.tls = Some(Tls {
            version: Some(v),
            cipher,
            evidence: "version=",
        });
        return true;
    }
    // Exchange 2010 `with Microsoft SMTP Server (TLS) id 14.x`, Mimecast `(Using TLS)`.
    if words.len() <= 2 && words.last().is_some_and(|w| w.eq_ignore_ascii_case(b"TLS")) {
        r.tls.get_or_insert(Tls {
            version: None,
            cipher: None,
            evidence: "(TLS)",
        });
        return true;
    }
    // Courier `(TLS: TLSv1/SSLv3, 168bits, DES-CBC3-SHA)`, and within `(AUTH: ..., TLS: ...)`.
    if let Some(i) = words
        .iter()
        .position(|w| w.eq_ignore_ascii_case(b"TLS:") || w.eq_ignore_ascii_case(b"SSL:"))
    {
        let version = words.get(i + 1).copied();
        let cipher = words.get(i + 2..).and_then(|rest| {
            rest.iter()
                .copied()
                .find(|w| !w.ends_with(b"bits") && w.len() > 3)
        });
        r.tls = Some(Tls {
            version,
            cipher,
            evidence: "TLS:",
        });
    }
    // Exim `(TLSv1.3:TLS_AES_256_GCM_SHA384:256)`, `(Cipher TLSv1:DES-CBC3-SHA:168)`,
    // `(tls_cipher TLS-1.0:RSA_AES_256_CBC_SHA:32)`.
    let spec = if first.eq_ignore_ascii_case(b"cipher") || first.eq_ignore_ascii_case(b"tls_cipher")
    {
        words.get(1).copied()
    } else if words.len() == 1 && first.len() > 3 && first[..3].eq_ignore_ascii_case(b"tls") {
        Some(first)
    } else {
        None
    };
    if let Some(spec) = spec {
        let mut parts = spec.split(|&b| b == b':');
        let version = parts.next();
        let cipher = parts.next();
        if cipher.is_some() {
            r.tls = Some(Tls {
                version,
                cipher,
                evidence: "exim",
            });
        }
    }
    if words
        .iter()
        .any(|w| w.eq_ignore_ascii_case(b"(Google") || w.eq_ignore_ascii_case(b"Google"))
        && contains_ci(c, b"Transport Security")
        && r.tls.is_none()
    {
        r.tls = Some(Tls {
            version: None,
            cipher: None,
            evidence: "Google Transport Security",
        });
    }
    false
}

/// Authentication stated in one comment.
fn read_auth_comment<'a>(r: &mut Received<'a>, c: &'a [u8], words: &[&'a [u8]]) {
    let first = words.first().copied().unwrap_or_default();
    if let Some(i) = words
        .iter()
        .position(|w| w.eq_ignore_ascii_case(b"sender:"))
        .filter(|&i| i > 0 && words[i - 1].eq_ignore_ascii_case(b"Authenticated"))
    {
        r.auth = Some(Auth {
            user: words.get(i + 1).copied(),
            evidence: "Authenticated sender",
        });
    } else if first.eq_ignore_ascii_case(b"authenticated")
        && let Some(user) = words
            .get(1)
            .filter(|w| w.eq_ignore_ascii_case(b"as") || w.eq_ignore_ascii_case(b"user"))
            .and_then(|_| words.get(2).copied())
    {
        // Critical Path `(authenticated as carol)`, Kerio `(authenticated user x@y)`.
        r.auth = Some(Auth {
            user: Some(user),
            evidence: "authenticated",
        });
    } else if first.eq_ignore_ascii_case(b"authenticated") {
        r.auth.get_or_insert(Auth {
            user: None,
            evidence: "authenticated",
        });
    } else if let Some(i) = words.iter().position(|w| w.eq_ignore_ascii_case(b"AUTH:")) {
        // Courier: `(AUTH: LOGIN user, TLS: ...)`.
        let user = words
            .get(i + 2)
            .copied()
            .filter(|w| !w.eq_ignore_ascii_case(b"TLS:"));
        r.auth = Some(Auth {
            user,
            evidence: "AUTH:",
        });
    } else if words.len() >= 2 && first.eq_ignore_ascii_case(b"account") {
        // CommuniGate: `(account user HELO x)`.
        r.auth = Some(Auth {
            user: words.get(1).copied(),
            evidence: "account",
        });
    } else if contains_ci(c, b"authenticated user") {
        // SquirrelMail: `(SquirrelMail authenticated user carol)`.
        let user = words
            .iter()
            .position(|w| w.eq_ignore_ascii_case(b"user"))
            .and_then(|i| words.get(i + 1).copied());
        r.auth = Some(Auth {
            user,
            evidence: "authenticated user",
        });
    } else if words.len() >= 3
        && words[words.len() - 2].eq_ignore_ascii_case(b"with")
        && (words[words.len() - 1].eq_ignore_ascii_case(b"plain")
            || words[words.len() - 1].eq_ignore_ascii_case(b"login"))
    {
        // qmail SMTP-AUTH patch, Yahoo: `(user@1.2.3.4 with plain)`: the user is the
        // login, not an RFC 1413 ident.
        r.auth = Some(Auth {
            user: r.ident.take(),
            evidence: "qmail smtp-auth",
        });
    }
}

/// TLS and authentication implied by the protocol name (RFC 3848: `S` for TLS, `A` for
/// authentication), when no comment stated them.
fn read_protocol_implied(r: &mut Received<'_>) {
    let Some(p) = r.protocol else { return };
    let upper = p.trim_start_matches("UTF8");
    let (proto_tls, proto_auth) = match upper {
        "ESMTPSA" | "LMTPSA" => (true, true),
        "ESMTPS" | "LMTPS" | "SMTPS" | "HTTPS" => (true, false),
        "ESMTPA" | "LMTPA" => (false, true),
        _ => (false, false),
    };
    if proto_tls && r.tls.is_none() {
        r.tls = Some(Tls {
            version: None,
            cipher: None,
            evidence: "with-protocol",
        });
    }
    if proto_auth && r.auth.is_none() {
        // qmail with the SMTP-AUTH patch writes the login where the ident goes.
        let user = if r.mta == Some(Mta::Qmail) {
            r.ident.take()
        } else {
            None
        };
        r.auth = Some(Auth {
            user,
            evidence: "with-protocol",
        });
    }
}

/// TLS written in the line's text rather than a comment: SMTPSVC `over TLS secured
/// channel`, qmail-ldap `with AES128-SHA encrypted SMTP`, IronPort `with ESMTP/TLS/...`,
/// Exim 4.9x `with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384`.
fn read_tls_in_text<'a>(r: &mut Received<'a>, value: &'a [u8]) {
    if r.tls.is_none() && contains_ci(value, b"over TLS secured channel") {
        r.tls = Some(Tls {
            version: None,
            cipher: None,
            evidence: "over TLS secured channel",
        });
    }
    if let Some(with) = r.with {
        let parts: Vec<&[u8]> = with
            .split(|&b| b == b'/' || lexer::is_space(b))
            .filter(|w| !w.is_empty())
            .collect();
        if r.tls.is_none() {
            if let Some(i) = parts
                .iter()
                .position(|w| w.eq_ignore_ascii_case(b"encrypted"))
            {
                r.tls = Some(Tls {
                    version: None,
                    cipher: i.checked_sub(1).map(|j| parts[j]),
                    evidence: "encrypted SMTP",
                });
            } else if let Some(i) = parts
                .iter()
                .skip(1)
                .position(|w| w.eq_ignore_ascii_case(b"TLS"))
            {
                // IronPort `with ESMTP/TLS/ECDHE-RSA-AES256-GCM-SHA384`.
                r.tls = Some(Tls {
                    version: None,
                    cipher: parts.get(i + 2).copied(),
                    evidence: "with-protocol",
                });
            }
        }
    }
    // Exim 4.9x: `with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384`.
    if let Some(with) = r.with
        && r.tls.as_ref().is_none_or(|t| t.cipher.is_none())
    {
        let words: Vec<&[u8]> = with
            .split(|b| lexer::is_space(*b))
            .filter(|w| !w.is_empty())
            .collect();
        if let Some(i) = words.iter().position(|w| w.eq_ignore_ascii_case(b"tls"))
            && let Some(c) = words.get(i + 1)
        {
            let version = r.tls.as_ref().and_then(|t| t.version);
            r.tls = Some(Tls {
                version,
                cipher: Some(c),
                evidence: "exim",
            });
        }
    }
}
