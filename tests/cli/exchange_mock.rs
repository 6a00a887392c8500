//! A local stand-in for the exchanges' read-only "what can this key do"
//! endpoints, for `--verify` tests (no test reaches the internet).
//!
//! [`Mock::exchange`] starts an HTTP/1.1 server on 127.0.0.1 that behaves as
//! the exchange documents (EXCHANGES.md sections 4 and 5): it checks the
//! method, the path, the auth headers, the timestamp window and the
//! signature, recomputed here from the account's secret with the hmac, sha2,
//! base64 and p256 crates (never with keyaudit's own signing code), and
//! answers with the documented JSON shapes: the account's permissions when
//! everything checks out, the exchange's unknown-key error for a key it does
//! not have, its signature error for a bad signature (counted by
//! [`Mock::bad_signatures`]). [`Mock::hanging`] never answers;
//! [`Mock::garbage`] answers 200 with a body that is not JSON.
//!
//! How [`Perms`] look on each exchange (read is always granted):
//! - Binance (HMAC keys, and Ed25519 keys whose secret is a PKCS#8 PEM):
//!   `enableReading`, `enableSpotAndMarginTrading` = trade,
//!   `enableInternalTransfer` = transfer, `enableWithdrawals` = withdraw,
//!   `ipRestrict`; a trading key without IP restriction gets a
//!   `tradingAuthorityExpirationTime` 30 days ahead (Binance's rule).
//! - Bybit: `readOnly` 1 when nothing but read, else groups `Spot:
//!   [SpotTrade]` and `ContractTrade: [Order, Position]` = trade,
//!   `Wallet: [AccountTransfer]` = transfer, `Wallet: [Withdraw]` = withdraw;
//!   `ips` `["*"]` unless restricted, then `expiredAt` 90 days ahead.
//! - OKX: `perm` `read_only[,trade][,withdraw]` (OKX has no transfer
//!   toggle: `transfer` is not shown); `ip` set when restricted.
//! - KuCoin: `permission` `General[,Spot][,InnerTransfer][,Transfer]`
//!   (KuCoin's `Transfer` is withdraw); `ipWhitelist` when restricted.
//! - Kraken: the `query-*` slugs, `modify-trades`/`cancel-trades` = trade,
//!   `withdraw-funds` = withdraw (no transfer toggle); `ipAllowlist`. The
//!   account's secret must be base64 (as Kraken's are). Nonces must increase.
//! - Coinbase (CDP): `can_view`, `can_trade` = trade, `can_transfer` =
//!   transfer or withdraw; no IP information in the answer. The account's
//!   key is the CDP key name, its secret an EC PEM ([`cdp_secret`]). Every
//!   failure is a bare 401, as Coinbase answers.
//! - BitMEX: the account's one key with `permissions` `order`, `orderCancel`
//!   = trade, `withdraw` = withdraw (no transfer); `cidr` `0.0.0.0/0`
//!   unless restricted.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256, Sha512};

/// What an account's key may do besides read (always granted).
#[derive(Clone, Debug, Default)]
pub struct Perms {
    pub trade: bool,
    pub transfer: bool,
    pub withdraw: bool,
    pub ip_restricted: bool,
}

/// One key the mock exchange knows.
#[derive(Clone)]
pub struct Account {
    pub key: String,
    pub secret: String,
    pub passphrase: Option<String>,
    pub perms: Perms,
}

/// A running mock exchange; the server stops when it is dropped.
pub struct Mock {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    shared: Arc<Shared>,
    addr: std::net::SocketAddr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Exchange,
    Hanging,
    Garbage,
}

struct Shared {
    exchange: String,
    mode: Mode,
    accounts: Vec<Account>,
    hits: AtomicUsize,
    bad_signatures: AtomicUsize,
    stop: AtomicBool,
    /// Kraken: the last nonce seen per key.
    nonces: Mutex<HashMap<String, u64>>,
}

impl Mock {
    /// A mock of `id` ("binance", "bybit", "okx", "kucoin", "kraken",
    /// "coinbase", "bitmex") that knows these accounts.
    pub fn exchange(id: &str, accounts: Vec<Account>) -> Mock {
        assert!(
            [
                "binance", "bybit", "okx", "kucoin", "kraken", "coinbase", "bitmex"
            ]
            .contains(&id),
            "no mock for {id}"
        );
        Mock::start(id, Mode::Exchange, accounts)
    }

    /// Accepts connections and never answers.
    pub fn hanging() -> Mock {
        Mock::start("", Mode::Hanging, Vec::new())
    }

    /// Answers every request 200 with a body that is not JSON.
    pub fn garbage() -> Mock {
        Mock::start("", Mode::Garbage, Vec::new())
    }

    /// Requests received so far.
    pub fn hits(&self) -> usize {
        self.shared.hits.load(Ordering::SeqCst)
    }

