//! Limit rules: the input was bigger than the analyzer reads.

pub mod too_many_received_headers;
