//! Authentication rules: what the authentication fields say, and who could have written
//! them.

pub mod dkim_body_modified;
pub mod forged_auth_results;
pub mod helo_spf_fail;
