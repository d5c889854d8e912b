//! The settings a new store starts with: a program a syringe services program would recognise.

use super::*;

/// A starter configuration a syringe services program would recognise. Managers edit it.
pub fn starter() -> Vec<Setting> {
    use ItemCategory::*;
    let item = |id: &str, (name, name_es): (&str, &str), category, unit: &str, doses, low| {
        Setting::Item(SupplyItem {
            id: id.into(),
            name: name.into(),
            name_es: Some(name_es.into()),
            category,
            unit: unit.into(),
            doses_per_unit: doses,
            low_stock_threshold: low,
            active: true,
        })
    };
    let mut out = vec![
        Setting::Program(Program::default()),
        item("syringe-1ml", ("Syringe 1 mL 29G", "Jeringa 1 mL 29G"), Syringes, "syringe", 1, 200),
        item("syringe-3ml", ("Syringe 3 mL 25G", "Jeringa 3 mL 25G"), Syringes, "syringe", 1, 50),
        item("sharps-container", ("Sharps container 1 qt", "Contenedor para objetos punzantes 1 qt"), Other, "container", 1, 10),
        item("naloxone-nasal", ("Naloxone nasal spray 4 mg (2 doses)", "Naloxona en aerosol nasal 4 mg (2 dosis)"), Naloxone, "kit", 2, 10),
        item("naloxone-im", ("Naloxone IM 0.4 mg vial kit", "Naloxona IM 0.4 mg, kit de vial"), Naloxone, "kit", 1, 10),
        item("fentanyl-strip", ("Fentanyl test strip", "Tira de prueba de fentanilo"), DrugChecking, "strip", 1, 50),
        item("xylazine-strip", ("Xylazine test strip", "Tira de prueba de xilacina"), DrugChecking, "strip", 1, 30),
        item("cooker", ("Cooker", "Cazoleta"), Other, "piece", 1, 50),
        item("cotton", ("Cotton filter", "Filtro de algodón"), Other, "piece", 1, 50),
        item("sterile-water", ("Sterile water 10 mL", "Agua estéril 10 mL"), Other, "vial", 1, 50),
        item("alcohol-pad", ("Alcohol pad", "Toallita con alcohol"), Hygiene, "pad", 1, 100),
        item("tourniquet", ("Tourniquet", "Torniquete"), Other, "piece", 1, 20),
        item("pipe-glass", ("Glass pipe", "Pipa de vidrio"), SaferSmoking, "piece", 1, 20),
        item("mouthpiece", ("Mouthpiece", "Boquilla"), SaferSmoking, "piece", 1, 30),
        item("wound-kit", ("Wound care kit", "Kit para cuidado de heridas"), WoundCare, "kit", 1, 10),
        item("condom", ("Condom", "Condón"), SexualHealth, "piece", 1, 50),
        item("hygiene-kit", ("Hygiene kit", "Kit de higiene"), Hygiene, "kit", 1, 10),
    ];
    let iq = |item: &str, quantity| ItemQuantity { item: item.into(), quantity };
    let kit = |id: &str, (name, name_es): (&str, &str), items| {
        Setting::Kit(Kit { id: id.into(), name: name.into(), name_es: Some(name_es.into()), items, active: true })
    };
    out.push(kit(
        "standard",
        ("Standard injection kit", "Kit estándar para inyectarse"),
        vec![
            iq("syringe-1ml", 10),
            iq("cooker", 2),
            iq("cotton", 5),
            iq("sterile-water", 2),
            iq("alcohol-pad", 10),
            iq("tourniquet", 1),
        ],
    ));
    out.push(kit("naloxone", ("Naloxone kit", "Kit de naloxona"), vec![iq("naloxone-nasal", 1), iq("fentanyl-strip", 2)]));
    out.push(kit("smoking", ("Safer smoking kit", "Kit para fumar más seguro"), vec![iq("pipe-glass", 1), iq("mouthpiece", 2), iq("alcohol-pad", 2)]));
    out.push(kit("wound", ("Wound care kit", "Kit para cuidado de heridas"), vec![iq("wound-kit", 1), iq("alcohol-pad", 4)]));
    // Each entry: id, English label, Spanish label (D98).
    type Entry = (&'static str, &'static str, &'static str);
    let lists: [(ListKind, &[Entry]); 9] = [
        (
            ListKind::Zone,
            &[("downtown", "Downtown", "Centro"), ("riverside", "Riverside", "Riverside"), ("eastside", "East Side", "East Side"), ("northgate", "Northgate", "Northgate")],
        ),
        (
            ListKind::Referral,
            &[
                ("moud", "Medication for opioid use disorder", "Medicamentos para el trastorno por consumo de opioides"),
                ("treatment", "Substance use treatment", "Tratamiento por consumo de sustancias"),
                ("wound-care", "Wound care / medical", "Cuidado de heridas / médico"),
                ("hiv-hcv-testing", "HIV / HCV testing", "Prueba de VIH / VHC"),
                ("housing", "Housing / shelter", "Vivienda / albergue"),
                ("mental-health", "Mental health", "Salud mental"),
            ],
        ),
        (
            ListKind::AgeBand,
            &[("under-25", "Under 25", "Menos de 25"), ("25-34", "25–34", "25–34"), ("35-44", "35–44", "35–44"), ("45-54", "45–54", "45–54"), ("55-plus", "55 and over", "55 o más")],
        ),
        (
            ListKind::Gender,
            &[("woman", "Woman", "Mujer"), ("man", "Man", "Hombre"), ("nonbinary", "Non-binary / other", "No binario / otro"), ("declined", "Declined", "Prefiere no decir")],
        ),
        (
            ListKind::Substance,
            &[("opioids", "Opioids", "Opioides"), ("stimulants", "Stimulants", "Estimulantes"), ("xylazine", "Xylazine", "Xilacina"), ("alcohol", "Alcohol", "Alcohol"), ("other", "Other", "Otra")],
        ),
        // The participant profile (D89): the federal minimum categories for race and
        // ethnicity (OMB, 1997), which state forms still ask for; a program adds its own.
        (
            ListKind::Race,
            &[
                ("american-indian-alaska-native", "American Indian or Alaska Native", "Indígena de las Américas o nativo de Alaska"),
                ("asian", "Asian", "Asiático"),
                ("black", "Black or African American", "Negro o afroamericano"),
                ("native-hawaiian-pacific-islander", "Native Hawaiian or Other Pacific Islander", "Nativo de Hawái u otras islas del Pacífico"),
                ("white", "White", "Blanco"),
            ],
        ),
        (ListKind::Ethnicity, &[("hispanic-latino", "Hispanic or Latino", "Hispano o latino"), ("not-hispanic-latino", "Not Hispanic or Latino", "No hispano ni latino")]),
        // Where the person lives, as coarse as a form asks: a program lists its counties or
        // the first three digits of its zip codes instead.
        (
            ListKind::Residence,
            &[
                ("this-county", "This county", "Este condado"),
                ("other-county", "Another county of the state", "Otro condado del estado"),
                ("out-of-state", "Out of state", "Fuera del estado"),
                ("no-fixed-address", "No fixed address", "Sin domicilio fijo"),
            ],
        ),
        // Services given on site, each logged with its outcome (D90).
        (
            ListKind::Delivered,
            &[
                ("hiv-test", "HIV test", "Prueba de VIH"),
                ("hcv-test", "HCV test", "Prueba de VHC"),
                ("vaccination", "Vaccination", "Vacunación"),
                ("wound-care", "Wound care given", "Cuidado de heridas dado"),
                ("moud", "Medication for opioid use disorder started or bridged", "Medicamentos para el trastorno por consumo de opioides iniciados o de puente"),
            ],
        ),
    ];
    for (kind, entries) in lists {
        for (position, (id, label, label_es)) in entries.iter().enumerate() {
            out.push(Setting::Choice(
                kind,
                Choice { id: (*id).into(), label: (*label).into(), label_es: Some((*label_es).into()), position: position as u32, active: true },
            ));
        }
    }
    // Estimates for 1 mL syringes; a program sets its own from what its containers hold.
    for (id, name, name_es, syringes_estimate) in [
        ("quart", "1-quart sharps container", "Contenedor de 1 cuarto de galón", 80),
        ("gallon", "1-gallon sharps container", "Contenedor de 1 galón", 320),
    ] {
        out.push(Setting::Container(ContainerType { id: id.into(), name: name.into(), name_es: Some(name_es.into()), syringes_estimate, active: true }));
    }
    let location = |id: &str, name: &str, name_es: &str| {
        Setting::Location(Location { id: id.into(), name: name.into(), name_es: Some(name_es.into()), active: true })
    };
    out.push(location("van-1", "Van 1", "Camioneta 1"));
    out.push(location("office", "Office shelf", "Estante de la oficina"));
    out
}
