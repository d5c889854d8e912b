//! The enrollment QR code: in the terminal, or as a PNG or SVG file when asked.

use std::io::Cursor;
use std::path::Path;

use qrcode::render::{svg, unicode};
use qrcode::QrCode;

use crate::error::Result;

fn code(text: &str) -> Result<QrCode> {
    Ok(QrCode::new(text.as_bytes()).map_err(|e| format!("making the QR code: {e}"))?)
}

/// The code drawn with block characters (two modules per character cell).
pub fn terminal(text: &str) -> Result<String> {
    Ok(code(text)?.render::<unicode::Dense1x2>().dark_color(unicode::Dense1x2::Light).light_color(unicode::Dense1x2::Dark).quiet_zone(true).build())
}

fn kind(path: &Path) -> Option<&'static str> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "png" => Some("png"),
        "svg" => Some("svg"),
        _ => None,
    }
}

/// Refuses an output that is neither .png nor .svg, before any token is made.
pub fn check_output(path: &Path) -> Result<()> {
    Ok(kind(path).map(|_| ()).ok_or_else(|| format!("{}: the QR code is written as .png or .svg", path.display()))?)
}

/// Writes the code to `path` (.png or .svg), whole or not at all.
pub fn write(text: &str, path: &Path) -> Result<()> {
    let qr = code(text)?;
    let bytes = match kind(path) {
        Some("svg") => qr.render::<svg::Color>().min_dimensions(320, 320).build().into_bytes(),
        Some(_) => {
            let img = qr.render::<image::Luma<u8>>().min_dimensions(400, 400).build();
            let mut out = Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Png).map_err(|e| format!("encoding the PNG: {e}"))?;
            out.into_inner()
        }
        None => return check_output(path),
    };
    crate::atomic::write_bytes(path, &bytes)
}
