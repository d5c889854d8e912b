//! The services directory on the phone: the services that meet a referral type, open ones
//! first, and the hand-over card of one, in the participant's language. The core decides what
//! is open and writes the card; the apps only show it.

use satchel_core::directory;
pub use satchel_core::directory::{card::HandoverCard, ServiceAccess, CardLanguage, Opening, Service, ServiceText};

use crate::error::{guard, SatchelError};
use crate::program::ProgramInfo;

/// A language of the directory and the hand-over card, set apart from the app's own.
#[uniffi::remote(Enum)]
pub enum CardLanguage {
    English,
    Spanish,
}

/// How a participant gets in.
#[uniffi::remote(Enum)]
pub enum ServiceAccess {
    WalkIn,
    Appointment,
    WalkInOrAppointment,
}

/// A text in English and, where the program wrote it, Spanish.
#[uniffi::remote(Record)]
pub struct ServiceText {
    pub en: String,
    pub es: Option<String>,
}

/// One opening: "mon" … "sun", "HH:MM" to "HH:MM" on the program's clock (a closing time at or
/// before the opening runs past midnight).
#[uniffi::remote(Record)]
pub struct Opening {
    pub day: String,
    pub opens: String,
    pub closes: String,
}

/// A service of the directory.
#[uniffi::remote(Record)]
pub struct Service {
    pub id: String,
    pub name: ServiceText,
    pub referral_types: Vec<String>,
    pub area: ServiceText,
    pub hours: Vec<Opening>,
    pub phone: Option<String>,
    pub access: ServiceAccess,
    pub requires_id: bool,
    pub requires_insurance: bool,
    pub requires_sobriety: bool,
    pub languages: Vec<String>,
    pub notes: Option<ServiceText>,
    pub active: bool,
}

/// The hand-over card: large text for the screen, and the QR code's payload (a vCard of the
/// service; nothing about the participant).
#[uniffi::remote(Record)]
pub struct HandoverCard {
    pub title: String,
    pub lines: Vec<String>,
    /// False when some text is in English because the program wrote no Spanish for it.
    pub in_language: bool,
    pub payload: String,
}

/// Whether a service is open now, on the program's clock; times are "HH:MM", days "mon" … "sun".
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum OpenStatus {
    /// Open; closes at this time (none: open past tomorrow).
    Open { closes: Option<String> },
    /// Closed; opens next on this day at this time (none: no opening listed).
    Closed { opens_day: Option<String>, opens_at: Option<String> },
    /// No hours given: call or ask first.
    Unknown,
}

impl From<&directory::Status> for OpenStatus {
    fn from(s: &directory::Status) -> Self {
        let hm = |t: &chrono::NaiveTime| t.format("%H:%M").to_string();
        match s {
            directory::Status::Open { closes } => OpenStatus::Open { closes: closes.as_ref().map(hm) },
            directory::Status::Closed { opens } => OpenStatus::Closed {
                opens_day: opens.map(|(d, _)| d.to_string().to_lowercase()),
                opens_at: opens.as_ref().map(|(_, t)| hm(t)),
            },
            directory::Status::Unknown => OpenStatus::Unknown,
        }
    }
}

/// A service that meets a referral type, with whether it is open now.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ServiceMatch {
    pub service: Service,
    pub status: OpenStatus,
}

#[uniffi::export]
impl ProgramInfo {
    /// The active services that meet any of the referral types (those chosen on the sheet),
    /// each once, open ones first (this phone's clock, the program's time zone). Works offline:
    /// the directory comes with the settings.
    pub fn services_for(&self, referral_type_ids: Vec<String>) -> Result<Vec<ServiceMatch>, SatchelError> {
        guard(|| {
            Ok(self
                .store
                .services_for(&referral_type_ids)?
                .into_iter()
                .map(|m| ServiceMatch { status: (&m.status).into(), service: m.service })
                .collect())
        })
    }

    /// The hand-over card of a service in the participant's language.
    pub fn handover_card(&self, service_id: String, language: CardLanguage) -> Result<HandoverCard, SatchelError> {
        guard(|| Ok(self.store.handover_card(&service_id, language)?))
    }
}

/// Test builds only (feature `testing`): a manager writes a service as `satchel program edit`
/// does, so the apps' tests can put one in a real program.
#[cfg(feature = "testing")]
#[uniffi::export]
impl ProgramInfo {
    pub fn put_service_for_testing(&self, service: Service) -> Result<(), SatchelError> {
        guard(|| Ok(self.store.put_setting(satchel_core::Setting::Service(service))?))
    }

    /// A zone, as `satchel program edit` writes one (a test can leave out its Spanish label).
    pub fn put_zone_for_testing(&self, zone: crate::program::Choice) -> Result<(), SatchelError> {
        guard(|| Ok(self.store.put_setting(satchel_core::Setting::Choice(satchel_core::ListKind::Zone, zone))?))
    }
}
