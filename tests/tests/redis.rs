//! Receivers on more than one machine: deduplication shared through a real Redis
//! (`RedisDuplicateStore`). Two receivers share one Redis; a redelivery to the other replica is
//! handled once; 20 messages sent to both replicas at once are each handled once; Redis killed
//! mid-run costs no message and, restarted, deduplicates again without a restart of the
//! receiver.
//!
//! The tests that only share a Redis use the one `.ci/run` starts (`HAPPYTALK_REDIS_URL`), each
//! under a key prefix of its own; the test that kills Redis, and any test where that variable is
//! not set, start their own `redis-server` (from `PATH`, or `HAPPYTALK_REDIS_SERVER`) on a free
//! loopback port. Where there is none, these tests (and only these) are skipped, and say so.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use happytalk_ext::inbound::{Callback, RedisDuplicateStore};
use happytalk_ext::receiver::{HandlerError, Receiver};
use happytalk_mock::{KakaoDelivery, deliver_kakao_to, redeliver};

const SENDER: &str = "2f1c4b9e0d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b";

/// A `redis-server` of this test on a loopback port, stopped when dropped (or the one CI
/// started, not this test's to stop).
struct Redis {
    binary: String,
    port: u16,
    process: Option<Child>,
    /// The URL of a server this test did not start.
    shared: Option<String>,
    /// The key prefix of this test.
    prefix: String,
}

impl Redis {
    /// The Redis CI started (`HAPPYTALK_REDIS_URL`), or, without one, a fresh server.
    async fn shared(test: &str) -> Option<Self> {
        match std::env::var("HAPPYTALK_REDIS_URL") {
            Ok(url) => Some(Self {
                binary: String::new(),
                port: 0,
                process: None,
                shared: Some(url),
                prefix: format!("test:{test}:{}:", std::process::id()),
            }),
            Err(_) => Self::start(test).await,
        }
    }

