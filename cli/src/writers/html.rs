//! The HTML report: one self-contained page (no scripts, no external files) with the period's
//! main counts, three inline SVG charts drawn with plotters — the trend of encounters (by day, week or month),
//! supplies by item, referrals by type — and the tables, sized to print on one or two pages.
//! Suppressed counts are never drawn: their bars are left out and marked. Every label is the
//! program's name (never cut mid-word), a chart with nothing to draw is one sentence, and each
//! chart carries a title and a description for screen readers.

use plotters::prelude::*;
use satchel_core::suppress::Cell;
use satchel_core::tally::labels::{row_label, ColumnLabel};
use satchel_core::Granularity;

use crate::error::Result;
use crate::report::{text, Comparison, Report, Table, SUPPRESSED};

pub(super) fn escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".into(),
            '<' => "&lt;".into(),
            '>' => "&gt;".into(),
            '"' => "&quot;".into(),
            '\'' => "&#39;".into(),
            c => c.to_string(),
        })
        .collect()
}

fn table<'a>(report: &'a Report, name: &str) -> Option<&'a Table> {
    report.tables.iter().find(|t| t.name == name)
}

/// The period row's cells of a table, by column.
fn period_cells(t: &Table) -> Vec<(ColumnLabel, Cell)> {
    t.period().map(|r| t.columns.iter().cloned().zip(r.cells.iter().copied()).collect()).unwrap_or_default()
}

const WIDTH: u32 = 680;
const HEIGHT: u32 = 200;
/// Blue of the Okabe–Ito palette: one colour, told apart by everyone.
const BAR: RGBColor = RGBColor(0x00, 0x72, 0xb2);
/// Pixels a character of the chart's 10 px labels takes, about.
const CHAR_PX: usize = 6;

