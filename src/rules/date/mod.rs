//! Date header rules. DATE003 and DATE004 share [`arrival`]: the Date header against the
//! time our side received the message.

pub mod absurd_timezone;
pub mod arrival;
pub mod date_in_future;
pub mod date_in_past;
pub mod date_invalid;
pub mod date_missing;
