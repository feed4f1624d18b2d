//! The TOML configuration file (`--config FILE`). Flags on the command line win over it.
//!
//! ```toml
//! [limits]
//! max_hops = 256
//! max_received_bytes = 8192
//! ```

use crate::Limits;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Everything the configuration file can set. Unknown keys are errors, so a typo never
/// silently leaves a default in force.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigFile {
    /// Parsing limits (any subset; the rest keep their defaults).
    pub limits: Limits,
}

/// Why a configuration file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read config: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped keys.
    #[error("{path}: invalid config: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line.
        message: String,
    },
}

impl ConfigFile {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|message| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses configuration text.
    pub fn parse(text: &str) -> Result<ConfigFile, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_limits_keep_defaults() {
        let c = ConfigFile::parse("[limits]\nmax_hops = 7\n").unwrap();
        assert_eq!(c.limits.max_hops, 7);
        assert_eq!(c.limits.max_headers, Limits::default().max_headers);
        assert_eq!(ConfigFile::parse("").unwrap(), ConfigFile::default());
    }

    #[test]
    fn typos_are_errors() {
        let e = ConfigFile::parse("[limits]\nmax_hop = 7\n").unwrap_err();
        assert!(e.contains("max_hop"), "{e}");
        assert!(ConfigFile::parse("[limits]\nmax_hops = \"many\"\n").is_err());
    }
}