/// A name shortened to `room` characters between words, marked with an ellipsis; the table
/// under the charts gives it in full.
fn fit(name: &str, room: usize) -> String {
    if name.chars().count() <= room {
        return name.to_string();
    }
    let mut out = String::new();
    for word in name.split(' ') {
        if out.chars().count() + word.chars().count() + 2 > room {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        // One word longer than the room: cut it, but say so.
        out = name.chars().take(room.saturating_sub(1)).collect();
    }
    out + "…"
}

/// Puts a title and a description in an SVG for screen readers.
fn accessible(svg: &str, id: &str, title: &str, desc: &str) -> String {
    let svg = strip_xml_header(svg);
    let Some(open_end) = svg.find('>') else { return svg.to_string() };
    format!(
        "{} role=\"img\" aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>{}",
        &svg[..open_end],
        escape(title),
        escape(desc),
        &svg[open_end + 1..]
    )
}

/// What a chart with nothing to draw says instead.
fn nothing_to_draw(id: &str, title: &str, hidden: usize) -> String {
    let why = if hidden > 0 { "every count is suppressed (small counts) or zero" } else { "every count is zero" };
    format!("<figure class=\"chart empty\" id=\"{id}\" data-bars=\"0\"><p class=\"empty-chart\">{}: nothing to draw, {why}.</p></figure>", escape(title))
}

/// A bar chart of labelled counts, one bar a line with its full name beside it; suppressed
/// ones are listed under the chart, not drawn.
fn bars(id: &str, title: &str, data: &[(ColumnLabel, Cell)]) -> Result<String> {
    // Zeros stay in the tables (D81); a chart draws what was given out.
    let shown: Vec<(String, u64)> = data.iter().filter_map(|(k, c)| c.count().filter(|n| *n > 0).map(|n| (k.full(), n))).collect();
    let hidden: Vec<String> = data.iter().filter(|(_, c)| c.count().is_none()).map(|(k, _)| k.full()).collect();
    if shown.iter().all(|(_, n)| *n == 0) {
        return Ok(nothing_to_draw(id, title, hidden.len()));
    }
    let longest = shown.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    let room = (WIDTH as usize * 45 / 100) / CHAR_PX;
    let labels: Vec<String> = shown.iter().map(|(k, _)| fit(k, room)).collect();
    let label_px = (longest.min(room) * CHAR_PX + 12) as u32;
    // Room for the caption and the axis, then a line per bar.
    let height = 64 + 22 * shown.len() as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        let err = |e: &dyn std::fmt::Display| format!("drawing {title}: {e}");
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let max = shown.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
        let n = shown.len() as u32;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 15))
            .margin(8)
            .x_label_area_size(20)
            .y_label_area_size(label_px)
            .build_cartesian_2d(0u64..max + max / 10 + 1, (0u32..n).into_segmented())
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .y_labels(shown.len())
            .y_label_formatter(&|y| match y {
                // The first item at the top.
                SegmentValue::CenterOf(i) => (n - 1).checked_sub(*i).and_then(|j| labels.get(j as usize)).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_style(("sans-serif", 10))
            .x_label_style(("sans-serif", 10))
            .draw()
            .map_err(|e| err(&e))?;
        chart
            .draw_series(
                Histogram::horizontal(&chart)
                    .style(BAR.filled())
                    .margin(3)
                    .data(shown.iter().enumerate().map(|(i, (_, v))| (n - 1 - i as u32, *v))),
            )
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    let note = if hidden.is_empty() {
        String::new()
    } else {
        format!("<p class=\"note\">Not drawn (small counts suppressed): {}</p>", escape(&hidden.join(", ")))
    };
    let desc = shown.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; ");
    Ok(format!("<figure class=\"chart\" id=\"{id}\" data-bars=\"{}\">{}{note}</figure>", shown.len(), accessible(&svg, id, title, &desc)))
}

/// The trend of encounters as a line, by day, week or month as the period's length asks;
/// suppressed steps break the line and are marked.
fn trend(report: &Report) -> Result<String> {
    let Some(t) = table(report, "encounters") else { return Ok(String::new()) };
    let step = report.trend_by;
    let (unit, units) = match step {
        Granularity::Day => ("day", "Days"),
        Granularity::Week => ("week", "Weeks"),
        Granularity::Month => ("month", "Months"),
    };
    let weeks: Vec<(String, Option<u64>)> = t
        .rows
        .iter()
        .filter(|r| r.part == step.part())
        .map(|r| (row_label(&r.label, &r.part), r.total.and_then(Cell::count)))
        .collect();
    // The axis names each step by its first day ("4 Nov") or its month ("Nov 2026").
    let axis: Vec<String> = t
        .rows
        .iter()
        .filter(|r| r.part == step.part())
        .map(|r| {
            r.label.parse::<chrono::NaiveDate>().map_or_else(
                |_| r.label.clone(),
                |d| d.format(if step == Granularity::Month { "%b %Y" } else { "%-d %b" }).to_string(),
            )
        })
        .collect();
    let title = format!("Encounters per {unit}");
    if weeks.len() < 2 {
        // One point is no trend: the count is at the top of the page.
        return Ok(format!(
            "<figure class=\"chart empty\" id=\"trend\" data-points=\"0\"><p class=\"empty-chart\">{title}: the period is one {unit}, so there is no trend to draw; its count is above.</p></figure>"
        ));
    }
    if weeks.iter().all(|(_, v)| v.unwrap_or(0) == 0) {
        return Ok(nothing_to_draw("trend", &title, weeks.iter().filter(|(_, v)| v.is_none()).count()));
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        let err = |e: &dyn std::fmt::Display| format!("drawing the trend: {e}");
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let max = weeks.iter().filter_map(|(_, v)| *v).max().unwrap_or(0).max(1);
        let n = weeks.len().max(1) as u32;
        let mut chart = ChartBuilder::on(&root)
            .caption(&title, ("sans-serif", 15))
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(46)
            .build_cartesian_2d(0u32..n.max(2) - 1, 0u64..max + max / 10 + 1)
            .map_err(|e| err(&e))?;
        let labels: Vec<String> = axis.clone();
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_labels(weeks.len().clamp(2, 12))
            .x_label_formatter(&|i| labels.get(*i as usize).cloned().unwrap_or_default())
            .x_label_style(("sans-serif", 10))
            .y_label_style(("sans-serif", 10))
            .draw()
            .map_err(|e| err(&e))?;
        // One line per run of shown weeks.
        let mut run: Vec<(u32, u64)> = Vec::new();
        let mut runs = Vec::new();
        for (i, (_, v)) in weeks.iter().enumerate() {
            match v {
                Some(v) => run.push((i as u32, *v)),
                None => runs.push(std::mem::take(&mut run)),
            }
        }
        runs.push(run);
        for r in runs.into_iter().filter(|r| !r.is_empty()) {
            chart.draw_series(LineSeries::new(r.clone(), BAR.stroke_width(2))).map_err(|e| err(&e))?;
            chart.draw_series(r.into_iter().map(|p| Circle::new(p, 3, BAR.filled()))).map_err(|e| err(&e))?;
        }
        root.present().map_err(|e| err(&e))?;
    }
    let hidden: Vec<&str> = weeks.iter().filter(|(_, v)| v.is_none()).map(|(l, _)| l.as_str()).collect();
    let note = if hidden.is_empty() {
        String::new()
    } else {
        format!("<p class=\"note\">{units} not shown (small counts, or counts that would reveal one): {}</p>", escape(&hidden.join(", ")))
    };
    let desc = weeks
        .iter()
        .map(|(w, v)| format!("{w}: {}", v.map_or_else(|| "suppressed".to_string(), |n| n.to_string())))
        .collect::<Vec<_>>()
        .join("; ");
    Ok(format!(
        "<figure class=\"chart\" id=\"trend\" data-points=\"{}\">{}{note}</figure>",
        weeks.iter().filter(|(_, v)| v.is_some()).count(),
        accessible(&svg, "trend", &title, &desc)
    ))
}

fn strip_xml_header(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..])
}

