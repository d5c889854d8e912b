//! What a person reads for a report's tables, columns and rows: the program's own names for
//! its items, zones and lists, and plain words for the measures (English). The ids stay beside
//! them in every machine-readable output, so a renamed zone does not break a script.

use chrono::NaiveDate;
use serde::Serialize;

use super::NOT_RECORDED;
use crate::encounter::ContactType;
use crate::settings::{ListKind, ProgramSettings};

/// A column of a report table: its id, the name a person reads, and the group it belongs to
/// in tables whose columns are several breakdowns (the encounters by contact type, zone, age
/// band and gender).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ColumnLabel {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'static str>,
}

impl ColumnLabel {
    /// The label with its group, where a column stands alone ("Zone: Downtown").
    pub fn full(&self) -> String {
        match self.group {
            Some(g) => format!("{g}: {}", self.label),
            None => self.label.clone(),
        }
    }
}

/// The heading of a report table.
pub fn table_title(table: &str) -> String {
    match table {
        "encounters" => "Encounters".into(),
        "summary" => "Summary counts".into(),
        "participants" => "Participants (persons, each counted once)".into(),
        "persons_receiving" => "Participants who received supplies, by kind (each counted once)".into(),
        "syringes_distributed" => "Syringes distributed".into(),
        "naloxone_doses_distributed" => "Naloxone distributed (doses)".into(),
        "other_supplies_units" => "Other supplies (units)".into(),
        "referrals" => "Referrals".into(),
        "sharps_containers" => "Sharps containers returned".into(),
        "referrals_by_service" => "Referrals by service suggested".into(),
        "substances" => "Substances reported".into(),
        "services_delivered" => "Services delivered on site".into(),
        "naloxone_kits" => "Naloxone kits: first or refill, and why".into(),
        other => words(other),
    }
}

/// Why a naloxone kit was given, as a reader says it.
pub fn naloxone_kit_label(id: &str) -> String {
    use crate::encounter::NaloxoneKit::*;
    match crate::encounter::NaloxoneKit::parse(id) {
        Some(First) => "First kit".into(),
        Some(RefillUsed) => "Refill: used on someone".into(),
        Some(RefillLost) => "Refill: lost".into(),
        Some(RefillConfiscated) => "Refill: taken by police or security".into(),
        Some(RefillExpired) => "Refill: expired".into(),
        Some(RefillOther) => "Refill: other reason".into(),
        None => words(id),
    }
}

/// The name of a measure where it stands as a column or a row total.
pub fn measure_label(measure: &str) -> String {
    match measure {
        "total" => "Total".into(),
        "new_participants" => "Encounters marked new".into(),
        "new_persons" => "New participants (first contact in the period)".into(),
        "contacts_without_code" => "Contacts without a participant code".into(),
        "syringes_collected" => "Syringes collected (counted)".into(),
        "syringes_estimated" => "Syringes collected (estimated from containers)".into(),
        "syringes_disposed" => "Syringes disposed of (counted)".into(),
        "syringes_disposed_estimated" => "Syringes disposed of (estimated from weight)".into(),
        "overdose_reversals" => "Overdose reversals reported".into(),
        "naloxone_doses_used" => "Naloxone doses used in reversals".into(),
        "collecting_for" => "People collected for (secondary distribution)".into(),
        "unduplicated_participants" => "Unduplicated participants".into(),
        other => words(other),
    }
}

/// How a contact type reads in a report.
pub fn contact_type_label(c: ContactType) -> &'static str {
    match c {
        ContactType::Street => "Street",
        ContactType::MobileUnit => "Mobile unit",
        ContactType::DropIn => "Drop-in",
        ContactType::PeerDelivery => "Peer delivery",
        ContactType::PhoneText => "Phone or text",
    }
}

/// The label of a row: a bucket's first day stays a date; the period row is the whole period.
pub fn row_label(label: &str, part: &str) -> String {
    match (part, label) {
        ("period", _) => "Whole period".into(),
        ("week", d) => format!("Week of {d}"),
        ("month", d) => d.parse::<NaiveDate>().map_or_else(|_| d.to_string(), |d| d.format("%B %Y").to_string()),
        ("day", d) => d.parse::<NaiveDate>().map_or_else(|_| d.to_string(), |d| d.format("%a %Y-%m-%d").to_string()),
        (_, d) => d.to_string(),
    }
}

/// A snake_case id as words, for ids this module has no name for.
fn words(id: &str) -> String {
    let s = id.replace('_', " ");
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The program's names for the columns of its report tables.
pub struct Labels<'a> {
    settings: &'a ProgramSettings,
}

impl<'a> Labels<'a> {
    pub fn new(settings: &'a ProgramSettings) -> Self {
        Labels { settings }
    }

