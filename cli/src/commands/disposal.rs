//! `satchel disposal`: syringes sent for disposal, counted or weighed at the office (D91).

use chrono::{NaiveDate, NaiveTime};
use clap::Subcommand;
use satchel_core::disposal::{Disposed, NewDisposal};
use satchel_core::Zone;

use crate::error::Result;
use crate::manager::{self, Manager};

#[derive(Subcommand)]
pub enum DisposalCommand {
    /// Logs used syringes sent for disposal, counted (`--syringes`) or weighed (`--pounds`,
    /// estimated with the program's `syringes_per_pound`), and sends it to the server.
    #[command(group(clap::ArgGroup::new("amount").required(true).args(["syringes", "pounds"])))]
    Log {
        /// Syringes counted.
        #[arg(long)]
        syringes: Option<u32>,
        /// Weight of the sharps, in pounds to a tenth (e.g. 12.5).
        #[arg(long)]
        pounds: Option<String>,
        /// The day it was sent (YYYY-MM-DD, in the program's time zone; today when absent).
        #[arg(long)]
        on: Option<NaiveDate>,
    },
    /// Lists the disposals of the last days, newest first, with their ids.
    List {
        #[arg(long, default_value_t = 90)]
        days: u32,
    },
    /// Voids a disposal this store logged (a wrong entry) and sends the void to the server.
    Void {
        /// The id from `disposal list`.
        id: String,
    },
}

/// Pounds to a tenth, as typed: "12", "12.5"; anything finer or not a number is refused.
pub fn tenths_of_pound(text: &str) -> Result<u32> {
    let bad = || format!("--pounds {text:?}: give the weight in pounds to a tenth, like 12.5; nothing was logged");
    let (whole, tenth) = match text.trim().split_once('.') {
        Some((w, t)) if t.len() == 1 => (w, t),
        Some(_) => return Err(bad().into()),
        None => (text.trim(), "0"),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !tenth.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 6 {
        return Err(bad().into());
    }
    let n: u32 = whole.parse().map_err(|_| bad())?;
    Ok(n * 10 + tenth.parse::<u32>().map_err(|_| bad())?)
}

/// How an entry reads in a list.
pub fn describe(amount: &Disposed) -> String {
    match *amount {
        Disposed::Counted { syringes } => format!("{syringes} syringes counted"),
        Disposed::Weighed { tenths_of_pound, syringes_per_pound } => format!(
            "{}.{} lb at {syringes_per_pound}/lb ≈ {} syringes",
            tenths_of_pound / 10,
            tenths_of_pound % 10,
            amount.syringes()
        ),
    }
}

pub fn run(command: DisposalCommand, place: &manager::StoreLocation) -> Result<()> {
    let m = Manager::open(place)?;
    let store = m.store();
    match command {
        DisposalCommand::Log { syringes, pounds, on } => {
            let new = match (syringes, pounds) {
                (Some(syringes), _) => NewDisposal::Counted { syringes },
                (None, Some(p)) => NewDisposal::Weighed { tenths_of_pound: tenths_of_pound(&p)? },
                (None, None) => return Err("give --syringes or --pounds; nothing was logged".into()),
            };
            let at = match on {
                Some(day) => {
                    let tz = Zone::parse(&store.settings()?.program.time_zone).unwrap_or_else(Zone::utc);
                    let noon = day.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
                    Some(tz.earliest(noon).ok_or("that day has no noon in the program's time zone")?)
                }
                None => None,
            };
            let id = store.record_disposal(new, at)?;
            let entry = store.disposals(400, 1000)?.into_iter().find(|e| e.id == id).ok_or("the entry was not kept")?;
            println!("Logged {} ({id}).", describe(&entry.amount));
            send(&m)
        }
        DisposalCommand::List { days } => {
            let entries = store.disposals(days, 1000)?;
            if entries.is_empty() {
                println!("No disposals in the last {days} days.");
            }
            for e in entries {
                let void = if e.voided { "  (voided)" } else { "" };
                println!("{}  {}  {}{void}", manager::local_time(e.occurred_at), e.id, describe(&e.amount));
            }
            Ok(())
        }
        DisposalCommand::Void { id } => {
            let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| format!("{id:?} is not an id from `disposal list`"))?;
            store.void_disposal(id)?;
            println!("Voided {id}.");
            send(&m)
        }
    }
}

/// Sends what was just written; the entry stays queued when the server cannot be reached.
fn send(m: &Manager) -> Result<()> {
    match m.pull() {
        Ok(_) => {
            println!("Sent to the server.");
            Ok(())
        }
        Err(e) => {
            eprintln!("warning: not sent yet ({e}); it is kept here and goes with the next `satchel pull`.");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_are_read_to_a_tenth_and_nothing_else() {
        assert_eq!(tenths_of_pound("12.5").unwrap(), 125);
        assert_eq!(tenths_of_pound("3").unwrap(), 30);
        assert_eq!(tenths_of_pound(" 0.1 ").unwrap(), 1);
        for bad in ["", "12.55", "-1", "1e3", "twelve", ".5", "12.", "1234567"] {
            assert!(tenths_of_pound(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_entry_says_what_it_counts() {
        assert_eq!(describe(&Disposed::Weighed { tenths_of_pound: 125, syringes_per_pound: 90 }), "12.5 lb at 90/lb ≈ 1125 syringes");
        assert_eq!(describe(&Disposed::Counted { syringes: 40 }), "40 syringes counted");
    }
}
