//! The services directory on this device: which services meet a referral type, open ones first
//! by this device's clock in the program's time zone, and the hand-over card of one of them.
//! Nothing is written.

use super::Store;
use crate::directory::{self, card::HandoverCard, CardLanguage, ServiceMatch};
use crate::error::{Error, Result};

impl Store {
    /// The active services that meet any of `referral_types`, each once, open ones first.
    pub fn services_for<S: AsRef<str>>(&self, referral_types: &[S]) -> Result<Vec<ServiceMatch>> {
        let now = self.now();
        self.read(|ctx, _| Ok(directory::services_for(&ctx.settings, referral_types, now)))
    }

    /// The hand-over card of a service, in the participant's language.
    pub fn handover_card(&self, service_id: &str, language: CardLanguage) -> Result<HandoverCard> {
        self.read(|ctx, _| {
            let service = ctx
                .settings
                .services
                .iter()
                .find(|s| s.id == service_id)
                .ok_or_else(|| Error::NotFound { kind: "service", id: service_id.to_string() })?;
            Ok(directory::card::card(service, language))
        })
    }
}
