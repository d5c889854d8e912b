//! A tally as count tables: every count in exactly one table, with the equations that hold
//! between its cells.

use super::{CountRow, CountTable};
use crate::settings::ItemCategory;
use crate::tally::{Granularity, Measures, Tally, NOT_RECORDED};

/// Row equalities of a tally's rows: each partition of the period adds up to the period row, and
/// wherever a run of buckets and a run of trend steps cover exactly the same days, they add up
/// alike.
pub(super) fn row_equalities(
    buckets: &[(chrono::NaiveDate, chrono::NaiveDate)],
    weeks: &[(chrono::NaiveDate, chrono::NaiveDate)],
    bucket_rows: &[usize],
    week_rows: &[usize],
    period_row: usize,
) -> Vec<(Vec<usize>, Vec<usize>)> {
    let mut out = Vec::new();
    for rows in [bucket_rows, week_rows] {
        if !rows.is_empty() {
            out.push((rows.to_vec(), vec![period_row]));
        }
    }
    if bucket_rows.is_empty() || week_rows.is_empty() {
        return out;
    }
    // Common end dates split the period into segments both partitions cover exactly.
    let (mut b, mut w) = (0, 0);
    let (mut b_start, mut w_start) = (0, 0);
    while b < buckets.len() && w < weeks.len() {
        let (be, we) = (buckets[b].1, weeks[w].1);
        if be == we {
            let seg_b = &bucket_rows[b_start..=b];
            let seg_w = &week_rows[w_start..=w];
            if seg_b.len() < bucket_rows.len() || seg_w.len() < week_rows.len() {
                out.push((seg_w.to_vec(), seg_b.to_vec()));
            }
            b += 1;
            w += 1;
            b_start = b;
            w_start = w;
        } else if be < we {
            b += 1;
        } else {
            w += 1;
        }
    }
    out
}

/// The columns of the `summary` table, in the order reports show them.
pub const SUMMARY_COLUMNS: [&str; 9] = [
    "new_persons",
    "contacts_without_code",
    "syringes_collected",
    "syringes_estimated",
    "syringes_disposed",
    "syringes_disposed_estimated",
    "overdose_reversals",
    "naloxone_doses_used",
    "collecting_for",
];

/// Whether `table` of a report carries the trend's rows: not when the requested buckets are
/// the trend already, nor when the trend is one step (the period row says it all). A daily
/// trend is drawn from the encounters alone, so only their table has day rows: daily counts
/// of each supply or referral would be small, suppressed, and costly to audit.
pub fn with_trend_rows(tally: &Tally, by: Option<Granularity>, table: &str) -> bool {
    by != Some(tally.trend_by) && tally.trend.len() > 1 && (tally.trend_by != Granularity::Day || table == "encounters")
}

/// The rows of a table: a label, the part they belong to, the measures.
type Rows<'a> = Vec<(String, &'static str, &'a Measures)>;
/// Runs of rows that add up alike (as in [`CountTable::row_equalities`]).
type Equalities = Vec<(Vec<usize>, Vec<usize>)>;

/// The rows of a table and the equalities between them: the requested buckets, then (with
/// `with_trend`) the steps of the trend, then the whole period.
fn layout(tally: &Tally, by: Option<Granularity>, with_trend: bool) -> (Rows<'_>, Equalities) {
    let part = by.map_or("period", Granularity::part);
    let mut rows: Rows = Vec::new();
    rows.extend(tally.buckets.iter().map(|b| (b.start.to_string(), part, &b.measures)));
    let bucket_rows: Vec<usize> = (0..rows.len()).collect();
    if with_trend {
        rows.extend(tally.trend.iter().map(|b| (b.start.to_string(), tally.trend_by.part(), &b.measures)));
    }
    let trend_rows: Vec<usize> = (bucket_rows.len()..rows.len()).collect();
    let period_row = rows.len();
    rows.push(("total".into(), "period", &tally.total));
    let bounds = |list: &[crate::tally::Bucket]| list.iter().map(|b| (b.start, b.end)).collect::<Vec<_>>();
    let equalities = row_equalities(
        &bounds(&tally.buckets),
        &if with_trend { bounds(&tally.trend) } else { Vec::new() },
        &bucket_rows,
        &trend_rows,
        period_row,
    );
    (rows, equalities)
}

