//! The hand-over card: a service's details in large text, in the participant's language (set
//! apart from the app's), and the same details as a vCard the participant can scan into their
//! own phone from a QR code. Built from the service alone: nothing about the participant,
//! nothing sent anywhere.

use super::{ServiceAccess, CardLanguage, Service};

/// A card for one service in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandoverCard {
    pub title: String,
    /// Lines in the order the card shows them: where, when, how to get in, what the door asks
    /// for, phone, languages, notes.
    pub lines: Vec<String>,
    /// Whether every text is in the asked language (false: the program wrote some only in
    /// English, and English stands in).
    pub in_language: bool,
    /// What the QR code holds: a vCard 3.0 (name, phone, the area as its address, the rest as
    /// its note).
    pub payload: String,
}

struct Words {
    days: [&'static str; 7],
    hours_unknown: &'static str,
    access: fn(ServiceAccess) -> &'static str,
    id: [&'static str; 2],
    insurance: [&'static str; 2],
    sobriety: [&'static str; 2],
    phone: &'static str,
    languages: &'static str,
}

const ENGLISH: Words = Words {
    days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    hours_unknown: "Call or ask for opening hours",
    access: |a| match a {
        ServiceAccess::WalkIn => "Walk in, no appointment needed",
        ServiceAccess::Appointment => "Call first for an appointment",
        ServiceAccess::WalkInOrAppointment => "Walk in, or call for an appointment",
    },
    id: ["No ID needed", "Bring a photo ID"],
    insurance: ["No insurance needed", "Asks for health insurance"],
    sobriety: ["You do not need to be sober", "Asks that you come sober"],
    phone: "Phone",
    languages: "Languages",
};

const SPANISH: Words = Words {
    days: ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"],
    hours_unknown: "Llame o pregunte por el horario",
    access: |a| match a {
        ServiceAccess::WalkIn => "Puede ir sin cita",
        ServiceAccess::Appointment => "Llame antes para pedir cita",
        ServiceAccess::WalkInOrAppointment => "Puede ir sin cita o llamar para pedirla",
    },
    id: ["No hace falta identificación", "Lleve una identificación con foto"],
    insurance: ["No hace falta seguro médico", "Pide seguro médico"],
    sobriety: ["No hace falta estar sobrio", "Pide que llegue sobrio"],
    phone: "Teléfono",
    languages: "Idiomas",
};

fn words(language: CardLanguage) -> &'static Words {
    match language {
        CardLanguage::English => &ENGLISH,
        CardLanguage::Spanish => &SPANISH,
    }
}

/// The opening hours as one line, runs of days with the same hours joined:
/// "Mon–Fri 09:00–17:00 · Sat 10:00–14:00".
pub fn hours_line(service: &Service, language: CardLanguage) -> String {
    let w = words(language);
    let mut per_day: [Vec<(u32, String)>; 7] = Default::default();
    for o in &service.hours {
        if let Ok((day, opens, _)) = o.parse("service.hours") {
            per_day[day.num_days_from_monday() as usize].push((opens, format!("{}–{}", o.opens, o.closes)));
        }
    }
    let texts: Vec<String> = per_day
        .iter_mut()
        .map(|d| {
            d.sort();
            d.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join(", ")
        })
        .collect();
    let mut out = Vec::new();
    let mut d = 0;
    while d < 7 {
        if texts[d].is_empty() {
            d += 1;
            continue;
        }
        let start = d;
        while d + 1 < 7 && texts[d + 1] == texts[start] {
            d += 1;
        }
        let days = if d == start { w.days[start].to_string() } else { format!("{}–{}", w.days[start], w.days[d]) };
        out.push(format!("{days} {}", texts[start]));
        d += 1;
    }
    if out.is_empty() {
        return w.hours_unknown.into();
    }
    out.join(" · ")
}

/// The card of `service` in `language`.
pub fn card(service: &Service, language: CardLanguage) -> HandoverCard {
    let w = words(language);
    let mut in_language = true;
    let mut read = |t: &super::ServiceText| {
        let (s, ok) = t.read(language);
        in_language &= ok;
        s.to_string()
    };
    let title = read(&service.name);
    let area = read(&service.area);
    let notes = service.notes.as_ref().map(&mut read);
    let door = [(service.requires_id, w.id), (service.requires_insurance, w.insurance), (service.requires_sobriety, w.sobriety)]
        .map(|(asks, says)| says[usize::from(asks)])
        .join(" · ");
    let mut lines = vec![area.clone(), hours_line(service, language), (w.access)(service.access).to_string(), door];
    if let Some(p) = &service.phone {
        lines.push(format!("{}: {p}", w.phone));
    }
    if !service.languages.is_empty() {
        lines.push(format!("{}: {}", w.languages, service.languages.join(", ")));
    }
    lines.extend(notes);

    let mut v = vec!["BEGIN:VCARD".to_string(), "VERSION:3.0".into(), format!("FN:{}", escape(&title)), format!("ORG:{}", escape(&title))];
    if let Some(p) = &service.phone {
        v.push(format!("TEL;TYPE=WORK,VOICE:{}", escape(p)));
    }
    v.push(format!("ADR;TYPE=WORK:;;{};;;;", escape(&area)));
    v.push(format!("NOTE:{}", escape(&lines[1..].iter().filter(|l| !l.starts_with(w.phone)).cloned().collect::<Vec<_>>().join("\n"))));
    v.push("END:VCARD".into());
    HandoverCard { title, lines, in_language, payload: v.join("\r\n") + "\r\n" }
}

/// A vCard text value: backslash, comma, semicolon and line breaks escaped (RFC 2426).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::tests::clinic;

    #[test]
    fn the_card_speaks_the_participants_language_and_holds_only_the_service() {
        let en = card(&clinic(), CardLanguage::English);
        assert_eq!(en.title, "Eastside Health Clinic");
        assert_eq!(en.lines[1], "Mon 09:00–17:00 · Fri 22:00–02:00");
        let mut week = clinic();
        week.hours = ["mon", "tue", "wed", "thu", "fri", "sat"]
            .iter()
            .map(|d| crate::directory::Opening { day: (*d).into(), opens: if *d == "sat" { "10:00" } else { "09:00" }.into(), closes: "17:00".into() })
            .collect();
        assert_eq!(hours_line(&week, CardLanguage::English), "Mon–Fri 09:00–17:00 · Sat 10:00–17:00");
        week.hours.clear();
        assert_eq!(hours_line(&week, CardLanguage::Spanish), "Llame o pregunte por el horario");
        assert!(en.lines.contains(&"No ID needed · No insurance needed · You do not need to be sober".to_string()));
        let es = card(&clinic(), CardLanguage::Spanish);
        assert!(es.in_language);
        assert_eq!(es.title, "Clínica de Salud Eastside");
        assert_eq!(es.lines[1], "lun 09:00–17:00 · vie 22:00–02:00");
        assert!(es.lines.iter().any(|l| l == "Puede ir sin cita"));
        assert!(es.lines.iter().any(|l| l == "Teléfono: (555) 010-2000"));
        // The payload is a vCard of the service, escaped.
        assert!(es.payload.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Clínica de Salud Eastside\r\n"));
        assert!(es.payload.contains("TEL;TYPE=WORK,VOICE:(555) 010-2000\r\n"));
        assert!(es.payload.contains("ADR;TYPE=WORK:;;412 E Main St\\, junto a la biblioteca;;;;\r\n"));
        assert!(es.payload.ends_with("END:VCARD\r\n"));
        // English stands in for a Spanish text the program did not write, and says so.
        let mut s = clinic();
        s.notes = Some(crate::directory::ServiceText { en: "Bring a friend if you like".into(), es: None });
        let es = card(&s, CardLanguage::Spanish);
        assert!(!es.in_language);
        assert_eq!(es.lines.last().unwrap(), "Bring a friend if you like");
    }
}
