//! What happytalk-ext costs over the bare generated client (`happytalk_api::Clients`) and over
//! raw reqwest (a hand-written request, serde_json into the generated types, the same bytes on
//! the wire), all against one in-process HTTP/1.1 server on loopback (hyper) that answers fixed
//! bytes over keep-alive connections.
//!
//! Run with `cargo xtask bench` (release; `--quick` for a few iterations). A plain harness, not
//! criterion: criterion's dependency tree would roughly double this crate's build in CI, and
//! the question here is a ratio between variants run in the same conditions, which interleaved
//! rounds answer. It asserts no timing; it fails only if an answer is not the expected one.
//!
//! Workloads, each timed per round for every variant (raw, api, ext), a round cut into slices
//! the variants take turns on in a rotating order:
//! - `send-seq`: 10,000 sequential sends of one chat message;
//! - `send-64`: 10,000 sends, 64 at a time;
//! - `list-1000`: 200 system-message lookups answering 1,000 entries (the docs' example entry).
//!
//! Then the peak memory (VmHWM) of one `list-1000` call in fresh processes: raw reqwest + serde
//! into the generated types (the baseline) and ext.
//!
//! `--instructions` counts instead the instructions per operation of each variant under
//! valgrind (`--only`, in fresh processes): ratios that the machine's load does not blur.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use happytalk_api::types;
use happytalk_ext::reqwest::{self, header};
use happytalk_ext::{ChatMessage, Client};
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::task::JoinSet;

const CHAT_PATH: &str = "/v1/chat/write";
const LIST_PATH: &str = "/kakaoWebhook/v3/bzmc/sm";
const SENDER_KEY: &str = "bench-sender-key";
const LIST_ENTRIES: usize = 1_000;
const CONCURRENCY: usize = 64;
/// Fresh processes per variant for the peak memory.
const MEMORY_RUNS: usize = 5;

/// How many operations one run of a workload does.
#[derive(Clone, Copy)]
struct Amount {
    /// Sends (each workload of sends).
    sends: usize,
    /// Lookups.
    lists: usize,
}

/// How much a bench does.
struct Plan {
    rounds: usize,
    /// Per variant and round.
    amount: Amount,
    /// Slices a round is cut into, the variants taking turns slice by slice.
    slices: usize,
}

const FULL: Plan = Plan {
    rounds: 11,
    amount: Amount {
        sends: 10_000,
        lists: 200,
    },
    slices: 10,
};
const QUICK: Plan = Plan {
    rounds: 2,
    amount: Amount {
        sends: 256,
        lists: 4,
    },
    slices: 2,
};
/// Before anything is timed: connections opened, code paths warm.
const WARM_UP: Amount = Amount {
    sends: CONCURRENCY * 4,
    lists: 2,
};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Variant {
    Raw,
    Api,
    Ext,
}

const VARIANTS: [Variant; 3] = [Variant::Raw, Variant::Api, Variant::Ext];

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Raw => "raw",
            Variant::Api => "api",
            Variant::Ext => "ext",
        }
    }
}

/// The bytes the server answers with.
struct Answers {
    chat: Bytes,
    list: Bytes,
}

