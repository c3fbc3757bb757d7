//! What happytalk-ext's receiver costs per callback over a bare axum handler that decodes the
//! same JSON (`serde_json` into the generated `KakaoInboundMessage`) and answers 200, both on
//! loopback, 64 deliveries in flight, every delivery a new message (a fresh serial number):
//!
//! - `memory`: the receiver with the in-memory duplicate store (`DuplicateFilter`);
//! - `redis`: the receiver with `RedisDuplicateStore`, when `HAPPYTALK_REDIS_URL` names a Redis
//!   (`.ci/run` starts one); it also counts the Redis commands per callback from Redis's own
//!   `INFO commandstats`: one `SET` per callback on the common path, and no `DEL`; then, for
//!   callbacks whose handler fails in a way that may pass, one `DEL` more each (a release).
//!
//! `cargo bench -p happytalk-tests --bench receiver_overhead` (release; `-- --quick` for a few
//! deliveries, a check that it runs). Rounds interleave the variants, and each round gives each
//! variant's time per callback and its ratio to the bare handler's in that round; the last lines
//! are `ratio <variant>/bare median=… min=… max=…`. No timing is asserted.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use happytalk_api::types;
use happytalk_ext::inbound::{Callback, DuplicateFilter, RedisDuplicateStore};
use happytalk_ext::receiver::{HandlerError, Receiver};
use happytalk_ext::reqwest;
use tokio::task::JoinSet;

const IN_FLIGHT: usize = 64;
const SENDER: &str = "2f1c4b9e0d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b";

/// Serves `router` on loopback; its base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

/// The bare handler: the same body, decoded into the same generated type, answered 200.
fn bare() -> axum::Router {
    axum::Router::new().route(
        "/message",
        axum::routing::post(|body: axum::body::Bytes| async move {
            match serde_json::from_slice::<types::KakaoInboundMessage>(&body) {
                Ok(message) => {
                    std::hint::black_box(message);
                    StatusCode::OK
                }
                Err(_) => StatusCode::BAD_REQUEST,
            }
        }),
    )
}

fn receiver(store: Option<RedisDuplicateStore>) -> axum::Router {
    let receiver = Receiver::new(|callback: Callback| async move {
        std::hint::black_box(callback);
        Ok::<_, HandlerError>(())
    });
    match store {
        Some(store) => receiver.skip_duplicates(store).into_router(),
        None => receiver
            .skip_duplicates(DuplicateFilter::new(1_000_000, Duration::from_secs(3600)))
            .into_router(),
    }
}

/// `count` bodies of new messages, numbered from `first`.
fn bodies(first: u64, count: usize) -> Vec<Vec<u8>> {
    let example = happytalk_api::inbound::KAKAO_MESSAGE
        .example("text")
        .unwrap();
    let mut body: serde_json::Value = serde_json::from_str(example).unwrap();
    body["sender_key"] = SENDER.into();
    (0..count as u64)
        .map(|n| {
            body["serial_number"] = (first + n).into();
            serde_json::to_vec(&body).unwrap()
        })
        .collect()
}

