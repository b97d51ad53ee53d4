//! Web Push cryptography and message options (no HTTP here: the notifier sends).
//!
//! - Message encryption per RFC 8291: ECDH on P-256 with a fresh key per message, then the
//!   RFC 8188 `aes128gcm` content coding with a single record (`rs` 4096, keyid = the 65-byte
//!   ephemeral public key).
//! - Application-server identification per RFC 8292 (VAPID): an ES256 JWT whose `aud` is the
//!   endpoint's origin, port included.
//! - RFC 8030 message options (TTL, Urgency, Topic).
//!
//! Endpoint URLs are bearer capabilities, so errors name only their origin.

use std::time::Duration;

use aes_gcm::Aes128Gcm;
use aes_gcm::aead::{Aead, KeyInit};
use anyhow::{Context, anyhow, ensure};
use base64ct::{Base64UrlUnpadded, Encoding};
use hkdf::Hkdf;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::Generate;
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::{PublicKey, SecretKey};
use sha2::{Digest, Sha256};

/// Largest plaintext that fits one 4096-byte body: 4096 − 86 (header) − 1 (delimiter) − 16 (tag).
/// Push services need only accept 4096-byte bodies (RFC 8030 §7.2).
pub const MAX_PLAINTEXT: usize = 3993;

/// RFC 8188 record size written in the header; one record always fits in it.
pub const RECORD_SIZE: u32 = 4096;

/// How long a VAPID token is valid. RFC 8292 allows at most 24 h; half of that leaves room for
/// clock skew between us and the push service.
pub const VAPID_VALIDITY: Duration = Duration::from_secs(12 * 60 * 60);

const P256_POINT_LEN: usize = 65;
const AUTH_LEN: usize = 16;
const SALT_LEN: usize = 16;
const TAG_LEN: usize = 16;
/// The last (here: only) record of an `aes128gcm` body ends its plaintext with this byte.
const LAST_RECORD_DELIMITER: u8 = 0x02;

/// The application server's VAPID key pair (ES256, i.e. ECDSA on P-256).
///
/// Subscriptions are bound to the public key the browser was given as `applicationServerKey`:
/// replacing this key makes push services reject every existing subscription.
#[derive(Clone)]
pub struct VapidKeys {
    signing: SigningKey,
}

impl std::fmt::Debug for VapidKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The private scalar stays out of logs.
        f.debug_struct("VapidKeys")
            .field("public", &self.public_b64())
            .finish_non_exhaustive()
    }
}

impl VapidKeys {
    /// A new random key pair.
    pub fn generate() -> VapidKeys {
        VapidKeys {
            signing: SigningKey::generate(),
        }
    }

    /// Loads the key from its private scalar: base64url (unpadded) of 32 bytes.
    pub fn from_private_b64(private_b64: &str) -> anyhow::Result<VapidKeys> {
        let bytes = decode_b64url(private_b64).context("VAPID private key is not base64url")?;
        ensure!(
            bytes.len() == 32,
            "VAPID private key must be 32 bytes, got {}",
            bytes.len()
        );
        let signing =
            SigningKey::from_slice(&bytes).map_err(|_| anyhow!("VAPID private key is not a valid P-256 scalar"))?;
        Ok(VapidKeys { signing })
    }

    /// The private scalar, base64url without padding (what [`VapidKeys::from_private_b64`] reads).
    pub fn private_b64(&self) -> String {
        Base64UrlUnpadded::encode_string(&self.signing.to_bytes())
    }

    /// The public key as base64url of the 65-byte uncompressed point: the browser's
    /// `applicationServerKey` and the `k` parameter of the VAPID header.
    pub fn public_b64(&self) -> String {
        Base64UrlUnpadded::encode_string(self.signing.verifying_key().to_sec1_point(false).as_bytes())
    }
}

/// The keys a browser hands over with its subscription (`PushSubscription.toJSON().keys`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionKeys {
    p256dh: [u8; P256_POINT_LEN],
    auth: [u8; AUTH_LEN],
}