/// The tallies as count tables. Rows: the requested buckets, then the steps of the trend
/// ([`with_trend_rows`]), then the whole period.
pub fn tables(tally: &Tally, by: Option<Granularity>) -> Vec<CountTable> {
    let layouts = [layout(tally, by, false), layout(tally, by, true)];
    let rows = &layouts[1].0;

    let keys = |f: &dyn Fn(&Measures) -> Vec<String>| {
        let mut all: Vec<String> = rows.iter().flat_map(|(_, _, m)| f(m)).collect();
        all.sort();
        all.dedup();
        if let Some(i) = all.iter().position(|k| k == NOT_RECORDED) {
            let k = all.remove(i);
            all.push(k);
        }
        all
    };
    type Get<'a> = &'a dyn Fn(&Measures, &str) -> u64;
    type Total<'a> = Option<&'a dyn Fn(&Measures) -> u64>;
    let table = |name: &str, columns: Vec<String>, partitions: Vec<Vec<usize>>, total: Total, additive: bool, get: Get| {
        let (rows, equalities) = &layouts[usize::from(with_trend_rows(tally, by, name))];
        CountTable {
            name: name.into(),
            rows: rows
                .iter()
                .map(|(label, part, m)| CountRow {
                    label: label.clone(),
                    part: (*part).into(),
                    cells: columns.iter().map(|c| get(m, c)).collect(),
                    total: total.map(|f| f(m)),
                })
                .collect(),
            columns,
            row_partitions: partitions,
            row_equalities: if additive { equalities.clone() } else { Vec::new() },
        }
    };
    let all_columns = |columns: &[String]| if columns.is_empty() { vec![] } else { vec![(0..columns.len()).collect()] };

    // The encounters and their four breakdowns share one total, so they share one table; the
    // columns are named `breakdown/key`.
    type Breakdown = fn(&Measures) -> &std::collections::BTreeMap<String, u64>;
    let breakdowns: [(&str, Breakdown); 4] = [
        ("contact_type", |m| &m.by_contact_type),
        ("zone", |m| &m.by_zone),
        ("age_band", |m| &m.by_age_band),
        ("gender", |m| &m.by_gender),
    ];
    // Columns `breakdown/key` for each breakdown, each breakdown one partition of the total,
    // and the value of such a column.
    let breakdown_columns = |list: &[(&str, Breakdown)]| {
        let mut columns = Vec::new();
        let mut partitions = Vec::new();
        for (name, map) in list {
            let start = columns.len();
            columns.extend(keys(&|m| map(m).keys().cloned().collect()).into_iter().map(|k| format!("{name}/{k}")));
            partitions.push((start..columns.len()).collect());
        }
        (columns, partitions)
    };
    fn breakdown_value(list: &[(&str, Breakdown)], m: &Measures, column: &str) -> u64 {
        let (name, key) = column.split_once('/').unwrap_or((column, ""));
        list.iter().find(|(n, _)| *n == name).and_then(|(_, map)| map(m).get(key).copied()).unwrap_or(0)
    }
    let (columns, partitions) = breakdown_columns(&breakdowns);
    let breakdown_get = |m: &Measures, column: &str| breakdown_value(&breakdowns, m, column);
    // Persons by what was last recorded of them share the participants' total (D86).
    // So do persons by their profile's answers (D89), each breakdown a partition of the total.
    let person_breakdowns: [(&str, Breakdown); 5] = [
        ("age_band", |m| &m.persons_by_age_band),
        ("gender", |m| &m.persons_by_gender),
        ("race", |m| &m.persons_by_race),
        ("ethnicity", |m| &m.persons_by_ethnicity),
        ("residence", |m| &m.persons_by_residence),
    ];
    let (person_columns, person_partitions) = breakdown_columns(&person_breakdowns);
    let person_get = |m: &Measures, column: &str| breakdown_value(&person_breakdowns, m, column);
    let item_keys = |pick: &dyn Fn(ItemCategory) -> bool| {
        keys(&|m| m.items.iter().filter(|(_, t)| pick(t.category)).map(|(k, _)| k.clone()).collect())
    };
    let map_get = |f: fn(&Measures) -> &std::collections::BTreeMap<String, u64>| {
        move |m: &Measures, k: &str| f(m).get(k).copied().unwrap_or(0)
    };
    let units = |m: &Measures, k: &str| m.items.get(k).map(|t| t.units).unwrap_or(0);
    let doses = |m: &Measures, k: &str| m.items.get(k).map(|t| t.doses).unwrap_or(0);
    let syringe_items = item_keys(&|c| c == ItemCategory::Syringes);
    let naloxone_items = item_keys(&|c| c == ItemCategory::Naloxone);
    vec![
        table("encounters", columns, partitions, Some(&|m| m.encounters), true, &breakdown_get),
        table("summary", SUMMARY_COLUMNS.iter().map(|s| s.to_string()).collect(), vec![], None, true, &|m, c| match c {
            "new_persons" => m.new_persons,
            "contacts_without_code" => m.contacts_without_code,
            "syringes_collected" => m.syringes_collected,
            "overdose_reversals" => m.overdose_reversals,
            "naloxone_doses_used" => m.naloxone_doses_used,
            "syringes_estimated" => m.syringes_estimated,
            "syringes_disposed" => m.syringes_disposed,
            "syringes_disposed_estimated" => m.syringes_disposed_estimated,
            _ => m.collecting_for,
        }),
        table("participants", person_columns, person_partitions, Some(&|m| m.participants), false, &person_get),
        table("persons_receiving", keys(&|m| m.persons_receiving.keys().cloned().collect()), vec![], None, false, &map_get(|m| &m.persons_receiving)),
        table("syringes_distributed", syringe_items.clone(), all_columns(&syringe_items), Some(&|m| m.syringes_distributed), true, &units),
        table("naloxone_doses_distributed", naloxone_items.clone(), all_columns(&naloxone_items), Some(&|m| m.naloxone_doses_distributed), true, &doses),
        table("other_supplies_units", item_keys(&|c| !matches!(c, ItemCategory::Syringes | ItemCategory::Naloxone)), vec![], None, true, &units),
        table("sharps_containers", keys(&|m| m.containers.keys().cloned().collect()), vec![], None, true, &map_get(|m| &m.containers)),
        table("referrals_by_service", keys(&|m| m.by_service.keys().cloned().collect()), vec![], None, true, &map_get(|m| &m.by_service)),
        table("services_delivered", keys(&|m| m.services_delivered.keys().cloned().collect()), vec![], None, true, &map_get(|m| &m.services_delivered)),
        table("naloxone_kits", keys(&|m| m.naloxone_kits.keys().cloned().collect()), vec![], None, true, &map_get(|m| &m.naloxone_kits)),
        table("referrals", keys(&|m| m.referrals.keys().cloned().collect()), vec![], None, true, &map_get(|m| &m.referrals)),
        table("substances", keys(&|m| m.by_substance.keys().cloned().collect()), vec![], None, true, &map_get(|m| &m.by_substance)),
    ]
}
