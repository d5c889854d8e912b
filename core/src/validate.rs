//! Shape checks shared by every input. Each failure names the field; none echoes the value,
//! because a value may be participant data.

use crate::error::{invalid, Result};

/// Ids of settings: 1 to 40 characters of `a-z`, `0-9`, `-` and `_`.
pub fn check_id(field: &str, id: &str) -> Result<()> {
    if id.is_empty() || id.len() > 40 {
        return Err(invalid(field, "must be 1 to 40 characters"));
    }
    if !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
        return Err(invalid(field, "may hold only a-z, 0-9, '-' and '_'"));
    }
    Ok(())
}

/// Names and labels: 1 to 80 characters, not blank, no control characters.
pub fn check_label(field: &str, label: &str) -> Result<()> {
    if label.trim().is_empty() || label.chars().count() > 80 {
        return Err(invalid(field, "must be 1 to 80 characters and not blank"));
    }
    if label.chars().any(char::is_control) {
        return Err(invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// An inclusive range a number entered on a form may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub min: i64,
    pub max: i64,
}

impl Range {
    /// Checks `value` against the range, naming `field` on failure.
    pub fn check(self, field: &str, value: i64) -> Result<()> {
        check_range(field, value, self.min, self.max)
    }
}

/// The ranges of every number a worker enters, in one place: the core checks with them, and
/// the apps' steppers and fields stop at them (`ProgramInfo.limits`), so a worker can never
/// step to a number Save would refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormLimits {
    /// Units of one item in an encounter.
    pub item_quantity: Range,
    pub syringes_collected: Range,
    /// Sharps containers of one type returned in an encounter.
    pub sharps_containers: Range,
    pub overdose_reversals: Range,
    pub naloxone_doses_used: Range,
    pub collecting_for: Range,
    /// Stock received or moved between locations.
    pub stock_quantity: Range,
    /// A stock correction (never 0).
    pub stock_adjustment: Range,
    /// A counted stock level.
    pub stock_level: Range,
    /// How many minutes before the sheet opened a contact logged late can be dated: up to an
    /// hour short of the shift, so the contact still shows on Today and counts in the shift.
    pub minutes_earlier: Range,
}

pub const LIMITS: FormLimits = FormLimits {
    item_quantity: Range { min: 1, max: 1000 },
    syringes_collected: Range { min: 0, max: 10_000 },
    sharps_containers: Range { min: 1, max: crate::encounter::MAX_CONTAINERS as i64 },
    overdose_reversals: Range { min: 0, max: 20 },
    naloxone_doses_used: Range { min: 0, max: 100 },
    collecting_for: Range { min: 0, max: 50 },
    stock_quantity: Range { min: 1, max: 1_000_000 },
    stock_adjustment: Range { min: -1_000_000, max: 1_000_000 },
    stock_level: Range { min: 0, max: 10_000_000 },
    minutes_earlier: Range { min: 0, max: (crate::store::SHIFT_HOURS - 1) * 60 },
};

/// An integer within an inclusive range.
pub fn check_range(field: &str, value: i64, lo: i64, hi: i64) -> Result<()> {
    if value < lo || value > hi {
        return Err(invalid(field, format!("must be from {lo} to {hi}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_labels_ranges() {
        assert!(check_id("f", "syringe-1ml").is_ok());
        assert!(check_id("f", "").is_err());
        assert!(check_id("f", "Syringe").is_err());
        assert!(check_id("f", &"a".repeat(41)).is_err());
        assert!(check_label("f", "Van 2").is_ok());
        assert!(check_label("f", "  ").is_err());
        assert!(check_label("f", "a\u{0}b").is_err());
        assert!(check_range("f", 0, 1, 5).is_err());
        assert!(check_range("f", 5, 1, 5).is_ok());
    }
}
