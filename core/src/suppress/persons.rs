//! The audit of counts of persons across rows and releases (D92). Persons are distinct counts,
//! not sums of daily counts, so the ledger's linear programs ([`super::ledger`]) cannot hold
//! them: "persons of one race in the quarter" minus "in its first month" is not a sum of days.
//! But where one count's persons are all among another's (a month within its quarter, a zone
//! within the whole program, a quarter within the year to date), the difference of the two
//! shown counts **is** a count of people: those of that race seen in the quarter but not in
//! its first month. This step holds the persons behind each count (participant rows, never a
//! code or a reference), and hides a count of the new report wherever such a difference would
//! come out from 1 to the threshold − 1; the report's own suppression then protects the count
//! it hid as it protects a small one (its interval stays at least the threshold wide).
//!
//! Earlier releases' counts are taken as the data holds them today: a count whose persons no
//! longer add up to what was shown (a late sync, a void) is about data that no longer exists
//! and is left out, as the ledger does (D49). Differences of three or more counts (the persons
//! of a union worked out by inclusion and exclusion) are not audited.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// A count of persons a report holds: the days of its row, its zone, what it counts, and what
/// the report showed (`None`: hidden).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonCell {
    /// First and last local day (days since 1970-01-01), inclusive.
    pub first: i64,
    pub last: i64,
    pub zone: Option<String>,
    /// `table:column`, or `table:` for the table's total (the persons served).
    pub key: String,
    pub shown: Option<u64>,
}

/// Whether every element of sorted `a` is in sorted `b`.
fn subset(a: &[i64], b: &[i64]) -> bool {
    if a.len() > b.len() {
        return false;
    }
    let mut b = b.iter();
    'next: for x in a {
        for y in b.by_ref() {
            if y == x {
                continue 'next;
            }
            if y > x {
                return false;
            }
        }
        return false;
    }
    true
}

/// Whether showing both counts (of persons `a` and `b`) pins a small count of people: one set
/// holds the other and they differ by 1 to `threshold` − 1 persons.
pub(crate) fn pins(a: &[i64], b: &[i64], threshold: u64) -> bool {
    let (small, big) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let d = (big.len() - small.len()) as u64;
    d >= 1 && d < threshold && subset(small, big)
}

/// The counts of the new report to hide (by index into `new`): each shown count that, with a
/// shown count of an earlier release or of another row of the same report, pins a small count
/// of people. Within the report the count of the shorter stretch is hidden (a month before its
/// quarter, which is a headline); against an earlier release, the new count. Every set is
/// sorted; `new` and `earlier` hold each count with its persons.
pub(crate) fn exposed(new: &[(PersonCell, Vec<i64>)], earlier: &[(PersonCell, Vec<i64>)], threshold: u64) -> BTreeSet<usize> {
    let mut by_key: BTreeMap<&str, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (i, (c, _)) in new.iter().enumerate() {
        if c.shown.is_some() {
            by_key.entry(c.key.as_str()).or_default().0.push(i);
        }
    }
    for (j, (c, _)) in earlier.iter().enumerate() {
        if c.shown.is_some() && by_key.contains_key(c.key.as_str()) {
            by_key.entry(c.key.as_str()).or_default().1.push(j);
        }
    }
    let span = |c: &PersonCell| c.last - c.first;
    let mut hide = BTreeSet::new();
    for (ours, theirs) in by_key.values() {
        for (n, &i) in ours.iter().enumerate() {
            let (ci, si) = &new[i];
            if theirs.iter().any(|&j| pins(si, &earlier[j].1, threshold)) {
                hide.insert(i);
            }
            for &k in &ours[n + 1..] {
                let (ck, sk) = &new[k];
                if pins(si, sk, threshold) {
                    hide.insert(if span(ci) <= span(ck) { i } else { k });
                }
            }
        }
    }
    hide
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(first: i64, last: i64, key: &str, shown: bool, n: usize) -> PersonCell {
        PersonCell { first, last, zone: None, key: key.into(), shown: shown.then_some(n as u64) }
    }

    #[test]
    fn subsets_of_sorted_rows() {
        assert!(subset(&[], &[1]));
        assert!(subset(&[2, 5], &[1, 2, 3, 5]));
        assert!(!subset(&[2, 6], &[1, 2, 3, 5]));
        assert!(!subset(&[0], &[1, 2]));
        assert!(!subset(&[1, 2, 3], &[1, 2]));
        assert!(subset(&[1, 2], &[1, 2]));
    }

    #[test]
    fn a_small_difference_of_nested_persons_is_hidden() {
        let quarter: Vec<i64> = (0..30).collect();
        let month: Vec<i64> = (0..25).collect(); // 5 persons of the quarter not seen in the month
        let other: Vec<i64> = (10..35).collect(); // same size, in neither
        let new = vec![
            (cell(0, 29, "participants:race/asian", true, 25), month.clone()),
            (cell(0, 89, "participants:race/asian", true, 30), quarter.clone()),
            (cell(30, 59, "participants:race/asian", true, 25), other.clone()),
            (cell(60, 89, "participants:race/white", true, 25), month.clone()),
        ];
        // Within the report: the month inside the quarter goes, the quarter stays; the month
        // that is not nested stays (25 and 30 say nothing about who is in both).
        assert_eq!(exposed(&new, &[], 11), BTreeSet::from([0]));
        // Against an earlier release of the quarter: the month goes again, the same quarter
        // (difference 0) stays.
        let earlier = vec![(cell(0, 89, "participants:race/asian", true, 30), quarter.clone())];
        assert_eq!(exposed(&new[..1], &earlier, 11), BTreeSet::from([0]));
        assert!(exposed(&new[1..2], &earlier, 11).is_empty());
        // Hidden counts pin nothing; a large difference is no small count.
        let hidden = vec![(cell(0, 89, "participants:race/asian", false, 30), quarter.clone())];
        assert!(exposed(&new[..1], &hidden, 11).is_empty());
        let big: Vec<i64> = (0..40).collect();
        let earlier = vec![(cell(0, 120, "participants:race/asian", true, 40), big)];
        assert!(exposed(&new[..1], &earlier, 11).is_empty(), "15 persons apart");
        assert_eq!(exposed(&new[..1], &earlier, 16), BTreeSet::from([0]), "under a threshold of 16");
    }
}
