//! Messages the envelope rules' tests share.

/// Our server's Received line and a Date.
pub const HOP: &str = "Received: from mail.a-corp.com (mail.a-corp.com [81.169.145.10]) by mx.b-corp.com (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)\nDate: Mon, 1 Jan 2024 09:59:58 +0000\n";

/// Bounces, replies and Message-ID all in other domains than From.
pub fn mismatched() -> String {
    format!(
        "{HOP}Return-Path: <bounce@esp-mailer.net>\nFrom: Pay <pay@a-corp.com>\nReply-To: pay.office@freemail-example.com\nMessage-ID: <1@vps.cheap-hosting.net>\n\nx"
    )
}

/// Bounces, replies and Message-ID all in From's domain.
pub fn matching() -> String {
    format!(
        "{HOP}Return-Path: <pay@a-corp.com>\nFrom: Pay <pay@a-corp.com>\nReply-To: billing@a-corp.com\nMessage-ID: <1@mail.a-corp.com>\n\nx"
    )
}

/// A list post whose From the list rewrote to itself (DMARC munging), the author in
/// Reply-To, the list's bounce address as envelope sender.
pub fn list_munged() -> String {
    format!(
        "{HOP}Return-Path: <cheese-bounces@lists.c-org.net>\nDelivered-To: y@b-corp.com\nFrom: Kate via Cheese <cheese@lists.c-org.net>\nReply-To: kate@a-corp.com\nTo: cheese@lists.c-org.net\nMessage-ID: <1@mail.a-corp.com>\n\nx"
    )
}

/// A forged message (replies, bounces and Message-ID elsewhere) with an
/// Authentication-Results saying the From domain signed it: written above our (only)
/// Received line, ours; moved below it, the sender's. Returns both, ours first.
pub fn signed_forgery() -> (String, String) {
    let forged = format!(
        "Authentication-Results: mx.evil-mailer.net; dkim=pass header.d=a-corp.com; dmarc=pass header.from=a-corp.com\n{HOP}Return-Path: <bounce@evil-mailer.net>\nDelivered-To: y@b-corp.com\nFrom: Pay <pay@a-corp.com>\nReply-To: pay.office@freemail-example.com\nTo: y@b-corp.com\nMessage-ID: <1@vps.cheap-hosting.net>\n\nx"
    );
    let (ar, rest) = forged.split_once('\n').unwrap();
    let (hop, tail) = rest.split_once('\n').unwrap();
    let below = format!("{hop}\n{ar}\n{tail}");
    (forged, below)
}
