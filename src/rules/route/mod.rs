//! Routing rules: whether the message reached the recipient's domain the way DNS says mail
//! for it must (through its MX hosts).

pub mod not_via_mx;