    /// Requests whose signature did not check.
    pub fn bad_signatures(&self) -> usize {
        self.shared.bad_signatures.load(Ordering::SeqCst)
    }

    fn start(exchange: &str, mode: Mode, accounts: Vec<Account>) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            exchange: exchange.to_string(),
            mode,
            accounts,
            hits: AtomicUsize::new(0),
            bad_signatures: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            nonces: Mutex::new(HashMap::new()),
        });
        let server = Arc::clone(&shared);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if server.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let server = Arc::clone(&server);
                thread::spawn(move || serve(&server, stream));
            }
        });
        Mock {
            url: format!("http://{addr}"),
            shared,
            addr,
        }
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

/// A credential for a Coinbase CDP account: a fresh P-256 key as a SEC1 PEM
/// (`-----BEGIN EC PRIVATE KEY-----`, real newlines).
pub fn cdp_secret() -> String {
    let mut bytes = [0u8; 32];
    loop {
        getrandom::fill(&mut bytes).expect("randomness");
        if let Ok(key) = p256::SecretKey::from_slice(&bytes) {
            return key.to_sec1_pem(Default::default()).unwrap().to_string();
        }
    }
}

/// A CDP key name (`organizations/{uuid}/apiKeys/{uuid}`) made from `seed`.
pub fn cdp_key_name(seed: u8) -> String {
    let hex = |n: usize| format!("{seed:02x}").repeat(n);
    let uuid = format!("{}-{}-{}-{}-{}", hex(4), hex(2), hex(2), hex(2), hex(6));
    format!("organizations/{uuid}/apiKeys/{uuid}")
}

// ---------------------------------------------------------------------------
// HTTP

struct HttpRequest {
    method: String,
    target: String,
    /// Lowercased names.
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl HttpRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
    fn query(&self) -> &str {
        self.target.split_once('?').map(|(_, q)| q).unwrap_or("")
    }
}

fn read_request(stream: &TcpStream) -> Option<HttpRequest> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut words = line.split_whitespace();
    let (method, target) = (words.next()?.to_string(), words.next()?.to_string());
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    Some(HttpRequest {
        method,
        target,
        headers,
        body,
    })
}

fn serve(shared: &Shared, mut stream: TcpStream) {
    if shared.stop.load(Ordering::SeqCst) {
        return;
    }
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = read_request(&stream);
    if request.is_some() {
        shared.hits.fetch_add(1, Ordering::SeqCst);
    }
    let (status, body) = match (shared.mode, request) {
        (Mode::Hanging, _) => {
            while !shared.stop.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(20));
            }
            return;
        }
        (Mode::Garbage, _) => (200, "<html><body>502 Bad Gateway</body></html>".to_string()),
        (Mode::Exchange, None) => (400, "bad request".to_string()),
        (Mode::Exchange, Some(request)) => answer(shared, &request),
    };
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        _ => "Status",
    };
    let content_type = if body.starts_with(['{', '[']) {
        "application/json"
    } else {
        "text/plain"
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Both);
}

// ---------------------------------------------------------------------------
// The exchanges

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn hmac256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares in constant time for equal lengths (as a server should).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn json(value: serde_json::Value) -> String {
    value.to_string()
}

fn answer(shared: &Shared, request: &HttpRequest) -> (u16, String) {
    let endpoint = match shared.exchange.as_str() {
        "binance" => ("GET", "/sapi/v1/account/apiRestrictions"),
        "bybit" => ("GET", "/v5/user/query-api"),
        "okx" => ("GET", "/api/v5/account/config"),
        "kucoin" => ("GET", "/api/v1/user/api-key"),
        "kraken" => ("POST", "/0/private/GetApiKeyInfo"),
        "coinbase" => ("GET", "/api/v3/brokerage/key_permissions"),
        _ => ("GET", "/api/v1/apiKey"),
    };
    if (request.method.as_str(), request.path()) != endpoint {
        return (404, json(serde_json::json!({"error": "not found"})));
    }
    let bad = || {
        shared.bad_signatures.fetch_add(1, Ordering::SeqCst);
    };
    let account =
        |key: Option<&str>| key.and_then(|key| shared.accounts.iter().find(|a| a.key == key));
    match shared.exchange.as_str() {
        "binance" => binance(request, account(request.header("X-MBX-APIKEY")), bad),
        "bybit" => bybit(request, account(request.header("X-BAPI-API-KEY")), bad),
        "okx" => okx(request, account(request.header("OK-ACCESS-KEY")), bad),
        "kucoin" => kucoin(request, account(request.header("KC-API-KEY")), bad),
        "kraken" => kraken(shared, request, account(request.header("API-Key")), bad),
        "coinbase" => coinbase(shared, request, bad),
        _ => bitmex(request, account(request.header("api-key")), bad),
    }
}

