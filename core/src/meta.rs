//! The `meta` table: the store's own facts, one row per key (its ids, role, clock, where sync
//! stands). A leaf: it knows only SQL. Each key names the type it holds, so a reader cannot ask
//! for a count where a text was written.

use std::borrow::Cow;
use std::marker::PhantomData;

use rusqlite::types::FromSql;
use rusqlite::{params, Connection, OptionalExtension, ToSql};

use crate::error::Result;

/// A key of the `meta` table and the type of its value.
pub(crate) struct Key<T> {
    name: Cow<'static, str>,
    value: PhantomData<fn() -> T>,
}

impl<T> Key<T> {
    const fn fixed(name: &'static str) -> Self {
        Key { name: Cow::Borrowed(name), value: PhantomData }
    }

    /// A key made at run time (one per other device's stream, say).
    pub(crate) fn named(name: String) -> Self {
        Key { name: Cow::Owned(name), value: PhantomData }
    }
}

/// The participant-reference version enrollment gave (D74): a phone computes at least this
/// version from its first encounter, before it has pulled the program's settings.
pub(crate) const PARTICIPANT_REFERENCES: Key<i64> = Key::fixed("participant_references");

// The store's identity.
pub(crate) const STORE_ID: Key<Vec<u8>> = Key::fixed("store_id");
pub(crate) const DEVICE_ID: Key<Vec<u8>> = Key::fixed("device_id");
pub(crate) const ROLE: Key<String> = Key::fixed("role");
pub(crate) const PROGRAM_ID: Key<Vec<u8>> = Key::fixed("program_id");
pub(crate) const CREATED_AT: Key<i64> = Key::fixed("created_at");
/// The last hybrid-logical-clock stamp given to a setting.
pub(crate) const HLC: Key<i64> = Key::fixed("hlc");
/// The release of the zone rules the stored local days were computed with (D60).
pub(crate) const ZONE_RULES: Key<String> = Key::fixed("zone_rules");
/// The stock location this device hands supplies out from.
pub(crate) const LOCATION: Key<String> = Key::fixed("location");

// Sync.
pub(crate) const SYNC_SERVER: Key<String> = Key::fixed("sync_server");
pub(crate) const SYNC_CREDENTIAL: Key<String> = Key::fixed("sync_credential");
pub(crate) const PULL_CURSOR: Key<i64> = Key::fixed("pull_cursor");
pub(crate) const SYNC_LAST_SUCCESS: Key<i64> = Key::fixed("sync_last_success");
pub(crate) const SYNC_LAST_ERROR: Key<String> = Key::fixed("sync_last_error");
pub(crate) const SYNC_FAILURES: Key<i64> = Key::fixed("sync_failures");
pub(crate) const SYNC_NEXT_ATTEMPT: Key<i64> = Key::fixed("sync_next_attempt");
pub(crate) const SYNC_QUARANTINED: Key<i64> = Key::fixed("sync_quarantined");
pub(crate) const SYNC_LAST_QUARANTINED: Key<String> = Key::fixed("sync_last_quarantined");
pub(crate) const SYNC_HOLES: Key<i64> = Key::fixed("sync_holes");
pub(crate) const SYNC_LAST_HOLE: Key<String> = Key::fixed("sync_last_hole");

/// Reads and writes `meta` on a connection or a transaction.
pub(crate) trait MetaExt {
    fn meta<T: FromSql>(&self, key: &Key<T>) -> Result<Option<T>>;
    fn set_meta<T: ToSql + ?Sized, K>(&self, key: &Key<K>, value: &T) -> Result<()>
    where
        K: std::borrow::Borrow<T>;
    fn delete_meta<T>(&self, key: &Key<T>) -> Result<()>;

    /// A counter's value, 0 when never set.
    fn meta_count(&self, key: &Key<i64>) -> Result<i64> {
        Ok(self.meta(key)?.unwrap_or(0))
    }
}

impl MetaExt for Connection {
    fn meta<T: FromSql>(&self, key: &Key<T>) -> Result<Option<T>> {
        Ok(self.query_row("SELECT value FROM meta WHERE key = ?1", [&key.name], |r| r.get(0)).optional()?)
    }

    fn set_meta<T: ToSql + ?Sized, K>(&self, key: &Key<K>, value: &T) -> Result<()>
    where
        K: std::borrow::Borrow<T>,
    {
        self.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key.name, value],
        )?;
        Ok(())
    }

    fn delete_meta<T>(&self, key: &Key<T>) -> Result<()> {
        self.execute("DELETE FROM meta WHERE key = ?1", [&key.name])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_delete() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(include_str!("../migrations/0001_initial.sql")).unwrap();
        assert_eq!(conn.meta(&ROLE).unwrap(), None);
        conn.set_meta(&ROLE, "manager").unwrap();
        conn.set_meta(&ROLE, "outreach").unwrap();
        assert_eq!(conn.meta(&ROLE).unwrap().as_deref(), Some("outreach"));
        conn.set_meta(&DEVICE_ID, &[1u8, 2, 3][..]).unwrap();
        assert_eq!(conn.meta(&DEVICE_ID).unwrap(), Some(vec![1, 2, 3]));
        assert_eq!(conn.meta_count(&SYNC_HOLES).unwrap(), 0);
        conn.set_meta(&SYNC_HOLES, &4i64).unwrap();
        assert_eq!(conn.meta_count(&SYNC_HOLES).unwrap(), 4);
        let dynamic: Key<i64> = Key::named("arrived:x:inventory".into());
        conn.set_meta(&dynamic, &7i64).unwrap();
        assert_eq!(conn.meta(&dynamic).unwrap(), Some(7));
        conn.delete_meta(&ROLE).unwrap();
        assert_eq!(conn.meta(&ROLE).unwrap(), None);
    }
}
