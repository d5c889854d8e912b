//! The outreach worker's PIN: what a new one must be, and how long wrong ones make the next try
//! wait. Both apps show these rules; they live here once.
//!
//! The store itself accepts any secret of 4 to 64 characters (a manager's passphrase too); a
//! phone's PIN is held to more, because a seized phone gets guessed at by hand.

use chrono::Duration;

use crate::error::{invalid, Result};
pub use crate::keyfile::Stamp;

/// The shortest and longest PIN a worker may choose.
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=8;

/// Wrong tries that cost nothing: a worker fumbling with cold hands in the dark.
pub const FREE_TRIES: u32 = 4;

/// The longest wait between tries, however many failed.
pub const MAX_WAIT: Duration = Duration::hours(1);

/// PINs people pick most (beyond the patterns refused below), from published studies of leaked
/// PIN lists: a thief tries these first.
const COMMON: [&str; 8] = ["1004", "2000", "2001", "6969", "1122", "2580", "0852", "1998"];

/// Why a chosen PIN was refused. The apps show each in the worker's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinProblem {
    /// Something other than digits.
    NotDigits,
    /// Fewer than 4 or more than 8 digits.
    Length,
    /// One digit repeated (0000).
    OneDigit,
    /// Digits in a row, up or down (1234, 9876).
    Run,
    /// A short block repeated (1212, 123123).
    Pattern,
    /// One of the most common PINs.
    Common,
}

impl PinProblem {
    /// The reason in words (English), for logs and the core's error; never the PIN itself.
    pub fn reason(self) -> &'static str {
        match self {
            PinProblem::NotDigits => "use digits only",
            PinProblem::Length => "use 4 to 8 digits",
            PinProblem::OneDigit => "one digit repeated is guessed first; choose another",
            PinProblem::Run => "digits in a row are guessed first; choose another",
            PinProblem::Pattern => "a repeated pattern is guessed first; choose another",
            PinProblem::Common => "this is one of the most common PINs; choose another",
        }
    }
}

/// Checks a PIN a worker chooses (at setup or when changing it): 4 to 8 digits, and not one a
/// thief tries first — one digit repeated (0000), a run up or down (1234, 9876), a short block
/// repeated (1212, 123123), or one of the most common PINs.
pub fn pin_problem(pin: &str) -> Option<PinProblem> {
    if !pin.chars().all(|c| c.is_ascii_digit()) {
        return Some(PinProblem::NotDigits);
    }
    if !PIN_DIGITS.contains(&pin.len()) {
        return Some(PinProblem::Length);
    }
    let digits: Vec<i8> = pin.bytes().map(|b| (b - b'0') as i8).collect();
    let steps: Vec<i8> = digits.windows(2).map(|w| w[1] - w[0]).collect();
    if steps.iter().all(|&s| s == 0) {
        return Some(PinProblem::OneDigit);
    }
    if steps.iter().all(|&s| s == 1) || steps.iter().all(|&s| s == -1) {
        return Some(PinProblem::Run);
    }
    if (1..digits.len()).any(|n| digits.len().is_multiple_of(n) && digits.chunks(n).all(|c| c == &digits[..n])) {
        return Some(PinProblem::Pattern);
    }
    if COMMON.contains(&pin) {
        return Some(PinProblem::Common);
    }
    None
}

/// [`pin_problem`] as an error on the field `pin`.
pub fn check_new_pin(pin: &str) -> Result<()> {
    match pin_problem(pin) {
        Some(p) => Err(invalid("pin", p.reason())),
        None => Ok(()),
    }
}

/// How long to wait before another try after `failed` wrong tries in a row: nothing for the
/// first [`FREE_TRIES`], then 30 seconds, doubling with each further failure, up to
/// [`MAX_WAIT`].
pub fn wait_after(failed: u32) -> Duration {
    if failed <= FREE_TRIES {
        return Duration::zero();
    }
    let doublings = (failed - FREE_TRIES - 1).min(10);
    (Duration::seconds(30) * (1 << doublings)).min(MAX_WAIT)
}

/// The time left before another try, given the failures and when the last one happened, on two
/// clocks: the wall clock and the time since the phone started (which the worker cannot set).
/// The wait must have passed on both, so moving the wall clock forward does not shorten it. A
/// wall clock set back before the last failure, or a restart of the phone, does not shorten it
/// either: then the whole wait is still ahead (see [`restarted_wait`]).
pub fn wait_left(failed: u32, last_failure: Option<Stamp>, now: Stamp) -> Duration {
    let wait = wait_after(failed);
    let Some(last) = last_failure else { return Duration::zero() };
    if restarted_wait(last, now) {
        return wait;
    }
    let wall_left = Duration::seconds(last.wall) + wait - Duration::seconds(now.wall);
    let uptime_left = match (last.uptime_ms, now.uptime_ms) {
        (Some(l), Some(n)) => Duration::milliseconds(l) + wait - Duration::milliseconds(n),
        _ => Duration::zero(),
    };
    wall_left.max(uptime_left).max(Duration::zero())
}

/// Whether a clock went back since the last failure (the wall clock set back, or the phone
/// restarted, which starts its uptime again): the wait then starts again from now.
pub fn restarted_wait(last: Stamp, now: Stamp) -> bool {
    now.wall < last.wall || matches!((last.uptime_ms, now.uptime_ms), (Some(l), Some(n)) if n < l)
}