impl SubscriptionKeys {
    /// Validates and decodes `keys.p256dh` (an uncompressed P-256 point) and `keys.auth`
    /// (16 bytes), both base64url with or without padding. A point off the curve is refused
    /// (RFC 8291 §7): ECDH with it would leak bits of our ephemeral key.
    pub fn parse(p256dh_b64: &str, auth_b64: &str) -> anyhow::Result<SubscriptionKeys> {
        let p = decode_b64url(p256dh_b64).context("subscription key p256dh is not base64url")?;
        let p256dh: [u8; P256_POINT_LEN] = p.as_slice().try_into().map_err(|_| {
            anyhow!(
                "subscription key p256dh must be {P256_POINT_LEN} bytes, got {}",
                p.len()
            )
        })?;
        ensure!(
            p256dh[0] == 0x04,
            "subscription key p256dh must be an uncompressed point (first byte 0x04)"
        );
        PublicKey::from_sec1_bytes(&p256dh).map_err(|_| anyhow!("subscription key p256dh is not a point on P-256"))?;
        let a = decode_b64url(auth_b64).context("subscription key auth is not base64url")?;
        let auth: [u8; AUTH_LEN] = a
            .as_slice()
            .try_into()
            .map_err(|_| anyhow!("subscription key auth must be {AUTH_LEN} bytes, got {}", a.len()))?;
        Ok(SubscriptionKeys { p256dh, auth })
    }

    /// The browser's public key (65-byte uncompressed point).
    pub fn p256dh(&self) -> &[u8; P256_POINT_LEN] {
        &self.p256dh
    }

    /// The subscription's authentication secret.
    pub fn auth(&self) -> &[u8; AUTH_LEN] {
        &self.auth
    }
}

/// Encrypts a push message for one subscription (RFC 8291) with a fresh ephemeral key and salt,
/// as the RFC requires for every message.
pub fn encrypt(plaintext: &[u8], keys: &SubscriptionKeys) -> anyhow::Result<Vec<u8>> {
    let salt: [u8; SALT_LEN] = rand::random();
    encrypt_with_key(plaintext, keys, salt, &SecretKey::generate())
}

/// [`encrypt`] with the salt and the ephemeral private key given, so known vectors can be
/// reproduced. Never reuse either for real messages.
pub fn encrypt_with(
    plaintext: &[u8],
    keys: &SubscriptionKeys,
    salt: [u8; 16],
    as_private: [u8; 32],
) -> anyhow::Result<Vec<u8>> {
    let as_secret =
        SecretKey::from_slice(&as_private).map_err(|_| anyhow!("ephemeral private key is not a valid P-256 scalar"))?;
    encrypt_with_key(plaintext, keys, salt, &as_secret)
}

fn encrypt_with_key(
    plaintext: &[u8],
    keys: &SubscriptionKeys,
    salt: [u8; SALT_LEN],
    as_secret: &SecretKey,
) -> anyhow::Result<Vec<u8>> {
    ensure!(
        plaintext.len() <= MAX_PLAINTEXT,
        "push payload is {} bytes; at most {MAX_PLAINTEXT} fit one 4096-byte message",
        plaintext.len()
    );
    let ua_public = PublicKey::from_sec1_bytes(&keys.p256dh)
        .map_err(|_| anyhow!("subscription key p256dh is not a point on P-256"))?;
    let as_public = as_secret.public_key().to_sec1_point(false);
    let shared = p256::ecdh::diffie_hellman(as_secret.to_nonzero_scalar(), ua_public.as_affine());

    // RFC 8291 §3.3: the auth secret salts the ECDH secret; both public keys are bound in.
    let mut key_info = Vec::with_capacity(14 + 2 * P256_POINT_LEN);
    key_info.extend_from_slice(b"WebPush: info\0");
    key_info.extend_from_slice(&keys.p256dh);
    key_info.extend_from_slice(as_public.as_bytes());
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(&keys.auth), shared.raw_secret_bytes())
        .expand(&key_info, &mut ikm)
        .map_err(|_| anyhow!("HKDF output length"))?;

    aes128gcm_single_record(&ikm, salt, as_public.as_bytes(), plaintext, RECORD_SIZE)
}

