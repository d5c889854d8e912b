//! Stock: the device's location, movements, levels and low stock.

use uuid::Uuid;

use super::Store;
use crate::error::{invalid, Result};
use crate::stock::{self, AdjustReason, MovementKind, MovementRecord, StockLevel};
use crate::meta::{self, MetaExt};
use crate::outbox::{self, Record};
use crate::validate::LIMITS;

/// A supply that has run low at a location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowStock {
    pub location: String,
    pub item: String,
    pub level: i64,
    pub threshold: u32,
    /// None left: "Out", not "Low".
    pub out: bool,
}

/// One active supply at a location, as the Stock screen shows it: its level and whether it is
/// low (at or below its threshold) or out (none left).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockRow {
    pub item: String,
    pub name: String,
    pub name_es: Option<String>,
    pub level: i64,
    pub threshold: u32,
    pub low: bool,
    pub out: bool,
}

impl StockRow {
    fn of(item: &crate::settings::SupplyItem, level: i64) -> StockRow {
        StockRow {
            item: item.id.clone(),
            name: item.name.clone(),
            name_es: item.name_es.clone(),
            level,
            threshold: item.low_stock_threshold,
            low: level <= item.low_stock_threshold as i64,
            // None left (a level of 0 or below, until a count sets it right): "Out", not "Low".
            out: level <= 0,
        }
    }
}

impl Store {
    /// Every active supply at `location`, in catalog order, with its level and low or out.
    pub fn stock_rows(&self, location: &str) -> Result<Vec<StockRow>> {
        self.read(|ctx, conn| {
            if ctx.settings.location(location).is_none() {
                return Err(crate::error::Error::NotFound { kind: "location", id: location.to_string() });
            }
            ctx.settings
                .items
                .iter()
                .filter(|i| i.active)
                .map(|item| Ok(StockRow::of(item, stock::level(conn, location, &item.id)?)))
                .collect()
        })
    }

    /// Sets the stock location this device hands supplies out from (`None`: no stock kept).
    pub fn set_device_location(&self, location: Option<&str>) -> Result<()> {
        self.write(|ctx, tx| {
            match location {
                Some(l) if !ctx.settings.location(l).is_some_and(|x| x.active) => {
                    return Err(invalid("location", format!("no active location {l}")))
                }
                Some(l) => tx.set_meta(&meta::LOCATION, l)?,
                None => {
                    tx.delete_meta(&meta::LOCATION)?;
                }
            }
            Ok(())
        })?;
        let mut guard = self.lock_session();
        if let Some(s) = guard.as_mut() {
            s.ctx.location = location.map(str::to_owned);
        }
        Ok(())
    }

    pub fn device_location(&self) -> Result<Option<String>> {
        self.read(|ctx, _| Ok(ctx.location.clone()))
    }

    /// Supplies arrived at a location.
    pub fn receive_stock(&self, location: &str, item: &str, quantity: u32) -> Result<Uuid> {
        LIMITS.stock_quantity.check("quantity", quantity as i64)?;
        self.movements(vec![(MovementKind::Received, location, item, quantity as i64, None, None)])
            .map(|ids| ids[0])
    }

    /// Moves stock from one location to another: one movement on each side.
    pub fn transfer_stock(&self, from: &str, to: &str, item: &str, quantity: u32) -> Result<()> {
        LIMITS.stock_quantity.check("quantity", quantity as i64)?;
        if from == to {
            return Err(invalid("to", "must differ from the source location"));
        }
        let q = quantity as i64;
        self.movements(vec![
            (MovementKind::Transferred, from, item, -q, None, Some(to)),
            (MovementKind::Transferred, to, item, q, None, Some(from)),
        ])
        .map(|_| ())
    }

    /// Corrects stock by a signed amount, for a reason.
    pub fn adjust_stock(&self, location: &str, item: &str, delta: i64, reason: AdjustReason) -> Result<Uuid> {
        if delta == 0 {
            return Err(invalid("delta", "must not be zero"));
        }
        LIMITS.stock_adjustment.check("delta", delta)?;
        self.movements(vec![(MovementKind::Adjusted, location, item, delta, Some(reason), None)])
            .map(|ids| ids[0])
    }

    /// Records a physical count: the level at this moment.
    pub fn count_stock(&self, location: &str, item: &str, level: u32) -> Result<Uuid> {
        LIMITS.stock_level.check("level", level as i64)?;
        self.movements(vec![(MovementKind::Counted, location, item, level as i64, None, None)])
            .map(|ids| ids[0])
    }

    #[allow(clippy::type_complexity)]
    fn movements(
        &self,
        list: Vec<(MovementKind, &str, &str, i64, Option<AdjustReason>, Option<&str>)>,
    ) -> Result<Vec<Uuid>> {
        let now = self.now();
        self.write(|ctx, tx| {
            let mut ids = Vec::new();
            for (kind, location, item, quantity, reason, counterpart) in list {
                if !ctx.settings.location(location).is_some_and(|l| l.active) {
                    return Err(invalid("location", format!("no active location {location}")));
                }
                if ctx.settings.item(item).is_none() {
                    return Err(invalid("item", format!("unknown item {item}")));
                }
                let m = MovementRecord {
                    id: Uuid::now_v7(),
                    author: ctx.device,
                    kind,
                    location: location.into(),
                    item: item.into(),
                    quantity,
                    occurred_at: now.timestamp(),
                    reason,
                    counterpart: counterpart.map(str::to_owned),
                };
                stock::insert(tx, &m)?;
                outbox::enqueue(tx, &Record::Movement(m.clone()), now.timestamp())?;
                ids.push(m.id);
            }
            Ok(ids)
        })
    }

    /// Current levels, at one location or all.
    pub fn stock_levels(&self, location: Option<&str>) -> Result<Vec<StockLevel>> {
        self.read(|_, conn| stock::levels(conn, location))
    }

    /// Active items at or below their low-stock threshold, at this device's location (or at every
    /// location when the device has none).
    pub fn low_stock(&self) -> Result<Vec<LowStock>> {
        self.read(|ctx, conn| {
            let locations: Vec<&str> = match &ctx.location {
                Some(l) => vec![l.as_str()],
                None => ctx.settings.locations.iter().filter(|l| l.active).map(|l| l.id.as_str()).collect(),
            };
            let mut out = Vec::new();
            for location in locations {
                for item in ctx.settings.items.iter().filter(|i| i.active) {
                    let row = StockRow::of(item, stock::level(conn, location, &item.id)?);
                    if row.low {
                        out.push(LowStock { location: location.into(), item: row.item, level: row.level, threshold: row.threshold, out: row.out });
                    }
                }
            }
            Ok(out)
        })
    }
}
