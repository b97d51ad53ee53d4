//! A Web Push service stand-in on loopback, plus the browser side of its subscriptions.
//!
//! It checks what a strict push service checks (RFC 8030 `TTL`, `aes128gcm`, a VAPID token signed
//! for exactly this origin and not expiring more than 24 h ahead) and decrypts every message with
//! the subscription's private key (RFC 8291 / RFC 8188). The decryption here is written apart from
//! the worker's encryption, so a test that passes shows the two interoperate rather than agree
//! with themselves. Answers can be scripted per subscription (410, 429 + `Retry-After`, any
//! status); every request lands in an attempt log.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use aes_gcm::Aes128Gcm;
use aes_gcm::aead::{Aead, KeyInit};
use base64ct::{Base64UrlUnpadded, Encoding};
use hkdf::Hkdf;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::Generate;
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::{PublicKey, SecretKey};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Path};
use poem::{EndpointExt, Request, Response, Route, Server, handler, http::StatusCode};
use sha2::Sha256;

/// Largest body a push service must accept (RFC 8030 §7.2).
const MAX_BODY: usize = 4096;
/// RFC 8292: a token may not expire more than 24 h after the request.
const MAX_VAPID_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// A scripted answer to the next accepted request on one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scripted {
    /// 410 Gone: the user unsubscribed.
    Gone,
    /// 429 Too Many Requests with `Retry-After: <secs>`.
    TooMany(u64),
    /// This status with a short text body.
    Error(u16),
}

/// A message the push service accepted and decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The subscription it was for (last segment of the endpoint).
    pub subscription_id: String,
    /// The decrypted payload, padding and delimiter removed.
    pub plaintext: Vec<u8>,
    /// The `TTL` header.
    pub ttl: u64,
    /// The `Urgency` header, if sent.
    pub urgency: Option<String>,
    /// The `Topic` header, if sent.
    pub topic: Option<String>,
    /// The `k` of the VAPID header (base64url public key) the token verified with.
    pub vapid_public_key: String,
}

/// The browser side of one subscription: what the page would POST to the application server,
/// and the private material the browser keeps.
#[derive(Debug, Clone)]
pub struct TestSubscription {
    /// The id in the endpoint path.
    pub id: String,
    /// `http://127.0.0.1:<port>/push/<id>`.
    pub endpoint: String,
    /// base64url (unpadded) of the 65-byte uncompressed public key.
    pub p256dh_b64: String,
    /// base64url (unpadded) of the 16-byte auth secret.
    pub auth_b64: String,
    ua_private: SecretKey,
    auth: [u8; 16],
}

impl TestSubscription {
    /// `PushSubscription.toJSON()` as a browser sends it (`expirationTime` null).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": {"p256dh": self.p256dh_b64, "auth": self.auth_b64},
        })
    }

    /// Decrypts a Web Push body addressed to this subscription.
    pub fn decrypt(&self, body: &[u8]) -> Result<Vec<u8>, String> {
        decrypt(body, &self.ua_private, &self.auth)
    }
}

struct Sub {
    ua_private: SecretKey,
    auth: [u8; 16],
    /// When set, only tokens with this `k` are accepted (the `applicationServerKey` binding).
    bound_key: Option<String>,
}

#[derive(Default)]
struct State {
    subs: HashMap<String, Sub>,
    scripts: HashMap<String, VecDeque<Scripted>>,
    received: Vec<Received>,
    attempts: Vec<(String, u16, Instant)>,
    messages: u64,
}

struct Shared {
    origin: String,
    state: Mutex<State>,
}

/// A running push-service stand-in.
pub struct PushService {
    /// `http://127.0.0.1:<port>`: the origin every VAPID `aud` must equal.
    pub origin: String,
    shared: Arc<Shared>,
    stop: tokio_util::sync::CancellationToken,
}

impl PushService {
    /// Starts on a random loopback port.
    pub async fn start() -> PushService {
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("bind push service");
        let port = acceptor.local_addr()[0].as_socket_addr().expect("tcp").port();
        let origin = format!("http://127.0.0.1:{port}");
        let shared = Arc::new(Shared {
            origin: origin.clone(),
            state: Mutex::new(State::default()),
        });
        let app = Route::new().at("/push/:id", poem::post(push)).data(shared.clone());
        let stop = tokio_util::sync::CancellationToken::new();
        let s = stop.clone();
        tokio::spawn(async move {
            let _ = Server::new_with_acceptor(acceptor)
                .run_with_graceful_shutdown(app, s.cancelled_owned(), None)
                .await;
        });
        PushService { origin, shared, stop }
    }

