//! The HTML report: one self-contained page (no scripts, no external files) with the period's
//! main counts, three inline SVG charts drawn with plotters — the weekly trend of encounters,
//! supplies by item, referrals by type — and the tables, sized to print on one or two pages.
//! Suppressed counts are never drawn: their bars are left out and marked.

use plotters::prelude::*;
use satchel_core::suppress::{Cell, SuppressedTable};

use crate::error::Result;
use crate::report::{text, Report};

fn escape(s: &str) -> String {
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

fn table<'a>(report: &'a Report, name: &str) -> Option<&'a SuppressedTable> {
    report.tables.iter().find(|t| t.name == name)
}

/// The period row's cells of a table, by column.
fn period_cells(t: &SuppressedTable) -> Vec<(String, Cell)> {
    t.rows
        .iter()
        .find(|r| r.part == "period")
        .map(|r| t.columns.iter().cloned().zip(r.cells.iter().copied()).collect())
        .unwrap_or_default()
}

const WIDTH: u32 = 680;
const HEIGHT: u32 = 200;
const BAR: RGBColor = RGBColor(0x2b, 0x6c, 0xb0);

/// A bar chart of labelled counts; suppressed ones are listed under the chart, not drawn.
fn bars(id: &str, title: &str, data: &[(String, Cell)]) -> Result<String> {
    let shown: Vec<(String, u64)> = data.iter().filter_map(|(k, c)| c.count().map(|n| (k.clone(), n))).collect();
    let hidden: Vec<&str> = data.iter().filter(|(_, c)| c.count().is_none()).map(|(k, _)| k.as_str()).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        let err = |e: &dyn std::fmt::Display| format!("drawing {title}: {e}");
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let max = shown.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
        let n = shown.len().max(1) as u32;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 15))
            .margin(8)
            .x_label_area_size(24)
            .y_label_area_size(46)
            .build_cartesian_2d((0u32..n).into_segmented(), 0u64..max + max / 10 + 1)
            .map_err(|e| err(&e))?;
        // Ids, shortened to fit under their bars; the tables below give them in full.
        let room = (WIDTH as usize / shown.len().max(1) / 6).clamp(4, 16);
        let labels: Vec<String> = shown.iter().map(|(k, _)| k.chars().take(room).collect()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .x_labels(shown.len().max(1))
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .x_label_style(("sans-serif", 9))
            .y_label_style(("sans-serif", 10))
            .draw()
            .map_err(|e| err(&e))?;
        chart
            .draw_series(
                Histogram::vertical(&chart)
                    .style(BAR.filled())
                    .margin(6)
                    .data(shown.iter().enumerate().map(|(i, (_, v))| (i as u32, *v))),
            )
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    let note = if hidden.is_empty() {
        String::new()
    } else {
        format!("<p class=\"note\">Not drawn (small counts suppressed): {}</p>", escape(&hidden.join(", ")))
    };
    Ok(format!("<figure class=\"chart\" id=\"{id}\" data-bars=\"{}\">{}{note}</figure>", shown.len(), strip_xml_header(&svg)))
}

/// The weekly trend of encounters as a line; suppressed weeks break the line and are marked.
fn trend(report: &Report) -> Result<String> {
    let Some(t) = table(report, "encounters") else { return Ok(String::new()) };
    let weeks: Vec<(String, Option<u64>)> =
        t.rows.iter().filter(|r| r.part == "week").map(|r| (r.label.clone(), r.total.and_then(Cell::count))).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        let err = |e: &dyn std::fmt::Display| format!("drawing the weekly trend: {e}");
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let max = weeks.iter().filter_map(|(_, v)| *v).max().unwrap_or(0).max(1);
        let n = weeks.len().max(1) as u32;
        let mut chart = ChartBuilder::on(&root)
            .caption("Encounters per week", ("sans-serif", 15))
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(46)
            .build_cartesian_2d(0u32..n.max(2) - 1, 0u64..max + max / 10 + 1)
            .map_err(|e| err(&e))?;
        let labels: Vec<String> = weeks.iter().map(|(l, _)| l.clone()).collect();
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
        format!("<p class=\"note\">Weeks suppressed (small counts): {}</p>", escape(&hidden.join(", ")))
    };
    Ok(format!(
        "<figure class=\"chart\" id=\"trend\" data-points=\"{}\">{}{note}</figure>",
        weeks.iter().filter(|(_, v)| v.is_some()).count(),
        strip_xml_header(&svg)
    ))
}

