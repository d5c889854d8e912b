//! The store's life: made in a folder, opened locked.

use std::fs;
use std::path::Path;
use chrono::Utc;
use rusqlite::params;
use uuid::Uuid;

use super::unlock::read_header;
use super::{CreateOptions, Store};
use crate::crypto::{self, SecretKey};
use crate::error::{invalid, Error, Result};
use crate::hardware::KeyPurpose;
use crate::keyfile::{self, KeyFile, StorePaths};
use crate::meta::{self, MetaExt};
use crate::schema;
use crate::settings;

impl Store {
    /// Makes a new store in `dir`. Refuses when any part of a store is already there.
    pub fn create(dir: &Path, opts: CreateOptions) -> Result<Store> {
        let paths = StorePaths::new(dir);
        keyfile::validate_pin("pin", &opts.pin)?;
        if opts.background && opts.hardware.is_none() {
            return Err(invalid("background", "background sync needs the phone's keystore"));
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
        let store = Store::new_locked(paths, opts.hardware.clone());
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
        // Owner-only before anything is written; the WAL and shared-memory files take the
        // database file's mode.
        keyfile::make_private(paths)?;
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
        let hardware = opts.hardware.as_deref();
        if let Some(hw) = hardware {
            hw.create(KeyPurpose::Pin)?;
        }
        kf.wrap_with_pin(&db_key, &opts.pin, opts.kdf, hardware)?;
        if let (true, Some(hw)) = (opts.background, hardware) {
            hw.create(KeyPurpose::Background)?;
            kf.wrap_with_hardware(&db_key, KeyPurpose::Background, hw)?;
        }
        if opts.role == settings::Role::Outreach {
            kf.wipe_after = Some(crate::pin::DEFAULT_WIPE_AFTER);
        }
        kf.save(paths)?;
        keyfile::make_private(paths)?;
        Ok(db_key)
    }

    /// Opens an existing store, locked.
    pub fn open(dir: &Path) -> Result<Store> {
        let paths = StorePaths::new(dir);
        KeyFile::load(&paths)?;
        Ok(Store::new_locked(paths, None))
    }
}