    fn choice(&self, kind: ListKind, id: &str) -> String {
        if id == NOT_RECORDED {
            return "Not recorded".into();
        }
        if ListKind::PROFILE.contains(&kind) {
            match id {
                crate::profile::MULTIPLE => return "More than one race".into(),
                crate::profile::DECLINED => return "Declined to answer".into(),
                _ => {}
            }
        }
        self.settings.list(kind).iter().find(|c| c.id == id).map_or_else(|| id.to_string(), |c| c.label.clone())
    }

    fn item(&self, id: &str) -> String {
        self.settings.item(id).map_or_else(|| id.to_string(), |i| i.name.clone())
    }

    /// A column of `table`, named.
    pub fn column(&self, table: &str, column: &str) -> ColumnLabel {
        let (group, label) = match table {
            "encounters" | "participants" => match column.split_once('/') {
                Some(("contact_type", k)) => (
                    Some("Contact type"),
                    ContactType::parse(k).map_or_else(|| words(k), |c| contact_type_label(c).to_string()),
                ),
                Some(("zone", k)) => (Some("Zone"), self.choice(ListKind::Zone, k)),
                Some(("age_band", k)) => (Some("Age band"), self.choice(ListKind::AgeBand, k)),
                Some(("gender", k)) => (Some("Gender"), self.choice(ListKind::Gender, k)),
                Some(("race", k)) => (Some("Race"), self.choice(ListKind::Race, k)),
                Some(("ethnicity", k)) => (Some("Ethnicity"), self.choice(ListKind::Ethnicity, k)),
                Some(("residence", k)) => (Some("Residence"), self.choice(ListKind::Residence, k)),
                _ => (None, measure_label(column)),
            },
            "syringes_distributed" | "naloxone_doses_distributed" | "other_supplies_units" => (None, self.item(column)),
            "referrals" => (None, self.choice(ListKind::Referral, column)),
            "sharps_containers" => (None, self.settings.container(column).map_or_else(|| column.to_string(), |c| c.name.clone())),
            "referrals_by_service" => {
                (None, self.settings.services.iter().find(|s| s.id == column).map_or_else(|| column.to_string(), |s| s.name.en.clone()))
            }
            "substances" => (None, self.choice(ListKind::Substance, column)),
            "services_delivered" => {
                let (service, outcome) = column.rsplit_once('/').unwrap_or((column, ""));
                let outcome = match crate::encounter::Outcome::parse(outcome) {
                    Some(crate::encounter::Outcome::Done) => "done",
                    Some(crate::encounter::Outcome::LinkedToCare) => "done, linked to care",
                    None => outcome,
                };
                (None, format!("{}: {outcome}", self.choice(ListKind::Delivered, service)))
            }
            "naloxone_kits" => (None, naloxone_kit_label(column)),
            _ => (None, measure_label(column)),
        };
        ColumnLabel { id: column.to_string(), label, group }
    }

