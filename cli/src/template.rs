//! Report templates: a funder's own layout. A TOML file names the funder's line items, in their
//! words, order and grouping, each the sum of values of the program's report
//! (`docs/templates/README.md` documents the format). Every error names its line; a template
//! with any error writes nothing.
//!
//! A line is shown only when every value it adds up is shown: a sum beside a hidden value could
//! give it away, and a sum of shown values tells nothing a reader could not add up. The values
//! come from a report built, audited and recorded as any other.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use satchel_core::suppress::Cell;
use satchel_core::{ContactType, ItemCategory, ListKind, ProgramSettings};

use crate::error::Result;
use crate::report::Report;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    title: String,
    #[serde(default)]
    note: Option<String>,
    /// How a suppressed value is written, where a form asks for its own mark ("*", "n/a").
    #[serde(default)]
    suppressed: Option<Spanned<String>>,
    #[serde(default)]
    section: Vec<SectionEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionEntry {
    name: String,
    #[serde(default)]
    line: Vec<Spanned<LineEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LineEntry {
    label: String,
    #[serde(default)]
    sum: Vec<String>,
    /// A line the manager types in when the report is written ("text" or "number"), instead of
    /// a sum of the report's values: hours of operation, community events, a narrative.
    #[serde(default)]
    typed: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

/// One value a line adds up.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Source {
    /// A whole-period value of a report table: `table:column` (`total` for the row total).
    Cell { table: String, column: String },
    /// Units of an item, whatever its table: `units:ITEM` (naloxone from its doses).
    Units { item: String, doses_per_unit: u32, category: ItemCategory },
}

/// What a typed-in line takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Typed {
    Text,
    Number,
}

/// The longest typed-in text (a narrative of a few paragraphs).
const MAX_ANSWER: usize = 4000;

#[derive(Clone, Debug)]
struct Line {
    label: String,
    note: Option<String>,
    sources: Vec<(String, Source)>,
    typed: Option<Typed>,
    /// The manager's answer to a typed-in line ([`Template::answer`]).
    answer: Option<String>,
}

#[derive(Clone, Debug)]
struct Section {
    name: String,
    lines: Vec<Line>,
}

/// A checked template.
#[derive(Clone, Debug)]
pub struct Template {
    title: String,
    note: Option<String>,
    suppressed: Option<String>,
    sections: Vec<Section>,
}

/// Whether a program's mark for suppressed values is one a form can carry without saying
/// something untrue: short, one line, and no number or comparison. A value is hidden either as
/// a small count or to protect one (then it can be any size), and the mark is the same for
/// both, so "<11" would be false for the second kind, and a mark told apart by kind would
/// point at the small counts (D87).
fn check_mark(mark: &str) -> std::result::Result<(), String> {
    let trimmed = mark.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 20 || trimmed.contains('\n') {
        return Err(format!("suppressed = {mark:?}: write a short mark of one line, such as \"*\" or \"n/a\""));
    }
    if trimmed.chars().any(|c| c.is_ascii_digit() || "<>≤≥=".contains(c)) {
        return Err(format!(
            "suppressed = {mark:?}: a mark with a number or a comparison would be untrue for values hidden to protect \
             a small count (they can be any size), so every hidden value is written alike; use a mark such as \"*\""
        ));
    }
    Ok(())
}

/// A template filled from a report.
#[derive(Clone, Debug, Serialize)]
pub struct Filled {
    pub title: String,
    pub note: Option<String>,
    pub program: String,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub time_zone: String,
    pub threshold: u32,
    /// How a suppressed value is written (`suppressed`, or the template's mark).
    pub suppressed: String,
    pub sections: Vec<FilledSection>,
}

impl Filled {
    /// A line's value as written: its count, the suppressed mark, or the typed-in text.
    pub fn shown(&self, line: &FilledLine) -> String {
        match (&line.text, line.value) {
            (Some(t), _) => t.clone(),
            (None, Some(Cell::Count(n))) => n.to_string(),
            _ => self.suppressed.clone(),
        }
    }
}