    /// A new subscription, as a browser would create it: a fresh P-256 key pair, a random auth
    /// secret and an endpoint on this service. Any VAPID key is accepted for it.
    pub fn subscribe(&self) -> TestSubscription {
        self.new_subscription(None)
    }

    /// Like [`PushService::subscribe`], bound to `application_server_key` (base64url): requests
    /// signed with another key get 403, as real push services answer after a VAPID key rotation.
    pub fn subscribe_with_key(&self, application_server_key: &str) -> TestSubscription {
        self.new_subscription(Some(application_server_key.to_owned()))
    }

    fn new_subscription(&self, bound_key: Option<String>) -> TestSubscription {
        let ua_private = SecretKey::generate();
        let auth: [u8; 16] = rand::random();
        let id = Base64UrlUnpadded::encode_string(&rand::random::<[u8; 16]>());
        let p256dh = ua_private.public_key().to_sec1_point(false);
        self.lock().subs.insert(
            id.clone(),
            Sub {
                ua_private: ua_private.clone(),
                auth,
                bound_key,
            },
        );
        TestSubscription {
            endpoint: format!("{}/push/{id}", self.origin),
            p256dh_b64: Base64UrlUnpadded::encode_string(p256dh.as_bytes()),
            auth_b64: Base64UrlUnpadded::encode_string(&auth),
            id,
            ua_private,
            auth,
        }
    }

    /// Queues answers for the next accepted requests on a subscription (by id or endpoint).
    /// Requests that fail validation get their 4xx without consuming the script.
    pub fn script(&self, sub_id_or_endpoint: &str, replies: Vec<Scripted>) {
        let id = sub_id_or_endpoint
            .rsplit_once("/push/")
            .map_or(sub_id_or_endpoint, |(_, id)| id)
            .to_owned();
        self.lock().scripts.entry(id).or_default().extend(replies);
    }

    /// Every message accepted so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// Every request so far: subscription id, the status answered and when.
    pub fn attempts(&self) -> Vec<(String, u16, Instant)> {
        self.lock().attempts.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.state.lock().expect("push service lock")
    }
}

impl Drop for PushService {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn reply(status: u16, text: impl Into<String>) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .content_type("text/plain")
        .body(text.into())
}

#[handler]
fn push(req: &Request, Path(id): Path<String>, body: Vec<u8>, shared: Data<&Arc<Shared>>) -> Response {
    let mut st = shared.state.lock().expect("push service lock");
    let (status, resp) = match accept(req, &id, &body, &shared.origin, &mut st) {
        Err((status, why)) => (status, reply(status, why)),
        Ok(received) => match st.scripts.get_mut(&id).and_then(VecDeque::pop_front) {
            Some(Scripted::Gone) => (410, reply(410, "subscription gone")),
            Some(Scripted::TooMany(secs)) => (
                429,
                Response::builder()
                    .status(StatusCode::TOO_MANY_REQUESTS)
                    .header("retry-after", secs.to_string())
                    .body("slow down"),
            ),
            Some(Scripted::Error(code)) => (code, reply(code, "scripted failure")),
            None => {
                st.messages += 1;
                let location = format!("{}/m/{}", shared.origin, st.messages);
                let ttl = received.ttl;
                st.received.push(received);
                (
                    201,
                    Response::builder()
                        .status(StatusCode::CREATED)
                        .header("location", location)
                        .header("ttl", ttl.to_string())
                        .finish(),
                )
            }
        },
    };
    st.attempts.push((id, status, Instant::now()));
    resp
}

