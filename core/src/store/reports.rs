//! Tallies of a period, before suppression.

use super::Store;
use crate::error::Result;
use crate::tally::{self, Tally, TallyQuery};

impl Store {
    /// The tallies of a period (SPEC section 6), before suppression.
    pub fn tally(&self, query: &TallyQuery) -> Result<Tally> {
        self.read(|ctx, conn| tally::compute(conn, &ctx.settings, query))
    }

    /// The tallies computed from a chosen source (see [`tally::Source`]); for checks and
    /// benchmarks. [`Store::tally`] picks the right source by itself.
    pub fn tally_from(&self, query: &TallyQuery, source: tally::Source) -> Result<Tally> {
        self.read(|ctx, conn| tally::compute_from(conn, &ctx.settings, query, source))
    }
}
