//! Team-key upkeep (D71), run by a sync when the hub's key state says something changed, and
//! by a manager's revocation. A device gives the hub its public key once and takes the new team
//! keys sealed to it; a manager also replaces the team key after a revocation (sealing the new
//! one to every remaining device), gives a hub restored from a backup the epochs it lost, and
//! seals the current keys to devices that joined or registered since.

use satchel_protocol::team::{open_team_key, seal_team_key};
use satchel_protocol::wire::{self, DeliverKeys, DeviceKey, KeyEnvelope, KeyState, TeamKeys};
use satchel_protocol::PROTOCOL_VERSION;

use super::{refused, HubCalls};
use crate::crypto;
use crate::error::Result;
use crate::settings::Role;
use crate::store::Store;

impl Store {
    /// Whether the hub's key state (from a pull page) asks for [`Store::keys_upkeep`].
    pub(super) fn keys_behind(&self, state: &KeyState) -> Result<bool> {
        let epoch = self.program_keys()?.epoch;
        Ok(!state.registered
            || state.epoch > epoch
            || (self.role()? == Role::Manager && (state.manager_owed || epoch > state.epoch)))
    }

    /// Registers this device's key, takes new team keys, and for a manager rotates and
    /// delivers. A hub without team keys (older) is left alone.
    pub(super) fn keys_upkeep(&self, s: &mut HubCalls) -> Result<()> {
        let reply = s.call_raw("/v1/keys", None)?;
        if reply.status == 404 {
            return Ok(());
        }
        if reply.status != 200 {
            return Err(refused(&reply));
        }
        let team: TeamKeys = super::decode(&reply)?;
        if !team.state.registered {
            let public = self.device_public_key()?;
            let reply = s.call_raw("/v1/keys/device", Some(wire::to_cbor(&DeviceKey { v: PROTOCOL_VERSION, public })))?;
            if !matches!(reply.status, 200 | 204) {
                return Err(refused(&reply));
            }
        }
        self.take_envelopes(&team)?;
        if self.role()? == Role::Manager {
            self.manage_keys(s, &team)?;
        }
        Ok(())
    }

    /// Opens this device's envelopes of the epochs after its own, in order.
    fn take_envelopes(&self, team: &TeamKeys) -> Result<()> {
        let device = self.device_id()?;
        let private = self.device_key()?;
        let mut envelopes: Vec<&KeyEnvelope> = team.envelopes.iter().filter(|e| e.device == device).collect();
        envelopes.sort_by_key(|e| e.epoch);
        for e in envelopes {
            let keys = self.program_keys()?;
            if e.epoch != keys.epoch + 1 {
                continue;
            }
            // One that does not open (damaged, or not made by a holder of the team key) is
            // left: the hub cannot hand this device a key of its choosing.
            if let Ok(key) = open_team_key(&private, &keys.data_key, keys.program, device, e.epoch, &e.sealed) {
                self.adopt_team_key(e.epoch, &key)?;
            }
        }
        Ok(())
    }

    fn manage_keys(&self, s: &mut HubCalls, team: &TeamKeys) -> Result<()> {
        let keys = self.program_keys()?;
        let mut hub_epoch = team.state.epoch;
        // A hub restored from a backup lost epochs this store holds: give them back.
        while keys.epoch > hub_epoch {
            let epoch = hub_epoch + 1;
            if !self.deliver(s, team, epoch, true)? {
                return Ok(());
            }
            hub_epoch = epoch;
        }
        if team.rotation_owed && keys.epoch == hub_epoch {
            let epoch = keys.epoch + 1;
            let key = crypto::random_key();
            let envelopes = self.envelopes(team, epoch, &key, &keys.data_key, |_| true)?;
            let reply = s.call_raw(
                "/v1/keys",
                Some(wire::to_cbor(&DeliverKeys { v: PROTOCOL_VERSION, epoch, rotate: true, envelopes })),
            )?;
            match reply.status {
                200 | 204 => self.adopt_team_key(epoch, &key)?,
                // Another manager rotated first: its key reaches this store at the next sync.
                409 => return Ok(()),
                _ => return Err(refused(&reply)),
            }
        }
        // Devices that joined or registered since an epoch began get it.
        let keys = self.program_keys()?;
        for epoch in 2..=keys.epoch {
            self.deliver(s, team, epoch, false)?;
        }
        Ok(())
    }

    /// Seals the team key of `epoch` (held here) to every device of `team` that lacks it, and
    /// posts them (`rotate`: as the hub's next epoch). Whether the hub took them.
    fn deliver(&self, s: &mut HubCalls, team: &TeamKeys, epoch: u32, rotate: bool) -> Result<bool> {
        let keys = self.program_keys()?;
        let (Some(key), Some(previous)) = (keys.team_key(epoch), keys.team_key(epoch - 1)) else {
            return Ok(false);
        };
        let envelopes = self.envelopes(team, epoch, key, previous, |h| rotate || !h.epochs.contains(&epoch))?;
        if envelopes.is_empty() && !rotate {
            return Ok(true);
        }
        let reply = s.call_raw("/v1/keys", Some(wire::to_cbor(&DeliverKeys { v: PROTOCOL_VERSION, epoch, rotate, envelopes })))?;
        match reply.status {
            200 | 204 => Ok(true),
            409 => Ok(false),
            _ => Err(refused(&reply)),
        }
    }

    fn envelopes(
        &self,
        team: &TeamKeys,
        epoch: u32,
        key: &crypto::SecretKey,
        previous: &crypto::SecretKey,
        wanted: impl Fn(&wire::KeyHolder) -> bool,
    ) -> Result<Vec<KeyEnvelope>> {
        let program = self.program_id()?;
        let mut out = Vec::new();
        for h in team.holders.iter().filter(|h| wanted(h)) {
            let Some(public) = h.public else { continue };
            // A key the hub holds that is not a valid point is that device's problem alone.
            if let Ok(sealed) = seal_team_key(&public, previous, program, h.device, epoch, key) {
                out.push(KeyEnvelope { device: h.device, epoch, sealed });
            }
        }
        Ok(out)
    }
}