fn html_table(t: &Table) -> String {
    let cells = period_cells(t);
    let total = t.period().and_then(|r| r.total);
    if cells.is_empty() && total.is_none() {
        return String::new();
    }
    // A long table (persons by five breakdowns) may continue in the next column, row by row,
    // so the page still prints on one or two sheets; a short one stays whole.
    let long = if cells.len() > 16 { " class=\"long\"" } else { "" };
    let mut out = format!(
        "<table data-table=\"{}\"{long}><caption>{}</caption><thead><tr><th scope=\"col\">Measure</th><th scope=\"col\">Whole period</th></tr></thead><tbody>",
        escape(&t.name),
        escape(&t.title)
    );
    if let Some(total) = total {
        out += &format!("<tr class=\"total\"><th scope=\"row\">Total</th><td>{}</td></tr>", text(total));
    }
    for (c, cell) in cells {
        let class = if cell.count().is_none() { " class=\"suppressed\"" } else { "" };
        out += &format!("<tr data-id=\"{}\"><th scope=\"row\">{}</th><td{class}>{}</td></tr>", escape(&c.id), escape(&c.full()), text(cell));
    }
    out + "</tbody></table>"
}

/// `--by day|week|month`: a table's values in each step (columns) beside the whole period,
/// one row per measure; wide tables scroll on a screen.
fn by_table(t: &Table, part: &str) -> String {
    let steps: Vec<&satchel_core::suppress::SuppressedRow> = t.rows.iter().filter(|r| r.part == part).collect();
    let Some(period) = t.period() else { return String::new() };
    if steps.is_empty() {
        return String::new();
    }
    let mut out = format!("<div class=\"by\"><table data-table=\"{}\" data-by=\"{part}\"><caption>{}</caption><thead><tr><th scope=\"col\">Measure</th>", escape(&t.name), escape(&t.title));
    for r in &steps {
        out += &format!("<th scope=\"col\">{}</th>", escape(&row_label(&r.label, &r.part)));
    }
    out += "<th scope=\"col\">Whole period</th></tr></thead><tbody>";
    let cell = |c: Cell| {
        let class = if c.count().is_none() { " class=\"suppressed\"" } else { "" };
        format!("<td{class}>{}</td>", text(c))
    };
    if let Some(total) = period.total {
        out += "<tr class=\"total\"><th scope=\"row\">Total</th>";
        for r in &steps {
            out += &r.total.map(cell).unwrap_or_else(|| "<td></td>".into());
        }
        out += &cell(total);
        out += "</tr>";
    }
    for (i, c) in t.columns.iter().enumerate() {
        out += &format!("<tr data-id=\"{}\"><th scope=\"row\">{}</th>", escape(&c.id), escape(&c.full()));
        for r in &steps {
            out += &r.cells.get(i).copied().map(cell).unwrap_or_else(|| "<td></td>".into());
        }
        out += &period.cells.get(i).copied().map(cell).unwrap_or_default();
        out += "</tr>";
    }
    out + "</tbody></table></div>"
}