impl Answers {
    fn new() -> Self {
        let chat = happytalk_tests::fixture("chat/success.json");
        let example: serde_json::Value =
            serde_json::from_str(&happytalk_tests::fixture("kakao/success-one.json"))
                .expect("the fixture is JSON");
        let mut entry = example["data"][0].clone();
        entry
            .as_object_mut()
            .expect("an entry is an object")
            .remove("id");
        // Written as text, entry by entry with its own id: building 1,000 JSON values first
        // would raise every process's peak memory above what a call needs.
        let fields = serde_json::to_string(&entry).expect("JSON serializes");
        let fields = fields.strip_prefix('{').expect("an object");
        let mut list = String::from(r#"{"code":"200","data":["#);
        for id in 0..LIST_ENTRIES {
            if id > 0 {
                list.push(',');
            }
            list.push_str(&format!(r#"{{"id":{id},{fields}"#));
        }
        list.push_str("]}");
        Self {
            chat: Bytes::from(chat),
            list: Bytes::from(list),
        }
    }
}

/// Starts the server on its own thread (its own single-threaded runtime, so that it takes one
/// core and the clients the other) and returns its base URL.
fn start_server(answers: Answers) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    listener
        .set_nonblocking(true)
        .expect("a non-blocking socket");
    let base_url = format!("http://{}", listener.local_addr().expect("the address"));
    let answers = Arc::new(answers);
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("the server's runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let answers = answers.clone();
                tokio::spawn(async move {
                    let service =
                        service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                            let answers = answers.clone();
                            async move {
                                let body = match request.uri().path() {
                                    CHAT_PATH => answers.chat.clone(),
                                    LIST_PATH => answers.list.clone(),
                                    other => panic!("the bench server got a request for {other}"),
                                };
                                // Read the request to its end, so that the connection is reused.
                                request.into_body().collect().await?;
                                let mut response = hyper::Response::new(Full::new(body));
                                response.headers_mut().insert(
                                    header::CONTENT_TYPE,
                                    header::HeaderValue::from_static("application/json"),
                                );
                                Ok::<_, hyper::Error>(response)
                            }
                        });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    });
    base_url
}

/// The three clients, each with its own connection pool, configured alike.
struct Clients {
    base_url: String,
    raw: reqwest::Client,
    credentials: header::HeaderMap,
    request: types::ChatMessageRequest,
    api: happytalk_api::Clients,
    ext: Client,
    message: ChatMessage,
    sender_key: types::SystemMessagesSenderKey,
}

impl Clients {
    fn new(base_url: String) -> Self {
        let ext = happytalk_tests::client_for(&base_url);
        let mut credentials = header::HeaderMap::new();
        credentials.insert(
            "ht-client-id",
            header::HeaderValue::from_static(happytalk_tests::CLIENT_ID),
        );
        let mut secret = header::HeaderValue::from_static(happytalk_tests::CLIENT_SECRET);
        secret.set_sensitive(true);
        credentials.insert("ht-client-secret", secret);
        let api = happytalk_api::Clients::new(
            |_| base_url.clone(),
            same_as_ext(),
            happytalk_api::ClientState::new(credentials.clone()),
        );
        let request = types::ChatMessageRequest {
            msg: Some("안녕하세요, 문의드립니다.".try_into().expect("a valid msg")),
            room_id: "1234567".try_into().expect("a valid room id"),
            type_: happytalk_api::ChatMessageType::Text,
            url: None,
            uuid: "cust-0001".try_into().expect("a valid uuid"),
        };
        Self {
            raw: same_as_ext(),
            credentials,
            request,
            api,
            ext,
            message: ChatMessage::text("cust-0001", "1234567", "안녕하세요, 문의드립니다."),
            sender_key: SENDER_KEY.try_into().expect("a valid sender key"),
            base_url,
        }
    }

    async fn send_raw(&self) {
        let bytes = self
            .raw
            .post(format!("{}{CHAT_PATH}", self.base_url))
            .header(header::ACCEPT, "application/json")
            .headers(self.credentials.clone())
            .json(&self.request)
            .send()
            .await
            .expect("the raw send")
            .bytes()
            .await
            .expect("the raw answer");
        let answer: types::ChatMessageResult =
            serde_json::from_slice(&bytes).expect("the answer decodes");
        sent(answer);
    }

    async fn send_api(&self) {
        let answer = self
            .api
            .biz()
            .send_message(&self.request)
            .await
            .expect("the api send")
            .into_inner();
        sent(answer);
    }

    async fn send_ext(&self) {
        let room_id = self
            .ext
            .send_message(&self.message)
            .await
            .expect("the ext send");
        std::hint::black_box(room_id);
    }

    async fn list_raw(&self) {
        let bytes = self
            .raw
            .get(format!("{}{LIST_PATH}", self.base_url))
            .header(header::ACCEPT, "application/json")
            .headers(self.credentials.clone())
            .query(&[("senderKey", SENDER_KEY)])
            .send()
            .await
            .expect("the raw lookup")
            .bytes()
            .await
            .expect("the raw answer");
        let answer: types::SystemMessageResult =
            serde_json::from_slice(&bytes).expect("the answer decodes");
        listed(answer);
    }