/// RFC 8188 `aes128gcm` with exactly one record, no padding.
fn aes128gcm_single_record(
    ikm: &[u8],
    salt: [u8; SALT_LEN],
    keyid: &[u8],
    plaintext: &[u8],
    rs: u32,
) -> anyhow::Result<Vec<u8>> {
    let idlen = u8::try_from(keyid.len()).context("keyid longer than 255 bytes")?;
    ensure!(
        plaintext.len() + 1 + TAG_LEN <= rs as usize,
        "plaintext does not fit one record of {rs} bytes"
    );
    let prk = Hkdf::<Sha256>::new(Some(&salt), ikm);
    let mut cek = [0u8; 16];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .map_err(|_| anyhow!("HKDF output length"))?;
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .map_err(|_| anyhow!("HKDF output length"))?;
    // Record 0: its nonce is NONCE XOR 0, i.e. NONCE itself.
    let mut record = Vec::with_capacity(plaintext.len() + 1);
    record.extend_from_slice(plaintext);
    record.push(LAST_RECORD_DELIMITER);
    let cipher = Aes128Gcm::new_from_slice(&cek).map_err(|_| anyhow!("AES-128 key length"))?;
    let sealed = cipher
        .encrypt(&nonce.into(), record.as_slice())
        .map_err(|_| anyhow!("AES-GCM encryption failed"))?;

    let mut body = Vec::with_capacity(SALT_LEN + 4 + 1 + keyid.len() + sealed.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&rs.to_be_bytes());
    body.push(idlen);
    body.extend_from_slice(keyid);
    body.extend_from_slice(&sealed);
    Ok(body)
}

/// The `Authorization` header value for a push to `endpoint`: `vapid t=<JWT>, k=<public key>`.
///
/// The JWT's `aud` is the endpoint's origin (scheme, host, and port when not the default), `exp`
/// is `now_unix` + 12 h and `sub` is the contact URI, which must be `mailto:` or `https:`
/// (push services reject tokens without a real contact).
pub fn vapid_header(keys: &VapidKeys, endpoint: &str, subject: &str, now_unix: u64) -> anyhow::Result<String> {
    ensure!(
        subject.starts_with("mailto:") || subject.starts_with("https:"),
        "VAPID subject must be a mailto: or https: URI"
    );
    let aud = origin(endpoint)?;
    let claims = serde_json::json!({
        "aud": aud,
        "exp": now_unix + VAPID_VALIDITY.as_secs(),
        "sub": subject,
    });
    let signing_input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(br#"{"typ":"JWT","alg":"ES256"}"#),
        Base64UrlUnpadded::encode_string(claims.to_string().as_bytes())
    );
    // JWS ES256 wants the fixed-size r‖s form, not DER.
    let signature: Signature = keys.signing.sign(signing_input.as_bytes());
    Ok(format!(
        "vapid t={signing_input}.{}, k={}",
        Base64UrlUnpadded::encode_string(&signature.to_bytes()),
        keys.public_b64()
    ))
}

/// The origin of a push endpoint as RFC 8292 wants it in `aud`: `scheme://host[:port]`, the port
/// only when it is not the scheme's default, no path and no trailing slash.
pub fn origin(endpoint: &str) -> anyhow::Result<String> {
    let url = url::Url::parse(endpoint).context("push endpoint is not a URL")?;
    ensure!(
        matches!(url.scheme(), "https" | "http"),
        "push endpoint must be an http(s) URL"
    );
    ensure!(url.host().is_some(), "push endpoint has no host");
    Ok(url.origin().unicode_serialization())
}

/// `Urgency` of a push message (RFC 8030 §5.3): lets the browser's device save battery on
/// messages that can wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Urgency {
    /// Deliver on power and Wi-Fi.
    VeryLow,
    /// Deliver on power or Wi-Fi.
    Low,
    /// Deliver on neither power nor Wi-Fi (the default when the header is absent).
    #[default]
    Normal,
    /// Deliver even on low battery.
    High,
}

