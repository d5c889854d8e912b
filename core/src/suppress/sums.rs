//! What each value of a report adds up, in terms of the daily counts the store keeps
//! (`tally_day`: a count per day, zone, measure and key): a run of days, one zone or all, and
//! the series summed, each with its weight (naloxone doses are units times doses per unit).
//! The ledger of releases keeps these sums, so that values of different reports can be set
//! against one another ([`super::ledger`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{CountTable, Pos};
use crate::settings::{ItemCategory, ProgramSettings};
use crate::tally::{day_number, Granularity, Tally};

/// A value of a report as a sum of daily counts.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DailySum {
    /// First and last local day (days since 1970-01-01), inclusive.
    pub first: i64,
    pub last: i64,
    /// One zone, or every zone (including encounters whose zone is no longer in the settings).
    pub zone: Option<String>,
    /// Series (`measure` or `measure/key`, as in `tally_day`) and their weights.
    pub terms: Vec<(String, u64)>,
}

/// The days each row of `table` of [`super::tables`] covers, in the same order: the buckets,
/// the steps of the trend where the table carries them, then the whole period.
pub fn row_spans(tally: &Tally, by: Option<Granularity>, table: &str) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out: Vec<(NaiveDate, NaiveDate)> = tally.buckets.iter().map(|b| (b.start, b.end)).collect();
    if super::tables::with_trend_rows(tally, by, table) {
        out.extend(tally.trend.iter().map(|b| (b.start, b.end)));
    }
    out.push((tally.from, tally.to));
    out
}

/// The sum behind the value at `pos` of a table of a report on `zone` (or all zones); `None`
/// for values that are not sums of daily counts (unduplicated participants) and for zone
/// columns that the zone filter makes zero by construction.
pub fn cell_sum(
    table: &CountTable,
    pos: Pos,
    span: (NaiveDate, NaiveDate),
    zone: Option<&str>,
    settings: &ProgramSettings,
) -> Option<DailySum> {
    let column = pos.1.map(|c| table.columns[c].as_str());
    let one = |series: String| vec![(series, 1)];
    let items = |category: ItemCategory, weight: &dyn Fn(u32) -> u64| -> Vec<(String, u64)> {
        let mut terms: Vec<(String, u64)> = settings
            .items
            .iter()
            .filter(|i| i.category == category)
            .map(|i| (format!("item/{}", i.id), weight(i.doses_per_unit)))
            .collect();
        terms.sort();
        terms
    };
    let doses = |item: &str| settings.item(item).map(|i| i.doses_per_unit as u64).unwrap_or(1);
    let mut in_zone = zone.map(str::to_owned);
    let terms = match (table.name.as_str(), column) {
        ("encounters", None) => one("encounters".into()),
        ("encounters", Some(c)) => match c.strip_prefix("zone/") {
            Some(z) => {
                if zone.is_some_and(|f| f != z) {
                    return None;
                }
                in_zone = Some(z.to_owned());
                one("encounters".into())
            }
            None => one(c.to_owned()),
        },
        ("summary", Some(c)) => one(c.to_owned()),
        ("syringes_distributed", None) => items(ItemCategory::Syringes, &|_| 1),
        ("naloxone_doses_distributed", None) => items(ItemCategory::Naloxone, &|d| d as u64),
        ("syringes_distributed" | "other_supplies_units", Some(k)) => one(format!("item/{k}")),
        ("naloxone_doses_distributed", Some(k)) => vec![(format!("item/{k}"), doses(k))],
        ("referrals", Some(k)) => one(format!("referral/{k}")),
        ("sharps_containers", Some(k)) => one(format!("containers/{k}")),
        ("referrals_by_service", Some(k)) => one(format!("service/{k}")),
        ("substances", Some(k)) => one(format!("substance/{k}")),
        ("services_delivered", Some(k)) => one(format!("delivered/{k}")),
        ("naloxone_kits", Some(k)) => one(format!("naloxone_kit/{k}")),
        _ => return None,
    };
    Some(DailySum { first: day_number(span.0), last: day_number(span.1), zone: in_zone, terms })
}