    async fn list_api(&self) {
        let answer = self
            .api
            .kakao()
            .system_messages(None, &self.sender_key)
            .await
            .expect("the api lookup")
            .into_inner();
        listed(answer);
    }

    async fn list_ext(&self) {
        let entries = std::hint::black_box(
            self.ext
                .system_messages(SENDER_KEY)
                .await
                .expect("the ext lookup"),
        )
        .len();
        assert_eq!(entries, LIST_ENTRIES);
    }
}

/// Checks a send's answer, as ext does, and keeps its room id from being optimized away.
fn sent(answer: types::ChatMessageResult) {
    assert!(answer.code.is_success());
    match answer.room_id {
        Some(types::ResultRoomId::String(room_id)) => std::hint::black_box(room_id),
        other => panic!("room_id {other:?}"),
    };
}

/// Checks a lookup's answer, as ext does, and its entries.
fn listed(answer: types::SystemMessageResult) {
    assert!(answer.code.is_success());
    let entries = std::hint::black_box(answer.data.unwrap_or_default()).len();
    assert_eq!(entries, LIST_ENTRIES);
}

/// The operations of one variant. A workload is compiled once per variant through this trait
/// (and run in a `block_on` of its own), so that each variant's calls are compiled into
/// functions of their own. Written as one function matching on the variant, the compiler's
/// inlining of one variant's futures depended on the code of the others: which variant had
/// the generated client's poll inlined into its caller changed from build to build, moving
/// ~500 instructions per send from one variant to another (about what all of ext adds).
trait Calls: Copy + Send + Sync + 'static {
    fn send(self, clients: &Clients) -> impl Future<Output = ()> + Send + '_;
    fn list(self, clients: &Clients) -> impl Future<Output = ()> + Send + '_;
}

#[derive(Clone, Copy)]
struct RawCalls;
#[derive(Clone, Copy)]
struct ApiCalls;
#[derive(Clone, Copy)]
struct ExtCalls;

impl Calls for RawCalls {
    fn send(self, clients: &Clients) -> impl Future<Output = ()> + Send + '_ {
        clients.send_raw()
    }
    fn list(self, clients: &Clients) -> impl Future<Output = ()> + Send + '_ {
        clients.list_raw()
    }
}

impl Calls for ApiCalls {
    fn send(self, clients: &Clients) -> impl Future<Output = ()> + Send + '_ {
        clients.send_api()
    }
    fn list(self, clients: &Clients) -> impl Future<Output = ()> + Send + '_ {
        clients.list_api()
    }
}

impl Calls for ExtCalls {
    fn send(self, clients: &Clients) -> impl Future<Output = ()> + Send + '_ {
        clients.send_ext()
    }
    fn list(self, clients: &Clients) -> impl Future<Output = ()> + Send + '_ {
        clients.list_ext()
    }
}

/// A `reqwest::Client` configured as happytalk-ext configures its own.
fn same_as_ext() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(happytalk_ext::DEFAULT_TIMEOUT)
        .connect_timeout(happytalk_ext::DEFAULT_CONNECT_TIMEOUT)
        .user_agent(concat!("happytalk-rs/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a reqwest client")
}

#[derive(Clone, Copy)]
enum Workload {
    SendSequential,
    SendConcurrent,
    List,
}

