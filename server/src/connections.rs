//! How many connections the hub holds and for how long, so that a slow or hostile client cannot
//! use up the process's open files and stop everyone's syncing.
//!
//! - The timeouts come from the slowest network the hub serves, 2G at about 20 kB/s with
//!   round trips of a second or two ([`ConnectionLimits::default`] says each number and why).
//! - The connection cap keeps headroom under the file limit: at start the soft limit is raised
//!   to the hard one, and the hub holds at most that minus [`RESERVED_FILES`] connections.
//! - Each address (an IPv6 caller by its /64) holds at most `per_address` connections. When the
//!   hub is full, a newcomer is let in by closing the oldest connection of the address holding
//!   the most, if that address holds more than the newcomer would: one laptop opening thousands
//!   of connections closes only its own, and a phone still gets in.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum_server::accept::Accept;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Files the hub keeps for itself beyond its connections: the listener, the database and its
/// WAL and journal, the pool's connections, logs, and a margin for connections being closed.
pub const RESERVED_FILES: u64 = 64;

/// The hub's limits on connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections held at once, in all.
    pub max_total: usize,
    /// Connections one address (an IPv6 /64) holds at once.
    pub per_address: usize,
    /// From the connection's first byte (or the end of the last answer) to the end of the
    /// request head. An idle keep-alive connection is closed after this too.
    pub head: Duration,
    /// The TLS handshake.
    pub handshake: Duration,
    /// How long an answer may wait for the client to read it.
    pub write_stall: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            // Lowered at start to what the file limit leaves room for.
            max_total: 65_536,
            // A clinic's phones behind one NAT, each syncing on a connection of its own.
            per_address: 32,
            // A request head is under 1 KiB: on 2G it arrives in one or two round trips.
            head: Duration::from_secs(15),
            handshake: Duration::from_secs(10),
            // A pull page (up to 4 MiB) is written in pieces; each must be taken within this.
            write_stall: Duration::from_secs(30),
        }
    }
}

impl ConnectionLimits {
    /// These limits with the connection cap lowered to leave room under a limit of
    /// `open_files` open files.
    pub fn within_file_limit(self, open_files: u64) -> ConnectionLimits {
        let room = open_files.saturating_sub(RESERVED_FILES).max(1);
        let max_total = (self.max_total as u64).min(room) as usize;
        ConnectionLimits { max_total, per_address: self.per_address.clamp(1, max_total), ..self }
    }
}

/// Raises the soft limit on open files to the hard one; returns (soft, hard) after.
pub fn raise_file_limit() -> io::Result<(u64, u64)> {
    let (_, hard) = rlimit::Resource::NOFILE.get()?;
    let soft = rlimit::increase_nofile_limit(hard)?;
    Ok((soft, hard))
}

/// Whom a connection (or a redemption) counts against: an IPv4 address, or an IPv6 caller's
/// /64 network (one subscriber's share, which it may rotate through freely).
pub fn caller_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
        v4 => v4,
    }
}

/// One held connection, as the table sees it.
struct Slot {
    id: u64,
    closing: AtomicBool,
    /// The connection's task, to wake it when it must close.
    waker: Mutex<Option<Waker>>,
}

impl Slot {
    fn close(&self) {
        self.closing.store(true, Ordering::Release);
        if let Some(w) = self.waker.lock().unwrap_or_else(|e| e.into_inner()).take() {
            w.wake();
        }
    }

    fn remember(&self, cx: &Context<'_>) {
        let mut w = self.waker.lock().unwrap_or_else(|e| e.into_inner());
        if !w.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            *w = Some(cx.waker().clone());
        }
    }
}

#[derive(Default)]
struct Table {
    next_id: u64,
    total: usize,
    /// Oldest first.
    by_address: HashMap<IpAddr, VecDeque<Arc<Slot>>>,
}

/// Why a connection was not taken.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    AddressFull,
    HubFull,
}

/// The connection table, shared by the acceptor and every held connection.
#[derive(Clone)]
pub struct Gate {
    limits: ConnectionLimits,
    table: Arc<Mutex<Table>>,
}

impl Gate {
    pub fn new(limits: ConnectionLimits) -> Gate {
        Gate { limits, table: Default::default() }
    }