/// `--compare previous`: each whole-period value beside the period before, and the change.
fn compared_table(c: &Comparison) -> String {
    let mut out = format!(
        "<table class=\"compared\" id=\"compared\"><caption>Compared with {} to {}</caption><thead><tr><th scope=\"col\">Measure</th><th scope=\"col\">This period</th><th scope=\"col\">Previous period</th><th scope=\"col\">Change</th></tr></thead><tbody>",
        c.from, c.to
    );
    for t in &c.tables {
        if t.values.is_empty() {
            continue;
        }
        out += &format!("<tr class=\"group\"><th scope=\"rowgroup\" colspan=\"4\">{}</th></tr>", escape(&t.title));
        for v in &t.values {
            let change = v.value.change.map_or_else(|| SUPPRESSED.to_string(), |n| format!("{n:+}"));
            let class = |hidden: bool| if hidden { " class=\"suppressed\"" } else { "" };
            out += &format!(
                "<tr data-id=\"{}\"><th scope=\"row\">{}</th><td{}>{}</td><td{}>{}</td><td{}>{change}</td></tr>",
                escape(&v.column.id),
                escape(&v.column.full()),
                class(v.value.current.count().is_none()),
                text(v.value.current),
                class(v.value.previous.count().is_none()),
                text(v.value.previous),
                class(v.value.change.is_none()),
            );
        }
    }
    out + "</tbody></table>"
}

/// The page's head: no scripts, nothing loaded from elsewhere, the styles inline.
pub(super) fn page_head(title: &str) -> String {
    let mut page = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
    );
    page += &format!("<title>{}</title>", escape(title));
    page += "<style>\
        @page { size: auto; margin: 12mm; }\
        body { font: 11px/1.35 sans-serif; color: #111; max-width: 720px; margin: 0 auto; }\
        h1 { font-size: 18px; margin: 0 0 2px; } .sub { color: #444; margin: 0 0 10px; }\
        .head { display: flex; gap: 8px; margin-bottom: 8px; }\
        .head div { flex: 1; border: 1px solid #ccc; padding: 6px; } .head b { display: block; font-size: 18px; }\
        figure { margin: 0 0 6px; break-inside: avoid; } figure svg { width: 100%; height: auto; }\
        .note { color: #555; margin: 0; font-size: 10px; }\
        small.why { display: block; color: #555; font-size: 9px; } ul.why { margin: 0 0 8px; padding-left: 14px; color: #333; }\
        .tables { columns: 3; column-gap: 12px; }\
        table { border-collapse: collapse; width: 100%; margin-bottom: 8px; break-inside: avoid; font-size: 10px; }\
        table.long { break-inside: auto; } table.long tr { break-inside: avoid; }\
        caption { text-align: left; font-weight: bold; } th { text-align: left; font-weight: normal; }\
        td { text-align: right; } tr.total th, tr.total td { font-weight: bold; }\
        td.suppressed { color: #777; font-style: italic; }\
        h2 { font-size: 14px; margin: 10px 0 4px; } div.by { overflow-x: auto; }\
        table.compared { break-inside: auto; } table.compared tr.group th { font-weight: bold; padding-top: 4px; }\
        th, td { border-bottom: 1px solid #eee; padding: 1px 3px; }\
        </style></head><body>";
    page
}