const WORKLOADS: [Workload; 3] = [
    Workload::SendSequential,
    Workload::SendConcurrent,
    Workload::List,
];

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::SendSequential => "send-seq",
            Workload::SendConcurrent => "send-64",
            Workload::List => "list-1000",
        }
    }

    /// Runs the workload once on `runtime` and returns the time per operation.
    fn run(
        self,
        runtime: &tokio::runtime::Runtime,
        clients: &Arc<Clients>,
        variant: Variant,
        amount: Amount,
    ) -> Duration {
        match variant {
            Variant::Raw => runtime.block_on(self.run_with(clients, RawCalls, amount)),
            Variant::Api => runtime.block_on(self.run_with(clients, ApiCalls, amount)),
            Variant::Ext => runtime.block_on(self.run_with(clients, ExtCalls, amount)),
        }
    }

    async fn run_with<C: Calls>(
        self,
        clients: &Arc<Clients>,
        calls: C,
        amount: Amount,
    ) -> Duration {
        let started = Instant::now();
        let operations = match self {
            Workload::SendSequential => {
                for _ in 0..amount.sends {
                    calls.send(clients).await;
                }
                amount.sends
            }
            Workload::SendConcurrent => {
                let mut tasks = JoinSet::new();
                for worker in 0..CONCURRENCY {
                    let clients = clients.clone();
                    let share = amount.sends / CONCURRENCY
                        + usize::from(worker < amount.sends % CONCURRENCY);
                    tasks.spawn(async move {
                        for _ in 0..share {
                            calls.send(&clients).await;
                        }
                    });
                }
                while let Some(done) = tasks.join_next().await {
                    done.expect("a send task");
                }
                amount.sends
            }
            Workload::List => {
                for _ in 0..amount.lists {
                    calls.list(clients).await;
                }
                amount.lists
            }
        };
        started.elapsed() / u32::try_from(operations).expect("a small count")
    }
}

/// Median, min and max.
fn spread(values: &[f64]) -> (f64, f64, f64) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    let median = if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    } else {
        sorted[middle]
    };
    (median, sorted[0], sorted[sorted.len() - 1])
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the client runtime")
}

fn bench(plan: &Plan) {
    let answers = Answers::new();
    println!(
        "loopback server: chat answer {} bytes, list answer {} bytes ({LIST_ENTRIES} entries)",
        answers.chat.len(),
        answers.list.len()
    );
    let clients = Arc::new(Clients::new(start_server(answers)));
    let runtime = runtime();
    // Connections opened and code paths warm before anything is timed.
    for variant in VARIANTS {
        for workload in WORKLOADS {
            workload.run(&runtime, &clients, variant, WARM_UP);
        }
    }

    // times[workload][variant][round], in microseconds per operation. A round runs each
    // variant's share in slices, the variants taking turns slice by slice (in a rotating
    // order): a neighbour's load that comes and goes over seconds then weighs on every variant
    // alike instead of on whichever ran at that moment.
    let mut times = vec![vec![Vec::new(); VARIANTS.len()]; WORKLOADS.len()];
    let slice = Amount {
        sends: plan.amount.sends / plan.slices,
        lists: plan.amount.lists / plan.slices,
    };
    for round in 0..plan.rounds {
        for (w, workload) in WORKLOADS.iter().enumerate() {
            let mut total = [Duration::ZERO; VARIANTS.len()];
            for turn in 0..plan.slices {
                for step in 0..VARIANTS.len() {
                    let v = (round + turn + step) % VARIANTS.len();
                    let per_operation = workload.run(&runtime, &clients, VARIANTS[v], slice);
                    total[v] += per_operation;
                }
            }
            for (v, total) in total.iter().enumerate() {
                let per_operation = *total / u32::try_from(plan.slices).expect("a few slices");
                times[w][v].push(per_operation.as_secs_f64() * 1e6);
            }
        }
    }

    let mut ratio_lines = Vec::new();
    for (w, workload) in WORKLOADS.iter().enumerate() {
        println!(
            "\n{} ({} rounds; µs per operation: median [min–max])",
            workload.name(),
            plan.rounds
        );
        for (v, variant) in VARIANTS.iter().enumerate() {
            let (median, min, max) = spread(&times[w][v]);
            println!("  {:<4} {median:>10.2} [{min:.2}–{max:.2}]", variant.name());
        }
        for v in [Variant::Ext, Variant::Api] {
            let index = VARIANTS.iter().position(|x| *x == v).expect("a variant");
            let ratios: Vec<f64> = times[w][index]
                .iter()
                .zip(&times[w][0])
                .map(|(variant, raw)| variant / raw)
                .collect();
            let (median, min, max) = spread(&ratios);
            println!(
                "  {}/raw per round: median {median:.3} [{min:.3}–{max:.3}]",
                v.name()
            );
            ratio_lines.push(format!(
                "ratio {} {}/raw median={median:.3} min={min:.3} max={max:.3}",
                workload.name(),
                v.name()
            ));
        }
    }

    peak_memory();
    println!();
    for line in ratio_lines {
        println!("{line}");
    }
}

