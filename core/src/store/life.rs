//! The store's life: made in a folder, opened locked.

use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use rusqlite::params;
use uuid::Uuid;

use super::unlock::read_header;
use super::{CreateOptions, Store};
use crate::crypto::{self, SecretKey};
use crate::error::{invalid, Error, Result};
use crate::keyfile::{self, KeyFile, StorePaths};
use crate::meta::{self, MetaExt};
use crate::schema;
use crate::settings;

impl Store {
    /// Makes a new store in `dir`. Refuses when any part of a store is already there.
    pub fn create(dir: &Path, opts: CreateOptions) -> Result<Store> {
        let paths = StorePaths::new(dir);
        if opts.pin.is_none() && opts.platform_key.is_none() {
            return Err(invalid("unlock", "give a PIN, a platform key, or both"));
        }
        if let Some(pin) = &opts.pin {
            keyfile::validate_pin("pin", pin)?;
        }
        if paths.all_files().iter().any(|p| p.exists()) {
            return Err(Error::AlreadyExists(dir.to_path_buf()));
        }
        fs::create_dir_all(dir)?;
        let result = Self::create_files(&paths, &opts);
        if result.is_err() {
            // Nothing existed before this call (checked above), so what it made holds no data.
            for p in paths.all_files() {
                let _ = fs::remove_file(p);
            }
        }
        let store = Store { paths, clock: Arc::new(Utc::now), session: Mutex::new(None), sync_turn: Mutex::new(()) };
        let db_key = result?;
        store.start_session(db_key)?;
        Ok(store)
    }

    fn create_files(paths: &StorePaths, opts: &CreateOptions) -> Result<SecretKey> {
        let db_key = crypto::random_key();
        let salt = crypto::random_bytes::<16>();
        let store_id = crypto::random_bytes::<16>();
        let now = Utc::now().timestamp();
        let mut conn = schema::open(&paths.db(), &db_key, &salt, true)?;
        schema::migrate(&mut conn)?;
        let tx = conn.transaction()?;
        tx.set_meta(&meta::STORE_ID, &store_id[..])?;
        tx.set_meta(&meta::DEVICE_ID, &Uuid::now_v7().as_bytes()[..])?;
        tx.set_meta(&meta::ROLE, opts.role.as_str())?;
        tx.set_meta(&meta::PROGRAM_ID, &Uuid::now_v7().as_bytes()[..])?;
        tx.set_meta(&meta::CREATED_AT, &now)?;
        tx.set_meta(&meta::HLC, &0i64)?;
        // A standalone store gets its own program keys; enrollment replaces them.
        for purpose in ["participant", "data"] {
            tx.execute(
                "INSERT INTO program_key (purpose, epoch, key) VALUES (?1, 1, ?2)",
                params![purpose, &crypto::random_key()[..]],
            )?;
        }
        // Starter settings at stamp zero: any setting a manager writes wins over them.
        for s in settings::starter() {
            settings::put_if_newer(&tx, &s.key(), &s.to_json(), 0, [0; 16])?;
        }
        tx.commit()?;
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        drop(conn);
        if read_header(&paths.db())? != salt {
            return Err(Error::Damaged("the new database did not take its salt".into()));
        }
        let mut kf = KeyFile::new(store_id, salt);
        if let Some(pin) = &opts.pin {
            kf.wrap_with_pin(&db_key, pin, opts.kdf)?;
        }
        if let Some(pk) = &opts.platform_key {
            kf.wrap_with_platform_key(&db_key, pk);
        }
        kf.save(paths)?;
        Ok(db_key)
    }

    /// Opens an existing store, locked.
    pub fn open(dir: &Path) -> Result<Store> {
        let paths = StorePaths::new(dir);
        KeyFile::load(&paths)?;
        Ok(Store { paths, clock: Arc::new(Utc::now), session: Mutex::new(None), sync_turn: Mutex::new(()) })
    }
}
