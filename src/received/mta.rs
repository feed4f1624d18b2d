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
    /// obtuse smtpd: `from name(ip), claiming to be "helo" via SMTP by host, id smtpdX`.
    Obtuse,
    /// Momentum / ecelerity (SparkPost, Bird): `(ecelerity 4.x)`, `with ECSTREAM`.
    Momentum,
    /// 1&1 / IONOS Nemesis (GMX, web.de, kundenserver.de): `with ESMTPSA (Nemesis)`.
    Nemesis,
    /// GMX's own older servers and webmail: `by mail.gmx.net (mpNNN)`, `web-mail.gmx.net`.
    Gmx,
    /// web.de webmail: `by web-mail.web.de ... (via HTTP)`.
    Webde,
    /// Yahoo: `by *.yahoo.com`, `via HTTP`, `(user@ip with login)`.
    Yahoo,
    /// Openwave / InterMail / Critical Path (cp.net): `(InterMail vM.x)`, `(7.0.030.2)`.
    Openwave,
    /// SquirrelMail / NaSMail webmail: `(SquirrelMail authenticated user x)`.
    Squirrelmail,
    /// Horde webmail: `(Horde Framework)`, `(Horde MIME library)`.
    Horde,
    /// Roundcube webmail: `with HTTP (HTTP/1.1 POST)`.
    Roundcube,
    /// Zimbra's LMTP store: `(LHLO x) (ip) by store with LMTP`.
    Zimbra,
    /// Kerio MailServer / Connect.
    Kerio,
    /// Sophos Email Appliance.
    Sophos,
    /// Barracuda Spam & Virus Firewall.
    Barracuda,
    /// Cisco IronPort / Secure Email: `from x (HELO y) ([ip])`, `with ESMTP/TLS/...`.
    Ironport,
    /// Mimecast: `by relay.mimecast.com`.
    Mimecast,
    /// Proofpoint (PPS): `by mx0a-NNN.pphosted.com (PPS)`.
    Proofpoint,
    /// hMailServer: `by HOST with ESMTP ;` (a space before the `;`).
    Hmailserver,
    /// Amazon SES: `by email-smtp.amazonaws.com (SimpleEmailService-...)`.
    Ses,
    /// SendGrid: `by geopod-ismtpd-N (SG)`, `by filterNNN.sendgrid.net`.
    Sendgrid,
    /// Mailgun: `by mxa.mailgun.org`, `*.postgun.com`.
    Mailgun,
    /// Postmark: `by mtaN.mtasv.net`.
    Postmark,
    /// Mandrill / Mailchimp: `by mandrillapp.com`, `(Mailchimp)`.
    Mandrill,
    /// Yandex: `(Yandex)`, `(mxback/Yandex)`.
    Yandex,
    /// Zoho: `by mx.zohomail.com`.
    Zoho,
    /// Coremail (NetEase, 163.com): `(Coremail)`.
    Coremail,
    /// Tencent QQ mail: `by *.qq.com`.
    Qq,
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
            Mta::Obtuse => "obtuse",
            Mta::Momentum => "momentum",
            Mta::Nemesis => "nemesis",
            Mta::Gmx => "gmx",
            Mta::Webde => "webde",
            Mta::Yahoo => "yahoo",
            Mta::Openwave => "openwave",
            Mta::Squirrelmail => "squirrelmail",
            Mta::Horde => "horde",
            Mta::Roundcube => "roundcube",
            Mta::Zimbra => "zimbra",
            Mta::Kerio => "kerio",
            Mta::Sophos => "sophos",
            Mta::Barracuda => "barracuda",
            Mta::Ironport => "ironport",
            Mta::Mimecast => "mimecast",
            Mta::Proofpoint => "proofpoint",
            Mta::Hmailserver => "hmailserver",
            Mta::Ses => "ses",
            Mta::Sendgrid => "sendgrid",
            Mta::Mailgun => "mailgun",
            Mta::Postmark => "postmark",
            Mta::Mandrill => "mandrill",
            Mta::Yandex => "yandex",
            Mta::Zoho => "zoho",
            Mta::Coremail => "coremail",
            Mta::Qq => "qq",
        }
    }
}

/// A substring mark of [`detect`]. A line meets most of them before its family is known,
/// so each has a searcher built once rather than one per search.
#[derive(Clone, Copy)]
enum Mark {
    QmailLdap,
    Communigate,
    Domino,
    MappedIpv4,
    WithEsmtp,
    GoogleTls,
    HeloEquals,
    Google,
}

