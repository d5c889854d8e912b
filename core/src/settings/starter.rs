//! The settings a new store starts with: a program a syringe services program would recognise.

use super::*;

/// A starter configuration a syringe services program would recognise. Managers edit it.
pub fn starter() -> Vec<Setting> {
    use ItemCategory::*;
    let item = |id: &str, name: &str, category, unit: &str, doses, low| {
        Setting::Item(SupplyItem {
            id: id.into(),
            name: name.into(),
            category,
            unit: unit.into(),
            doses_per_unit: doses,
            low_stock_threshold: low,
            active: true,
        })
    };
    let mut out = vec![
        Setting::Program(Program::default()),
        item("syringe-1ml", "Syringe 1 mL 29G", Syringes, "syringe", 1, 200),
        item("syringe-3ml", "Syringe 3 mL 25G", Syringes, "syringe", 1, 50),
        item("sharps-container", "Sharps container 1 qt", Other, "container", 1, 10),
        item("naloxone-nasal", "Naloxone nasal spray 4 mg (2 doses)", Naloxone, "kit", 2, 10),
        item("naloxone-im", "Naloxone IM 0.4 mg vial kit", Naloxone, "kit", 1, 10),
        item("fentanyl-strip", "Fentanyl test strip", DrugChecking, "strip", 1, 50),
        item("xylazine-strip", "Xylazine test strip", DrugChecking, "strip", 1, 30),
        item("cooker", "Cooker", Other, "piece", 1, 50),
        item("cotton", "Cotton filter", Other, "piece", 1, 50),
        item("sterile-water", "Sterile water 10 mL", Other, "vial", 1, 50),
        item("alcohol-pad", "Alcohol pad", Hygiene, "pad", 1, 100),
        item("tourniquet", "Tourniquet", Other, "piece", 1, 20),
        item("pipe-glass", "Glass pipe", SaferSmoking, "piece", 1, 20),
        item("mouthpiece", "Mouthpiece", SaferSmoking, "piece", 1, 30),
        item("wound-kit", "Wound care kit", WoundCare, "kit", 1, 10),
        item("condom", "Condom", SexualHealth, "piece", 1, 50),
        item("hygiene-kit", "Hygiene kit", Hygiene, "kit", 1, 10),
    ];
    let iq = |item: &str, quantity| ItemQuantity { item: item.into(), quantity };
    let kit = |id: &str, name: &str, items| Setting::Kit(Kit { id: id.into(), name: name.into(), items, active: true });
    out.push(kit(
        "standard",
        "Standard injection kit",
        vec![
            iq("syringe-1ml", 10),
            iq("cooker", 2),
            iq("cotton", 5),
            iq("sterile-water", 2),
            iq("alcohol-pad", 10),
            iq("tourniquet", 1),
        ],
    ));
    out.push(kit("naloxone", "Naloxone kit", vec![iq("naloxone-nasal", 1), iq("fentanyl-strip", 2)]));
    out.push(kit("smoking", "Safer smoking kit", vec![iq("pipe-glass", 1), iq("mouthpiece", 2), iq("alcohol-pad", 2)]));
    out.push(kit("wound", "Wound care kit", vec![iq("wound-kit", 1), iq("alcohol-pad", 4)]));
    let lists: [(ListKind, &[(&str, &str)]); 9] = [
        (
            ListKind::Zone,
            &[("downtown", "Downtown"), ("riverside", "Riverside"), ("eastside", "East Side"), ("northgate", "Northgate")],
        ),
        (
            ListKind::Referral,
            &[
                ("moud", "Medication for opioid use disorder"),
                ("treatment", "Substance use treatment"),
                ("wound-care", "Wound care / medical"),
                ("hiv-hcv-testing", "HIV / HCV testing"),
                ("housing", "Housing / shelter"),
                ("mental-health", "Mental health"),
            ],
        ),
        (
            ListKind::AgeBand,
            &[("under-25", "Under 25"), ("25-34", "25–34"), ("35-44", "35–44"), ("45-54", "45–54"), ("55-plus", "55 and over")],
        ),
        (
            ListKind::Gender,
            &[("woman", "Woman"), ("man", "Man"), ("nonbinary", "Non-binary / other"), ("declined", "Declined")],
        ),
        (
            ListKind::Substance,
            &[("opioids", "Opioids"), ("stimulants", "Stimulants"), ("xylazine", "Xylazine"), ("alcohol", "Alcohol"), ("other", "Other")],
        ),
        // The participant profile (D89): the federal minimum categories for race and
        // ethnicity (OMB, 1997), which state forms still ask for; a program adds its own.
        (
            ListKind::Race,
            &[
                ("american-indian-alaska-native", "American Indian or Alaska Native"),
                ("asian", "Asian"),
                ("black", "Black or African American"),
                ("native-hawaiian-pacific-islander", "Native Hawaiian or Other Pacific Islander"),
                ("white", "White"),
            ],
        ),
        (ListKind::Ethnicity, &[("hispanic-latino", "Hispanic or Latino"), ("not-hispanic-latino", "Not Hispanic or Latino")]),
        // Where the person lives, as coarse as a form asks: a program lists its counties or
        // the first three digits of its zip codes instead.
        (
            ListKind::Residence,
            &[
                ("this-county", "This county"),
                ("other-county", "Another county of the state"),
                ("out-of-state", "Out of state"),
                ("no-fixed-address", "No fixed address"),
            ],
        ),
        // Services given on site, each logged with its outcome (D90).
        (
            ListKind::Delivered,
            &[
                ("hiv-test", "HIV test"),
                ("hcv-test", "HCV test"),
                ("vaccination", "Vaccination"),
                ("wound-care", "Wound care given"),
                ("moud", "Medication for opioid use disorder started or bridged"),
            ],
        ),
    ];
    for (kind, entries) in lists {
        for (position, (id, label)) in entries.iter().enumerate() {
            out.push(Setting::Choice(
                kind,
                Choice { id: (*id).into(), label: (*label).into(), position: position as u32, active: true },
            ));
        }
    }
    // Estimates for 1 mL syringes; a program sets its own from what its containers hold.
    for (id, name, syringes_estimate) in [("quart", "1-quart sharps container", 80), ("gallon", "1-gallon sharps container", 320)] {
        out.push(Setting::Container(ContainerType { id: id.into(), name: name.into(), syringes_estimate, active: true }));
    }
    out.push(Setting::Location(Location { id: "van-1".into(), name: "Van 1".into(), active: true }));
    out.push(Setting::Location(Location { id: "office".into(), name: "Office shelf".into(), active: true }));
    out
}