/// Milliseconds since the phone started, counting time asleep: `CLOCK_BOOTTIME` on Android
/// and Linux, `CLOCK_MONOTONIC` on Apple platforms (which counts sleep there). No one can set
/// it, so a wait measured on it cannot be skipped by moving the wall clock.
pub fn uptime_ms() -> Option<i64> {
    #[cfg(any(target_os = "android", target_os = "linux"))]
    let id = Some(rustix::time::ClockId::Boottime);
    #[cfg(target_vendor = "apple")]
    let id = Some(rustix::time::ClockId::Monotonic);
    #[cfg(not(any(target_os = "android", target_os = "linux", target_vendor = "apple")))]
    let id: Option<rustix::time::ClockId> = None;
    let t = rustix::time::clock_gettime(id?);
    Some(t.tv_sec.saturating_mul(1000).saturating_add(t.tv_nsec as i64 / 1_000_000))
}

/// Wrong PINs in a row after which a phone wipes its store, unless the program says otherwise:
/// the fourth wait (4 minutes) has passed, so this is someone guessing for about half an hour,
/// not a worker with cold hands; iOS offers the same number for its own passcode.
pub const DEFAULT_WIPE_AFTER: u32 = 10;

/// The most a program may allow before the wipe (0 turns the wipe off).
pub const MAX_WIPE_AFTER: u32 = 50;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_pins_pass() {
        for pin in ["2468", "13579", "8042", "50193847", "1357", "9051"] {
            assert!(check_new_pin(pin).is_ok(), "{pin}");
        }
    }

    #[test]
    fn trivial_and_malformed_pins_are_refused() {
        for pin in ["0000", "1111", "1234", "4321", "12345678", "9876", "1212", "123123", "2580", "6969", "123", "123456789", "12a4", "", " 2468"] {
            assert!(pin_problem(pin).is_some(), "{pin}");
            let e = check_new_pin(pin).unwrap_err().to_string();
            assert!(e.contains("pin"), "{pin}: {e}");
            assert!(!e.contains(pin) || pin.is_empty(), "the message must not repeat the PIN: {e}");
        }
    }

    #[test]
    fn each_problem_is_named() {
        assert_eq!(pin_problem("12a4"), Some(PinProblem::NotDigits));
        assert_eq!(pin_problem("123"), Some(PinProblem::Length));
        assert_eq!(pin_problem("7777"), Some(PinProblem::OneDigit));
        assert_eq!(pin_problem("3456"), Some(PinProblem::Run));
        assert_eq!(pin_problem("654321"), Some(PinProblem::Run));
        assert_eq!(pin_problem("4747"), Some(PinProblem::Pattern));
        assert_eq!(pin_problem("2580"), Some(PinProblem::Common));
        assert_eq!(pin_problem("2468"), None);
    }

    #[test]
    fn the_wait_grows_and_caps() {
        assert_eq!(wait_after(0), Duration::zero());
        assert_eq!(wait_after(FREE_TRIES), Duration::zero());
        assert_eq!(wait_after(FREE_TRIES + 1), Duration::seconds(30));
        assert_eq!(wait_after(FREE_TRIES + 2), Duration::seconds(60));
        assert!(wait_after(FREE_TRIES + 3) > wait_after(FREE_TRIES + 2));
        assert_eq!(wait_after(40), MAX_WAIT);
        assert_eq!(wait_after(u32::MAX), MAX_WAIT);
    }

    fn at(wall: i64, uptime_s: Option<i64>) -> Stamp {
        Stamp { wall, uptime_ms: uptime_s.map(|s| s * 1000) }
    }

    #[test]
    fn a_clock_set_back_does_not_shorten_the_wait() {
        let t = 1_800_000_000;
        let n = FREE_TRIES + 1;
        assert_eq!(wait_left(n, Some(at(t, None)), at(t, None)), Duration::seconds(30));
        assert_eq!(wait_left(n, Some(at(t, None)), at(t + 10, None)), Duration::seconds(20));
        assert_eq!(wait_left(n, Some(at(t, None)), at(t + 31, None)), Duration::zero());
        assert_eq!(wait_left(n, Some(at(t, None)), at(t - 3 * 86_400, None)), Duration::seconds(30));
        assert_eq!(wait_left(n, None, at(t, None)), Duration::zero());
    }

    #[test]
    fn a_clock_set_forward_does_not_shorten_the_wait() {
        let t = 1_800_000_000;
        let n = FREE_TRIES + 2; // a minute
        let stamp = at(t, Some(500));
        let last = Some(stamp);
        // The wall clock moved a day ahead, ten seconds later: the uptime says 50 s are left.
        assert_eq!(wait_left(n, last, at(t + 86_400, Some(510))), Duration::seconds(50));
        // Both clocks past the wait: the try is accepted.
        assert_eq!(wait_left(n, last, at(t + 61, Some(561))), Duration::zero());
        // The phone restarted (uptime back near zero): the whole wait again, whatever the wall.
        assert!(restarted_wait(stamp, at(t + 86_400, Some(20))));
        assert_eq!(wait_left(n, last, at(t + 86_400, Some(20))), Duration::seconds(60));
        // A platform without the uptime clock counts the wall clock alone.
        assert_eq!(wait_left(n, last, at(t + 61, None)), Duration::zero());
    }
}
