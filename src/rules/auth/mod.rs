//! Authentication rules: what the authentication fields say, and who could have written
//! them.

pub mod forged_auth_results;
