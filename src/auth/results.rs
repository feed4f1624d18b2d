//! Authentication-Results and ARC-Authentication-Results (RFC 8601) read leniently.
//!
//! Writers stray from the grammar in known ways, and a forensic reader must still see what
//! they meant: comments anywhere (`spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=...`),
//! spaces around `=`, no authserv-id at all (Exchange Online starts with `spf=`), the
//! `i=N;` instance tag of an ARC-Authentication-Results, properties outside the four
//! registered ptypes (Microsoft's `action=none`, `compauth=pass reason=109`), methods no
//! registry lists. Nothing is dropped for being unknown: every `method=result` is kept with
//! its reason, its first comment and its properties as written.

/// One field, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The authserv-id, as written; `None` when the field starts with a result.
    pub authserv_id: Option<String>,
    /// The ARC instance (`i=N`) of an ARC-Authentication-Results.
    pub instance: Option<u32>,
    /// `none` after the authserv-id: the writer checked nothing (RFC 8601 §2.2).
    pub none: bool,
    /// The results, in order.
    pub results: Vec<MethodResult>,
}

/// One `method=result` with what follows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MethodResult {
    /// The method, lower case (`spf`, `dkim`, `dmarc`, `arc`, `compauth`, ...), without a
    /// `/version` suffix.
    pub method: String,
    /// The result, lower case (`pass`, `fail`, `softfail`, `bestguesspass`, ...).
    pub result: String,
    /// `reason=...`, as written.
    pub reason: Option<String>,
    /// The first comment after the result (`(sender IP is 192.0.2.1)`), cleaned.
    pub comment: Option<String>,
    /// The properties (`smtp.mailfrom`, `header.d`, `policy.dmarc`, `action`, ...): keys
    /// lower case, values as written without their quotes.
    pub properties: Vec<(String, String)>,
}

