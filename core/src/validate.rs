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
