//! The stock ledger: signed movements per (location, item), and levels derived from them. One
//! word for the concept in the code: stock (the sync stream keeps its wire name, `inventory`).
//!
//! Level of (location, item) = the latest physical count by `occurred_at` (ties by id) plus every
//! delta after it in the same order. The level is a function of the set of movements, never of
//! the order they arrived in, so devices that receive each other's movements in any order agree.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};

/// What a movement records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// Supplies arrived (positive delta).
    Received,
    /// Handed out in an encounter (negative; positive when a correction or void gives back).
    Distributed,
    /// One side of a transfer between locations.
    Transferred,
    /// A correction with a reason (expired, damaged, lost, other).
    Adjusted,
    /// A physical count: `quantity` is the absolute level at that time.
    Counted,
}

impl MovementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Received => "received",
            MovementKind::Distributed => "distributed",
            MovementKind::Transferred => "transferred",
            MovementKind::Adjusted => "adjusted",
            MovementKind::Counted => "counted",
        }
    }
    pub fn parse(s: &str) -> Option<MovementKind> {
        [Self::Received, Self::Distributed, Self::Transferred, Self::Adjusted, Self::Counted]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Why stock was adjusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustReason {
    Expired,
    Damaged,
    Lost,
    Other,
}

impl AdjustReason {
    pub fn as_str(self) -> &'static str {
        match self {
            AdjustReason::Expired => "expired",
            AdjustReason::Damaged => "damaged",
            AdjustReason::Lost => "lost",
            AdjustReason::Other => "other",
        }
    }
}

/// One ledger entry, as stored and as sent to teammates. It holds nothing of the participant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovementRecord {
    pub id: Uuid,
    pub author: Uuid,
    pub kind: MovementKind,
    pub location: String,
    pub item: String,
    /// Signed delta, or the absolute level for a count.
    pub quantity: i64,
    /// Unix seconds.
    pub occurred_at: i64,
    pub reason: Option<AdjustReason>,
    /// The other location of a transfer.
    pub counterpart: Option<String>,
}

impl MovementRecord {
    /// Shape checks for a record from another device.
    pub fn check(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::BadRecord(format!("movement: {m}")));
        if self.location.is_empty() || self.location.len() > 40 || self.item.is_empty() || self.item.len() > 40 {
            return bad("location or item id out of shape");
        }
        if self.kind == MovementKind::Counted && self.quantity < 0 {
            return bad("a count cannot be negative");
        }
        if self.quantity.abs() > 10_000_000 {
            return bad("quantity out of range");
        }
        Ok(())
    }
}

/// Stores a movement unless one with its id is already there; returns whether it was new.
pub fn insert(conn: &Connection, m: &MovementRecord) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO stock_movement
               (id, author, kind, location, item, quantity, occurred_at, reason, counterpart)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            m.id.as_bytes().as_slice(),
            m.author.as_bytes().as_slice(),
            m.kind.as_str(),
            m.location,
            m.item,
            m.quantity,
            m.occurred_at,
            m.reason.map(AdjustReason::as_str),
            m.counterpart,
        ])?;
    Ok(n == 1)
}

/// The current level of one item at one location.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StockLevel {
    pub location: String,
    pub item: String,
    pub level: i64,
}

/// Level of one (location, item).
pub fn level(conn: &Connection, location: &str, item: &str) -> Result<i64> {
    let last_count: Option<(i64, i64, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT quantity, occurred_at, id FROM stock_movement
             WHERE location = ?1 AND item = ?2 AND kind = 'counted'
             ORDER BY occurred_at DESC, id DESC LIMIT 1",
        )?
        .query_row(params![location, item], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let (base, after_at, after_id) = match last_count {
        Some((q, at, id)) => (q, at, id),
        None => (0, i64::MIN, Vec::new()),
    };
    let deltas: i64 = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(quantity), 0) FROM stock_movement
             WHERE location = ?1 AND item = ?2 AND kind != 'counted' AND (occurred_at, id) > (?3, ?4)",
        )?
        .query_row(params![location, item, after_at, after_id], |r| r.get(0))?;
    Ok(base + deltas)
}