/// The checks of a strict push service, then decryption.
fn accept(req: &Request, id: &str, body: &[u8], origin: &str, st: &mut State) -> Result<Received, (u16, String)> {
    let sub = st.subs.get(id).ok_or((404, "no such subscription".to_owned()))?;
    let one = |name: &str| -> Result<Option<String>, (u16, String)> {
        let mut values = req.headers().get_all(name).iter();
        let first = values.next();
        if values.next().is_some() {
            return Err((400, format!("more than one {name} header")));
        }
        first
            .map(|v| {
                v.to_str()
                    .map(str::to_owned)
                    .map_err(|_| (400, format!("{name} is not text")))
            })
            .transpose()
    };
    let ttl = one("ttl")?
        .ok_or((400, "Missing TTL Header".to_owned()))?
        .trim()
        .parse::<u64>()
        .map_err(|_| (400, "TTL is not a non-negative integer".to_owned()))?;
    let urgency = one("urgency")?;
    if let Some(u) = &urgency
        && !matches!(u.as_str(), "very-low" | "low" | "normal" | "high")
    {
        return Err((400, format!("bad Urgency {u:?}")));
    }
    let topic = one("topic")?;
    if let Some(t) = &topic
        && (t.is_empty() || t.len() > 32 || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return Err((400, format!("bad Topic {t:?}")));
    }
    if one("content-encoding")?.as_deref() != Some("aes128gcm") {
        return Err((415, "Content-Encoding must be aes128gcm".to_owned()));
    }
    let auth = one("authorization")?.ok_or((401, "missing Authorization".to_owned()))?;
    let (token, key) = parse_vapid(&auth).map_err(|e| (401, e))?;
    check_vapid(&token, &key, origin, unix_now()).map_err(|e| (401, e))?;
    if let Some(bound) = &sub.bound_key
        && *bound != key
    {
        return Err((
            403,
            "VAPID key does not match the subscription's applicationServerKey".to_owned(),
        ));
    }
    if body.len() > MAX_BODY {
        return Err((413, format!("body of {} bytes is over {MAX_BODY}", body.len())));
    }
    let plaintext = decrypt(body, &sub.ua_private, &sub.auth).map_err(|e| (400, format!("cannot decrypt: {e}")))?;
    Ok(Received {
        subscription_id: id.to_owned(),
        plaintext,
        ttl,
        urgency,
        topic,
        vapid_public_key: key,
    })
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs()
}

fn b64(s: &str) -> Result<Vec<u8>, String> {
    Base64UrlUnpadded::decode_vec(s).map_err(|e| format!("bad base64url: {e}"))
}

/// `vapid t=<jwt>, k=<key>` (parameters in any order) → (t, k).
fn parse_vapid(header: &str) -> Result<(String, String), String> {
    let (scheme, params) = header
        .trim()
        .split_once(' ')
        .ok_or("Authorization is not `vapid t=…, k=…`")?;
    if !scheme.eq_ignore_ascii_case("vapid") {
        return Err(format!("Authorization scheme {scheme:?} is not vapid"));
    }
    let (mut t, mut k) = (None, None);
    for param in params.split(',') {
        match param.trim().split_once('=') {
            Some(("t", v)) => t = Some(v.trim().to_owned()),
            Some(("k", v)) => k = Some(v.trim().to_owned()),
            _ => {}
        }
    }
    Ok((t.ok_or("vapid header has no t")?, k.ok_or("vapid header has no k")?))
}

/// Verifies an ES256 VAPID token against `k` and checks its claims for this service.
fn check_vapid(token: &str, k: &str, origin: &str, now: u64) -> Result<(), String> {
    let key = VerifyingKey::from_sec1_bytes(&b64(k)?).map_err(|_| "k is not a P-256 public key")?;
    let (signing_input, sig) = token.rsplit_once('.').ok_or("token is not a JWT")?;
    let (header, claims) = signing_input.split_once('.').ok_or("token is not a JWT")?;
    let header: serde_json::Value = serde_json::from_slice(&b64(header)?).map_err(|e| e.to_string())?;
    if header["alg"] != "ES256" {
        return Err(format!("JWT alg is {}, not ES256", header["alg"]));
    }
    let sig = b64(sig)?;
    if sig.len() != 64 {
        return Err(format!("signature is {} bytes, not the 64 of raw r||s", sig.len()));
    }
    let sig = Signature::from_slice(&sig).map_err(|_| "signature is not r||s")?;
    key.verify(signing_input.as_bytes(), &sig)
        .map_err(|_| "Invalid bearer token: signature does not verify")?;
    let claims: serde_json::Value = serde_json::from_slice(&b64(claims)?).map_err(|e| e.to_string())?;
    if claims["aud"] != origin {
        return Err(format!("aud {} is not {origin}", claims["aud"]));
    }
    let exp = claims["exp"].as_u64().ok_or("exp missing or not a number")?;
    if exp <= now {
        return Err("Auth expired".to_owned());
    }
    if exp > now + MAX_VAPID_LIFETIME_SECS {
        return Err("Auth > 24 hours in the future".to_owned());
    }
    let sub = claims["sub"].as_str().unwrap_or_default();
    if !(sub.starts_with("mailto:") || sub.starts_with("https:")) {
        return Err(format!("sub {sub:?} is not a mailto: or https: contact"));
    }
    Ok(())
}