/// The page.
pub fn render(report: &Report) -> Result<String> {
    let supplies: Vec<(ColumnLabel, Cell)> = ["syringes_distributed", "naloxone_doses_distributed", "other_supplies_units"]
        .iter()
        .filter_map(|n| table(report, n))
        .flat_map(period_cells)
        .collect();
    let referrals = table(report, "referrals").map(period_cells).unwrap_or_default();
    let charts = [
        trend(report)?,
        bars("supplies", "Supplies by item (units; naloxone in doses)", &supplies)?,
        bars("referrals", "Referrals by type", &referrals)?,
    ];
    let head_cells: Vec<(String, String, Option<&str>)> = [
        ("Encounters", "encounters", None, table(report, "encounters").and_then(Table::period).and_then(|r| r.total)),
        (
            "Unduplicated participants",
            "participants",
            None,
            table(report, "participants").and_then(Table::period).and_then(|r| r.total),
        ),
        (
            "New participants (first contact)",
            "summary",
            Some("new_persons"),
            table(report, "summary").and_then(|t| period_cells(t).into_iter().find(|(l, _)| l.id == "new_persons").map(|(_, c)| c)),
        ),
        ("Syringes distributed", "syringes_distributed", None, table(report, "syringes_distributed").and_then(Table::period).and_then(|r| r.total)),
        (
            "Naloxone doses distributed",
            "naloxone_doses_distributed",
            None,
            table(report, "naloxone_doses_distributed").and_then(Table::period).and_then(|r| r.total),
        ),
    ]
    .into_iter()
    .map(|(k, t, c, cell)| {
        let why = report.headlines_hidden.iter().find(|h| h.table == t && h.column.as_deref() == c).map(|h| h.words.as_str());
        (k.to_string(), cell.map(text).unwrap_or_else(|| "0".into()), why)
    })
    .collect();
    let mut page = page_head(&format!("{} — {} to {}", report.program, report.from, report.to));
    page += &format!("<h1>{}</h1>", escape(&report.program));
    page += &format!(
        "<p class=\"sub\">{} to {} ({}){} · counts from 1 to {} are suppressed, and others where a total would reveal them · generated {}</p>",
        report.from,
        report.to,
        escape(&report.time_zone),
        report.zone_name.as_ref().map(|z| format!(" · zone: {}", escape(z))).unwrap_or_default(),
        report.threshold.saturating_sub(1),
        report.generated_at
    );
    page += "<div class=\"head\">";
    for (k, v, why) in head_cells {
        let why = why.map(|w| format!("<small class=\"why\">{}</small>", escape(w))).unwrap_or_default();
        page += &format!("<div>{}<b>{}</b>{why}</div>", escape(&k), escape(&v));
    }
    page += "</div>";
    if !report.headlines_hidden.is_empty() {
        page += "<ul class=\"why\" id=\"not-shown\">";
        for h in &report.headlines_hidden {
            page += &format!("<li>{}: {}</li>", escape(&h.label), escape(&h.words));
        }
        page += "</ul>";
    }
    for c in charts {
        page += &c;
    }
    page += "<div class=\"tables\">";
    for t in &report.tables {
        page += &html_table(t);
    }
    page += "</div>";
    if let Some(by) = report.by {
        let part = by.part();
        page += &format!("<section id=\"by\"><h2>By {part}</h2>");
        for t in &report.tables {
            page += &by_table(t, part);
        }
        page += "</section>";
    }
    if let Some(c) = &report.compared {
        page += &compared_table(c);
    }
    if let Some(r) = report.syringe_return_ratio {
        page += &format!("<p>Syringe return ratio (collected / distributed): {r:.2}</p>");
    }
    if let Some(r) = report.syringes_per_person {
        page += &format!("<p>Syringes per person who received syringes: {r:.1}</p>");
    }
    page += "</body></html>\n";
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(id: &str, name: &str) -> ColumnLabel {
        ColumnLabel { id: id.into(), label: name.into(), group: None }
    }

    #[test]
    fn names_are_shortened_between_words_and_marked() {
        let name = "Medication for opioid use disorder";
        assert_eq!(fit(name, 40), name);
        let short = fit(name, 20);
        assert_eq!(short, "Medication for…");
        assert!(name.starts_with(short.trim_end_matches('…')) && short.chars().count() <= 20);
        assert_eq!(fit("Supercalifragilistic", 8), "Superca…");
    }

    #[test]
    fn a_chart_with_nothing_to_show_is_one_sentence() {
        let all_hidden = [(label("moud", "MOUD"), Cell::Suppressed), (label("housing", "Housing"), Cell::Suppressed)];
        let html = bars("referrals", "Referrals by type", &all_hidden).unwrap();
        assert!(!html.contains("<svg") && html.contains("nothing to draw") && html.contains("suppressed"), "{html}");
        let zeros = [(label("moud", "MOUD"), Cell::Count(0))];
        let html = bars("referrals", "Referrals by type", &zeros).unwrap();
        assert!(!html.contains("<svg") && html.contains("every count is zero"), "{html}");
    }

    #[test]
    fn a_chart_has_full_names_a_title_and_a_description() {
        let data = [
            (label("moud", "Medication for opioid use disorder"), Cell::Count(12)),
            (label("housing", "Housing / shelter"), Cell::Count(30)),
            (label("legal", "Legal aid"), Cell::Suppressed),
        ];
        let html = bars("referrals", "Referrals by type", &data).unwrap();
        assert!(html.contains("Medication for opioid use disorder") && html.contains("Housing / shelter"), "{html}");
        assert!(html.contains("<title id=\"referrals-title\">Referrals by type</title>"));
        assert!(html.contains("Medication for opioid use disorder: 12; Housing / shelter: 30"));
        assert!(html.contains("role=\"img\""));
        // The suppressed one is named under the chart, its count nowhere.
        assert!(html.contains("Not drawn (small counts suppressed): Legal aid"));
        assert!(!html.contains("moud") && !html.contains("housing"), "ids stay out of the drawing");
    }
}
