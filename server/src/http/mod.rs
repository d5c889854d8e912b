//! The hub's HTTP API. Bodies are CBOR (`application/cbor`); every error is a 4xx/5xx with a
//! JSON `ErrorBody`, never a panic. Devices authenticate with `Authorization: Bearer
//! <credential>`. Each authenticated device gets a rate limit, and so does each address trying
//! enrollment tokens. Logs say who (a device id) and how much (segments, bytes), never what.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use satchel_protocol::limits::MAX_BODY_BYTES;
use satchel_protocol::wire::{
    self, CreateEnrollment, DeliverKeys, DeviceKey, EnrollmentCreated, ErrorCode, PullRequest, PushRequest, PushResponse, Redeem, Relabel,
};
use serde::Serialize;
use uuid::Uuid;

use crate::connections::caller_key;
use crate::hub::{Device, Hub, HubError};

mod errors;
mod guard;

pub use errors::ApiError;

/// The time source, in Unix seconds (tests move it).
pub type UnixClock = std::sync::Arc<dyn Fn() -> i64 + Send + Sync>;

/// Rate limits of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiLimits {
    /// Requests a device may make per minute (also the burst it may make at once).
    pub requests_per_minute: u32,
    /// Enrollment redemptions one network address may try per minute (a burst of this many,
    /// then one every 60/n seconds): the one call made without a credential. Behind a reverse
    /// proxy on this machine the client is the last address in `X-Forwarded-For`.
    pub redeems_per_minute: u32,
    /// A request body must arrive at this average rate (bytes a second) after `body_grace`.
    pub body_min_rate: u64,
    pub body_grace: Duration,
}

impl Default for ApiLimits {
    fn default() -> Self {
        ApiLimits {
            // A 10,000-encounter backlog ships in about 30 requests; 300 a minute leaves room
            // for retries on a bad line and stops a runaway client.
            requests_per_minute: 300,
            // A manager enrolls phones one by one; 30 a minute is more than a room needs.
            redeems_per_minute: 30,
            // Half of 2G's 20 kB/s: a phone's largest push (256 KiB) takes 13 s there, and has
            // 10 s + 26 s before it is cut off; a pull request is a few dozen bytes.
            body_min_rate: 10_000,
            body_grace: Duration::from_secs(10),
        }
    }
}

impl ApiLimits {
    /// The latest a body of `received` bytes so far may take, from its start.
    pub fn body_deadline(&self, received: usize) -> Duration {
        self.body_grace + Duration::from_secs_f64(received as f64 / self.body_min_rate.max(1) as f64)
    }
}

type Limiter<K> = governor::DefaultKeyedRateLimiter<K>;

#[derive(Clone)]
struct App {
    hub: Hub,
    clock: UnixClock,
    /// Per device.
    limiter: std::sync::Arc<Limiter<Uuid>>,
    /// Redemptions, per caller address.
    redeems: std::sync::Arc<Limiter<IpAddr>>,
    redeem_calls: std::sync::Arc<AtomicU64>,
}

/// The peer's address, when the server was started with connection info.
type Peer = Option<axum::Extension<axum::extract::ConnectInfo<SocketAddr>>>;

fn peer_ip(peer: &Peer) -> Option<IpAddr> {
    peer.as_ref().map(|axum::Extension(axum::extract::ConnectInfo(addr))| addr.ip())
}

/// Addresses the redemption limiter keeps before it starts forgetting those with a full budget.
const MAX_REDEEM_KEYS: usize = 4096;

/// Whom a redemption counts against. A caller from another machine: its address. A caller on
/// this machine is either a reverse proxy, which names the client last in `X-Forwarded-For`,
/// or this machine itself (tests, the demo, an operator), which is not limited. Without
/// connection info every caller shares one bucket.
fn redeem_caller(peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
    // An IPv4 caller may arrive mapped into IPv6 (`::ffff:127.0.0.1`).
    let unmapped = |ip: IpAddr| match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    match peer.map(unmapped) {
        None => Some(IpAddr::from([0, 0, 0, 0])),
        Some(ip) if ip.is_loopback() => headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|last| last.trim().parse::<IpAddr>().ok())
            .map(caller_key),
        Some(ip) => Some(caller_key(ip)),
    }
}

fn too_many() -> ApiError {
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited, "too many requests; slow down")
}

fn quota(per_minute: u32) -> governor::Quota {
    governor::Quota::per_minute(std::num::NonZeroU32::new(per_minute.max(1)).expect("at least one"))
}

/// The router of the sync API with the default limits.
pub fn router(hub: Hub, clock: UnixClock) -> Router {
    router_with(hub, clock, ApiLimits::default())
}