    /// The order a person expects the columns of `table` in: each breakdown in the program's
    /// list order (items as the catalog lists them), ids the program no longer has after its
    /// own, "not recorded" last; columns that are not choices keep their order. Returns the
    /// columns' indices in that order.
    pub fn column_order(&self, table: &str, columns: &[String]) -> Vec<usize> {
        let position = |list: Option<usize>, id: &str| -> usize {
            match list {
                _ if id == NOT_RECORDED => usize::MAX,
                Some(p) => p,
                // A profile's answers outside its list: more than one race, then declined.
                None if id == crate::profile::MULTIPLE => usize::MAX - 3,
                None if id == crate::profile::DECLINED => usize::MAX - 2,
                None => usize::MAX - 1,
            }
        };
        let in_list = |kind: ListKind, id: &str| position(self.settings.list(kind).iter().position(|c| c.id == id), id);
        let item = |id: &str| position(self.settings.items.iter().position(|i| i.id == id), id);
        let rank = |i: usize, column: &str| -> (usize, usize) {
            match table {
                "encounters" | "participants" => match column.split_once('/') {
                    Some(("contact_type", k)) => (0, position(ContactType::ALL.iter().position(|c| c.as_str() == k), k)),
                    Some(("zone", k)) => (1, in_list(ListKind::Zone, k)),
                    Some(("age_band", k)) => (2, in_list(ListKind::AgeBand, k)),
                    Some(("gender", k)) => (3, in_list(ListKind::Gender, k)),
                    Some(("race", k)) => (4, in_list(ListKind::Race, k)),
                    Some(("ethnicity", k)) => (5, in_list(ListKind::Ethnicity, k)),
                    Some(("residence", k)) => (6, in_list(ListKind::Residence, k)),
                    _ => (7, i),
                },
                "syringes_distributed" | "naloxone_doses_distributed" | "other_supplies_units" => (0, item(column)),
                "referrals" => (0, in_list(ListKind::Referral, column)),
                "sharps_containers" => (0, position(self.settings.containers.iter().position(|c| c.id == column), column)),
                "referrals_by_service" => (0, position(self.settings.services.iter().position(|s| s.id == column), column)),
                "substances" => (0, in_list(ListKind::Substance, column)),
                "services_delivered" => {
                    let (service, outcome) = column.rsplit_once('/').unwrap_or((column, ""));
                    (in_list(ListKind::Delivered, service), crate::encounter::Outcome::parse(outcome).map_or(usize::MAX, |o| o as usize))
                }
                "naloxone_kits" => (0, position(crate::encounter::NaloxoneKit::parse(column).map(|k| k as usize), column)),
                "persons_receiving" => (0, position(crate::settings::ItemCategory::ALL.iter().position(|c| super::people::category_id(*c) == column), column)),
                _ => (0, i),
            }
        };
        let mut order: Vec<usize> = (0..columns.len()).collect();
        // Stable: ids outside the lists stay in the order they came (sorted by id).
        order.sort_by_key(|&i| rank(i, &columns[i]));
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::starter;

    #[test]
    fn columns_read_as_the_programs_names() {
        let mut settings = ProgramSettings::default();
        for s in starter() {
            settings.insert(s);
        }
        let l = Labels::new(&settings);
        let zone = &settings.zones[0];
        assert_eq!(l.column("encounters", &format!("zone/{}", zone.id)).full(), format!("Zone: {}", zone.label));
        assert_eq!(l.column("encounters", "contact_type/mobile_unit").full(), "Contact type: Mobile unit");
        assert_eq!(l.column("encounters", "gender/not_recorded").label, "Not recorded");
        let band = &settings.age_bands[0];
        assert_eq!(l.column("participants", &format!("age_band/{}", band.id)).full(), format!("Age band: {}", band.label));
        let item = settings.items.iter().find(|i| i.category == crate::ItemCategory::Syringes).unwrap();
        let c = l.column("syringes_distributed", &item.id);
        assert_eq!((c.id.as_str(), c.label.as_str()), (item.id.as_str(), item.name.as_str()));
        let referral = &settings.referral_types[0];
        assert_eq!(l.column("referrals", &referral.id).label, referral.label);
        assert_eq!(l.column("summary", "syringes_collected").label, "Syringes collected (counted)");
        let quart = &settings.containers[0];
        assert_eq!(l.column("sharps_containers", &quart.id).label, quart.name);
        // An id the program no longer has reads as itself, never as nothing.
        assert_eq!(l.column("referrals", "gone").label, "gone");
    }

    #[test]
    fn columns_come_in_the_programs_list_order_with_not_recorded_last() {
        let mut settings = ProgramSettings::default();
        for s in starter() {
            settings.insert(s);
        }
        settings.sort();
        let l = Labels::new(&settings);
        // Ids sorted as the tables sort them, plus an id the program no longer has.
        let mut zones: Vec<String> = settings.zones.iter().map(|z| format!("zone/{}", z.id)).collect();
        zones.push("zone/gone".into());
        zones.push(format!("zone/{NOT_RECORDED}"));
        let mut columns = zones.clone();
        columns.sort();
        columns.insert(0, "contact_type/street".into());
        columns.insert(0, "contact_type/phone_text".into());
        let ordered: Vec<&str> = l.column_order("encounters", &columns).into_iter().map(|i| columns[i].as_str()).collect();
        let mut expected = vec!["contact_type/street", "contact_type/phone_text"];
        expected.extend(zones.iter().map(String::as_str));
        assert_eq!(ordered, expected);
        let items: Vec<String> = settings.items.iter().filter(|i| i.category == crate::ItemCategory::Syringes).map(|i| i.id.clone()).collect();
        let mut sorted = items.clone();
        sorted.sort();
        sorted.reverse();
        let ordered: Vec<&str> = l.column_order("syringes_distributed", &sorted).into_iter().map(|i| sorted[i].as_str()).collect();
        assert_eq!(ordered, items.iter().map(String::as_str).collect::<Vec<_>>());
        // Measures keep the order they came in.
        let summary = vec!["new_persons".to_string(), "syringes_collected".to_string()];
        assert_eq!(l.column_order("summary", &summary), vec![0, 1]);
    }

    #[test]
    fn every_table_and_measure_has_words() {
        for t in ["encounters", "summary", "participants", "persons_receiving", "syringes_distributed", "naloxone_doses_distributed", "other_supplies_units", "sharps_containers", "referrals_by_service", "referrals", "substances"] {
            assert!(!table_title(t).contains('_'), "{t}");
        }
        for c in ContactType::ALL {
            assert!(!contact_type_label(c).contains('_'));
        }
        assert_eq!(row_label("total", "period"), "Whole period");
        assert_eq!(row_label("2026-03-01", "month"), "March 2026");
        assert_eq!(row_label("2026-03-04", "day"), "Wed 2026-03-04");
        assert_eq!(row_label("2026-03-02", "week"), "Week of 2026-03-02");
    }
}