/// One `list-1000` call in a fresh process per variant, each reporting its peak resident set.
fn peak_memory() {
    let exe = std::env::current_exe().expect("the bench's own path");
    let peak = |variant: &str| -> u64 {
        let output = std::process::Command::new(&exe)
            .args(["--peak-memory", variant])
            .output()
            .expect("the bench runs itself");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "--peak-memory {variant} failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
            .lines()
            .find_map(|line| line.strip_prefix("vmhwm_kb="))
            .and_then(|kb| kb.trim().parse().ok())
            .unwrap_or_else(|| panic!("no vmhwm_kb= in {stdout:?}"))
    };
    let body = Answers::new().list.len() as f64;
    // A process's peak moves by a few hundred KiB from run to run (allocator arenas, thread
    // stacks): medians of alternating runs.
    let (mut idle, mut raw, mut ext) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..MEMORY_RUNS {
        idle.push(peak("idle") as f64);
        raw.push(peak("raw") as f64);
        ext.push(peak("ext") as f64);
    }
    let (idle, idle_min, idle_max) = spread(&idle);
    let (raw, raw_min, raw_max) = spread(&raw);
    let (ext, ext_min, ext_max) = spread(&ext);
    let above = (ext - raw) * 1024.0;
    println!(
        "\npeak memory of one list-1000 call (VmHWM of a fresh process, median of {MEMORY_RUNS}; \
         body {:.0} KiB):\n  no call (server and clients only) {idle:.0} KiB \
         [{idle_min:.0}–{idle_max:.0}]\n  raw reqwest + serde (baseline) {raw:.0} KiB [{raw_min:.0}–{raw_max:.0}], \
         ext {ext:.0} KiB [{ext_min:.0}–{ext_max:.0}]\n  ext above the baseline: {:.0} KiB = \
         {:.2} × the body",
        body / 1024.0,
        above / 1024.0,
        above / body
    );
    println!("memory list-1000 (ext-raw)/body={:.2}", above / body);
}

/// The child of [`peak_memory`]: server, clients, one call (none for `idle`), then the
/// process's peak RSS.
fn one_list_call(variant: &str) {
    let variant = match variant {
        "idle" => None,
        "raw" => Some(Variant::Raw),
        "ext" => Some(Variant::Ext),
        other => panic!("--peak-memory idle|raw|ext, not {other}"),
    };
    let clients = Clients::new(start_server(Answers::new()));
    if let Some(variant) = variant {
        let runtime = runtime();
        match variant {
            Variant::Raw => runtime.block_on(clients.list_raw()),
            Variant::Api => runtime.block_on(clients.list_api()),
            Variant::Ext => runtime.block_on(clients.list_ext()),
        }
    }
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
    let kb = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .expect("a VmHWM line");
    println!("vmhwm_kb={kb}");
}