/// The router of the sync API.
pub fn router_with(hub: Hub, clock: UnixClock, limits: ApiLimits) -> Router {
    let limiter = std::sync::Arc::new(governor::RateLimiter::keyed(quota(limits.requests_per_minute)));
    let redeems = std::sync::Arc::new(governor::RateLimiter::keyed(quota(limits.redeems_per_minute)));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics))
        .route("/v1/enroll/redeem", post(redeem))
        .route("/v1/enrollments", post(create_enrollment).get(enrollments))
        .route("/v1/enrollments/{id}/cancel", post(cancel_enrollment))
        .route("/v1/push", post(push))
        .route("/v1/pull", post(pull))
        .route("/v1/deposit", post(deposit))
        .route("/v1/devices", get(devices))
        .route("/v1/devices/{id}/revoke", post(revoke))
        .route("/v1/devices/{id}/label", post(relabel))
        .route("/v1/keys", get(team_keys).post(deliver_keys))
        .route("/v1/keys/device", post(register_key))
        .route("/v1/reseal", post(reseal))
        .fallback(errors::no_such_endpoint)
        .method_not_allowed_fallback(errors::wrong_method)
        // Innermost first: the body is whole before a handler sees it, and any answer that is
        // not yet one of ours (the framework's own) takes the one error shape on its way out.
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(limits, guard::read_body))
        .layer(axum::middleware::from_fn(guard::check_head))
        .layer(axum::middleware::map_response(errors::one_shape))
        .with_state(App { hub, clock, limiter, redeems, redeem_calls: Default::default() })
}

fn cbor<T: Serialize>(value: &T) -> Response {
    ([(header::CONTENT_TYPE, "application/cbor")], wire::to_cbor(value)).into_response()
}

async fn device(app: &App, headers: &HeaderMap) -> Result<Device, ApiError> {
    let credential = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::from(HubError::Unauthorized))?;
    let device = app.hub.authenticate(credential, (app.clock)()).await?;
    if app.limiter.check_key(&device.id).is_err() {
        tracing::warn!(device = %device.id, "rate limited");
        return Err(too_many());
    }
    Ok(device)
}

async fn redeem(State(app): State<App>, peer: Peer, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    if let Some(caller) = redeem_caller(peer_ip(&peer), &headers) {
        if app.redeem_calls.fetch_add(1, Ordering::Relaxed) % 256 == 255 && app.redeems.len() > MAX_REDEEM_KEYS {
            // Now and then, forget addresses whose budget is whole again, so that many
            // addresses cannot grow the table for good.
            app.redeems.retain_recent();
        }
        if app.redeems.check_key(&caller).is_err() {
            tracing::warn!("redeem rate limited");
            return Err(too_many());
        }
    }
    let req: Redeem = wire::from_cbor(&body)?;
    wire::check_version(req.v)?;
    let redeemed = app.hub.redeem_with_key(&req.token, req.public_key.as_ref(), (app.clock)()).await.inspect_err(|e| tracing::info!("redeem refused: {e}"))?;
    tracing::info!(device = %redeemed.device, role = ?redeemed.role, "enrolled");
    Ok(cbor(&redeemed))
}

async fn create_enrollment(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let by = device(&app, &headers).await?;
    let req: CreateEnrollment = wire::from_cbor(&body)?;
    req.check()?;
    let (token, expires_at) = app.hub.create_enrollment(&by, &req.label, req.role, &req.sealed_keys, (app.clock)()).await?;
    tracing::info!(by = %by.id, role = ?req.role, "enrollment created");
    Ok(cbor(&EnrollmentCreated { token, expires_at }))
}

async fn enrollments(State(app): State<App>, headers: HeaderMap) -> Result<Response, ApiError> {
    let by = device(&app, &headers).await?;
    Ok(cbor(&app.hub.enrollments(&by, (app.clock)()).await?))
}

async fn cancel_enrollment(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    let by = device(&app, &headers).await?;
    if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, "not an enrollment code id"));
    }
    app.hub.cancel_enrollment(&by, &id.to_ascii_lowercase(), (app.clock)()).await?;
    tracing::info!(by = %by.id, "enrollment cancelled");
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn push(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let by = device(&app, &headers).await?;
    let req: PushRequest = wire::from_cbor(&body)?;
    req.check()?;
    let acks = app.hub.push(&by, &req.segments, (app.clock)()).await.inspect_err(|e| {
        tracing::info!(device = %by.id, segments = req.segments.len(), bytes = body.len(), "push refused: {e}")
    })?;
    tracing::info!(device = %by.id, segments = req.segments.len(), bytes = body.len(), "push");
    Ok(cbor(&PushResponse { acks }))
}

/// A manager gives back what a restored hub lost (`Hub::deposit`); answered with no acks (the
/// manager reads the streams' heads from `/v1/devices`).
async fn deposit(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let by = device(&app, &headers).await?;
    let req: PushRequest = wire::from_cbor(&body)?;
    req.check()?;
    app.hub.deposit(&by, &req.segments, (app.clock)()).await.inspect_err(|e| {
        tracing::info!(by = %by.id, segments = req.segments.len(), "deposit refused: {e}")
    })?;
    tracing::info!(by = %by.id, segments = req.segments.len(), bytes = body.len(), "deposit");
    Ok(cbor(&PushResponse { acks: vec![] }))
}