fn strip_xml_header(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..])
}

fn html_table(t: &SuppressedTable) -> String {
    let cells = period_cells(t);
    let total = t.rows.iter().find(|r| r.part == "period").and_then(|r| r.total);
    if cells.is_empty() && total.is_none() {
        return String::new();
    }
    let mut out = format!("<table><caption>{}</caption>", escape(&t.name.replace('_', " ")));
    if let Some(total) = total {
        out += &format!("<tr class=\"total\"><th>total</th><td>{}</td></tr>", text(total));
    }
    for (c, cell) in cells {
        let class = if cell.count().is_none() { " class=\"suppressed\"" } else { "" };
        out += &format!("<tr><th>{}</th><td{class}>{}</td></tr>", escape(&c.replace('_', " ")), text(cell));
    }
    out + "</table>"
}

/// The page.
pub fn render(report: &Report) -> Result<String> {
    let supplies: Vec<(String, Cell)> = ["syringes_distributed", "naloxone_doses_distributed", "other_supplies_units"]
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
    let head_cells: Vec<(String, String)> = [
        ("Encounters", table(report, "encounters").and_then(|t| t.rows.iter().find(|r| r.part == "period")).and_then(|r| r.total)),
        (
            "Unduplicated participants",
            table(report, "participants").and_then(|t| period_cells(t).first().map(|(_, c)| *c)),
        ),
        ("Syringes distributed", table(report, "syringes_distributed").and_then(|t| t.rows.iter().find(|r| r.part == "period")).and_then(|r| r.total)),
        (
            "Naloxone doses distributed",
            table(report, "naloxone_doses_distributed").and_then(|t| t.rows.iter().find(|r| r.part == "period")).and_then(|r| r.total),
        ),
    ]
    .into_iter()
    .map(|(k, c)| (k.to_string(), c.map(text).unwrap_or_else(|| "0".into())))
    .collect();
    let mut page = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
    );
    page += &format!("<title>{} — {} to {}</title>", escape(&report.program), report.from, report.to);
    page += "<style>\
        @page { size: auto; margin: 12mm; }\
        body { font: 11px/1.35 sans-serif; color: #111; max-width: 720px; margin: 0 auto; }\
        h1 { font-size: 18px; margin: 0 0 2px; } .sub { color: #444; margin: 0 0 10px; }\
        .head { display: flex; gap: 8px; margin-bottom: 8px; }\
        .head div { flex: 1; border: 1px solid #ccc; padding: 6px; } .head b { display: block; font-size: 18px; }\
        figure { margin: 0 0 6px; break-inside: avoid; } figure svg { width: 100%; height: auto; }\
        .note { color: #555; margin: 0; font-size: 10px; }\
        .tables { columns: 3; column-gap: 12px; }\
        table { border-collapse: collapse; width: 100%; margin-bottom: 8px; break-inside: avoid; font-size: 10px; }\
        caption { text-align: left; font-weight: bold; } th { text-align: left; font-weight: normal; }\
        td { text-align: right; } tr.total th, tr.total td { font-weight: bold; }\
        td.suppressed { color: #777; font-style: italic; }\
        th, td { border-bottom: 1px solid #eee; padding: 1px 3px; }\
        </style></head><body>";
    page += &format!("<h1>{}</h1>", escape(&report.program));
    page += &format!(
        "<p class=\"sub\">{} to {} ({}){} · counts from 1 to {} are suppressed, and others where a total would reveal them · generated {}</p>",
        report.from,
        report.to,
        escape(&report.time_zone),
        report.zone.as_ref().map(|z| format!(" · zone {}", escape(z))).unwrap_or_default(),
        report.threshold.saturating_sub(1),
        report.generated_at
    );
    page += "<div class=\"head\">";
    for (k, v) in head_cells {
        page += &format!("<div>{}<b>{}</b></div>", escape(&k), escape(&v));
    }
    page += "</div>";
    for c in charts {
        page += &c;
    }
    page += "<div class=\"tables\">";
    for t in &report.tables {
        page += &html_table(t);
    }
    page += "</div>";
    if let Some(r) = report.syringe_return_ratio {
        page += &format!("<p>Syringe return ratio (collected / distributed): {r:.2}</p>");
    }
    page += "</body></html>\n";
    Ok(page)
}
