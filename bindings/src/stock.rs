//! Stock levels and the movements a worker records.

use std::sync::Arc;

use satchel_core::Store;

use crate::plain::*;
use crate::error::{guard, SatchelError};

/// The current level of one item at one location.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct StockLevel {
    pub location_id: String,
    pub item_id: String,
    /// Units; negative when more was handed out than was recorded as received or counted.
    pub level: i64,
}

/// An item at or below its low-stock threshold.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct LowStockItem {
    pub location_id: String,
    pub item_id: String,
    pub level: i64,
    pub threshold: u32,
    /// None left: say "Out", not "Low".
    pub out: bool,
}

/// One active supply at a location, as the Stock screen shows it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct StockRow {
    pub item_id: String,
    pub name: String,
    /// The name in Spanish, where the program wrote one (D98).
    pub name_es: Option<String>,
    /// Units; negative when more was handed out than was recorded as received or counted.
    pub level: i64,
    /// Restock when the level reaches this.
    pub threshold: u32,
    /// At or below the threshold.
    pub low: bool,
    /// None left: say "Out", not "Low".
    pub out: bool,
}

/// Stock: levels, low-stock warnings, and the movements a worker records.
#[derive(uniffi::Object)]
pub struct Stock {
    pub(crate) store: Arc<Store>,
}

#[uniffi::export]
impl Stock {
    /// Levels at one location, or at all when `location_id` is `None`.
    pub fn levels(&self, location_id: Option<String>) -> Result<Vec<StockLevel>, SatchelError> {
        guard(|| {
            Ok(self
                .store
                .stock_levels(location_id.as_deref())?
                .into_iter()
                .map(|l| StockLevel { location_id: l.location, item_id: l.item, level: l.level })
                .collect())
        })
    }

    /// Every active supply at a location, in catalog order, with its level and whether it is
    /// low or out: the Stock screen's rows.
    pub fn rows(&self, location_id: String) -> Result<Vec<StockRow>, SatchelError> {
        guard(|| {
            Ok(self
                .store
                .stock_rows(&location_id)?
                .into_iter()
                .map(|r| StockRow { item_id: r.item, name: r.name, name_es: r.name_es, level: r.level, threshold: r.threshold, low: r.low, out: r.out })
                .collect())
        })
    }

    /// Items at or below their threshold at this device's location (or everywhere when the
    /// device has none).
    pub fn low_stock(&self) -> Result<Vec<LowStockItem>, SatchelError> {
        guard(|| {
            Ok(self
                .store
                .low_stock()?
                .into_iter()
                .map(|l| LowStockItem { location_id: l.location, item_id: l.item, level: l.level, threshold: l.threshold, out: l.out })
                .collect())
        })
    }

    /// Sets the location this device hands supplies out from (`None`: encounters take no stock).
    pub fn set_device_location(&self, location_id: Option<String>) -> Result<(), SatchelError> {
        guard(|| Ok(self.store.set_device_location(location_id.as_deref())?))
    }

    /// The location this device hands supplies out from.
    pub fn device_location(&self) -> Result<Option<String>, SatchelError> {
        guard(|| Ok(self.store.device_location()?))
    }

    /// Supplies arrived at a location.
    pub fn receive(&self, location_id: String, item_id: String, quantity: u32) -> Result<(), SatchelError> {
        guard(|| Ok(self.store.receive_stock(&location_id, &item_id, quantity).map(|_| ())?))
    }

    /// Moves stock between two locations.
    pub fn transfer(&self, from_location_id: String, to_location_id: String, item_id: String, quantity: u32) -> Result<(), SatchelError> {
        guard(|| Ok(self.store.transfer_stock(&from_location_id, &to_location_id, &item_id, quantity)?))
    }

    /// Corrects stock by a signed amount (negative for expired, damaged or lost supplies).
    pub fn adjust(&self, location_id: String, item_id: String, delta: i64, reason: AdjustReason) -> Result<(), SatchelError> {
        guard(|| Ok(self.store.adjust_stock(&location_id, &item_id, delta, reason).map(|_| ())?))
    }

    /// Records a physical count: the level now.
    pub fn count(&self, location_id: String, item_id: String, level: u32) -> Result<(), SatchelError> {
        guard(|| Ok(self.store.count_stock(&location_id, &item_id, level).map(|_| ())?))
    }
}