impl Urgency {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::VeryLow => "very-low",
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }
}

impl std::fmt::Display for Urgency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Delivery options of one push message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushMessage {
    /// How long the push service keeps the message for an offline browser (`TTL`, required by
    /// RFC 8030; 0 = deliver now or drop).
    pub ttl_secs: u32,
    /// `Urgency`.
    pub urgency: Urgency,
    /// `Topic`: a newer message with the same topic replaces an undelivered older one. At most
    /// 32 characters of the base64url alphabet; see [`topic_for`].
    pub topic: Option<String>,
}

/// A `Topic` for messages about `id` (e.g. a task id), so a browser that was offline gets only
/// the latest one: base64url of SHA-256(`id`), cut to 22 characters (RFC 8030 allows 32).
pub fn topic_for(id: &str) -> String {
    let mut t = Base64UrlUnpadded::encode_string(&Sha256::digest(id.as_bytes()));
    t.truncate(22);
    t
}

pub fn is_valid_topic(topic: &str) -> bool {
    !topic.is_empty()
        && topic.len() <= 32
        && topic
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Browsers hand out unpadded base64url; some libraries pad it. Both are accepted.
fn decode_b64url(s: &str) -> anyhow::Result<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(s.trim().trim_end_matches('=')).map_err(|e| anyhow!("{e}"))
}