async fn pull(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let by = device(&app, &headers).await?;
    let req: PullRequest = wire::from_cbor(&body)?;
    req.check()?;
    let page = app.hub.pull_streams(&by, req.cursor, req.limit, &req.streams).await?;
    let out = wire::to_cbor(&page);
    tracing::info!(device = %by.id, segments = page.segments.len(), bytes = out.len(), "pull");
    Ok(([(header::CONTENT_TYPE, "application/cbor")], out).into_response())
}

async fn devices(State(app): State<App>, headers: HeaderMap) -> Result<Response, ApiError> {
    let by = device(&app, &headers).await?;
    Ok(cbor(&app.hub.devices(&by).await?))
}

async fn revoke(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    let by = device(&app, &headers).await?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, "not a device id"))?;
    app.hub.revoke(&by, id).await?;
    tracing::info!(by = %by.id, device = %id, "revoked");
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn relabel(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Result<Response, ApiError> {
    let by = device(&app, &headers).await?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, "not a device id"))?;
    let req: Relabel = wire::from_cbor(&body)?;
    req.check()?;
    app.hub.relabel(&by, id, &req.label).await?;
    tracing::info!(by = %by.id, device = %id, "relabelled");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The caller's team-key envelopes and state; for a manager, every active device's key (D71).
async fn team_keys(State(app): State<App>, headers: HeaderMap) -> Result<Response, ApiError> {
    let by = device(&app, &headers).await?;
    Ok(cbor(&app.hub.team_keys(&by).await?))
}

async fn deliver_keys(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let by = device(&app, &headers).await?;
    let req: DeliverKeys = wire::from_cbor(&body)?;
    req.check()?;
    app.hub.deliver_keys(&by, &req).await?;
    tracing::info!(by = %by.id, epoch = req.epoch, rotate = req.rotate, envelopes = req.envelopes.len(), "team keys delivered");
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn register_key(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let by = device(&app, &headers).await?;
    let req: DeviceKey = wire::from_cbor(&body)?;
    wire::check_version(req.v)?;
    app.hub.register_key(&by, &req.public).await?;
    tracing::info!(device = %by.id, "device key registered");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A manager re-seals encounters of a program from before the reporting key (D72); answered
/// with no acks, like a deposit.
async fn reseal(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let by = device(&app, &headers).await?;
    let req: PushRequest = wire::from_cbor(&body)?;
    req.check()?;
    let replaced = app.hub.reseal(&by, &req.segments).await?;
    tracing::info!(by = %by.id, segments = req.segments.len(), replaced, "re-sealed to the managers");
    Ok(cbor(&PushResponse { acks: vec![] }))
}

/// Counts for Prometheus, to this machine only: how many devices and how much data a program has
/// says how active it is. (Behind a reverse proxy on the same machine, do not forward
/// `/metrics`.)
async fn metrics(State(app): State<App>, peer: Peer) -> Result<Response, ApiError> {
    if !peer_ip(&peer).is_some_and(|ip| ip.is_loopback()) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, "metrics are served to this machine only"));
    }
    let mut text = String::new();
    for (name, value) in app.hub.counts().await? {
        text.push_str(&format!("# TYPE {name} gauge\n{name} {value}\n"));
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}

#[cfg(test)]
mod tests {
    use super::redeem_caller;
    use std::net::IpAddr;

    #[test]
    fn behind_a_local_proxy_the_client_is_the_last_forwarded_address() {
        use axum::http::{HeaderMap, HeaderValue};
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let forwarded = |v: &str| {
            let mut h = HeaderMap::new();
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
            h
        };
        let none = HeaderMap::new();
        assert_eq!(redeem_caller(Some(ip("198.51.100.7")), &none), Some(ip("198.51.100.7")));
        assert_eq!(
            redeem_caller(Some(ip("198.51.100.7")), &forwarded("203.0.113.1")),
            Some(ip("198.51.100.7")),
            "a remote caller cannot choose its key"
        );
        assert_eq!(redeem_caller(Some(ip("127.0.0.1")), &none), None, "this machine itself");
        assert_eq!(redeem_caller(Some(ip("::1")), &none), None);
        assert_eq!(
            redeem_caller(Some(ip("127.0.0.1")), &forwarded("10.9.9.9, 203.0.113.1")),
            Some(ip("203.0.113.1")),
            "the address the proxy appended, not what the client claimed before it"
        );
        let mut two = forwarded("10.9.9.9");
        two.append("x-forwarded-for", HeaderValue::from_static("203.0.113.2"));
        assert_eq!(redeem_caller(Some(ip("127.0.0.1")), &two), Some(ip("203.0.113.2")));
        assert_eq!(redeem_caller(Some(ip("::ffff:127.0.0.1")), &forwarded("2001:db8::5")), Some(ip("2001:db8::")));
        assert_eq!(redeem_caller(None, &none), Some(ip("0.0.0.0")), "no connection info: one shared bucket");
    }
}