fn quoted(labels: &[&str]) -> String {
    labels.iter().map(|l| format!("{l:?}")).collect::<Vec<_>>().join(", ")
}

#[derive(Clone, Debug, Serialize)]
pub struct FilledSection {
    pub name: String,
    pub lines: Vec<FilledLine>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FilledLine {
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The sum, or suppressed when any value it adds up is; a typed-in number; none for a
    /// typed-in text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Cell>,
    /// A typed-in text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// What it adds up, as written in the template.
    pub sum: Vec<String>,
    /// Why the line is not shown, when a headline value it adds up is hidden (D79).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The columns a table may have, for the error that lists them.
fn columns(table: &str, settings: &ProgramSettings) -> Option<Vec<String>> {
    let list = |k: ListKind| settings.list(k).iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    let items = |pick: &dyn Fn(ItemCategory) -> bool| {
        settings.items.iter().filter(|i| pick(i.category)).map(|i| i.id.clone()).collect::<Vec<_>>()
    };
    let with_total = |mut v: Vec<String>| {
        v.insert(0, "total".into());
        v
    };
    Some(match table {
        "encounters" => {
            let mut v = vec!["total".to_string()];
            v.extend(ContactType::ALL.iter().map(|c| format!("contact_type/{}", c.as_str())));
            for (prefix, kind) in [("zone", ListKind::Zone), ("age_band", ListKind::AgeBand), ("gender", ListKind::Gender)] {
                v.extend(list(kind).into_iter().map(|id| format!("{prefix}/{id}")));
                if prefix != "zone" {
                    v.push(format!("{prefix}/not_recorded"));
                }
            }
            v
        }
        "summary" => satchel_core::suppress::SUMMARY_COLUMNS.map(String::from).to_vec(),
        "participants" => {
            // Persons served is the table's total; `unduplicated_participants` names it too.
            let mut v = vec!["total".to_string(), "unduplicated_participants".to_string()];
            for (prefix, kind) in [("age_band", ListKind::AgeBand), ("gender", ListKind::Gender)] {
                v.extend(list(kind).into_iter().map(|id| format!("{prefix}/{id}")));
                v.push(format!("{prefix}/not_recorded"));
            }
            // The profile's answers (D89), where the program asks them.
            for (prefix, kind) in [("race", ListKind::Race), ("ethnicity", ListKind::Ethnicity), ("residence", ListKind::Residence)] {
                if settings.list(kind).is_empty() {
                    continue;
                }
                v.extend(list(kind).into_iter().map(|id| format!("{prefix}/{id}")));
                if kind == ListKind::Race {
                    v.push(format!("{prefix}/{}", satchel_core::profile::MULTIPLE));
                }
                v.push(format!("{prefix}/{}", satchel_core::profile::DECLINED));
                v.push(format!("{prefix}/not_recorded"));
            }
            v
        }
        "persons_receiving" => ItemCategory::ALL.iter().map(|c| satchel_core::tally::people::category_id(*c).to_string()).collect(),
        "syringes_distributed" => with_total(items(&|c| c == ItemCategory::Syringes)),
        "naloxone_doses_distributed" => with_total(items(&|c| c == ItemCategory::Naloxone)),
        "other_supplies_units" => items(&|c| !matches!(c, ItemCategory::Syringes | ItemCategory::Naloxone)),
        "referrals" => list(ListKind::Referral),
        "substances" => list(ListKind::Substance),
        "sharps_containers" => settings.containers.iter().map(|c| c.id.clone()).collect(),
        "referrals_by_service" => settings.services.iter().map(|s| s.id.clone()).collect(),
        "services_delivered" => list(ListKind::Delivered)
            .into_iter()
            .flat_map(|id| satchel_core::Outcome::ALL.map(|o| format!("{id}/{}", o.as_str())))
            .collect(),
        "naloxone_kits" => satchel_core::NaloxoneKit::ALL.iter().map(|k| k.as_str().to_string()).collect(),
        _ => return None,
    })
}

const TABLES: &str = "encounters, summary, participants, persons_receiving, syringes_distributed, naloxone_doses_distributed, \
                      other_supplies_units, sharps_containers, referrals, referrals_by_service, substances, \
                      services_delivered, naloxone_kits";

fn source(text: &str, settings: &ProgramSettings) -> std::result::Result<Source, String> {
    if let Some(item) = text.strip_prefix("units:") {
        let Some(i) = settings.item(item) else {
            let known: Vec<&str> = settings.items.iter().map(|i| i.id.as_str()).collect();
            return Err(format!("unknown item {item:?}; the program's items are: {}", known.join(", ")));
        };
        return Ok(Source::Units { item: i.id.clone(), doses_per_unit: i.doses_per_unit.max(1), category: i.category });
    }
    let Some((table, column)) = text.split_once(':') else {
        return Err(format!("{text:?} is neither TABLE:COLUMN nor units:ITEM"));
    };
    let Some(known) = columns(table, settings) else {
        return Err(format!("unknown table {table:?}; the tables are: {TABLES}"));
    };
    if (table, column) == ("summary", "new_participants") {
        return Err("summary:new_participants is now summary:new_persons: people whose first contact \
                    with the program was in the period, counted once (the encounters a worker marked \
                    new are no longer reported)"
            .into());
    }
    if !known.iter().any(|c| c == column) {
        return Err(format!("table {table} has no column {column:?}; it has: {}", known.join(", ")));
    }
    let column = if (table, column) == ("participants", "unduplicated_participants") { "total" } else { column };
    Ok(Source::Cell { table: table.into(), column: column.into() })
}

impl Template {
    /// Reads and checks a template against the program's settings; every error is listed with
    /// its line.
    pub fn parse(text: &str, settings: &ProgramSettings, file: &str) -> Result<Template> {
        let parsed: File = toml::from_str(text).map_err(|e| match e.span().map(|s| line_of(text, s.start)) {
            Some(l) => format!("{file} line {l}: {}", e.message().trim()),
            None => format!("{file}: {}", e.message().trim()),
        })?;
        let mut errors = Vec::new();
        let mut sections = Vec::new();
        if parsed.section.is_empty() {
            errors.push(format!("{file}: no [[section]]: a template lists at least one section of lines"));
        }
        for s in parsed.section {
            let mut lines = Vec::new();
            for l in s.line {
                let at = line_of(text, l.span().start);
                let l = l.into_inner();
                let typed = match l.typed.as_deref() {
                    None => None,
                    Some("text") => Some(Typed::Text),
                    Some("number") => Some(Typed::Number),
                    Some(other) => {
                        errors.push(format!("{file} line {at}: line {:?}: typed = {other:?}: use \"text\" or \"number\"", l.label));
                        None
                    }
                };
                match (l.typed.is_some(), l.sum.is_empty()) {
                    (false, true) => errors.push(format!(
                        "{file} line {at}: line {:?} adds up nothing (sum = []); a line typed in when the report is written says typed = \"text\" or \"number\"",
                        l.label
                    )),
                    (true, false) => errors.push(format!("{file} line {at}: line {:?}: a line adds up values (sum) or is typed in (typed), not both", l.label)),
                    _ => {}
                }
                let mut sources = Vec::new();
                for r in &l.sum {
                    match source(r, settings) {
                        Ok(src) => sources.push((r.clone(), src)),
                        Err(e) => errors.push(format!("{file} line {at}: line {:?}: {e}", l.label)),
                    }
                }
                lines.push(Line { label: l.label, note: l.note, sources, typed, answer: None });
            }
            sections.push(Section { name: s.name, lines });
        }
        let suppressed = parsed.suppressed.map(|m| {
            let at = line_of(text, m.span().start);
            let m = m.into_inner();
            if let Err(e) = check_mark(&m) {
                errors.push(format!("{file} line {at}: {e}"));
            }
            m.trim().to_string()
        });
        if !errors.is_empty() {
            return Err(errors.join("\n").into());
        }
        Ok(Template { title: parsed.title, note: parsed.note, suppressed, sections })
    }

    /// The labels of the lines typed in when the report is written.
    pub fn typed_labels(&self) -> Vec<&str> {
        self.sections.iter().flat_map(|s| &s.lines).filter(|l| l.typed.is_some()).map(|l| l.label.as_str()).collect()
    }

    /// Takes the manager's answers to the typed-in lines from a TOML file (`"Label" = "text"`,
    /// or a whole number for a number line). Every line must be answered and every answer must
    /// name a typed-in line; all mistakes are listed together and nothing is taken.
    pub fn answer(&mut self, text: &str, file: &str) -> Result<()> {
        let answers: std::collections::BTreeMap<String, toml::Value> =
            toml::from_str(text).map_err(|e| format!("{file}: {}", e.message().trim()))?;
        let mut errors = Vec::new();
        let mut taken = Vec::new();
        for line in self.sections.iter().flat_map(|s| &s.lines) {
            let Some(kind) = line.typed else { continue };
            match (kind, answers.get(&line.label)) {
                (_, None) => errors.push(format!("{file}: no answer for {:?}", line.label)),
                (Typed::Number, Some(toml::Value::Integer(n))) if *n >= 0 => taken.push(n.to_string()),
                (Typed::Number, Some(_)) => errors.push(format!("{file}: {:?} takes a whole number, 0 or more", line.label)),
                (Typed::Text, Some(toml::Value::String(t))) if !t.trim().is_empty() && t.chars().count() <= MAX_ANSWER => {
                    taken.push(t.trim().to_string())
                }
                (Typed::Text, Some(_)) => errors.push(format!("{file}: {:?} takes text, 1 to {MAX_ANSWER} characters", line.label)),
            }
        }
        let labels = self.typed_labels();
        for label in answers.keys().filter(|k| !labels.contains(&k.as_str())) {
            errors.push(format!("{file}: {label:?} is not a line the template asks for (it asks for: {})", quoted(&labels)));
        }
        if !errors.is_empty() {
            return Err(errors.join("\n").into());
        }
        let mut taken = taken.into_iter();
        for line in self.sections.iter_mut().flat_map(|s| &mut s.lines).filter(|l| l.typed.is_some()) {
            line.answer = taken.next();
        }
        Ok(())
    }

    /// The template's lines from a report's whole-period values.
    pub fn fill(&self, report: &Report) -> Filled {
        let value = |src: &Source| -> Cell {
            let cell = |table: &str, column: &str| -> Cell {
                let Some(t) = report.tables.iter().find(|t| t.name == table) else { return Cell::Count(0) };
                let Some(period) = t.period() else { return Cell::Count(0) };
                if column == "total" {
                    return period.total.unwrap_or(Cell::Count(0));
                }
                // A column the report does not have counted nothing in the period.
                t.columns.iter().position(|c| c.id == column).map_or(Cell::Count(0), |i| period.cells[i])
            };
            match src {
                Source::Cell { table, column } => cell(table, column),
                Source::Units { item, doses_per_unit, category } => match category {
                    ItemCategory::Syringes => cell("syringes_distributed", item),
                    ItemCategory::Naloxone => match cell("naloxone_doses_distributed", item) {
                        Cell::Count(d) => Cell::Count(d / u64::from(*doses_per_unit)),
                        Cell::Suppressed => Cell::Suppressed,
                    },
                    _ => cell("other_supplies_units", item),
                },
            }
        };
        let sections = self
            .sections
            .iter()
            .map(|s| FilledSection {
                name: s.name.clone(),
                lines: s
                    .lines
                    .iter()
                    .map(|l| {
                        if let Some(kind) = l.typed {
                            let answer = l.answer.clone().unwrap_or_default();
                            return FilledLine {
                                why: None,
                                label: l.label.clone(),
                                note: l.note.clone(),
                                value: if kind == Typed::Number { answer.parse().ok().map(Cell::Count) } else { None },
                                text: (kind == Typed::Text).then_some(answer),
                                sum: Vec::new(),
                            };
                        }
                        let sum = l.sources.iter().try_fold(0u64, |acc, (_, src)| value(src).count().map(|n| acc + n));
                        let why = l.sources.iter().find_map(|(_, src)| match src {
                            Source::Cell { table, column } if value(src) == Cell::Suppressed => report
                                .headlines_hidden
                                .iter()
                                .find(|h| &h.table == table && h.column.as_deref().unwrap_or("total") == column)
                                .map(|h| h.words.clone()),
                            _ => None,
                        });
                        FilledLine {
                            why,
                            label: l.label.clone(),
                            note: l.note.clone(),
                            value: Some(sum.map_or(Cell::Suppressed, Cell::Count)),
                            text: None,
                            sum: l.sources.iter().map(|(r, _)| r.clone()).collect(),
                        }
                    })
                    .collect(),
            })
            .collect();
        Filled {
            title: self.title.clone(),
            note: self.note.clone(),
            program: report.program.clone(),
            from: report.from,
            to: report.to,
            time_zone: report.time_zone.clone(),
            threshold: report.threshold,
            suppressed: self.suppressed.clone().unwrap_or_else(|| crate::report::SUPPRESSED.to_string()),
            sections,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Table;
    use satchel_core::suppress::SuppressedRow;
    use satchel_core::tally::labels::ColumnLabel;

    fn settings() -> ProgramSettings {
        let mut s = ProgramSettings::default();
        for c in satchel_core::settings::starter() {
            s.insert(c);
        }
        s
    }

    fn report(referrals: [Cell; 3]) -> Report {
        let columns = ["moud", "treatment", "housing"].map(|id| ColumnLabel { id: id.into(), label: id.into(), group: None }).to_vec();
        Report {
            program: "P".into(),
            from: chrono::NaiveDate::MIN,
            to: chrono::NaiveDate::MIN,
            time_zone: "UTC".into(),
            by: None,
            trend_by: satchel_core::Granularity::Day,
            zone: None,
            zone_name: None,
            threshold: 11,
            generated_at: String::new(),
            syringe_return_ratio: None,
            syringes_per_person: None,
            tables: vec![Table {
                name: "referrals".into(),
                title: "Referrals".into(),
                columns,
                rows: vec![SuppressedRow { label: "total".into(), part: "period".into(), cells: referrals.to_vec(), total: None }],
            }],
            compared: None,
            headlines_hidden: Vec::new(),
            hidden_for_earlier: 0,
            earlier_releases: 0,
            planned: Vec::new(),
        }
    }

    /// Every mix of shown and hidden values: a line is their sum when all are shown, and
    /// suppressed as soon as one is hidden, so no sum lets a hidden value be worked out.
    #[test]
    fn a_line_is_shown_only_when_everything_it_adds_up_is() {
        let text = "title = \"T\"\n[[section]]\nname = \"S\"\n[[section.line]]\nlabel = \"Treatment\"\nsum = [\"referrals:moud\", \"referrals:treatment\", \"referrals:housing\"]\n";
        let t = Template::parse(text, &settings(), "t.toml").unwrap();
        for mask in 0..8u32 {
            let cells = [0, 1, 2].map(|i| if mask & (1 << i) == 0 { Cell::Count(20 + i as u64) } else { Cell::Suppressed });
            let value = t.fill(&report(cells)).sections[0].lines[0].value.unwrap();
            if mask == 0 {
                assert_eq!(value, Cell::Count(20 + 21 + 22));
            } else {
                assert_eq!(value, Cell::Suppressed, "{cells:?}");
            }
        }
    }

    /// A template written before new participants were counted as people names the old
    /// cell: it is refused with the new one named, not read as something else.
    #[test]
    fn the_old_new_participants_cell_is_refused_with_its_new_name() {
        let text = "title = \"T\"\n[[section]]\nname = \"S\"\n[[section.line]]\nlabel = \"New\"\nsum = [\"summary:new_participants\"]\n";
        let Err(e) = Template::parse(text, &settings(), "t.toml") else { panic!("the old cell was accepted") };
        let said = e.to_string();
        assert!(said.contains("t.toml line 4") && said.contains("summary:new_persons"), "{said}");
        let text = text.replace("new_participants", "new_persons");
        assert!(Template::parse(&text, &settings(), "t.toml").is_ok());
    }

    /// A form's own mark for hidden values: written for every hidden value alike; one that
    /// states a size is refused, with its line.
    #[test]
    fn a_form_may_name_its_mark_for_hidden_values_but_not_a_size() {
        let text = |mark: &str| format!("title = \"T\"\nsuppressed = {mark:?}\n[[section]]\nname = \"S\"\n[[section.line]]\nlabel = \"Treatment\"\nsum = [\"referrals:moud\"]\n");
        let t = Template::parse(&text("*"), &settings(), "t.toml").unwrap();
        let filled = t.fill(&report([Cell::Suppressed, Cell::Count(20), Cell::Count(21)]));
        assert_eq!(filled.shown(&filled.sections[0].lines[0]), "*");
        let plain = Template::parse(&text("*").replace("suppressed = \"*\"\n", ""), &settings(), "t.toml").unwrap();
        let filled = plain.fill(&report([Cell::Suppressed, Cell::Count(20), Cell::Count(21)]));
        assert_eq!(filled.shown(&filled.sections[0].lines[0]), "suppressed");
        for bad in ["<11", "1-10", "≤ 10", "", "a very long mark for a form cell"] {
            let Err(e) = Template::parse(&text(bad), &settings(), "t.toml") else { panic!("{bad:?} was accepted") };
            assert!(e.to_string().contains("t.toml line 2"), "{bad:?}: {e}");
        }
    }

    /// Lines typed in when the report is written: each answered from the manager's file, a
    /// number as a number and a text as text; a missing, mistyped or unknown answer is refused
    /// with every mistake listed, and nothing is filled.
    #[test]
    fn typed_lines_take_the_managers_answers() {
        let text = "title = \"T\"\n[[section]]\nname = \"S\"\n[[section.line]]\nlabel = \"Hours of operation\"\ntyped = \"number\"\n[[section.line]]\nlabel = \"Narrative\"\ntyped = \"text\"\n[[section.line]]\nlabel = \"MOUD\"\nsum = [\"referrals:moud\"]\n";
        let mut t = Template::parse(text, &settings(), "t.toml").unwrap();
        assert_eq!(t.typed_labels(), vec!["Hours of operation", "Narrative"]);
        for (bad, said) in [
            ("\"Hours of operation\" = 20\n", "no answer for \"Narrative\""),
            ("\"Hours of operation\" = \"twenty\"\nNarrative = \"x\"\n", "takes a whole number"),
            ("\"Hours of operation\" = 20\nNarrative = \"x\"\nHours = 3\n", "\"Hours\" is not a line the template asks for"),
            ("\"Hours of operation\" = -1\nNarrative = \"  \"\n", "takes text"),
        ] {
            let e = t.answer(bad, "answers.toml").unwrap_err().to_string();
            assert!(e.contains(said), "{bad}: {e}");
            assert!(t.sections[0].lines.iter().all(|l| l.answer.is_none()), "nothing taken");
        }
        t.answer("\"Hours of operation\" = 20\nNarrative = \"Two new sites opened.\"\n", "answers.toml").unwrap();
        let filled = t.fill(&report([Cell::Count(30), Cell::Count(20), Cell::Count(21)]));
        let lines = &filled.sections[0].lines;
        assert_eq!((lines[0].value, filled.shown(&lines[0])), (Some(Cell::Count(20)), "20".to_string()));
        assert_eq!((lines[1].value, filled.shown(&lines[1])), (None, "Two new sites opened.".to_string()));
        assert_eq!(filled.shown(&lines[2]), "30");
        let bad = text.replace("typed = \"text\"", "typed = \"text\"\nsum = [\"referrals:moud\"]");
        assert!(Template::parse(&bad, &settings(), "t.toml").unwrap_err().to_string().contains("not both"));
    }
}
