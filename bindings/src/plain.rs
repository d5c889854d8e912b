//! The core's plain enums (and records whose fields the apps read as they are), handed to the
//! apps as they are.
//!
//! Each is declared here as a uniffi remote type: a mirror of the core's definition that uniffi
//! turns into the foreign-language type, with no copy of the type and no conversion in Rust.
//! The compiler checks each mirror against the core (a variant added or missing on either side
//! does not build), so the core stays the one definition. Docs for the apps are written here.

/// What a device is for.
pub type DeviceRole = satchel_core::Role;
pub use satchel_core::pin::PinProblem;
pub use satchel_core::{AdjustReason, ContactType, ContainerType, Granularity, ItemCategory, NaloxoneKit, Outcome};

/// What a device is for.
#[uniffi::remote(Enum)]
pub enum DeviceRole {
    /// An outreach worker's phone.
    Outreach,
    /// A program manager's device.
    Manager,
}

/// How the worker met the participant.
#[uniffi::remote(Enum)]
pub enum ContactType {
    Street,
    MobileUnit,
    DropIn,
    PeerDelivery,
    PhoneText,
}

/// What came of a service delivered on site.
#[uniffi::remote(Enum)]
pub enum Outcome {
    /// Given: a test done, a vaccine given, a wound dressed.
    Done,
    /// Given, and the person linked to care for what followed.
    LinkedToCare,
}

/// Why a naloxone kit was given: the person's first, or a refill and why it was needed.
#[uniffi::remote(Enum)]
pub enum NaloxoneKit {
    First,
    /// The last kit was used on someone.
    RefillUsed,
    RefillLost,
    /// Taken by police or security.
    RefillConfiscated,
    RefillExpired,
    RefillOther,
}

/// Why stock was adjusted.
#[uniffi::remote(Enum)]
pub enum AdjustReason {
    Expired,
    Damaged,
    Lost,
    Other,
}

/// Supply categories, as funders group them.
#[uniffi::remote(Enum)]
pub enum ItemCategory {
    Syringes,
    Naloxone,
    DrugChecking,
    SaferSmoking,
    WoundCare,
    Hygiene,
    SexualHealth,
    Other,
}

/// A kind of sharps container returned syringes come back in, with the program's estimate of
/// the syringes one full container holds.
#[uniffi::remote(Record)]
pub struct ContainerType {
    pub id: String,
    pub name: String,
    /// The name in Spanish, where the program wrote one (D98).
    pub name_es: Option<String>,
    pub syringes_estimate: u32,
    pub active: bool,
}

/// How to bucket a period.
#[uniffi::remote(Enum)]
pub enum Granularity {
    /// Local calendar days.
    Day,
    /// Weeks starting on Monday.
    Week,
    Month,
}

/// Why a PIN a worker chose was refused; the app shows each in the worker's language.
#[uniffi::remote(Enum)]
pub enum PinProblem {
    /// Something other than digits.
    NotDigits,
    /// Fewer than 4 or more than 8 digits.
    Length,
    /// One digit repeated (0000).
    OneDigit,
    /// Digits in a row, up or down (1234, 9876).
    Run,
    /// A short block repeated (1212, 123123).
    Pattern,
    /// One of the most common PINs.
    Common,
}