// MAX_PLAINTEXT is exactly what fills a RECORD_SIZE body with the 86-byte Web Push header.
const _: () = assert!(SALT_LEN + 4 + 1 + P256_POINT_LEN + MAX_PLAINTEXT + 1 + TAG_LEN == RECORD_SIZE as usize);

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier;

    fn b64(s: &str) -> Vec<u8> {
        Base64UrlUnpadded::decode_vec(s).unwrap()
    }

    // RFC 8291 Appendix A.
    const UA_PUBLIC: &str = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
    const AS_PRIVATE: &str = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    const SALT: &str = "DGv6ra1nlYgDCS1FRnbzlw";
    const PLAINTEXT: &str = "V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24";
    const BODY: &str = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    fn vector_keys() -> SubscriptionKeys {
        SubscriptionKeys::parse(UA_PUBLIC, AUTH).unwrap()
    }

    #[test]
    fn rfc8291_appendix_a_vector() {
        let plaintext = b64(PLAINTEXT);
        assert_eq!(plaintext, b"When I grow up, I want to be a watermelon");
        let body = encrypt_with(
            &plaintext,
            &vector_keys(),
            b64(SALT).try_into().unwrap(),
            b64(AS_PRIVATE).try_into().unwrap(),
        )
        .unwrap();
        assert_eq!(body.len(), 144);
        assert_eq!(Base64UrlUnpadded::encode_string(&body), BODY);
    }

    #[test]
    fn rfc8188_single_record_example() {
        // RFC 8188 §3.1: the content coding alone, empty keyid.
        let body = aes128gcm_single_record(
            &b64("yqdlZ-tYemfogSmv7Ws5PQ"),
            b64("I1BsxtFttlv3u_Oo94xnmw").try_into().unwrap(),
            b"",
            b"I am the walrus",
            4096,
        )
        .unwrap();
        assert_eq!(
            Base64UrlUnpadded::encode_string(&body),
            "I1BsxtFttlv3u_Oo94xnmwAAEAAA-NAVub2qFgBEuQKRapoZu-IxkIva3MEB1PD-ly8Thjg"
        );
    }

    #[test]
    fn each_message_gets_its_own_salt_and_key_and_the_header_is_rfc8291_shaped() {
        let keys = vector_keys();
        let a = encrypt(b"hello", &keys).unwrap();
        let b = encrypt(b"hello", &keys).unwrap();
        assert_ne!(a[..16], b[..16], "salt");
        assert_ne!(a[21..86], b[21..86], "ephemeral key");
        assert_eq!(a[16..20], 4096u32.to_be_bytes());
        assert_eq!(a[20], 65);
        assert_eq!(a[21], 0x04);
        assert!(PublicKey::from_sec1_bytes(&a[21..86]).is_ok());
        assert_eq!(a.len(), 86 + 5 + 1 + 16);
    }

    #[test]
    fn the_largest_payload_fills_exactly_4096_bytes_and_one_more_is_refused() {
        let keys = vector_keys();
        let body = encrypt(&[b'x'; MAX_PLAINTEXT], &keys).unwrap();
        assert_eq!(body.len(), 4096);
        let err = encrypt(&[b'x'; MAX_PLAINTEXT + 1], &keys).unwrap_err();
        assert!(err.to_string().contains("3993"), "{err}");
    }

    #[test]
    fn subscription_keys_are_validated_field_by_field() {
        let padded_auth = format!("{AUTH}==");
        assert_eq!(SubscriptionKeys::parse(UA_PUBLIC, &padded_auth).unwrap(), vector_keys());
        assert_eq!(vector_keys().p256dh()[..], b64(UA_PUBLIC)[..]);
        assert_eq!(vector_keys().auth()[..], b64(AUTH)[..]);

        let err = |p: &str, a: &str| SubscriptionKeys::parse(p, a).unwrap_err().to_string();
        assert!(err("not base64!", AUTH).contains("p256dh"));
        // Compressed form (33 bytes) is not what browsers send.
        let ua = b64(UA_PUBLIC);
        let mut compressed = vec![0x02 | (ua[64] & 1)];
        compressed.extend_from_slice(&ua[1..33]);
        let e = err(&Base64UrlUnpadded::encode_string(&compressed), AUTH);
        assert!(e.contains("p256dh") && e.contains("65"), "{e}");
        let mut wrong_tag = ua.clone();
        wrong_tag[0] = 0x05;
        assert!(err(&Base64UrlUnpadded::encode_string(&wrong_tag), AUTH).contains("0x04"));
        let mut off_curve = ua.clone();
        off_curve[64] ^= 1;
        let e = err(&Base64UrlUnpadded::encode_string(&off_curve), AUTH);
        assert!(e.contains("p256dh") && e.contains("P-256"), "{e}");

        let e = err(UA_PUBLIC, &Base64UrlUnpadded::encode_string(&[7u8; 15]));
        assert!(e.contains("auth") && e.contains("16"), "{e}");
        assert!(err(UA_PUBLIC, "a$b").contains("auth"));
    }

    #[test]
    fn vapid_keys_round_trip_and_publish_an_uncompressed_point() {
        let k = VapidKeys::generate();
        let again = VapidKeys::from_private_b64(&k.private_b64()).unwrap();
        assert_eq!(again.public_b64(), k.public_b64());
        let public = b64(&k.public_b64());
        assert_eq!(public.len(), 65);
        assert_eq!(public[0], 0x04);
        assert!(!format!("{k:?}").contains(&k.private_b64()));
        assert!(VapidKeys::from_private_b64(&Base64UrlUnpadded::encode_string(&[1u8; 31])).is_err());
        assert!(VapidKeys::from_private_b64(&Base64UrlUnpadded::encode_string(&[0u8; 32])).is_err());
        // The RFC 8291 sender key: the derived public key must be the RFC's.
        let rfc = VapidKeys::from_private_b64(AS_PRIVATE).unwrap();
        assert_eq!(
            rfc.public_b64(),
            "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
        );
    }

    /// Checks an ES256 JWT against a base64url public key and returns its claims.
    fn verify_jwt(token: &str, k: &str) -> serde_json::Value {
        let key = VerifyingKey::from_sec1_bytes(&b64(k)).unwrap();
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig = b64(sig);
        assert_eq!(sig.len(), 64, "raw r||s");
        key.verify(input.as_bytes(), &Signature::from_slice(&sig).unwrap())
            .expect("signature verifies");
        let (header, claims) = input.split_once('.').unwrap();
        let header: serde_json::Value = serde_json::from_slice(&b64(header)).unwrap();
        assert_eq!(header, serde_json::json!({"typ": "JWT", "alg": "ES256"}));
        serde_json::from_slice(&b64(claims)).unwrap()
    }

    fn split_header(h: &str) -> (&str, &str) {
        let rest = h.strip_prefix("vapid t=").unwrap();
        rest.split_once(", k=").unwrap()
    }

    #[test]
    fn rfc8292_example_token_verifies_with_its_key() {
        let claims = verify_jwt(
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOjE0NTM1MjM3NjgsInN1YiI6Im1haWx0bzpwdXNoQGV4YW1wbGUuY29tIn0.i3CYb7t4xfxCDquptFOepC9GAu_HLGkMlMuCGSK2rpiUfnK9ojFwDXb1JrErtmysazNjjvW2L9OkSSHzvoD1oA",
            "BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs",
        );
        assert_eq!(
            claims,
            serde_json::json!({"aud": "https://push.example.net", "exp": 1453523768u64, "sub": "mailto:push@example.com"})
        );
    }

    #[test]
    fn vapid_token_is_signed_for_the_endpoint_origin_with_a_non_default_port() {
        let keys = VapidKeys::generate();
        let now = 1_700_000_000;
        let h = vapid_header(&keys, "http://127.0.0.1:4567/push/abc", "mailto:ops@example.com", now).unwrap();
        let (t, k) = split_header(&h);
        assert_eq!(k, keys.public_b64());
        let claims = verify_jwt(t, k);
        assert_eq!(
            claims,
            serde_json::json!({"aud": "http://127.0.0.1:4567", "exp": now + 12 * 3600, "sub": "mailto:ops@example.com"})
        );
        // The same token checked against another key must fail.
        let other = VapidKeys::generate().public_b64();
        let (input, sig) = t.rsplit_once('.').unwrap();
        let other_key = VerifyingKey::from_sec1_bytes(&b64(&other)).unwrap();
        assert!(
            other_key
                .verify(input.as_bytes(), &Signature::from_slice(&b64(sig)).unwrap())
                .is_err()
        );
    }

    #[test]
    fn vapid_aud_drops_the_default_port_and_the_path() {
        let keys = VapidKeys::generate();
        for (endpoint, aud) in [
            ("https://fcm.googleapis.com/fcm/send/x", "https://fcm.googleapis.com"),
            (
                "https://fcm.googleapis.com:443/fcm/send/x",
                "https://fcm.googleapis.com",
            ),
            (
                "https://web.push.apple.com:8443/QGx?y=1",
                "https://web.push.apple.com:8443",
            ),
        ] {
            let h = vapid_header(&keys, endpoint, "https://claudomator.example", 0).unwrap();
            let (t, k) = split_header(&h);
            assert_eq!(verify_jwt(t, k)["aud"], aud, "{endpoint}");
        }
    }

    #[test]
    fn vapid_refuses_a_missing_contact_and_odd_endpoints() {
        let keys = VapidKeys::generate();
        assert!(vapid_header(&keys, "https://push.example.net/x", "ops@example.com", 0).is_err());
        assert!(vapid_header(&keys, "https://push.example.net/x", "", 0).is_err());
        assert!(vapid_header(&keys, "not a url", "mailto:a@b.c", 0).is_err());
        assert!(vapid_header(&keys, "ftp://push.example.net/x", "mailto:a@b.c", 0).is_err());
    }

    #[test]
    fn topics_are_short_url_safe_and_stable() {
        let t = topic_for("01J9Z3task");
        assert_eq!(t.len(), 22);
        assert!(is_valid_topic(&t));
        assert_eq!(t, topic_for("01J9Z3task"));
        assert_ne!(t, topic_for("01J9Z3tasl"));
        assert!(!is_valid_topic("has space"));
        assert!(!is_valid_topic(&"a".repeat(33)));
        assert!(!is_valid_topic("a+b/c="));
    }

    #[test]
    fn urgency_header_values() {
        let all = [Urgency::VeryLow, Urgency::Low, Urgency::Normal, Urgency::High].map(|u| u.to_string());
        assert_eq!(all, ["very-low", "low", "normal", "high"]);
        assert_eq!(Urgency::default(), Urgency::Normal);
    }
}
