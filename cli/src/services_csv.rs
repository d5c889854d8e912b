//! `satchel program import-services FILE.csv`: the services directory from a spreadsheet, for
//! programs that keep their list in one. One service per row, columns named in the first row
//! (any order; unknown columns are an error, so a misspelt `requires_id` is not silently
//! dropped). Lists inside a cell are separated by `;`. Every error names its line and column;
//! a file with any error changes nothing.

use satchel_core::directory::{ServiceAccess, Opening, Service, ServiceText};
use satchel_core::Setting;

use crate::error::Result;

/// The columns, in the order the template row lists them.
pub const COLUMNS: [&str; 16] = [
    "id",
    "name_en",
    "name_es",
    "referral_types",
    "area_en",
    "area_es",
    "hours",
    "phone",
    "access",
    "requires_id",
    "requires_insurance",
    "requires_sobriety",
    "languages",
    "notes_en",
    "notes_es",
    "active",
];

const REQUIRED: [&str; 5] = ["id", "name_en", "referral_types", "area_en", "access"];

fn list(cell: &str) -> Vec<String> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

fn text(en: &str, es: &str) -> ServiceText {
    ServiceText { en: en.trim().to_string(), es: Some(es.trim()).filter(|s| !s.is_empty()).map(String::from) }
}

/// "mon 09:00-17:00; fri 22:00-02:00" (a hyphen or an en dash between the times).
fn hours(cell: &str) -> std::result::Result<Vec<Opening>, String> {
    list(cell)
        .into_iter()
        .map(|o| {
            let (day, span) = o.split_once(' ').ok_or_else(|| format!("{o:?} is not DAY HH:MM-HH:MM"))?;
            let (opens, closes) = span.trim().split_once(['-', '–']).ok_or_else(|| format!("{o:?} is not DAY HH:MM-HH:MM"))?;
            Ok(Opening { day: day.trim().to_lowercase(), opens: opens.trim().into(), closes: closes.trim().into() })
        })
        .collect()
}

fn yes_no(cell: &str, default: bool) -> std::result::Result<bool, String> {
    match cell.trim().to_lowercase().as_str() {
        "" => Ok(default),
        "yes" | "y" | "true" | "1" => Ok(true),
        "no" | "n" | "false" | "0" => Ok(false),
        other => Err(format!("{other:?} is not yes or no")),
    }
}

fn access(cell: &str) -> std::result::Result<ServiceAccess, String> {
    match cell.trim().to_lowercase().replace([' ', '-'], "_").as_str() {
        "walk_in" => Ok(ServiceAccess::WalkIn),
        "appointment" => Ok(ServiceAccess::Appointment),
        "walk_in_or_appointment" => Ok(ServiceAccess::WalkInOrAppointment),
        other => Err(format!("{other:?} is not walk_in, appointment or walk_in_or_appointment")),
    }
}

/// The services of a CSV file, each with its line; every error listed with its line and column.
pub fn parse(text_in: &str, file: &str) -> Result<Vec<(usize, Setting)>> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::Headers).from_reader(text_in.as_bytes());
    let headers: Vec<String> = reader.headers().map_err(|e| format!("{file}: {e}"))?.iter().map(str::to_lowercase).collect();
    let mut errors = Vec::new();
    for h in &headers {
        if !COLUMNS.contains(&h.as_str()) {
            errors.push(format!("{file} line 1: unknown column {h:?}; the columns are: {}", COLUMNS.join(", ")));
        }
    }
    for r in REQUIRED {
        if !headers.iter().any(|h| h == r) {
            errors.push(format!("{file} line 1: the column {r:?} is missing"));
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\n").into());
    }
    let mut out = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| format!("{file}: {e}"))?;
        let line = row.position().map_or(0, |p| p.line() as usize);
        let cell = |name: &str| headers.iter().position(|h| h == name).and_then(|i| row.get(i)).unwrap_or("");
        let mut bad = |column: &str, e: String| errors.push(format!("{file} line {line}, column {column}: {e}"));
        let hours = hours(cell("hours")).unwrap_or_else(|e| {
            bad("hours", e);
            Vec::new()
        });
        let access = access(cell("access")).unwrap_or_else(|e| {
            bad("access", e);
            ServiceAccess::WalkIn
        });
        let mut flag = |column: &str, default: bool| {
            yes_no(cell(column), default).unwrap_or_else(|e| {
                bad(column, e);
                default
            })
        };
        let (requires_id, requires_insurance, requires_sobriety, active) =
            (flag("requires_id", false), flag("requires_insurance", false), flag("requires_sobriety", false), flag("active", true));
        let notes = (!cell("notes_en").trim().is_empty()).then(|| text(cell("notes_en"), cell("notes_es")));
        let service = Service {
            id: cell("id").trim().into(),
            name: text(cell("name_en"), cell("name_es")),
            referral_types: list(cell("referral_types")),
            area: text(cell("area_en"), cell("area_es")),
            hours,
            phone: Some(cell("phone").trim()).filter(|p| !p.is_empty()).map(String::from),
            access,
            requires_id,
            requires_insurance,
            requires_sobriety,
            languages: list(cell("languages")),
            notes,
            active,
        };
        out.push((line, Setting::Service(service)));
    }
    if !errors.is_empty() {
        return Err(errors.join("\n").into());
    }
    if out.is_empty() {
        return Err(format!("{file}: no services in it").into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "id,name_en,name_es,referral_types,area_en,area_es,hours,phone,access,requires_id,languages,notes_en\n\
        eastside,Eastside Clinic,Clínica Eastside,moud; hiv-hcv-testing,412 E Main St,412 E Main St,mon 09:00-17:00; fri 22:00–02:00,(555) 010-2000,walk-in,no,English; Spanish,No ID needed\n";

    #[test]
    fn a_spreadsheet_row_becomes_a_service() {
        let parsed = parse(GOOD, "s.csv").unwrap();
        assert_eq!(parsed.len(), 1);
        let (line, Setting::Service(s)) = &parsed[0] else { panic!("a service") };
        assert_eq!(*line, 2);
        assert_eq!(s.referral_types, ["moud", "hiv-hcv-testing"]);
        assert_eq!(s.hours[1], Opening { day: "fri".into(), opens: "22:00".into(), closes: "02:00".into() });
        assert_eq!((s.access, s.requires_id, s.active), (ServiceAccess::WalkIn, false, true));
        assert_eq!(s.notes.as_ref().map(|n| (n.en.as_str(), n.es.is_none())), Some(("No ID needed", true)));
        assert!(s.validate(None).is_ok());
    }

    #[test]
    fn errors_name_their_line_and_column() {
        let e = parse("id,name,referral_types\n", "s.csv").unwrap_err().to_string();
        assert!(e.contains("line 1: unknown column \"name\""), "{e}");
        assert!(e.contains("\"area_en\" is missing"), "{e}");
        let bad = GOOD.replace("walk-in,no", "sometimes,maybe").replace("mon 09:00-17:00", "monday");
        let e = parse(&bad, "s.csv").unwrap_err().to_string();
        for part in ["line 2, column hours", "line 2, column access", "line 2, column requires_id"] {
            assert!(e.contains(part), "{part} in {e}");
        }
    }
}