/// One variant of one workload, `count` operations after a warm-up, and nothing else: for a
/// profiler (`valgrind --tool=callgrind … --only ext send-seq 2000`).
fn only(variant: &str, workload: &str, count: usize) {
    let variant = *VARIANTS
        .iter()
        .find(|v| v.name() == variant)
        .unwrap_or_else(|| panic!("--only raw|api|ext WORKLOAD COUNT, not {variant:?}"));
    let workload = *WORKLOADS
        .iter()
        .find(|w| w.name() == workload)
        .unwrap_or_else(|| {
            panic!("--only VARIANT send-seq|send-64|list-1000 COUNT, not {workload:?}")
        });
    let clients = Arc::new(Clients::new(start_server(Answers::new())));
    let amount = Amount {
        sends: count,
        lists: count,
    };
    let runtime = runtime();
    workload.run(&runtime, &clients, variant, WARM_UP);
    let per_operation = workload.run(&runtime, &clients, variant, amount);
    println!(
        "{} {}: {:.2} µs per operation",
        workload.name(),
        variant.name(),
        per_operation.as_secs_f64() * 1e6
    );
    // The futures' sizes (bytes moved when a call starts), never polled.
    println!(
        "future sizes: api send {} bytes, ext send {} bytes, api lookup {}, ext lookup {}",
        std::mem::size_of_val(&clients.api.biz().send_message(&clients.request)),
        std::mem::size_of_val(&clients.ext.send_message(&clients.message)),
        std::mem::size_of_val(
            &clients
                .api
                .kakao()
                .system_messages(None, &clients.sender_key)
        ),
        std::mem::size_of_val(&clients.ext.system_messages(SENDER_KEY)),
    );
}

/// Operations per run of `--instructions`: two counts per workload, so that what a process
/// does once (start-up, warm-up, connections) cancels out of the difference.
fn instruction_counts(workload: Workload) -> (usize, usize) {
    match workload {
        Workload::SendSequential | Workload::SendConcurrent => (1_000, 3_000),
        Workload::List => (20, 60),
    }
}

/// `--instructions`: the instructions each variant executes per operation, counted by
/// valgrind's callgrind in fresh processes (`--only`), the difference of two counts divided by
/// the difference of the operations. Unlike times, these barely move with the machine's load
/// (the server thread's share is the same for every variant), so small ratios can be told apart
/// on a noisy machine. Requires valgrind; takes a few minutes.
fn instructions() {
    let exe = std::env::current_exe().expect("the bench's own path");
    let count = |variant: Variant, workload: Workload, operations: usize| -> f64 {
        let output = std::process::Command::new("valgrind")
            .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(&exe)
            .args([
                "--only",
                variant.name(),
                workload.name(),
                &operations.to_string(),
            ])
            .output()
            .unwrap_or_else(|e| panic!("--instructions needs valgrind on the PATH: {e}"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "valgrind failed: {stderr}");
        stderr
            .lines()
            .find_map(|line| line.split("Collected :").nth(1))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no `Collected :` line from callgrind in {stderr}"))
    };
    println!("instructions per operation (callgrind, whole process, fresh processes):");
    let mut lines = Vec::new();
    for workload in WORKLOADS {
        let (few, many) = instruction_counts(workload);
        let per_operation: Vec<f64> = VARIANTS
            .iter()
            .map(|&variant| {
                (count(variant, workload, many) - count(variant, workload, few))
                    / (many - few) as f64
            })
            .collect();
        println!(
            "  {:<9} raw {:.0}, api {:.0}, ext {:.0}",
            workload.name(),
            per_operation[0],
            per_operation[1],
            per_operation[2]
        );
        for (v, variant) in [(2, Variant::Ext), (1, Variant::Api)] {
            lines.push(format!(
                "instructions {} {}/raw={:.3}",
                workload.name(),
                variant.name(),
                per_operation[v] / per_operation[0]
            ));
        }
    }
    println!();
    for line in lines {
        println!("{line}");
    }
}

fn main() {
    let mut plan = &FULL;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => plan = &QUICK,
            // cargo bench passes it to every bench binary.
            "--bench" => {}
            "--peak-memory" => {
                one_list_call(&args.next().unwrap_or_default());
                return;
            }
            "--instructions" => {
                instructions();
                return;
            }
            "--only" => {
                let variant = args.next().unwrap_or_default();
                let workload = args.next().unwrap_or_default();
                let count = args.next().and_then(|n| n.parse().ok()).unwrap_or(1_000);
                only(&variant, &workload, count);
                return;
            }
            other => {
                eprintln!(
                    "unknown argument {other:?}; usage: client_overhead [--quick | --instructions]"
                );
                std::process::exit(2);
            }
        }
    }
    bench(plan);
}