impl MethodResult {
    /// The value of a property (key in lower case).
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Most results read from one field: far more than any writer sets down (a busy gateway
/// writes a dozen), and a bound on what a crafted field can cost.
pub const MAX_RESULTS: usize = 64;
/// Most properties kept per result.
const MAX_PROPERTIES: usize = 32;
/// Longest comment kept, in bytes.
const MAX_COMMENT: usize = 200;

/// Parses one field's unfolded value.
pub fn parse(value: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let segments = segments(value);
    let mut rest = &segments[..];
    if let Some(first) = segments.first() {
        let starts_with_result = first.items.first().is_some_and(|i| i.value.is_some());
        if !starts_with_result {
            let mut words = first.items.iter().filter(|i| i.value.is_none());
            parsed.authserv_id = words.next().map(|i| i.key.clone());
            rest = &segments[1..];
        }
    }
    for seg in rest {
        if parsed.results.len() >= MAX_RESULTS {
            break;
        }
        let mut items = seg.items.iter();
        let Some(head) = items.next() else {
            continue;
        };
        let Some(value) = &head.value else {
            if head.key.eq_ignore_ascii_case("none") {
                parsed.none = true;
            }
            continue;
        };
        let key = head.key.to_ascii_lowercase();
        // ARC-Authentication-Results: `i=1; mx.example; spf=pass ...`: the instance, then
        // the authserv-id in a segment of its own.
        if key == "i" && parsed.instance.is_none() && parsed.results.is_empty() {
            parsed.instance = value.parse().ok();
            continue;
        }
        let method = key.split('/').next().unwrap_or_default().trim().to_string();
        let mut result = MethodResult {
            method,
            result: value.to_ascii_lowercase(),
            comment: head.comment.clone(),
            ..MethodResult::default()
        };
        for item in items {
            match &item.value {
                Some(v) if item.key.eq_ignore_ascii_case("reason") && result.reason.is_none() => {
                    result.reason = Some(v.clone());
                }
                Some(v) if result.properties.len() < MAX_PROPERTIES => {
                    result
                        .properties
                        .push((item.key.to_ascii_lowercase(), v.clone()));
                }
                _ => {}
            }
            if result.comment.is_none() {
                result.comment = item.comment.clone();
            }
        }
        parsed.results.push(result);
    }
    // An ARC field's authserv-id follows its instance tag.
    if parsed.instance.is_some() && parsed.authserv_id.is_none() {
        parsed.authserv_id = segments.iter().skip(1).find_map(|s| match s.items.first() {
            // `mx.microsoft.com 1`: the id and its version.
            Some(first) if s.items.iter().all(|i| i.value.is_none()) => Some(first.key.clone()),
            _ => None,
        });
    }
    parsed
}

/// A `key=value` or a bare word, with the comment that followed it.
#[derive(Debug, Default)]
struct Item {
    key: String,
    value: Option<String>,
    comment: Option<String>,
}

/// The items between two `;`.
#[derive(Debug, Default)]
struct Segment {
    items: Vec<Item>,
}

/// Splits a value into segments of items: `;` outside comments and quotes ends a segment,
/// `=` (spaces around it allowed) joins a key to its value, comments are kept beside the
/// item before them.
fn segments(value: &str) -> Vec<Segment> {
    let chars: Vec<char> = value.chars().collect();
    let mut out = vec![Segment::default()];
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < chars.len() && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        let Some(&c) = chars.get(i) else { break };
        match c {
            ';' => {
                if out.len() > MAX_RESULTS + 2 {
                    break;
                }
                out.push(Segment::default());
                i += 1;
            }
            '(' => {
                let text = comment(&chars, &mut i);
                let seg = out.last_mut().expect("one segment at least");
                if let Some(last) = seg.items.last_mut()
                    && last.comment.is_none()
                {
                    last.comment = Some(text);
                }
            }
            _ => {
                let start = i;
                let key = word(&chars, &mut i, false);
                let mut j = i;
                skip_ws(&mut j);
                // Comments between a key and its `=` (`dkim (good) = pass`) are skipped.
                let mut between = None;
                while chars.get(j) == Some(&'(') {
                    between.get_or_insert_with(|| comment(&chars, &mut j));
                    skip_ws(&mut j);
                }
                let mut item = Item {
                    key,
                    ..Item::default()
                };
                if chars.get(j) == Some(&'=') {
                    j += 1;
                    skip_ws(&mut j);
                    while chars.get(j) == Some(&'(') {
                        between.get_or_insert_with(|| comment(&chars, &mut j));
                        skip_ws(&mut j);
                    }
                    item.value = Some(word(&chars, &mut j, true));
                    item.comment = between;
                    i = j;
                } else if i == start {
                    // A stray character no word starts with: step over it.
                    i += 1;
                    continue;
                }
                out.last_mut()
                    .expect("one segment at least")
                    .items
                    .push(item);
            }
        }
    }
    out
}

/// A word or a quoted string at `i`. A key ends at `=`; a value runs to white space, `;`
/// or `(` (base64 in `header.b` carries `/`, `+` and `=`).
fn word(chars: &[char], i: &mut usize, value: bool) -> String {
    let mut out = String::new();
    if chars.get(*i) == Some(&'"') {
        *i += 1;
        while let Some(&c) = chars.get(*i) {
            *i += 1;
            match c {
                '\\' => {
                    if let Some(&n) = chars.get(*i) {
                        out.push(n);
                        *i += 1;
                    }
                }
                '"' => break,
                _ => out.push(c),
            }
        }
        return out;
    }
    while let Some(&c) = chars.get(*i) {
        if c.is_whitespace() || c == ';' || c == '(' || c == '"' || (!value && c == '=') {
            break;
        }
        out.push(c);
        *i += 1;
    }
    out
}

/// The comment starting at `i` (nested ones inside), cleaned and clipped.
fn comment(chars: &[char], i: &mut usize) -> String {
    let mut depth = 0usize;
    let mut out = String::new();
    while let Some(&c) = chars.get(*i) {
        *i += 1;
        match c {
            '\\' => {
                if let Some(&n) = chars.get(*i) {
                    out.push(n);
                    *i += 1;
                }
                continue;
            }
            '(' => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            ')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        out.push(c);
    }
    let cleaned = out.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::text::clip(&cleaned, MAX_COMMENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_example_with_comments_and_a_version() {
        let p = parse(
            "example.com 1; spf=pass (mail.example.org: 192.0.2.1 is permitted) \
             smtp.mailfrom=example.net; dkim=pass reason=\"good signature\" header.i=@mail-router.example.net; \
             dkim=fail reason=\"bad signature\" header.i=@newyork.example.com",
        );
        assert_eq!(p.authserv_id.as_deref(), Some("example.com"));
        assert_eq!(p.results.len(), 3);
        let spf = &p.results[0];
        assert_eq!((spf.method.as_str(), spf.result.as_str()), ("spf", "pass"));
        assert_eq!(
            spf.comment.as_deref(),
            Some("mail.example.org: 192.0.2.1 is permitted")
        );
        assert_eq!(spf.property("smtp.mailfrom"), Some("example.net"));
        assert_eq!(p.results[1].reason.as_deref(), Some("good signature"));
        assert_eq!(p.results[2].result, "fail");
        assert_eq!(
            p.results[2].property("header.i"),
            Some("@newyork.example.com")
        );
    }

    #[test]
    fn exchange_online_writes_no_authserv_id() {
        let p = parse(
            "spf=pass (sender IP is 209.85.166.44) smtp.mailfrom=gmail.com; dkim=pass \
             (signature was verified) header.d=gmail.com;dmarc=pass action=none \
             header.from=gmail.com;compauth=pass reason=100",
        );
        assert_eq!(p.authserv_id, None);
        let methods: Vec<_> = p.results.iter().map(|r| r.method.as_str()).collect();
        assert_eq!(methods, ["spf", "dkim", "dmarc", "compauth"]);
        assert_eq!(p.results[2].property("action"), Some("none"));
        assert_eq!(p.results[3].reason.as_deref(), Some("100"));
    }

    #[test]
    fn spaces_comments_and_base64_in_values() {
        let p = parse(
            "mx.google.com (a comment; with a semicolon);\r\n       dkim = pass (test mode) \
             header.i=@example.com header.s=sel header.b=ab/c+D=e; spf (x) = softfail",
        );
        assert_eq!(p.authserv_id.as_deref(), Some("mx.google.com"));
        assert_eq!(p.results[0].property("header.b"), Some("ab/c+D=e"));
        assert_eq!(p.results[0].comment.as_deref(), Some("test mode"));
        assert_eq!(p.results[1].result, "softfail");
        assert_eq!(p.results[1].comment.as_deref(), Some("x"));
    }

    #[test]
    fn none_unknown_methods_and_arc_instances() {
        let p = parse("mail.example.org; none");
        assert!(p.none && p.results.is_empty());
        let p = parse("i=1; mx.microsoft.com 1; spf=pass smtp.mailfrom=example.com");
        assert_eq!(p.authserv_id.as_deref(), Some("mx.microsoft.com"));
        let p = parse("i=2; lists.example.org; dkim=pass header.d=example.com; x-vendor=ok");
        assert_eq!(p.instance, Some(2));
        assert_eq!(p.authserv_id.as_deref(), Some("lists.example.org"));
        assert_eq!(p.results.len(), 2);
        assert_eq!(p.results[1].method, "x-vendor");
        let p = parse("mx.example; dkim/1=pass policy.dmarc=reject");
        assert_eq!(p.results[0].method, "dkim");
        assert_eq!(p.results[0].property("policy.dmarc"), Some("reject"));
    }

    #[test]
    fn hostile_fields_stay_bounded() {
        let many = "a; ".to_string() + &"spf=pass ".repeat(10_000) + &";dkim=pass".repeat(5_000);
        let p = parse(&many);
        assert!(p.results.len() <= MAX_RESULTS);
        assert!(p.results[0].properties.len() <= MAX_PROPERTIES);
        let unclosed = format!("a; spf=pass ({}", "(".repeat(100_000));
        assert_eq!(parse(&unclosed).results.len(), 1);
        for odd in ["", ";", "=", "= =;;", "\"", "(", ")", "a=\"", "\\"] {
            parse(odd);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_without_panic(value in "\\PC{0,300}") {
            let p = parse(&value);
            proptest::prop_assert!(p.results.len() <= MAX_RESULTS);
        }

        #[test]
        fn result_like_text_keeps_its_methods(
            id in "[a-z]{1,8}\\.example",
            methods in proptest::collection::vec(("[a-z]{2,6}", "[a-z]{2,8}"), 1..6),
        ) {
            let value = format!(
                "{id}; {}",
                methods.iter().map(|(m, r)| format!("{m}={r} (c; d) header.d=x.example")).collect::<Vec<_>>().join("; ")
            );
            let p = parse(&value);
            proptest::prop_assert_eq!(p.authserv_id.as_deref(), Some(id.as_str()));
            let got: Vec<(String, String)> = p.results.iter().map(|r| (r.method.clone(), r.result.clone())).collect();
            proptest::prop_assert_eq!(got, methods);
        }
    }
}