/// Levels of every (location, item) that has movements, optionally at one location.
pub fn levels(conn: &Connection, location: Option<&str>) -> Result<Vec<StockLevel>> {
    let pairs: Vec<(String, String)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT location, item FROM stock_movement
             WHERE ?1 IS NULL OR location = ?1 ORDER BY location, item",
        )?;
        let rows = stmt.query_map([location], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    pairs
        .into_iter()
        .map(|(location, item)| {
            let level = level(conn, &location, &item)?;
            Ok(StockLevel { location, item, level })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ledger() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(include_str!("../migrations/0001_initial.sql")).unwrap();
        conn
    }

    fn mv(kind: MovementKind, quantity: i64, at: i64, id: u128) -> MovementRecord {
        MovementRecord {
            id: Uuid::from_u128(id),
            author: Uuid::from_u128(1),
            kind,
            location: "van-1".into(),
            item: "syringe-1ml".into(),
            quantity,
            occurred_at: at,
            reason: None,
            counterpart: None,
        }
    }

    #[test]
    fn count_resets_and_later_deltas_add() {
        let conn = ledger();
        insert(&conn, &mv(MovementKind::Received, 500, 10, 1)).unwrap();
        insert(&conn, &mv(MovementKind::Distributed, -20, 20, 2)).unwrap();
        assert_eq!(level(&conn, "van-1", "syringe-1ml").unwrap(), 480);
        insert(&conn, &mv(MovementKind::Counted, 470, 30, 3)).unwrap();
        insert(&conn, &mv(MovementKind::Distributed, -10, 40, 4)).unwrap();
        // A delta that happened before the count but arrives later changes nothing.
        insert(&conn, &mv(MovementKind::Distributed, -5, 25, 5)).unwrap();
        assert_eq!(level(&conn, "van-1", "syringe-1ml").unwrap(), 460);
        // Re-inserting a known movement is ignored.
        assert!(!insert(&conn, &mv(MovementKind::Distributed, -10, 40, 4)).unwrap());
        assert_eq!(level(&conn, "van-1", "syringe-1ml").unwrap(), 460);
    }

    #[test]
    fn ties_on_time_are_broken_by_id() {
        let conn = ledger();
        insert(&conn, &mv(MovementKind::Counted, 100, 50, 10)).unwrap();
        insert(&conn, &mv(MovementKind::Distributed, -3, 50, 9)).unwrap(); // before the count
        insert(&conn, &mv(MovementKind::Distributed, -4, 50, 11)).unwrap(); // after it
        assert_eq!(level(&conn, "van-1", "syringe-1ml").unwrap(), 96);
    }

    fn arb_movement() -> impl Strategy<Value = MovementRecord> {
        (0u8..5, -50i64..200, 0i64..20, any::<u128>(), 0usize..2, 0usize..2).prop_map(
            |(k, q, at, id, loc, item)| {
                let kind = [
                    MovementKind::Received,
                    MovementKind::Distributed,
                    MovementKind::Transferred,
                    MovementKind::Adjusted,
                    MovementKind::Counted,
                ][k as usize];
                MovementRecord {
                    quantity: if kind == MovementKind::Counted { q.abs() } else { q },
                    location: ["van-1", "office"][loc].into(),
                    item: ["syringe-1ml", "naloxone-nasal"][item].into(),
                    ..mv(kind, 0, at, id)
                }
            },
        )
    }

    proptest! {
        #[test]
        fn levels_do_not_depend_on_arrival_order(
            movements in prop::collection::vec(arb_movement(), 0..40),
            seed in any::<u64>(),
        ) {
            let a = ledger();
            for m in &movements { insert(&a, m).unwrap(); }
            // Another device receives the same movements shuffled, some twice.
            let mut shuffled = movements.clone();
            let mut s = seed;
            for i in (1..shuffled.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (s >> 33) as usize % (i + 1));
            }
            let b = ledger();
            for m in shuffled.iter().chain(movements.iter().take(5)) { insert(&b, m).unwrap(); }
            prop_assert_eq!(levels(&a, None).unwrap(), levels(&b, None).unwrap());
        }
    }
}
