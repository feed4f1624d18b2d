//! How far a hop may be dated after the hops that came later, shared by CHAIN004 and
//! CHAIN005.

use crate::rules::CheckSettings;

/// How far a hop may be dated after delivery, or after the hop above it, before the time
/// signals of CHAIN004 and CHAIN005 count it: the clock skew plus one hour, because the
/// commonest honest clock bug is a whole hour (daylight saving written with the wrong
/// offset), while forgers are off by hours or days.
pub fn future_tolerance(settings: &CheckSettings) -> i64 {
    settings.clock_skew() + 3600
}

/// The reversal one server's clock explains: a hop dated up to this much before the hop
/// below it. Calibrated on the shared corpora (`time_calibration` prints the distribution):
/// a 10-20 minute skew of one server is the commonest honest reversal, and reversals this
/// small say nothing about who wrote the lines, so they are reported as information.
pub const ONE_SERVER_SKEW_S: i64 = 1800;