    /// Connections held now, in all.
    pub fn held(&self) -> usize {
        self.lock().total
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a connection from `ip`, or says why not. A connection closed to make room stays
    /// counted until its task lets go of it, a moment later; `RESERVED_FILES` covers those.
    pub fn admit(&self, ip: IpAddr) -> Result<Ticket, Refusal> {
        let key = caller_key(ip);
        let mut table = self.lock();
        let mine = table.by_address.get(&key).map_or(0, |q| q.iter().filter(|s| !s.closing.load(Ordering::Acquire)).count());
        if mine >= self.limits.per_address {
            return Err(Refusal::AddressFull);
        }
        if table.total >= self.limits.max_total {
            let margin = (RESERVED_FILES / 2) as usize;
            if table.total >= self.limits.max_total + margin {
                return Err(Refusal::HubFull);
            }
            // The address holding the most open connections gives up its oldest, if it holds
            // more than the newcomer would.
            let heaviest = table
                .by_address
                .values()
                .filter_map(|q| {
                    let open: Vec<&Arc<Slot>> = q.iter().filter(|s| !s.closing.load(Ordering::Acquire)).collect();
                    open.first().map(|oldest| (open.len(), Arc::clone(oldest)))
                })
                .max_by_key(|(n, _)| *n);
            match heaviest {
                Some((n, oldest)) if n > mine + 1 => oldest.close(),
                _ => return Err(Refusal::HubFull),
            }
        }
        table.next_id += 1;
        let slot = Arc::new(Slot { id: table.next_id, closing: AtomicBool::new(false), waker: Mutex::new(None) });
        table.total += 1;
        table.by_address.entry(key).or_default().push_back(Arc::clone(&slot));
        Ok(Ticket { gate: self.clone(), key, slot })
    }
}

/// A place in the table, given back when dropped.
pub struct Ticket {
    gate: Gate,
    key: IpAddr,
    slot: Arc<Slot>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut table = self.gate.lock();
        table.total = table.total.saturating_sub(1);
        if let Some(q) = table.by_address.get_mut(&self.key) {
            q.retain(|s| s.id != self.slot.id);
            if q.is_empty() {
                table.by_address.remove(&self.key);
            }
        }
    }
}

/// A connection the hub holds: it fails when the gate closes it to make room, and when the
/// client leaves an answer unread for longer than `write_stall`.
pub struct Held<S> {
    inner: S,
    ticket: Ticket,
    write_stall: Duration,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> Held<S> {
    fn closing(&self, cx: &Context<'_>) -> bool {
        self.ticket.slot.remember(cx);
        self.ticket.slot.closing.load(Ordering::Acquire)
    }
}

fn closed_for_room() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "closed to make room for another address")
}