/// Decrypts a Web Push message (RFC 8291): exactly one `aes128gcm` record whose keyid is the
/// sender's 65-byte ephemeral public key.
pub fn decrypt(body: &[u8], ua_private: &SecretKey, auth: &[u8; 16]) -> Result<Vec<u8>, String> {
    let header = parse_header(body)?;
    if header.keyid.len() != 65 {
        return Err(format!(
            "keyid is {} bytes, not a 65-byte P-256 point",
            header.keyid.len()
        ));
    }
    if header.records.len() > header.rs {
        return Err("more than one record".to_owned());
    }
    let as_public = PublicKey::from_sec1_bytes(header.keyid).map_err(|_| "keyid is not a P-256 point")?;
    let ecdh = ua_private.diffie_hellman(&as_public);
    // RFC 8291 §3.4: PRK_key = HMAC(auth, ecdh); IKM = HMAC(PRK_key, key_info || 0x01).
    let ua_public = ua_private.public_key().to_sec1_point(false);
    let key_info = [b"WebPush: info\0".as_slice(), ua_public.as_bytes(), header.keyid].concat();
    let (_, prk_key) = Hkdf::<Sha256>::extract(Some(auth), ecdh.raw_secret_bytes());
    let mut ikm = [0u8; 32];
    prk_key.expand(&key_info, &mut ikm).map_err(|e| e.to_string())?;
    let records = open_records(&ikm, &header)?;
    match <[Vec<u8>; 1]>::try_from(records) {
        Ok([only]) => Ok(only),
        Err(r) => Err(format!("{} records, Web Push allows one", r.len())),
    }
}

struct Header<'a> {
    salt: &'a [u8],
    rs: usize,
    keyid: &'a [u8],
    records: &'a [u8],
}

fn parse_header(body: &[u8]) -> Result<Header<'_>, String> {
    if body.len() < 21 {
        return Err("body shorter than the aes128gcm header".to_owned());
    }
    let rs = u32::from_be_bytes([body[16], body[17], body[18], body[19]]) as usize;
    if rs < 18 {
        return Err(format!("rs {rs} is below 18"));
    }
    let idlen = body[20] as usize;
    let rest = &body[21..];
    if rest.len() < idlen {
        return Err("body shorter than its keyid".to_owned());
    }
    Ok(Header {
        salt: &body[..16],
        rs,
        keyid: &rest[..idlen],
        records: &rest[idlen..],
    })
}