    /// A fresh server, or `None` (said on the terminal) when there is no `redis-server`.
    async fn start(test: &str) -> Option<Self> {
        let binary =
            std::env::var("HAPPYTALK_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned());
        let found = Command::new(&binary)
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !found {
            // Straight to the terminal: the test harness hides what a passing test prints.
            let _ = writeln!(
                std::io::stderr(),
                "{test}: SKIPPED, no redis-server ({binary}); install it, or set \
                 HAPPYTALK_REDIS_SERVER, to run the Redis tests"
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        let mut redis = Self {
            binary,
            port,
            process: None,
            shared: None,
            prefix: format!("test:{test}:"),
        };
        redis.run().await;
        Some(redis)
    }

    /// Starts the server on its port and waits until it accepts connections.
    async fn run(&mut self) {
        let process = Command::new(&self.binary)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.process = Some(process);
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("redis-server did not listen on {}", self.port);
    }

    fn kill(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.kill();
            let _ = process.wait();
        }
    }

    fn url(&self) -> String {
        match &self.shared {
            Some(url) => url.clone(),
            None => format!("redis://127.0.0.1:{}", self.port),
        }
    }

    fn store(&self) -> RedisDuplicateStore {
        RedisDuplicateStore::new(&self.url(), Duration::from_secs(60))
            .unwrap()
            .prefix(&self.prefix)
            .timeout(Duration::from_millis(300))
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What one replica handled: each callback's id, in order, and the store faults it heard.
#[derive(Clone, Default)]
struct Heard {
    handled: Arc<Mutex<Vec<String>>>,
    faults: Arc<Mutex<Vec<String>>>,
}

/// A replica: a receiver on its own port with `store`, recording what it handles; a message
/// whose text is `fail once` fails (retryably) on a replica that `fails`.
async fn replica(store: RedisDuplicateStore, strict: bool, heard: &Heard) -> String {
    replica_failing(store, strict, heard, false).await
}

async fn replica_failing(
    store: RedisDuplicateStore,
    strict: bool,
    heard: &Heard,
    fails: bool,
) -> String {
    let (handled, faults) = (heard.handled.clone(), heard.faults.clone());
    let failed_once = Arc::new(Mutex::new(!fails));
    let receiver = Receiver::new(move |callback: Callback| {
        let (handled, failed_once) = (handled.clone(), failed_once.clone());
        async move {
            if let Callback::KakaoMessage(message) = &callback
                && message.content.as_deref() == Some("fail once")
                && !std::mem::replace(&mut *failed_once.lock().unwrap(), true)
            {
                return Err(HandlerError::retry("the database is down"));
            }
            handled.lock().unwrap().push(callback.id());
            Ok(())
        }
    })
    .skip_duplicates(store)
    .strict_duplicates(strict)
    .on_store_error(move |fault| faults.lock().unwrap().push(fault.to_string()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver.into_router::<()>()).await });
    url
}

fn text(serial: u64, said: &str) -> KakaoDelivery {
    KakaoDelivery::text(SENDER, "kakao-user-0001", said).serial_number(serial.to_string())
}

#[tokio::test]
async fn a_redelivery_to_the_other_replica_is_handled_once() {
    let Some(redis) = Redis::shared("a_redelivery_to_the_other_replica_is_handled_once").await
    else {
        return;
    };
    let (a, b) = (Heard::default(), Heard::default());
    let (url_a, url_b) = (
        replica_failing(redis.store(), false, &a, true).await,
        replica(redis.store(), false, &b).await,
    );
    let first = deliver_kakao_to(&url_a, text(1689884130894833200, "안녕"))
        .await
        .unwrap();
    let mut again = first.clone();
    again.url = first.url.replace(&url_a, &url_b);
    assert_eq!(redeliver(&again).await.unwrap().status, 200);
    // A retryable failure on one replica releases the key: the redelivery to the other is
    // handled.
    let failing = deliver_kakao_to(&url_a, text(1689884130894833201, "fail once"))
        .await
        .unwrap();
    assert_eq!(failing.status, 503);
    let mut again = failing.clone();
    again.url = failing.url.replace(&url_a, &url_b);
    assert_eq!(redeliver(&again).await.unwrap().status, 200);
    assert_eq!(
        *a.handled.lock().unwrap(),
        [format!("{SENDER}/1689884130894833200")]
    );
    assert_eq!(
        *b.handled.lock().unwrap(),
        [format!("{SENDER}/1689884130894833201")]
    );
    assert!(a.faults.lock().unwrap().is_empty() && b.faults.lock().unwrap().is_empty());
}

#[tokio::test]
async fn twenty_messages_sent_to_both_replicas_at_once_are_each_handled_once() {
    let Some(redis) =
        Redis::shared("twenty_messages_sent_to_both_replicas_at_once_are_each_handled_once").await
    else {
        return;
    };
    let (a, b) = (Heard::default(), Heard::default());
    let urls = [
        replica(redis.store(), false, &a).await,
        replica(redis.store(), false, &b).await,
    ];
    let mut posts = tokio::task::JoinSet::new();
    for serial in 0..20u64 {
        for url in &urls {
            let url = url.clone();
            posts.spawn(async move {
                deliver_kakao_to(&url, text(1_700_000_000_000_000_000 + serial, "동시에"))
                    .await
                    .unwrap()
                    .status
            });
        }
    }
    while let Some(status) = posts.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    let mut handled: BTreeMap<String, usize> = BTreeMap::new();
    for id in a
        .handled
        .lock()
        .unwrap()
        .iter()
        .chain(b.handled.lock().unwrap().iter())
    {
        *handled.entry(id.clone()).or_default() += 1;
    }
    assert_eq!(handled.len(), 20, "{handled:?}");
    assert!(handled.values().all(|count| *count == 1), "{handled:?}");
}

/// Redis killed mid-run: a message is still handled (and the hook hears the fault), a strict
/// receiver answers 503 instead; Redis restarted, deduplication resumes with no restart.
#[tokio::test]
async fn with_redis_down_nothing_is_lost_and_deduplication_resumes_when_it_is_back() {
    let Some(mut redis) =
        Redis::start("with_redis_down_nothing_is_lost_and_deduplication_resumes_when_it_is_back")
            .await
    else {
        return;
    };
    let (lenient, strict) = (Heard::default(), Heard::default());
    let url = replica(redis.store(), false, &lenient).await;
    let strict_url = replica(redis.store(), true, &strict).await;
    let before = deliver_kakao_to(&url, text(1, "before")).await.unwrap();
    assert_eq!(redeliver(&before).await.unwrap().status, 200);
    assert_eq!(lenient.handled.lock().unwrap().len(), 1);

    redis.kill();
    let down = deliver_kakao_to(&url, text(2, "down")).await.unwrap();
    assert_eq!(down.status, 200, "handled without deduplication");
    assert_eq!(lenient.handled.lock().unwrap().len(), 2);
    assert!(
        !lenient.faults.lock().unwrap().is_empty(),
        "the hook heard it"
    );
    let refused = deliver_kakao_to(&strict_url, text(3, "strict"))
        .await
        .unwrap();
    assert_eq!(refused.status, 503, "left to its redelivery");
    assert!(strict.handled.lock().unwrap().is_empty());

    redis.run().await;
    // The connection comes back by itself: a redelivery is caught again within moments.
    let mut resumed = false;
    for serial in 10..60u64 {
        let first = deliver_kakao_to(&url, text(serial, "back")).await.unwrap();
        let handled = lenient.handled.lock().unwrap().len();
        assert_eq!(redeliver(&first).await.unwrap().status, 200);
        if lenient.handled.lock().unwrap().len() == handled {
            resumed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(resumed, "deduplication resumed");
}