/// Posts every body to `url`/message, `IN_FLIGHT` at a time: the time it took.
async fn deliver(client: &reqwest::Client, url: &str, bodies: Vec<Vec<u8>>) -> Duration {
    let bodies = Arc::new(std::sync::Mutex::new(bodies));
    let started = Instant::now();
    let mut workers = JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let (client, url, bodies) = (client.clone(), format!("{url}/message"), bodies.clone());
        workers.spawn(async move {
            loop {
                let Some(body) = bodies.lock().unwrap().pop() else {
                    return;
                };
                let answer = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("the receiver answers");
                assert_eq!(answer.status(), 200, "every delivery is taken");
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.unwrap();
    }
    started.elapsed()
}

/// Redis's count of calls of `command` so far (`INFO commandstats`).
fn redis_calls(url: &str, command: &str) -> u64 {
    let address = url.trim_start_matches("redis://");
    let mut stream = std::net::TcpStream::connect(address).expect("Redis");
    stream.write_all(b"INFO commandstats\r\n").unwrap();
    // A bulk reply: `$LEN\r\n`, then LEN bytes and `\r\n`.
    let mut reply = Vec::new();
    let mut buffer = [0; 8192];
    let whole = |reply: &[u8]| -> bool {
        let Some(header_end) = reply.windows(2).position(|w| w == b"\r\n") else {
            return false;
        };
        let length: usize = std::str::from_utf8(&reply[1..header_end])
            .ok()
            .and_then(|length| length.parse().ok())
            .unwrap_or(0);
        reply.len() >= header_end + 2 + length + 2
    };
    while !whole(&reply) {
        let read = stream.read(&mut buffer).unwrap();
        if read == 0 {
            break;
        }
        reply.extend_from_slice(&buffer[..read]);
    }
    let text = String::from_utf8_lossy(&reply);
    text.lines()
        .find(|line| line.starts_with(&format!("cmdstat_{command}:")))
        .and_then(|line| line.split("calls=").nth(1))
        .and_then(|rest| rest.split(',').next())
        .and_then(|calls| calls.parse().ok())
        .unwrap_or(0)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick");
    let (rounds, per_round) = if quick { (2, 200) } else { (7, 10_000) };
    let redis = std::env::var("HAPPYTALK_REDIS_URL").ok();
    let mut variants = vec![
        ("bare", serve(bare()).await),
        ("memory", serve(receiver(None)).await),
    ];
    if let Some(url) = &redis {
        let store = RedisDuplicateStore::new(url, Duration::from_secs(600))
            .unwrap()
            .prefix(format!("bench:{}:", std::process::id()));
        variants.push(("redis", serve(receiver(Some(store))).await));
    } else {
        println!("no HAPPYTALK_REDIS_URL: the redis variant is not run");
    }
    let client = reqwest::Client::new();
    // Warm up every variant (connections, allocators) once.
    let mut serial = 1_700_000_000_000_000_000u64;
    for (_, url) in &variants {
        deliver(&client, url, bodies(serial, 500)).await;
        serial += 500;
    }
    let mut ratios: Vec<(&str, Vec<f64>)> = variants
        .iter()
        .skip(1)
        .map(|(name, _)| (*name, Vec::new()))
        .collect();
    for round in 1..=rounds {
        let mut per_callback = Vec::new();
        // A rotating order, so that no variant always runs first.
        for i in 0..variants.len() {
            let (name, url) = &variants[(i + round) % variants.len()];
            let (sets, dels) = match (name, &redis) {
                (&"redis", Some(redis)) => (redis_calls(redis, "set"), redis_calls(redis, "del")),
                _ => (0, 0),
            };
            let took = deliver(&client, url, bodies(serial, per_round)).await;
            serial += per_round as u64;
            if let (&"redis", Some(redis)) = (name, &redis) {
                let sets = redis_calls(redis, "set") - sets;
                let dels = redis_calls(redis, "del") - dels;
                println!(
                    "round {round} redis: {:.2} SET and {:.2} DEL per callback",
                    sets as f64 / per_round as f64,
                    dels as f64 / per_round as f64
                );
            }
            per_callback.push((*name, took.as_secs_f64() / per_round as f64));
        }
        let bare = per_callback
            .iter()
            .find(|(name, _)| *name == "bare")
            .unwrap()
            .1;
        for (name, seconds) in &per_callback {
            println!("round {round} {name}: {:.1} µs per callback", seconds * 1e6);
            if let Some((_, values)) = ratios.iter_mut().find(|(variant, _)| variant == name) {
                values.push(seconds / bare);
            }
        }
    }
    // A release: a handler that fails in a way that may pass gives the key back, one `DEL` more.
    if let Some(url) = &redis {
        let store = RedisDuplicateStore::new(url, Duration::from_secs(600))
            .unwrap()
            .prefix(format!("bench-release:{}:", std::process::id()));
        let failing = Receiver::new(|_: Callback| async { Err(HandlerError::retry("not now")) })
            .skip_duplicates(store)
            .into_router();
        let failing = serve(failing).await;
        let count = if quick { 100 } else { 2_000 };
        let (sets, dels) = (redis_calls(url, "set"), redis_calls(url, "del"));
        let mut statuses = JoinSet::new();
        for body in bodies(serial, count) {
            let (client, url) = (client.clone(), format!("{failing}/message"));
            statuses.spawn(async move {
                client
                    .post(url)
                    .body(body)
                    .send()
                    .await
                    .map(|a| a.status().as_u16())
            });
        }
        while let Some(status) = statuses.join_next().await {
            assert_eq!(
                status.unwrap().unwrap(),
                503,
                "a retryable failure is a 503"
            );
        }
        println!(
            "release: {:.2} SET and {:.2} DEL per callback whose handler failed",
            (redis_calls(url, "set") - sets) as f64 / count as f64,
            (redis_calls(url, "del") - dels) as f64 / count as f64
        );
    }
    for (name, values) in &mut ratios {
        let (min, max) = (
            values.iter().copied().fold(f64::MAX, f64::min),
            values.iter().copied().fold(f64::MIN, f64::max),
        );
        println!(
            "ratio {name}/bare median={:.3} min={min:.3} max={max:.3}",
            median(values)
        );
    }
}