/// RFC 8188 §2: decrypts every record and returns each one's data, padding and delimiter
/// removed (0x01 on every record but the last, 0x02 on the last).
fn open_records(ikm: &[u8], header: &Header<'_>) -> Result<Vec<Vec<u8>>, String> {
    let hk = Hkdf::<Sha256>::new(Some(header.salt), ikm);
    let mut cek = [0u8; 16];
    hk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .map_err(|e| e.to_string())?;
    let mut base_nonce = [0u8; 12];
    hk.expand(b"Content-Encoding: nonce\0", &mut base_nonce)
        .map_err(|e| e.to_string())?;
    let cipher = Aes128Gcm::new_from_slice(&cek).map_err(|e| e.to_string())?;
    let chunks: Vec<&[u8]> = header.records.chunks(header.rs).collect();
    if chunks.is_empty() {
        return Err("no records".to_owned());
    }
    let mut out = Vec::new();
    for (seq, chunk) in chunks.iter().enumerate() {
        let mut nonce = base_nonce;
        for (n, s) in nonce[4..].iter_mut().zip((seq as u64).to_be_bytes()) {
            *n ^= s;
        }
        let mut plain = cipher
            .decrypt(&nonce.into(), *chunk)
            .map_err(|_| format!("record {seq} does not authenticate"))?;
        let end = plain
            .iter()
            .rposition(|&b| b != 0)
            .ok_or(format!("record {seq} has no delimiter"))?;
        let expected = if seq + 1 == chunks.len() { 0x02 } else { 0x01 };
        if plain[end] != expected {
            return Err(format!(
                "record {seq} delimiter is {:#04x}, expected {expected:#04x}",
                plain[end]
            ));
        }
        plain.truncate(end);
        out.push(plain);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use worker::notifier::webpush::{
        PushMessage, SendOutcome, SubscriptionKeys, Urgency, VapidKeys, encrypt, send, topic_for, vapid_header,
    };

    fn client() -> reqwest::Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("http client")
    }

    fn b64(s: &str) -> Vec<u8> {
        Base64UrlUnpadded::decode_vec(s).expect("base64url")
    }

    fn msg() -> PushMessage {
        PushMessage {
            ttl_secs: 60,
            urgency: Urgency::High,
            topic: Some(topic_for("task-1")),
        }
    }

    #[tokio::test]
    async fn worker_messages_arrive_decrypted_and_answers_map_to_outcomes() {
        let http = client();
        let svc = PushService::start().await;
        let vapid = VapidKeys::generate();
        let sub = svc.subscribe_with_key(&vapid.public_b64());
        let json = sub.to_json();
        let keys = SubscriptionKeys::parse(
            json["keys"]["p256dh"].as_str().expect("p256dh"),
            json["keys"]["auth"].as_str().expect("auth"),
        )
        .expect("browser keys parse");
        let endpoint = json["endpoint"].as_str().expect("endpoint");
        let auth = vapid_header(&vapid, endpoint, "mailto:ops@example.com", unix_now()).expect("vapid");
        let payload = br#"{"task":"task-1","state":"COMPLETED"}"#;

        let body = encrypt(payload, &keys).expect("encrypt");
        let out = send(&http, endpoint, body, &msg(), &auth).await.expect("send");
        assert_eq!(out, SendOutcome::Delivered);
        assert_eq!(
            svc.received(),
            vec![Received {
                subscription_id: sub.id.clone(),
                plaintext: payload.to_vec(),
                ttl: 60,
                urgency: Some("high".into()),
                topic: Some(topic_for("task-1")),
                vapid_public_key: vapid.public_b64(),
            }]
        );

        svc.script(endpoint, vec![Scripted::Gone]);
        let out = send(
            &http,
            endpoint,
            encrypt(payload, &keys).expect("encrypt"),
            &msg(),
            &auth,
        )
        .await;
        assert_eq!(out.expect("send"), SendOutcome::Gone);

        svc.script(&sub.id, vec![Scripted::TooMany(3), Scripted::Error(503)]);
        let out = send(
            &http,
            endpoint,
            encrypt(payload, &keys).expect("encrypt"),
            &msg(),
            &auth,
        )
        .await;
        assert_eq!(out.expect("send"), SendOutcome::RetryAfter(Duration::from_secs(3)));
        let out = send(
            &http,
            endpoint,
            encrypt(payload, &keys).expect("encrypt"),
            &msg(),
            &auth,
        )
        .await;
        assert_eq!(out.expect("send"), SendOutcome::RetryAfter(Duration::from_secs(10)));

        let statuses: Vec<(String, u16)> = svc.attempts().into_iter().map(|(id, s, _)| (id, s)).collect();
        let id = sub.id.clone();
        assert_eq!(
            statuses,
            vec![(id.clone(), 201), (id.clone(), 410), (id.clone(), 429), (id, 503)]
        );
        assert_eq!(svc.received().len(), 1, "scripted answers deliver nothing");
    }

    #[tokio::test]
    async fn requests_a_strict_push_service_refuses_are_refused() {
        let http = client();
        let svc = PushService::start().await;
        let vapid = VapidKeys::generate();
        let sub = svc.subscribe_with_key(&vapid.public_b64());
        let keys = SubscriptionKeys::parse(&sub.p256dh_b64, &sub.auth_b64).expect("keys");
        let body = || encrypt(b"hi", &keys).expect("encrypt");
        let now = unix_now();
        let rejected = |out: SendOutcome| match out {
            SendOutcome::Rejected(code, text) => (code, text),
            other => panic!("expected a rejection, got {other:?}"),
        };

        // aud without the port, as libraries that drop it produce.
        let other_origin = vapid_header(&vapid, "http://127.0.0.1/push/x", "mailto:a@example.com", now).expect("vapid");
        let (code, text) = rejected(
            send(&http, &sub.endpoint, body(), &msg(), &other_origin)
                .await
                .expect("send"),
        );
        assert_eq!(code, 401);
        assert!(text.contains("aud"), "{text}");

        // exp = now − 1 h.
        let expired = vapid_header(&vapid, &sub.endpoint, "mailto:a@example.com", now - 13 * 3600).expect("vapid");
        let (code, text) = rejected(
            send(&http, &sub.endpoint, body(), &msg(), &expired)
                .await
                .expect("send"),
        );
        assert_eq!((code, text.as_str()), (401, "Auth expired"));

        // exp = now + 36 h.
        let far = vapid_header(&vapid, &sub.endpoint, "mailto:a@example.com", now + 24 * 3600).expect("vapid");
        assert_eq!(
            rejected(send(&http, &sub.endpoint, body(), &msg(), &far).await.expect("send")).0,
            401
        );

        // Signed by another key than the one the subscription was made with.
        let rotated = VapidKeys::generate();
        let h = vapid_header(&rotated, &sub.endpoint, "mailto:a@example.com", now).expect("vapid");
        assert_eq!(
            rejected(send(&http, &sub.endpoint, body(), &msg(), &h).await.expect("send")).0,
            403
        );

        // No TTL header.
        let good = vapid_header(&vapid, &sub.endpoint, "mailto:a@example.com", now).expect("vapid");
        let r = http
            .post(&sub.endpoint)
            .header("content-encoding", "aes128gcm")
            .header("authorization", &good)
            .body(body())
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 400);

        // Ciphertext for another subscription.
        let stranger = svc.subscribe();
        let theirs = SubscriptionKeys::parse(&stranger.p256dh_b64, &stranger.auth_b64).expect("keys");
        let wrong = encrypt(b"hi", &theirs).expect("encrypt");
        assert_eq!(
            rejected(send(&http, &sub.endpoint, wrong, &msg(), &good).await.expect("send")).0,
            400
        );

        // Unknown subscription.
        let gone = format!("{}/push/nobody", svc.origin);
        let h = vapid_header(&vapid, &gone, "mailto:a@example.com", now).expect("vapid");
        assert_eq!(
            send(&http, &gone, body(), &msg(), &h).await.expect("send"),
            SendOutcome::Gone
        );

        assert!(svc.received().is_empty());
        let statuses: Vec<u16> = svc.attempts().into_iter().map(|(_, s, _)| s).collect();
        assert_eq!(statuses, vec![401, 401, 401, 403, 400, 400, 404]);
    }

    #[test]
    fn decrypts_the_rfc8291_appendix_a_message() {
        let ua_private = SecretKey::from_slice(&b64("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94")).expect("key");
        let auth: [u8; 16] = b64("BTBZMqHH6r4Tts7J_aSIgg").try_into().expect("16 bytes");
        let body = b64(
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
        );
        assert_eq!(
            decrypt(&body, &ua_private, &auth).expect("decrypt"),
            b"When I grow up, I want to be a watermelon"
        );
        let mut tampered = body.clone();
        tampered[100] ^= 1;
        assert!(decrypt(&tampered, &ua_private, &auth).is_err());
    }

    #[test]
    fn opens_the_rfc8188_two_record_example_with_padding_and_delimiters() {
        let body =
            b64("uNCkWiNYzKTnBN9ji3-qWAAAABkCYTHOG8chz_gnvgOqdGYovxyjuqRyJFjEDyoF1Fvkj6hQPdPHI51OEUKEpgz3SsLWIqS_uA");
        let header = parse_header(&body).expect("header");
        assert_eq!((header.rs, header.keyid), (25, b"a1".as_slice()));
        let records = open_records(&b64("BO3ZVPxUlnLORbVGMpbT1Q"), &header).expect("open");
        assert_eq!(records, vec![b"I am th".to_vec(), b"e walrus".to_vec()]);
    }
}