/// The marks' text (lower case), in [`Mark`] order.
const MARKS: [&str; 8] = [
    "qmail-ldap",
    "communigate",
    "domino",
    "[::ffff:",
    " with esmtp",
    "google transport security",
    "helo=",
    "google",
];

static MARK_FINDERS: std::sync::OnceLock<[memchr::memmem::Finder<'static>; 8]> =
    std::sync::OnceLock::new();

/// Recognises the family from marks in the raw value. Order matters: a relay can mention
/// another product (`with esmtp (Exim ...)` beats a `Postfix` word in a comment).
#[cfg(test)]
pub fn detect(value: &[u8]) -> Option<Mta> {
    detect_in(value, &lower_flat(value))
}

/// `value` lower-cased, with folding (CR, LF, tab) as spaces, so a mark folded across
/// lines (`with\r\n\tesmtp`) still has a space where the fold was. Offsets are kept: a
/// byte of the copy is the byte of `value` at the same place.
fn lower_flat(value: &[u8]) -> Vec<u8> {
    let mut lower = value.to_ascii_lowercase();
    // A line has a few folds: jump to them.
    let mut at = 0;
    while let Some(found) = memchr::memchr3(b'\t', b'\r', b'\n', &lower[at..]) {
        lower[at + found] = b' ';
        at += found + 1;
    }
    lower
}

/// The family named by the receiver's own text (`value` from byte `receiver_from`, its
/// `by` on, which no client can type into), and the family named anywhere in the line
/// (that one, else the marks of the from part).
pub fn detect_split(value: &[u8], receiver_from: Option<usize>) -> (Option<Mta>, Option<Mta>) {
    // One lower-cased copy for both looks.
    let lower = lower_flat(value);
    let receiver = receiver_from
        .filter(|&at| at <= value.len())
        .and_then(|at| detect_in(&value[at..], &lower[at..]));
    let any = receiver.or_else(|| detect_in(value, &lower));
    (receiver, any)
}

/// `microsoft` followed, after any white space (a fold), by `smtp`; and whether that is
/// `smtpsvc` (IIS) rather than Exchange's `smtp server`.
fn microsoft_smtp(lower: &[u8]) -> Option<bool> {
    let mut svc = None;
    for end in ends_of(lower, b"microsoft") {
        let rest = &lower[end..];
        let rest = &rest[rest.iter().take_while(|&&b| b == b' ').count()..];
        if rest.starts_with(b"smtpsvc") {
            svc = Some(true);
        } else if rest.starts_with(b"smtp") {
            return Some(false);
        }
    }
    svc
}

/// [`detect`] on `value`, with `lower` its lower-cased copy.
fn detect_in(value: &[u8], lower: &[u8]) -> Option<Mta> {
    // Most marks are a product name right after `(`: those are looked for at the few `(`
    // of the line, the rest with a substring search. Bytes, not text: every mark is ASCII,
    // so invalid UTF-8 around one changes nothing.
    let after_parens: Vec<&[u8]> = memchr::memchr_iter(b'(', lower)
        .map(|i| &lower[i + 1..])
        .collect();
    let paren = |prefix: &str| {
        after_parens
            .iter()
            .any(|rest| rest.starts_with(prefix.as_bytes()))
    };
    let finders = MARK_FINDERS.get_or_init(|| MARKS.map(memchr::memmem::Finder::new));
    let has = |mark: Mark| finders[mark as usize].find(lower).is_some();
    // Marks that contain another are looked for only when it is there.
    let microsoft = || match microsoft_smtp(lower) {
        Some(false) => Some(Mta::Exchange),
        _ if followed(lower, b" with", b"mapi") => Some(Mta::Exchange),
        Some(true) => Some(Mta::Smtpsvc),
        None => None,
    };
    let google = || {
        has(Mark::Google)
            && (has(Mark::GoogleTls)
                || followed(lower, b"by", b"mx.google.com")
                || followed(lower, b".google.com", b"with"))
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
    } else if google() || followed(lower, b"by", b"2002:a") {
        Mta::Google
    } else if memchr::memmem::find(lower, b", id smtpd").is_some() {
        Mta::Obtuse
    } else if sendmail_version(value) {
        Mta::Sendmail
    } else if let Some(product) = product(lower, &paren) {
        product
    } else if (paren("helo ") || has(Mark::HeloEquals)) && exim_like_id(value) {
        Mta::Exim
    } else if followed(lower, b"smtp", b"id ") && exim_like_id(value) {
        // Exim 3's ids (`17VfA3-0002ma-00`) after `with smtp` / `with esmtp`.
        Mta::Exim
    } else if (paren("helo ") || bare_ipv4_comment(value)) && qmail_with(lower) {
        Mta::Qmail
    } else {
        return None;
    };
    Some(mta)
}

/// Products and providers named by their own marks: a product in parentheses, the
/// provider's host after `by`, a format only one writes. `lower` is the line (or its
/// receiver part) lower-cased with folding flattened.
fn product(lower: &[u8], paren: &dyn Fn(&str) -> bool) -> Option<Mta> {
    let has = |needle: &'static str| ends_of(lower, needle.as_bytes()).next().is_some();
    let by_host = by_host_of(lower);
    let by_ends = |suffix: &str| {
        by_host.is_some_and(|h| {
            h == suffix.trim_start_matches('.').as_bytes() || h.ends_with(suffix.as_bytes())
        })
    };
    // Product names right after a `(` (looked for at the line's few parentheses).
    const BY_PARENS: [(&str, Mta); 15] = [
        ("ecelerity", Mta::Momentum),
        ("nemesis)", Mta::Nemesis),
        ("intermail", Mta::Openwave),
        ("horde", Mta::Horde),
        ("kerio", Mta::Kerio),
        ("sophos", Mta::Sophos),
        ("spam & virus firewall)", Mta::Barracuda),
        ("pps)", Mta::Proofpoint),
        ("simpleemailservice", Mta::Ses),
        ("sg)", Mta::Sendgrid),
        ("mailchimp)", Mta::Mandrill),
        ("yandex)", Mta::Yandex),
        ("mxback/yandex)", Mta::Yandex),
        ("coremail)", Mta::Coremail),
        ("newesmtp)", Mta::Qq),
    ];
    if let Some(&(_, mta)) = BY_PARENS.iter().find(|(mark, _)| paren(mark)) {
        return Some(mta);
    }
    if has("/yandex)") {
        return Some(Mta::Yandex);
    }
    const BY_HOSTS: [(&str, Mta); 16] = [
        (".yahoo.com", Mta::Yahoo),
        ("relay.mimecast.com", Mta::Mimecast),
        (".pphosted.com", Mta::Proofpoint),
        ("email-smtp.amazonaws.com", Mta::Ses),
        (".sendgrid.net", Mta::Sendgrid),
        (".mailgun.org", Mta::Mailgun),
        (".postgun.com", Mta::Mailgun),
        (".mtasv.net", Mta::Postmark),
        ("mandrillapp.com", Mta::Mandrill),
        (".yandex.net", Mta::Yandex),
        (".zohomail.com", Mta::Zoho),
        (".qq.com", Mta::Qq),
        ("web-mail.web.de", Mta::Webde),
        (".web.de", Mta::Webde),
        (".gmx.net", Mta::Gmx),
        (".gmx.com", Mta::Gmx),
    ];
    if let Some(&(_, mta)) = BY_HOSTS.iter().find(|(suffix, _)| by_ends(suffix)) {
        return Some(mta);
    }
    if (paren("squirrelmail") && followed(lower, b"squirrelmail", b"authenticated"))
        || (paren("nasmail") && followed(lower, b"nasmail", b"authenticated"))
    {
        return Some(Mta::Squirrelmail);
    }
    if followed(lower, b" with", b"http (http/") {
        return Some(Mta::Roundcube);
    }
    if paren("lhlo ") && followed(lower, b" with", b"lmtp") {
        return Some(Mta::Zimbra);
    }
    if followed(lower, b" with", b"esmtp/tls/")
        || (paren("helo ") && followed(lower, b")", b"([") && followed(lower, b" with", b"esmtp;"))
    {
        return Some(Mta::Ironport);
    }
    if paren("authenticated as ") || critical_path_version(lower) {
        return Some(Mta::Openwave);
    }
    if has(" ajax-webmail-") {
        return Some(Mta::Coremail);
    }
    // hMailServer writes `by HOST with ESMTP[SA] [(TLS ...)] ;`: no comment after the host,
    // no id, a space before the `;`.
    let bare_by_with = by_host.is_some_and(|h| {
        let at = h.as_ptr() as usize - lower.as_ptr() as usize + h.len();
        lower[at..].starts_with(b" with esmtp") || lower[at..].starts_with(b" with smtp")
    });
    if bare_by_with && has(" ;") && !has(" id ") {
        return Some(Mta::Hmailserver);
    }
    None
}

/// The host after the first ` by ` (lower-cased text), when there is one.
fn by_host_of(lower: &[u8]) -> Option<&[u8]> {
    let at = if lower.starts_with(b"by ") {
        0
    } else {
        memchr::memmem::find(lower, b" by ")? + 1
    };
    let rest = &lower[at + 3..];
    let rest = &rest[rest.iter().take_while(|&&b| b == b' ').count()..];
    let end = rest
        .iter()
        .position(|&b| matches!(b, b' ' | b'(' | b';' | b','))
        .unwrap_or(rest.len());
    Some(&rest[..end]).filter(|h| !h.is_empty())
}

/// Critical Path / Openwave's by-comment: a bare version such as `(7.0.030.2)`,
/// `(5.8.716.04)`, `(6.7.018)`: digits, a three-digit part, no `/`.
fn critical_path_version(lower: &[u8]) -> bool {
    memchr::memchr_iter(b'(', lower).any(|open| {
        let rest = &lower[open + 1..];
        let Some(close) = rest.iter().take(16).position(|&b| b == b')') else {
            return false;
        };
        let inner = &rest[..close];
        let parts: Vec<&[u8]> = inner.split(|&b| b == b'.').collect();
        (3..=4).contains(&parts.len())
            && parts.iter().all(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit))
            && parts[0].len() == 1
            && parts.get(2).is_some_and(|p| p.len() == 3)
            // qmail's `(198.51.100.21)` is the peer's address, not a version.
            && std::str::from_utf8(inner).is_ok_and(|t| t.parse::<std::net::Ipv4Addr>().is_err())
    })
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

/// A comment holding only an unbracketed IPv4 address, `(198.51.100.21)`, or one after the
/// remote user, `(bob@198.51.100.21)`: qmail's peer.
fn bare_ipv4_comment(value: &[u8]) -> bool {
    memchr::memchr_iter(b'(', value).any(|open| {
        // A remote user is at most 64 bytes (RFC 5321), the address 15.
        let window = &value[open + 1..value.len().min(open + 1 + 64 + 1 + 15 + 1)];
        window
            .iter()
            .position(|&b| b == b')')
            .map(|close| &window[..close])
            .map(|inside| match memchr::memrchr(b'@', inside) {
                Some(at) if !inside[..at].iter().any(|b| b.is_ascii_whitespace()) => {
                    &inside[at + 1..]
                }
                _ => inside,
            })
            .and_then(|t| std::str::from_utf8(t).ok())
            .is_some_and(|t| t.parse::<std::net::Ipv4Addr>().is_ok())
    })
}

/// The offsets just past each `needle` in `lower`. The needles are short and fixed, so a
/// memchr on their last byte beats building a substring searcher per call.
fn ends_of<'h>(lower: &'h [u8], needle: &'static [u8]) -> impl Iterator<Item = usize> + 'h {
    let last = needle.last().copied().unwrap_or_default();
    memchr::memchr_iter(last, lower).filter_map(move |end| {
        let start = (end + 1).checked_sub(needle.len())?;
        (!needle.is_empty() && &lower[start..=end] == needle).then_some(end + 1)
    })
}

/// `first` followed, after white space (one or more spaces: a fold), by `then`.
fn followed(lower: &[u8], first: &'static [u8], then: &[u8]) -> bool {
    ends_of(lower, first).any(|end| {
        let rest = &lower[end..];
        let gap = rest.iter().take_while(|&&b| b == b' ').count();
        gap > 0 && rest[gap..].starts_with(then)
    })
}

/// qmail's `with` clause ends the clauses: ` with SMTP;`, ` with ESMTPA;`, ` with QMQP;`.
fn qmail_with(lower: &[u8]) -> bool {
    ends_of(lower, b" with").any(|end| {
        let word = &lower[end..];
        let word = &word[word.iter().take_while(|&&b| b == b' ').count()..];
        let end = word
            .iter()
            .position(|&b| !b.is_ascii_alphabetic())
            .unwrap_or(word.len());
        word.get(end) == Some(&b';')
            && matches!(
                &word[..end],
                b"smtp" | b"esmtp" | b"esmtpa" | b"esmtps" | b"esmtpsa" | b"qmqp"
            )
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
