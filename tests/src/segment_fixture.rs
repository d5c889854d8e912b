//! A program's sealed segments as one format wrote them, with the keys to open them and what
//! they hold, so that every later build is tested on reading them (`tests/tests/segment_replay.rs`).
//! `cargo run -p satchel-e2e --example segment_fixture -- DIR` writes one.

use chrono::{DateTime, NaiveDate, Utc};
use satchel_core::crypto::SecretKey;
use satchel_core::tally::{Measures, TallyQuery};
use satchel_core::{ProgramKeys, StockLevel, Store};
use satchel_protocol::SealedSegment;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The fixture's file in its directory.
pub const FILE: &str = "segments.json";

/// What the writing device's store held, to compare the replay with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expected {
    pub records: usize,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: Measures,
    pub stock: Vec<(String, String, i64)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Fixture {
    /// The format that wrote it, for the reader of the file.
    pub written_by: String,
    pub program: Uuid,
    #[serde(with = "hex::serde")]
    pub participant_key: Vec<u8>,
    #[serde(with = "hex::serde")]
    pub data_key: Vec<u8>,
    pub epoch: u32,
    /// Each sealed segment as it travels (CBOR), in hex.
    #[serde(with = "as_cbor_hex")]
    pub segments: Vec<SealedSegment>,
    pub expected: Expected,
}

mod as_cbor_hex {
    use satchel_protocol::{wire, SealedSegment};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(segments: &[SealedSegment], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(segments.iter().map(|x| hex::encode(wire::to_cbor(x))))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<SealedSegment>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|h| {
                let bytes = hex::decode(h).map_err(serde::de::Error::custom)?;
                wire::from_cbor(&bytes).map_err(serde::de::Error::custom)
            })
            .collect()
    }
}

impl Fixture {
    pub fn keys(&self) -> ProgramKeys {
        let key = |b: &[u8]| -> SecretKey { zeroize::Zeroizing::new(<[u8; 32]>::try_from(b).expect("a 32-byte key")) };
        ProgramKeys { program: self.program, participant_key: key(&self.participant_key), data_key: key(&self.data_key), epoch: self.epoch, reporting_public: None, reporting_private: None, older: vec![] }
    }
}

/// What `store` holds, as a replay should find it.
pub fn expected(store: &Store, records: usize, from: NaiveDate, to: NaiveDate) -> Expected {
    let total = store.tally(&TallyQuery::period(from, to)).expect("a tally").total;
    let stock = store
        .stock_levels(None)
        .expect("stock levels")
        .into_iter()
        .filter(|l: &StockLevel| l.level != 0)
        .map(|l| (l.location, l.item, l.level))
        .collect();
    Expected { records, from, to, total, stock }
}

/// The first and last day a tally over `encounters` must cover.
pub fn span(times: impl Iterator<Item = DateTime<Utc>>) -> (NaiveDate, NaiveDate) {
    let days: Vec<NaiveDate> = times.map(|t| t.date_naive()).collect();
    let first = days.iter().min().copied().unwrap_or_default();
    let last = days.iter().max().copied().unwrap_or_default();
    (first - chrono::Duration::days(1), last + chrono::Duration::days(1))
}
