//! Manager: the enrollment codes issued and not yet used, cancelling one, and the labels in use
//! (a new device may not take a label an active device or an open code already has).

use satchel_protocol::wire::EnrollmentInfo;

use super::{refused, HubCalls, Transport};
use crate::error::{invalid, Result};
use crate::store::Store;

/// An open enrollment code on the manager's list, its label opened.
pub type Enrollment = EnrollmentInfo;

impl Store {
    /// A label as the hub holds it, opened with the reporting key when it is sealed (D73).
    pub(super) fn opened_label(&self, label: &str) -> Result<String> {
        if !satchel_protocol::label::is_sealed(label) {
            return Ok(label.to_string());
        }
        let private = self.program_keys()?.reporting_private;
        Ok(private
            .as_ref()
            .and_then(|k| satchel_protocol::label::open_label(k, label))
            .unwrap_or_else(|| "(sealed to another reporting key)".into()))
    }

    /// Manager: the codes issued and not yet used or expired, soonest to expire first.
    pub fn list_enrollments(&self, transport: &dyn Transport) -> Result<Vec<Enrollment>> {
        let mut s = HubCalls { transport, credential: Some(self.credential()?), requests: 0 };
        let mut codes: Vec<Enrollment> = s.call("/v1/enrollments", None)?;
        for c in &mut codes {
            c.label = self.opened_label(&c.label)?;
        }
        Ok(codes)
    }

    /// Manager: cancels an open code by its id (`list_enrollments`); the keys sealed in it are
    /// deleted from the hub.
    pub fn cancel_enrollment(&self, id: &str, transport: &dyn Transport) -> Result<()> {
        if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid("id", "an enrollment code's id is 16 hexadecimal digits (satchel device codes lists them)"));
        }
        let mut s = HubCalls { transport, credential: Some(self.credential()?), requests: 0 };
        let reply = s.call_raw(&format!("/v1/enrollments/{}/cancel", id.to_ascii_lowercase()), Some(Vec::new()))?;
        if !matches!(reply.status, 200 | 204) {
            return Err(refused(&reply));
        }
        Ok(())
    }

    /// Refuses `label` when an active device or an open code has it already (ignoring case and
    /// spaces around it): two phones called "Van 1" cannot be told apart when one is lost.
    pub(super) fn check_label_free(&self, label: &str, s: &mut HubCalls<'_>) -> Result<()> {
        let same = |other: &str| other.trim().to_lowercase() == label.trim().to_lowercase();
        let devices: Vec<super::Device> = s.call("/v1/devices", None)?;
        for d in devices.iter().filter(|d| !d.revoked) {
            if same(&self.opened_label(&d.label)?) {
                return Err(invalid("label", format!("{label:?} is already the label of an active device; choose another (satchel device list)")));
            }
        }
        let codes: Vec<Enrollment> = s.call("/v1/enrollments", None)?;
        for c in &codes {
            if same(&self.opened_label(&c.label)?) {
                return Err(invalid("label", format!("{label:?} is already the label of an open enrollment code; choose another, or cancel that code (satchel device codes)")));
            }
        }
        Ok(())
    }
}
