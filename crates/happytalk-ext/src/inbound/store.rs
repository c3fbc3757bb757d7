//! Where a receiver remembers the callbacks it has taken: a [`DuplicateStore`]. In memory
//! ([`DuplicateFilter`], one process) or, with the feature `redis`, in Redis
//! ([`RedisDuplicateStore`], shared by every replica of a receiver behind one receive domain).
//!
//! Both keep the same promise: a first sight claims the key, and a redelivery of it is caught;
//! a failure that may pass, a panic or a dropped handler releases it (so that the redelivery is
//! handled); a success or a permanent failure keeps it for the store's time.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use super::DuplicateFilter;

/// A future a store answers with.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Where a receiver remembers the keys of the callbacks it took
/// ([`Callback::duplicate_key`](super::Callback::duplicate_key)).
pub trait DuplicateStore: Send + Sync + 'static {
    /// Claims `key`: `true` when it is new (the caller handles the callback), `false` when it
    /// was claimed and kept before (a redelivery).
    fn claim<'a>(&'a self, key: &'a str) -> StoreFuture<'a, bool>;

    /// Releases `key`, so that a redelivery counts as new: for a callback whose handling
    /// failed in a way that may pass, or never finished.
    fn release<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()>;

    /// Releases `key` at once, without waiting, if the store can (an in-memory store): what a
    /// panic or a dropped handler does, from a destructor. `false` when it cannot, and the
    /// release is then run as a task.
    fn release_now(&self, key: &str) -> bool {
        let _ = key;
        false
    }
}

/// A store that could not answer (Redis unreachable, too slow, refusing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(String);

impl StoreError {
    /// A failure saying `why`.
    pub fn new(why: impl Into<String>) -> Self {
        Self(why.into())
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the duplicate store failed: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// The in-memory store: one process's memory, bounded in count and time.
impl DuplicateStore for DuplicateFilter {
    fn claim<'a>(&'a self, key: &'a str) -> StoreFuture<'a, bool> {
        let first = self.first_time(key);
        Box::pin(std::future::ready(Ok(first)))
    }

    fn release<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        self.forget(key);
        Box::pin(std::future::ready(Ok(())))
    }

    fn release_now(&self, key: &str) -> bool {
        self.forget(key);
        true
    }
}

#[cfg(feature = "redis")]
pub use self::redis_store::RedisDuplicateStore;

#[cfg(feature = "redis")]
mod redis_store {
    use std::time::Duration;

    use redis::aio::{ConnectionManager, ConnectionManagerConfig};
    use tokio::sync::OnceCell;

    use super::{DuplicateStore, StoreError, StoreFuture};

    /// The duplicate store shared through Redis, for receivers on more than one machine:
    /// `SET {prefix}{key} 1 NX PX {keep}` claims a key (one round trip per callback), `DEL`
    /// releases it (one more, only then). Keys carry a prefix you can set (`happytalk:dedupe:`
    /// unless set), so that one Redis serves several receivers.
    ///
    /// It connects on first use and reconnects by itself (redis's `ConnectionManager`): a
    /// receiver started while Redis is down works, and deduplicates once Redis is back, with no
    /// restart. Each command waits at most [`timeout`](Self::timeout) (1 s unless set); a
    /// command that fails is a [`StoreError`], which the receiver turns into handling the
    /// callback anyway (or, strict, into a 503).
    pub struct RedisDuplicateStore {
        client: redis::Client,
        prefix: String,
        keep: Duration,
        timeout: Duration,
        connection: OnceCell<ConnectionManager>,
    }

    impl std::fmt::Debug for RedisDuplicateStore {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            // The URL may carry a password: only the host is shown.
            let info = self.client.get_connection_info();
            f.debug_struct("RedisDuplicateStore")
                .field("addr", &info.addr.to_string())
                .field("prefix", &self.prefix)
                .field("keep", &self.keep)
                .finish()
        }
    }

    impl RedisDuplicateStore {
        /// A store at `url` (`redis://HOST:PORT`, `redis://:PASSWORD@HOST:PORT/DB`) keeping each
        /// key for `keep`. Only the URL is checked here: nothing connects until the first key.
        pub fn new(url: &str, keep: Duration) -> Result<Self, StoreError> {
            let client = redis::Client::open(url)
                .map_err(|e| StoreError::new(format!("{url:?} is not a Redis URL: {e}")))?;
            Ok(Self {
                client,
                prefix: "happytalk:dedupe:".to_owned(),
                keep,
                timeout: Duration::from_secs(1),
                connection: OnceCell::new(),
            })
        }

        /// Keys carry `prefix` (`happytalk:dedupe:` unless set).
        pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
            self.prefix = prefix.into();
            self
        }

        /// How long a connection or a command may take before it counts as failed (1 s unless
        /// set).
        pub fn timeout(mut self, timeout: Duration) -> Self {
            self.timeout = timeout;
            self
        }

        async fn connection(&self) -> Result<ConnectionManager, StoreError> {
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(self.timeout)
                .set_response_timeout(self.timeout)
                .set_number_of_retries(1);
            self.connection
                .get_or_try_init(|| ConnectionManager::new_with_config(self.client.clone(), config))
                .await
                .cloned()
                .map_err(|e| StoreError::new(format!("cannot reach Redis: {e}")))
        }
    }

    impl DuplicateStore for RedisDuplicateStore {
        fn claim<'a>(&'a self, key: &'a str) -> StoreFuture<'a, bool> {
            Box::pin(async move {
                let mut connection = self.connection().await?;
                let millis = u64::try_from(self.keep.as_millis())
                    .unwrap_or(u64::MAX)
                    .max(1);
                let set: Option<String> = redis::cmd("SET")
                    .arg(format!("{}{key}", self.prefix))
                    .arg(1)
                    .arg("NX")
                    .arg("PX")
                    .arg(millis)
                    .query_async(&mut connection)
                    .await
                    .map_err(|e| StoreError::new(format!("Redis SET NX failed: {e}")))?;
                Ok(set.is_some())
            })
        }

        fn release<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
            Box::pin(async move {
                let mut connection = self.connection().await?;
                redis::cmd("DEL")
                    .arg(format!("{}{key}", self.prefix))
                    .query_async::<()>(&mut connection)
                    .await
                    .map_err(|e| StoreError::new(format!("Redis DEL failed: {e}")))
            })
        }
    }
}