/// True when `signature` (percent-encoded base64) is the Ed25519 signature
/// of `signed` by the key in `pem` (PKCS#8, real or `\n`-escaped line breaks).
fn binance_ed25519_ok(pem: &str, signed: &str, signature: &str) -> bool {
    use ed25519_dalek::Verifier;
    use ed25519_dalek::pkcs8::DecodePrivateKey;
    let pem = pem.replace("\\n", "\n");
    let Ok(key) = ed25519_dalek::SigningKey::from_pkcs8_pem(&pem) else {
        return false;
    };
    let decoded = signature
        .replace("%2B", "+")
        .replace("%2F", "/")
        .replace("%3D", "=");
    let Some(bytes) = STANDARD
        .decode(decoded)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
    else {
        return false;
    };
    key.verifying_key()
        .verify(
            signed.as_bytes(),
            &ed25519_dalek::Signature::from_bytes(&bytes),
        )
        .is_ok()
}

fn binance(request: &HttpRequest, account: Option<&Account>, bad: impl Fn()) -> (u16, String) {
    let error = |status, code: i64, msg: &str| {
        (status, json(serde_json::json!({"code": code, "msg": msg})))
    };
    if request.header("X-MBX-APIKEY").is_none() {
        return error(401, -2014, "API-key format invalid.");
    }
    let Some(account) = account else {
        return error(401, -2008, "Invalid Api-Key ID.");
    };
    let Some((signed, signature)) = request.query().rsplit_once("&signature=") else {
        return error(
            400,
            -1102,
            "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
        );
    };
    let param = |name: &str| {
        signed
            .split('&')
            .find_map(|p| p.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let (Some(timestamp), window) = (param("timestamp"), param("recvWindow").unwrap_or(5000))
    else {
        return error(
            400,
            -1102,
            "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
        );
    };
    let now = now_ms();
    if window > 60_000 || timestamp >= now + 1000 || now.saturating_sub(timestamp) > window {
        return error(
            400,
            -1021,
            "Timestamp for this request is outside of the recvWindow.",
        );
    }
    let valid = if account.secret.contains("PRIVATE KEY") {
        // A self-generated Ed25519 key: base64 signature, percent-encoded.
        binance_ed25519_ok(&account.secret, signed, signature)
    } else {
        let expected = hex(&hmac256(account.secret.as_bytes(), signed.as_bytes()));
        same(
            expected.as_bytes(),
            signature.to_ascii_lowercase().as_bytes(),
        )
    };
    if !valid {
        bad();
        return error(400, -1022, "Signature for this request is not valid.");
    }
    let p = &account.perms;
    let expiry = if p.trade && !p.ip_restricted {
        now + 30 * 86_400_000
    } else {
        0
    };
    (
        200,
        json(serde_json::json!({
            "ipRestrict": p.ip_restricted,
            "createTime": now - 86_400_000,
            "enableReading": true,
            "enableWithdrawals": p.withdraw,
            "enableInternalTransfer": p.transfer,
            "enableMargin": false,
            "enableFutures": false,
            "permitsUniversalTransfer": false,
            "enableVanillaOptions": false,
            "enableFixApiTrade": false,
            "enableFixReadOnly": false,
            "enableSpotAndMarginTrading": p.trade,
            "enablePortfolioMarginTrading": false,
            "tradingAuthorityExpirationTime": expiry,
        })),
    )
}

/// RFC 3339 UTC seconds (`2023-12-22T07:20:25Z`).
fn rfc3339(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn bybit(request: &HttpRequest, account: Option<&Account>, bad: impl Fn()) -> (u16, String) {
    let error = |code: i64, msg: &str| {
        (
            401,
            json(
                serde_json::json!({"retCode": code, "retMsg": msg, "result": {}, "retExtInfo": {}, "time": now_ms()}),
            ),
        )
    };
    let Some(account) = account else {
        return error(10003, "API key is invalid.");
    };
    let (Some(timestamp), Some(signature)) = (
        request.header("X-BAPI-TIMESTAMP"),
        request.header("X-BAPI-SIGN"),
    ) else {
        return error(10001, "missing X-BAPI-TIMESTAMP or X-BAPI-SIGN");
    };
    let window = request.header("X-BAPI-RECV-WINDOW").unwrap_or("5000");
    let (Ok(ts), Ok(win)) = (timestamp.parse::<u64>(), window.parse::<u64>()) else {
        return error(10001, "bad timestamp or recv window");
    };
    let now = now_ms();
    if !(now.saturating_sub(win) <= ts && ts < now + 1000) {
        return error(
            10002,
            "invalid request, please check your server timestamp or recv_window param",
        );
    }
    let payload = format!("{timestamp}{}{window}{}", account.key, request.query());
    if !same(
        hex(&hmac256(account.secret.as_bytes(), payload.as_bytes())).as_bytes(),
        signature.as_bytes(),
    ) {
        bad();
        return error(
            10004,
            "Error sign, please check your signature generation algorithm.",
        );
    }
    let p = &account.perms;
    let read_only = !(p.trade || p.transfer || p.withdraw);
    let mut wallet = Vec::new();
    if p.transfer {
        wallet.push("AccountTransfer");
    }
    if p.withdraw {
        wallet.push("Withdraw");
    }
    let (spot, contract): (Vec<&str>, Vec<&str>) = if p.trade {
        (vec!["SpotTrade"], vec!["Order", "Position"])
    } else {
        (vec![], vec![])
    };
    let (ips, expired_at) = if p.ip_restricted {
        (vec!["203.0.113.7"], String::new())
    } else {
        (vec!["*"], rfc3339(now + 90 * 86_400_000))
    };
    (
        200,
        json(serde_json::json!({
            "retCode": 0,
            "retMsg": "",
            "result": {
                "id": "13770661", "note": "mock", "apiKey": account.key, "readOnly": i32::from(read_only), "secret": "",
                "permissions": {
                    "ContractTrade": contract, "Spot": spot, "Wallet": wallet, "Options": [], "Derivatives": [],
                    "CopyTrading": [], "BlockTrade": [], "Exchange": [], "NFT": [], "Affiliate": []
                },
                "ips": ips, "type": 1, "deadlineDay": if p.ip_restricted { 0 } else { 90 }, "expiredAt": expired_at,
                "createdAt": rfc3339(now - 86_400_000), "unified": 0, "uta": 1, "userID": 24617703, "isMaster": true
            },
            "retExtInfo": {},
            "time": now
        })),
    )
}

/// Milliseconds of an ISO-8601 UTC time with milliseconds (`2020-12-08T09:08:57.715Z`).
fn iso_ms(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() != 24
        || &text[4..5] != "-"
        || &text[10..11] != "T"
        || &text[19..20] != "."
        || &text[23..] != "Z"
    {
        return None;
    }
    let n = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hh, mm, ss, ms) = (n(11..13)?, n(14..16)?, n(17..19)?, n(20..23)?);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    u64::try_from(((days * 86_400 + hh * 3600 + mm * 60 + ss) * 1000) + ms).ok()
}

fn okx(request: &HttpRequest, account: Option<&Account>, bad: impl Fn()) -> (u16, String) {
    let error = |code: &str, msg: &str| (401, json(serde_json::json!({"msg": msg, "code": code})));
    let Some(account) = account else {
        return error("50111", "Invalid OK-ACCESS-KEY");
    };
    let (Some(timestamp), Some(signature)) = (
        request.header("OK-ACCESS-TIMESTAMP"),
        request.header("OK-ACCESS-SIGN"),
    ) else {
        return error(
            "50103",
            "Request header OK-ACCESS-TIMESTAMP or OK-ACCESS-SIGN cannot be empty",
        );
    };
    let Some(ts) = iso_ms(timestamp) else {
        return error("50112", "Invalid OK-ACCESS-TIMESTAMP");
    };
    if now_ms().abs_diff(ts) > 30_000 {
        return error("50102", "Timestamp request expired");
    }
    let mut payload = format!("{timestamp}{}{}", request.method, request.target).into_bytes();
    payload.extend(&request.body);
    let expected = STANDARD.encode(hmac256(account.secret.as_bytes(), &payload));
    if !same(expected.as_bytes(), signature.as_bytes()) {
        bad();
        return error("50113", "Invalid Sign");
    }
    if request.header("OK-ACCESS-PASSPHRASE") != account.passphrase.as_deref() {
        return error("50105", "Your OK-ACCESS-PASSPHRASE is incorrect.");
    }
    let p = &account.perms;
    let mut perm = vec!["read_only"];
    if p.trade {
        perm.push("trade");
    }
    if p.withdraw {
        perm.push("withdraw");
    }
    let ip = if p.ip_restricted { "203.0.113.7" } else { "" };
    (
        200,
        json(serde_json::json!({
            "code": "0",
            "data": [{
                "acctLv": "2", "autoLoan": false, "ctIsoMode": "automatic", "greeksType": "PA", "ip": ip, "kycLv": "3",
                "label": "mock", "level": "Lv1", "levelTmp": "", "mainUid": "44705892343619584", "mgnIsoMode": "automatic",
                "perm": perm.join(","), "posMode": "long_short_mode", "uid": "44705892343619584"
            }],
            "msg": ""
        })),
    )
}

fn kucoin(request: &HttpRequest, account: Option<&Account>, bad: impl Fn()) -> (u16, String) {
    let error = |code: &str, msg: &str| (401, json(serde_json::json!({"code": code, "msg": msg})));
    let Some(account) = account else {
        return error("400003", "KC-API-KEY not exists");
    };
    let (Some(timestamp), Some(signature)) = (
        request.header("KC-API-TIMESTAMP"),
        request.header("KC-API-SIGN"),
    ) else {
        return error(
            "400001",
            "Please check the header of your request for KC-API-KEY, KC-API-SIGN, KC-API-TIMESTAMP, KC-API-PASSPHRASE",
        );
    };
    match timestamp.parse::<u64>() {
        Ok(ts) if now_ms().abs_diff(ts) <= 5000 => {}
        _ => return error("400002", "KC-API-TIMESTAMP Invalid"),
    }
    let secret = account.secret.as_bytes();
    let mut payload = format!("{timestamp}{}{}", request.method, request.target).into_bytes();
    payload.extend(&request.body);
    if !same(
        STANDARD.encode(hmac256(secret, &payload)).as_bytes(),
        signature.as_bytes(),
    ) {
        bad();
        return error("400005", "Signature verification failed");
    }
    let passphrase = account.passphrase.as_deref().unwrap_or("");
    let expected = match request.header("KC-API-KEY-VERSION") {
        Some("2") | Some("3") => STANDARD.encode(hmac256(secret, passphrase.as_bytes())),
        _ => passphrase.to_string(),
    };
    if request.header("KC-API-PASSPHRASE") != Some(expected.as_str()) {
        return error("400004", "Invalid KC-API-PASSPHRASE");
    }
    let p = &account.perms;
    let mut permission = vec!["General"];
    if p.trade {
        permission.push("Spot");
    }
    if p.transfer {
        permission.push("InnerTransfer");
    }
    if p.withdraw {
        permission.push("Transfer");
    }
    let ips = if p.ip_restricted { "203.**.7" } else { "" };
    (
        200,
        json(serde_json::json!({
            "code": "200000",
            "data": {
                "remark": "mock", "apiKey": account.key, "apiVersion": 2, "permission": permission.join(","),
                "ipWhitelist": ips, "isMaster": true, "uid": 1234, "createdAt": now_ms() - 86_400_000
            }
        })),
    )
}

fn kraken(
    shared: &Shared,
    request: &HttpRequest,
    account: Option<&Account>,
    bad: impl Fn(),
) -> (u16, String) {
    let error = |e: &str| (200, json(serde_json::json!({"error": [e]})));
    let Some(account) = account else {
        return error("EAPI:Invalid key");
    };
    let body = String::from_utf8_lossy(&request.body).to_string();
    let Some(nonce) = body
        .split('&')
        .find_map(|p| p.strip_prefix("nonce="))
        .and_then(|n| n.parse::<u64>().ok())
    else {
        return error("EAPI:Invalid nonce");
    };
    let (Some(signature), Ok(secret)) = (
        request.header("API-Sign"),
        STANDARD.decode(account.secret.trim()),
    ) else {
        bad();
        return error("EAPI:Invalid signature");
    };
    let mut message = request.path().as_bytes().to_vec();
    message.extend(Sha256::digest(format!("{nonce}{body}").as_bytes()));
    let mut mac = hmac::Hmac::<Sha512>::new_from_slice(&secret).unwrap();
    mac.update(&message);
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    if !same(expected.as_bytes(), signature.as_bytes()) {
        bad();
        return error("EAPI:Invalid signature");
    }
    {
        let mut nonces = shared.nonces.lock().unwrap();
        let last = nonces.entry(account.key.clone()).or_insert(0);
        if nonce <= *last {
            return error("EAPI:Invalid nonce");
        }
        *last = nonce;
    }
    let p = &account.perms;
    let mut permissions = vec![
        "query-funds",
        "query-open-trades",
        "query-closed-trades",
        "query-ledger",
    ];
    if p.trade {
        permissions.extend(["modify-trades", "cancel-trades"]);
    }
    if p.withdraw {
        permissions.push("withdraw-funds");
    }
    let allow: Vec<&str> = if p.ip_restricted {
        vec!["203.0.113.7/32"]
    } else {
        vec![]
    };
    let now = (now_ms() / 1000).to_string();
    (
        200,
        json(serde_json::json!({
            "error": [],
            "result": {
                "apiKeyName": "mock", "apiKey": account.key, "nonce": nonce.to_string(), "nonceWindow": 0,
                "permissions": permissions, "iban": "AB12 C345 DEFG HIJK", "validUntil": "0", "queryFrom": "0",
                "queryTo": "0", "createdTime": now, "modifiedTime": now, "ipAllowlist": allow, "lastUsed": now
            }
        })),
    )
}

fn coinbase(shared: &Shared, request: &HttpRequest, bad: impl Fn()) -> (u16, String) {
    use p256::ecdsa::signature::Verifier as _;
    let unauthorized = || (401, "Unauthorized\n".to_string());
    let Some(jwt) = request
        .header("Authorization")
        .and_then(|a| a.strip_prefix("Bearer "))
    else {
        return unauthorized();
    };
    let parts: Vec<&str> = jwt.split('.').collect();
    if parts.len() != 3 {
        return unauthorized();
    }
    let decode = |part: &str| -> Option<serde_json::Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
    };
    let (Some(header), Some(claims)) = (decode(parts[0]), decode(parts[1])) else {
        return unauthorized();
    };
    let kid = header["kid"].as_str().unwrap_or("");
    let Some(account) = shared.accounts.iter().find(|a| a.key == kid) else {
        return unauthorized();
    };
    if header["alg"] != "ES256" || header["nonce"].as_str().is_none_or(str::is_empty) {
        return unauthorized();
    }
    let public = p256::SecretKey::from_sec1_pem(&account.secret)
        .map(|s| p256::ecdsa::VerifyingKey::from(&p256::ecdsa::SigningKey::from(s)))
        .expect("the mock account's secret is an EC PEM (see cdp_secret)");
    let signature = URL_SAFE_NO_PAD
        .decode(parts[2])
        .ok()
        .and_then(|s| p256::ecdsa::Signature::from_slice(&s).ok());
    let input = format!("{}.{}", parts[0], parts[1]);
    if signature.is_none_or(|s| public.verify(input.as_bytes(), &s).is_err()) {
        bad();
        return unauthorized();
    }
    let now = now_ms() / 1000;
    let (nbf, exp) = (
        claims["nbf"].as_u64().unwrap_or(u64::MAX),
        claims["exp"].as_u64().unwrap_or(0),
    );
    let uri = format!("{} api.coinbase.com{}", request.method, request.path());
    if claims["sub"] != kid
        || claims["iss"] != "cdp"
        || claims["uri"] != uri.as_str()
        || nbf > now + 5
        || exp <= now
        || exp - nbf > 120
    {
        return unauthorized();
    }
    let p = &account.perms;
    (
        200,
        json(serde_json::json!({
            "can_view": true, "can_trade": p.trade, "can_transfer": p.transfer || p.withdraw,
            "portfolio_uuid": "8f1ac569-ed29-48ae-b989-6798a975afab", "portfolio_type": "DEFAULT"
        })),
    )
}

fn bitmex(request: &HttpRequest, account: Option<&Account>, bad: impl Fn()) -> (u16, String) {
    let error = |msg: &str| {
        (
            401,
            json(serde_json::json!({"error": {"message": msg, "name": "HTTPError"}})),
        )
    };
    let Some(account) = account else {
        return error("Invalid API Key.");
    };
    let (Some(expires), Some(signature)) = (
        request.header("api-expires"),
        request.header("api-signature"),
    ) else {
        return error("Missing API expiry or signature.");
    };
    let now = now_ms() / 1000;
    match expires.parse::<u64>() {
        Ok(e) if e > now => {}
        _ => {
            return error(&format!(
                "This request has expired - `expires` is in the past. Current time: {now}"
            ));
        }
    }
    let mut message = format!("{}{}{expires}", request.method, request.target).into_bytes();
    message.extend(&request.body);
    if !same(
        hex(&hmac256(account.secret.as_bytes(), &message)).as_bytes(),
        signature.as_bytes(),
    ) {
        bad();
        return error("Signature not valid.");
    }
    let p = &account.perms;
    let mut permissions = Vec::new();
    if p.trade {
        permissions.extend(["order", "orderCancel"]);
    }
    if p.withdraw {
        permissions.push("withdraw");
    }
    let cidr = if p.ip_restricted {
        "203.0.113.7/32"
    } else {
        "0.0.0.0/0"
    };
    (
        200,
        json(serde_json::json!([{
            "id": account.key, "secret": "", "name": "mock", "nonce": 0, "cidr": cidr, "cidrs": [cidr],
            "permissions": permissions, "enabled": true, "userId": 1, "created": rfc3339(now_ms() - 86_400_000)
        }])),
    )
}

// ---------------------------------------------------------------------------
// Proof: keyaudit's own adapters against the mock, over a plain TCP client.

#[cfg(test)]
mod tests {
    use super::*;
    use keyaudit::verify::{Answer, Clock, Credential, Method};

    /// One HTTP/1.1 exchange over a plain TcpStream: status and body.
    fn send(url: &str, method: Method, request: &keyaudit::verify::Request) -> (u16, Vec<u8>) {
        let addr = url.strip_prefix("http://").unwrap();
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {addr}\r\n",
            method.as_str(),
            request.path_and_query
        );
        for (name, value) in &request.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(content_type) = request.content_type {
            head.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            request.body.len()
        ));
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&request.body).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&response[..split]).to_string();
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        (status, response[split + 4..].to_vec())
    }

    fn clock() -> Clock {
        Clock {
            unix_ms: now_ms(),
            nonce: "0123456789abcdef0123456789abcdef".into(),
        }
    }

    fn verify(mock: &Mock, id: &str, credential: &Credential) -> Answer {
        let verifier = keyaudit::catalog::exchange(id)
            .unwrap()
            .verify
            .as_ref()
            .unwrap();
        let request = (verifier.sign)(credential, &clock()).unwrap();
        let (status, body) = send(&mock.url, verifier.method, &request);
        (verifier.read)(credential, status, &body)
    }

    /// key, secret, right passphrase for each exchange (shapes as documented).
    fn account(id: &str, perms: Perms) -> Account {
        let (key, secret, passphrase) = match id {
            "binance" => (
                "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ".into(),
                "TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ".into(),
                None,
            ),
            "bybit" => (
                "Ab3dEf6hIj9kLm2nOp".into(),
                "Zq8wXe4rTy7uIo1pAs5dFg9hJk3lZx6cVb0n".into(),
                None,
            ),
            "okx" => (
                "86ce03f9-1a4f-44f9-a651-1445b9f3635c".into(),
                "4D6608697A8D41BED440E50454F31AF3".into(),
                Some("Gr1dB0t#Okx77".to_string()),
            ),
            "kucoin" => (
                "65a1b2c3d4e5f60718293a4b".into(),
                "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9".into(),
                Some("Kc0inPass9".to_string()),
            ),
            "kraken" => (
                "K7rAkEnPuBlIcKeY0123456789abcdefGHIJKLMNOPQRSTUVWXYZ01".into(),
                STANDARD.encode([7u8; 64]),
                None,
            ),
            "coinbase" => (cdp_key_name(0x5a), cdp_secret(), None),
            _ => (
                "LAqUlngMIQkIUjXMUreyu3qX".into(),
                "xhNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgX".into(),
                None,
            ),
        };
        Account {
            key,
            secret,
            passphrase,
            perms,
        }
    }

    fn credential(account: &Account) -> Credential {
        Credential {
            key: account.key.clone(),
            secret: account.secret.clone(),
            passphrase: account.passphrase.clone(),
        }
    }

    /// The natives each exchange reports for read + trade + withdraw, not restricted.
    fn expected(id: &str) -> &'static [&'static str] {
        match id {
            "binance" => &[
                "enableReading",
                "enableSpotAndMarginTrading",
                "enableWithdrawals",
            ],
            "bybit" => &["Order", "Position", "SpotTrade", "Withdraw"],
            "okx" => &["read_only", "Trade", "Withdraw"],
            "kucoin" => &["General", "Spot", "Transfer"],
            "kraken" => &[
                "query-funds",
                "query-open-trades",
                "query-closed-trades",
                "query-ledger",
                "modify-trades",
                "cancel-trades",
                "withdraw-funds",
            ],
            "coinbase" => &["can_view", "can_trade", "can_transfer"],
            _ => &["order", "orderCancel", "withdraw"],
        }
    }

    const ALL: [&str; 7] = [
        "binance", "bybit", "okx", "kucoin", "kraken", "coinbase", "bitmex",
    ];

    #[test]
    fn each_adapter_is_granted_refused_and_revoked_as_documented() {
        for id in ALL {
            let perms = Perms {
                trade: true,
                transfer: false,
                withdraw: true,
                ip_restricted: false,
            };
            let good = account(id, perms);
            let mock = Mock::exchange(id, vec![good.clone()]);

            let Answer::Granted(grant) = verify(&mock, id, &credential(&good)) else {
                panic!("{id}: not granted")
            };
            assert_eq!(grant.natives, expected(id), "{id}");
            let ip = if id == "coinbase" { None } else { Some(false) };
            assert_eq!(grant.ip_restricted, ip, "{id}");
            assert!(!grant.disabled, "{id}");
            assert_eq!((mock.hits(), mock.bad_signatures()), (1, 0), "{id}");

            let mut wrong = credential(&good);
            wrong.secret = if id == "coinbase" {
                cdp_secret()
            } else if id == "kraken" {
                STANDARD.encode([8u8; 64])
            } else {
                let mut s = wrong.secret.into_bytes();
                s[3] = if s[3] == b'A' { b'B' } else { b'A' };
                String::from_utf8(s).unwrap()
            };
            let answer = verify(&mock, id, &wrong);
            assert!(matches!(answer, Answer::Refused { .. }), "{id}: {answer:?}");
            assert_eq!(mock.bad_signatures(), 1, "{id}");

            let mut unknown = credential(&good);
            unknown.key = if id == "coinbase" {
                cdp_key_name(0x11)
            } else {
                good.key.replace(&good.key[..4], "zzzz")
            };
            let answer = verify(&mock, id, &unknown);
            // A Coinbase 401 does not say why: refused, never revoked.
            if id == "coinbase" {
                assert!(matches!(answer, Answer::Refused { .. }), "{id}: {answer:?}");
            } else {
                assert!(matches!(answer, Answer::Revoked { .. }), "{id}: {answer:?}");
            }
            assert_eq!((mock.hits(), mock.bad_signatures()), (3, 1), "{id}");
        }
    }

    #[test]
    fn permissions_render_in_each_exchanges_shape() {
        for id in ALL {
            let read_only = account(
                id,
                Perms {
                    ip_restricted: true,
                    ..Perms::default()
                },
            );
            let transfer = account(
                id,
                Perms {
                    transfer: true,
                    ..Perms::default()
                },
            );
            let mut transfer = transfer;
            transfer.key = if id == "coinbase" {
                cdp_key_name(0x22)
            } else {
                format!("T{}", &transfer.key[1..])
            };
            let mock = Mock::exchange(id, vec![read_only.clone(), transfer.clone()]);
            let Answer::Granted(grant) = verify(&mock, id, &credential(&read_only)) else {
                panic!("{id}: not granted")
            };
            let reads: &[&str] = match id {
                "binance" => &["enableReading"],
                "bybit" => &["readOnly"],
                "okx" => &["read_only"],
                "kucoin" => &["General"],
                "kraken" => &[
                    "query-funds",
                    "query-open-trades",
                    "query-closed-trades",
                    "query-ledger",
                ],
                "coinbase" => &["can_view"],
                _ => &[],
            };
            assert_eq!(grant.natives, reads, "{id}");
            let ip = if id == "coinbase" { None } else { Some(true) };
            assert_eq!(grant.ip_restricted, ip, "{id}");
            let Answer::Granted(grant) = verify(&mock, id, &credential(&transfer)) else {
                panic!("{id}: not granted")
            };
            let transfer_native = match id {
                "binance" => Some("enableInternalTransfer"),
                "bybit" => Some("AccountTransfer"),
                "kucoin" => Some("InnerTransfer"),
                "coinbase" => Some("can_transfer"),
                _ => None, // OKX, Kraken, BitMEX: no transfer toggle
            };
            if let Some(native) = transfer_native {
                assert!(
                    grant.natives.iter().any(|n| n == native),
                    "{id}: {:?}",
                    grant.natives
                );
            }
            if id == "binance" {
                assert_eq!(grant.expires_ms, None);
            }
        }
    }

    #[test]
    fn binance_unrestricted_trading_expires_and_stale_timestamps_are_refused() {
        let good = account(
            "binance",
            Perms {
                trade: true,
                ..Perms::default()
            },
        );
        let mock = Mock::exchange("binance", vec![good.clone()]);
        let Answer::Granted(grant) = verify(&mock, "binance", &credential(&good)) else {
            panic!("not granted")
        };
        assert!(grant.expires_ms.is_some_and(|ms| ms > now_ms()));
        let verifier = keyaudit::catalog::exchange("binance")
            .unwrap()
            .verify
            .as_ref()
            .unwrap();
        let stale = Clock {
            unix_ms: now_ms() - 60_000,
            nonce: "0".repeat(32),
        };
        let request = (verifier.sign)(&credential(&good), &stale).unwrap();
        let (status, body) = send(&mock.url, verifier.method, &request);
        assert!(
            matches!((verifier.read)(&credential(&good), status, &body), Answer::Refused { reason } if reason.contains("-1021"))
        );
        assert_eq!(mock.bad_signatures(), 0);
    }

    #[test]
    fn garbage_and_hanging_mocks() {
        let mock = Mock::garbage();
        let good = account("binance", Perms::default());
        assert!(matches!(
            verify(&mock, "binance", &credential(&good)),
            Answer::Garbage { .. }
        ));
        assert_eq!(mock.hits(), 1);

        let mock = Mock::hanging();
        let addr = mock.url.strip_prefix("http://").unwrap().to_string();
        let mut stream = TcpStream::connect(&addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut buf = [0u8; 16];
        let err = stream.read(&mut buf).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "{err:?}"
        );
        thread::sleep(Duration::from_millis(50));
        assert_eq!(mock.hits(), 1);
        drop(mock);
        // Once dropped, the server lets go of the connection.
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        assert_eq!(stream.read(&mut buf).unwrap_or(0), 0);
    }

    #[test]
    fn wrong_path_or_method_is_not_found() {
        let good = account("bitmex", Perms::default());
        let mock = Mock::exchange("bitmex", vec![good]);
        let request = keyaudit::verify::Request {
            path_and_query: "/api/v1/order".into(),
            headers: Vec::new(),
            body: Vec::new(),
            content_type: None,
        };
        assert_eq!(send(&mock.url, Method::Get, &request).0, 404);
        assert_eq!(
            send(
                &mock.url,
                Method::Post,
                &keyaudit::verify::Request {
                    path_and_query: "/api/v1/apiKey".into(),
                    ..request
                }
            )
            .0,
            404
        );
    }
}