impl<S: AsyncRead + Unpin> AsyncRead for Held<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.closing(cx) {
            return Poll::Ready(Err(closed_for_room()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> Held<S> {
    /// Runs a write, timing how long it waits for the client.
    fn write_with<T>(
        &mut self,
        cx: &mut Context<'_>,
        f: impl FnOnce(Pin<&mut S>, &mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if self.closing(cx) {
            return Poll::Ready(Err(closed_for_room()));
        }
        match f(Pin::new(&mut self.inner), cx) {
            Poll::Ready(r) => {
                self.stalled = None;
                Poll::Ready(r)
            }
            Poll::Pending => {
                let stall = self.write_stall;
                let timer = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(stall)));
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading"))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Held<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.get_mut().write_with(cx, |s, cx| s.poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().write_with(cx, |s, cx| s.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        self.get_mut().write_with(cx, |s, cx| s.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// The acceptor that admits connections through the gate (before TLS, so that a refused
/// connection costs no handshake).
#[derive(Clone)]
pub struct GateAcceptor(pub Gate);

impl<S> Accept<TcpStream, S> for GateAcceptor {
    type Stream = Held<TcpStream>;
    type Service = S;
    type Future = std::future::Ready<io::Result<(Held<TcpStream>, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let admitted = stream.peer_addr().and_then(|peer| {
            self.0.admit(peer.ip()).map_err(|refusal| {
                tracing::debug!(?refusal, "connection refused");
                io::Error::other(format!("connection refused: {refusal:?}"))
            })
        });
        std::future::ready(admitted.map(|ticket| {
            let _ = stream.set_nodelay(true);
            (Held { inner: stream, ticket, write_stall: self.0.limits.write_stall, stalled: None }, service)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn limits(max_total: usize, per_address: usize) -> ConnectionLimits {
        ConnectionLimits { max_total, per_address, ..Default::default() }
    }

    #[test]
    fn an_address_holds_at_most_its_share() {
        let gate = Gate::new(limits(100, 3));
        let held: Vec<Ticket> = (0..3).map(|_| gate.admit(ip("198.51.100.1")).unwrap()).collect();
        assert_eq!(gate.admit(ip("198.51.100.1")).err(), Some(Refusal::AddressFull));
        assert!(gate.admit(ip("198.51.100.2")).is_ok(), "another address is not held back");
        drop(held);
        assert_eq!(gate.held(), 0, "tickets are given back");
        assert!(gate.admit(ip("198.51.100.1")).is_ok());
    }

    #[test]
    fn ipv6_callers_count_by_their_network() {
        let gate = Gate::new(limits(100, 2));
        let _a = gate.admit(ip("2001:db8:1:2::1")).unwrap();
        let _b = gate.admit(ip("2001:db8:1:2:ffff::9")).unwrap();
        assert_eq!(gate.admit(ip("2001:db8:1:2:1::1")).err(), Some(Refusal::AddressFull));
        assert!(gate.admit(ip("2001:db8:1:3::1")).is_ok());
        assert_eq!(caller_key(ip("::ffff:203.0.113.7")), ip("203.0.113.7"), "a mapped IPv4 caller is the IPv4 caller");
    }

    #[test]
    fn when_full_the_heaviest_address_makes_room_for_a_newcomer() {
        let gate = Gate::new(limits(4, 4));
        let mut hog: Vec<Ticket> = (0..4).map(|_| gate.admit(ip("203.0.113.9")).unwrap()).collect();
        let phone = gate.admit(ip("198.51.100.7")).expect("a newcomer gets in");
        assert!(hog[0].slot.closing.load(Ordering::Acquire), "the hog's oldest connection is told to close");
        assert!(hog[1..].iter().all(|t| !t.slot.closing.load(Ordering::Acquire)));
        drop(hog.remove(0));
        assert_eq!(gate.held(), 4);
        // The hog cannot win its place back from an address holding as few as it would.
        let _second = gate.admit(ip("198.51.100.8")).unwrap();
        let _third = gate.admit(ip("198.51.100.9")).unwrap();
        assert_eq!(gate.admit(ip("203.0.113.9")).err(), Some(Refusal::HubFull), "the hog, now holding 1, gets nothing more");
        drop(phone);
    }

    #[test]
    fn full_with_equal_shares_refuses() {
        let gate = Gate::new(limits(2, 4));
        let _a = gate.admit(ip("198.51.100.1")).unwrap();
        let _b = gate.admit(ip("198.51.100.2")).unwrap();
        assert_eq!(gate.admit(ip("198.51.100.3")).err(), Some(Refusal::HubFull));
    }

    fn held(gate: &Gate, from: &str, stall: Duration) -> (Held<tokio::io::DuplexStream>, tokio::io::DuplexStream) {
        let (ours, theirs) = tokio::io::duplex(64);
        (Held { inner: ours, ticket: gate.admit(ip(from)).unwrap(), write_stall: stall, stalled: None }, theirs)
    }

    #[tokio::test]
    async fn an_answer_left_unread_is_cut_off() {
        use tokio::io::AsyncWriteExt;
        let gate = Gate::new(limits(10, 10));
        let (mut conn, _client) = held(&gate, "198.51.100.1", Duration::from_millis(100));
        conn.write_all(&[1; 32]).await.expect("what fits is written");
        let stalled = tokio::time::timeout(Duration::from_secs(5), conn.write_all(&[0; 4096])).await.expect("not held forever");
        assert_eq!(stalled.unwrap_err().kind(), io::ErrorKind::TimedOut);
    }

    #[tokio::test]
    async fn a_connection_closed_for_room_wakes_and_fails() {
        use tokio::io::AsyncReadExt;
        let gate = Gate::new(limits(2, 2));
        let (mut first, _c1) = held(&gate, "203.0.113.9", Duration::from_secs(30));
        let (_second, _c2) = held(&gate, "203.0.113.9", Duration::from_secs(30));
        let reading = tokio::spawn(async move {
            let mut buf = [0u8; 8];
            first.read(&mut buf).await
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!reading.is_finished(), "nothing to read yet");
        let _newcomer = gate.admit(ip("198.51.100.7")).unwrap();
        let read = tokio::time::timeout(Duration::from_secs(5), reading).await.expect("woken").unwrap();
        assert_eq!(read.unwrap_err().kind(), io::ErrorKind::ConnectionAborted);
        assert_eq!(gate.held(), 2, "its place is given back once it is dropped");
    }

    #[test]
    fn the_cap_leaves_room_under_the_file_limit() {
        let l = ConnectionLimits::default();
        assert_eq!(l.within_file_limit(256).max_total, 192);
        assert_eq!(l.within_file_limit(1_048_576).max_total, 65_536);
        assert_eq!(l.within_file_limit(10).max_total, 1);
        assert_eq!(l.within_file_limit(10).per_address, 1);
        assert_eq!(limits(100, 8).within_file_limit(20_000).max_total, 100, "a lower cap asked for is kept");
    }
}
