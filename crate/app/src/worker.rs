//! The inference worker: the site's own wasm, started a second time in a Web Worker (`web/worker.js`), holds the
//! wasm-CPU models and runs their forward passes, so dragging, typing and drawing never wait for one.
//!
//! Both ends live here. The page side is [`Remote`] (a handle to a model in the worker) over a small client that
//! starts the worker on first use, numbers requests and routes replies. The worker side is
//! [`genscope_worker_start`]. A message is a two-element array: a JSON header and one `Float32Array` (transferred,
//! not copied) with the numbers: a model's weights, a decode's latents, a step's logits.
//!
//! Where a worker cannot start (no module workers, the script missing offline), the same code runs on the page's
//! thread instead, and the site still works. A panic in the worker is reported to the page, which names it in the
//! failing call's error; the next load starts a fresh worker.

use std::cell::RefCell;
use std::collections::HashMap;

use futures_channel::oneshot;
use genscope_core::cpu::CpuBackend;
use genscope_core::nn::HostWeights;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::{read_all, Built, Op, Spec};

/// The worker's script, relative to index.html.
const WORKER_SCRIPT: &str = "web/worker.js";

/// A request to the worker about one model.
#[derive(Serialize, Deserialize)]
struct Request {
    /// Matches the reply to its caller.
    id: u64,
    /// The model it is about.
    model: u32,
    action: Action,
}

#[derive(Serialize, Deserialize)]
enum Action {
    /// Build a model: the tensors' names and shapes are here, their values concatenated in the array.
    Load {
        spec: Spec,
        tensors: Vec<(String, Vec<usize>)>,
    },
    /// Run an op on the array.
    Run(Op),
    /// Free the model (no reply).
    Drop,
    /// Reply with the worker's wasm memory, in 64 KiB pages, as a one-number array.
    Memory,
    /// Panic (no reply): how the e2e tests check that a crashed worker costs the visitor nothing.
    Crash,
}

/// A message from the worker.
#[derive(Serialize, Deserialize)]
enum Message {
    /// The wasm is running and takes requests.
    Ready,
    /// The wasm could not start (posted by `web/worker.js`).
    Failed(String),
    /// An answer: the lengths of the result arrays, concatenated in the array, or what went wrong.
    Reply {
        id: u64,
        result: Result<Vec<usize>, String>,
    },
    /// The worker panicked and can answer nothing more.
    Panic(String),
}

/// What a call gets back: the result arrays, or a message for the visitor.
type Outcome = Result<Vec<Vec<f32>>, String>;

// ---------------------------------------------------------------------------------------------------------------
// Both sides: the message format and the models' host.

/// Packs a header and numbers into the two-element message, with the numbers' buffer ready to transfer.
fn pack(header: &impl Serialize, numbers: &[f32]) -> (js_sys::Array, js_sys::Array) {
    let json = serde_json::to_string(header).expect("headers are plain data");
    let array = js_sys::Float32Array::from(numbers);
    let transfer = js_sys::Array::of1(&array.buffer());
    (js_sys::Array::of2(&json.into(), &array), transfer)
}

/// Unpacks a message made by [`pack`].
fn unpack<T: for<'de> Deserialize<'de>>(data: &JsValue) -> Result<(T, Vec<f32>), String> {
    let array: &js_sys::Array = data.unchecked_ref();
    let json = array
        .get(0)
        .as_string()
        .ok_or("a worker message without its header")?;
    let header =
        serde_json::from_str(&json).map_err(|e| format!("a garbled worker message: {e}"))?;
    let numbers = array
        .get(1)
        .dyn_into::<js_sys::Float32Array>()
        .map(|a| a.to_vec())
        .unwrap_or_default();
    Ok((header, numbers))
}

thread_local! {
    /// The models this thread hosts: in the worker, or on the page when no worker could start.
    static HOSTED: RefCell<HashMap<u32, Built<CpuBackend>>> = RefCell::new(HashMap::new());
}

/// Carries out `action` on the models of this thread. `None` for actions without a reply.
async fn execute(model: u32, action: Action, input: Vec<f32>) -> Option<Outcome> {
    match action {
        Action::Load { spec, tensors } => Some(load_hosted(model, &spec, tensors, input)),
        Action::Run(op) => {
            let recorded = HOSTED.with(|hosted| match hosted.borrow_mut().get_mut(&model) {
                Some(built) => built.record(&CpuBackend, &op, &input),
                None => Err(format!(
                    "model {model} is not loaded in the inference worker"
                )),
            });
            Some(match recorded {
                Ok(tensors) => read_all(&CpuBackend, &tensors).await,
                Err(e) => Err(e),
            })
        }
        Action::Drop => {
            HOSTED.with(|hosted| hosted.borrow_mut().remove(&model));
            None
        }
        Action::Memory => Some(Ok(vec![vec![wasm_pages() as f32]])),
        Action::Crash => {
            panic!("the page asked the inference worker to stop (window.genscopeCrashWorker)")
        }
    }
}

fn load_hosted(
    model: u32,
    spec: &Spec,
    tensors: Vec<(String, Vec<usize>)>,
    values: Vec<f32>,
) -> Outcome {
    let mut weights = HostWeights::new();
    let mut at = 0;
    for (name, shape) in tensors {
        let len: usize = shape.iter().product();
        let data = values
            .get(at..at + len)
            .ok_or("the weights sent to the inference worker are short")?;
        at += len;
        weights
            .insert(name, shape, data.to_vec())
            .map_err(|e| e.to_string())?;
    }
    let built = Built::new(&CpuBackend, spec, weights)?;
    HOSTED.with(|hosted| hosted.borrow_mut().insert(model, built));
    Ok(Vec::new())
}

/// This wasm instance's linear memory, in 64 KiB pages.
fn wasm_pages() -> u32 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .unchecked_into::<js_sys::ArrayBuffer>()
                .byte_length()
                / 65_536
        })
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------------------------
// The worker side.

/// Entry point of the inference worker, called by `web/worker.js` once the wasm is loaded: answers requests until
/// the page goes away. Panics are reported to the page instead of the `#fatal` panel, which the worker does not have.
#[wasm_bindgen]
pub fn genscope_worker_start() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
        post_to_page(&Message::Panic(info.to_string()), &[]);
    }));
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(|event: web_sys::MessageEvent| {
            wasm_bindgen_futures::spawn_local(answer(event.data()));
        });
    worker_scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post_to_page(&Message::Ready, &[]);
}

fn worker_scope() -> web_sys::DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post_to_page(message: &Message, numbers: &[f32]) {
    let (data, transfer) = pack(message, numbers);
    let _ = worker_scope().post_message_with_transfer(&data, &transfer);
}

/// Handles one request. Requests are answered in order: a CPU read-back is ready at once, so each request
/// finishes within its own task.
async fn answer(data: JsValue) {
    let (request, input) = match unpack::<Request>(&data) {
        Ok(unpacked) => unpacked,
        Err(e) => return post_to_page(&Message::Panic(e), &[]),
    };
    match execute(request.model, request.action, input).await {
        None => {}
        Some(Ok(parts)) => {
            let lengths = parts.iter().map(Vec::len).collect();
            post_to_page(
                &Message::Reply {
                    id: request.id,
                    result: Ok(lengths),
                },
                &parts.concat(),
            );
        }
        Some(Err(e)) => post_to_page(
            &Message::Reply {
                id: request.id,
                result: Err(e),
            },
            &[],
        ),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The page side.

/// Where the page's CPU models run.
enum State {
    /// Not started yet, or stopped after a panic (the next call starts a fresh worker).
    Idle,
    /// Waiting for the worker's `Ready`; the waiters are woken when it comes (or it fails).
    Starting(web_sys::Worker, Vec<oneshot::Sender<()>>),
    /// Running.
    Running(web_sys::Worker),
    /// No worker could start: models run on the page's thread.
    Local,
}

struct Client {
    state: State,
    next_id: u64,
    next_model: u32,
    /// Bumped when a worker dies; a model from an older generation is gone.
    generation: u32,
    /// Why the last worker died.
    died: Option<String>,
    pending: HashMap<u64, oneshot::Sender<Outcome>>,
}

thread_local! {
    static CLIENT: RefCell<Client> = RefCell::new(Client {
        state: State::Idle,
        next_id: 0,
        next_model: 0,
        generation: 0,
        died: None,
        pending: HashMap::new(),
    });
}

/// Starts the worker if none runs, and waits until it takes requests (or the page's thread has to do).
async fn ready() {
    let waiter = CLIENT.with(|client| {
        let mut client = client.borrow_mut();
        if matches!(client.state, State::Idle) {
            client.state = match on_page_requested().map_or_else(spawn_worker, Err) {
                Ok(worker) => State::Starting(worker, Vec::new()),
                Err(why) => {
                    web_sys::console::warn_1(
                        &format!("genscope runs its models on the page's thread: {why}").into(),
                    );
                    State::Local
                }
            };
        }
        match &mut client.state {
            State::Starting(_, waiters) => {
                let (tx, rx) = oneshot::channel();
                waiters.push(tx);
                Some(rx)
            }
            _ => None,
        }
    });
    if let Some(rx) = waiter {
        let _ = rx.await;
    }
}

/// `index.html?inference=page` runs the models on the page's thread: the comparison the benchmarks measure.
fn on_page_requested() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    search
        .contains("inference=page")
        .then(|| "the link asks for it (inference=page)".to_string())
}

/// False for `index.html?inference=worker`, which sends even the VAE cursor's decode to the worker (the
/// comparison the drag-latency figures measure); otherwise a page keeps a copy of a tiny model for it.
pub fn cursor_on_page() -> bool {
    let search = web_sys::window().and_then(|w| w.location().search().ok());
    !search.is_some_and(|s| s.contains("inference=worker"))
}

fn spawn_worker() -> Result<web_sys::Worker, String> {
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options(WORKER_SCRIPT, &options)
        .map_err(|e| format!("no Web Worker: {e:?}"))?;
    // Events of a worker that has since been replaced (a stopped one's last error, say) are ignored.
    let me = worker.clone();
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            if is_current(&me) {
                on_worker_message(&event.data());
            }
        });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // A script that fails to load fires a plain `Event`; an uncaught exception an `ErrorEvent` with a message.
    let me = worker.clone();
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        if !is_current(&me) {
            return;
        }
        let why = event.dyn_ref::<web_sys::ErrorEvent>().map_or_else(
            || "its script could not be loaded".to_string(),
            |e| e.message(),
        );
        on_worker_failure(format!("the inference worker failed: {why}"));
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    Ok(worker)
}

/// True while `worker` is the one starting or running.
fn is_current(worker: &web_sys::Worker) -> bool {
    CLIENT.with(|client| match &client.borrow().state {
        State::Starting(current, _) | State::Running(current) => {
            AsRef::<JsValue>::as_ref(current) == AsRef::<JsValue>::as_ref(worker)
        }
        _ => false,
    })
}

fn on_worker_message(data: &JsValue) {
    let (message, numbers) = match unpack::<Message>(data) {
        Ok(unpacked) => unpacked,
        Err(e) => return on_worker_failure(e),
    };
    match message {
        Message::Ready => CLIENT.with(|client| {
            let mut client = client.borrow_mut();
            if let State::Starting(worker, waiters) =
                std::mem::replace(&mut client.state, State::Idle)
            {
                client.state = State::Running(worker);
                for waiter in waiters {
                    let _ = waiter.send(());
                }
            }
        }),
        Message::Failed(why) => {
            on_worker_failure(format!("the inference worker could not start: {why}"))
        }
        Message::Panic(why) => on_worker_failure(format!("the inference worker stopped: {why}")),
        Message::Reply { id, result } => {
            let sender = CLIENT.with(|client| client.borrow_mut().pending.remove(&id));
            let outcome = result.map(|lengths| {
                let mut at = 0;
                lengths
                    .into_iter()
                    .map(|len| {
                        let part = numbers.get(at..at + len).unwrap_or_default().to_vec();
                        at += len;
                        part
                    })
                    .collect()
            });
            if let Some(sender) = sender {
                let _ = sender.send(outcome);
            }
        }
    }
}

/// A worker that cannot start leaves the models to the page's thread; one that dies fails its pending calls, and
/// its models are gone (the next load starts a new worker).
fn on_worker_failure(why: String) {
    web_sys::console::error_1(&why.as_str().into());
    let pending = CLIENT.with(|client| {
        let mut client = client.borrow_mut();
        match std::mem::replace(&mut client.state, State::Idle) {
            State::Starting(worker, waiters) => {
                worker.terminate();
                client.state = State::Local;
                for waiter in waiters {
                    let _ = waiter.send(());
                }
            }
            State::Running(worker) => {
                worker.terminate();
                client.generation += 1;
                client.died = Some(why.clone());
            }
            other => client.state = other,
        }
        std::mem::take(&mut client.pending)
    });
    for (_, sender) in pending {
        let _ = sender.send(Err(why.clone()));
    }
}

/// Sends a request and waits for its reply (`None` for requests without one).
async fn call(model: u32, action: Action, input: &[f32]) -> Option<Outcome> {
    ready().await;
    let wants_reply = !matches!(action, Action::Drop | Action::Crash);
    let sent = CLIENT.with(|client| {
        let mut client = client.borrow_mut();
        let State::Running(worker) = &client.state else {
            return None;
        };
        let worker = worker.clone();
        let id = client.next_id;
        client.next_id += 1;
        let receiver = wants_reply.then(|| {
            let (tx, rx) = oneshot::channel();
            client.pending.insert(id, tx);
            rx
        });
        Some((worker, id, receiver))
    });
    // No worker: the same code on this thread.
    let Some((worker, id, receiver)) = sent else {
        return execute(model, action, input.to_vec()).await;
    };
    let (data, transfer) = pack(&Request { id, model, action }, input);
    if let Err(e) = worker.post_message_with_transfer(&data, &transfer) {
        CLIENT.with(|client| client.borrow_mut().pending.remove(&id));
        return Some(Err(format!("could not reach the inference worker: {e:?}")));
    }
    match receiver {
        None => None,
        Some(rx) => Some(
            rx.await
                .unwrap_or_else(|_| Err("the inference worker stopped".into())),
        ),
    }
}

/// A model held by the inference worker. Dropping it frees the model there.
pub struct Remote {
    model: u32,
    generation: u32,
}

impl Remote {
    /// Sends `weights` to the worker and builds `spec` there; errors say which tensor is wrong.
    pub async fn load(spec: Spec, weights: &HostWeights) -> Result<Self, String> {
        ready().await;
        let (model, generation) = CLIENT.with(|client| {
            let mut client = client.borrow_mut();
            client.next_model += 1;
            (client.next_model, client.generation)
        });
        let mut tensors = Vec::new();
        let mut values = Vec::new();
        for name in weights.names() {
            let (shape, data) = weights.get(name).expect("a listed tensor");
            tensors.push((name.to_string(), shape.to_vec()));
            values.extend_from_slice(data);
        }
        let action = Action::Load { spec, tensors };
        match call(model, action, &values).await {
            Some(Ok(_)) => Ok(Remote { model, generation }),
            Some(Err(e)) => Err(e),
            None => Err("the inference worker did not answer".into()),
        }
    }

    /// Runs `op` on `input` in the worker.
    pub async fn run(&self, op: Op, input: &[f32]) -> Outcome {
        let gone = CLIENT.with(|client| {
            let client = client.borrow();
            (client.generation != self.generation).then(|| {
                format!(
                    "{}; pick the model again (or reload the page) to load it into a new one",
                    client
                        .died
                        .as_deref()
                        .unwrap_or("the inference worker stopped")
                )
            })
        });
        if let Some(why) = gone {
            return Err(why);
        }
        call(self.model, Action::Run(op), input)
            .await
            .unwrap_or_else(|| Err("the inference worker did not answer".into()))
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        let (model, generation) = (self.model, self.generation);
        wasm_bindgen_futures::spawn_local(async move {
            let current = CLIENT.with(|client| client.borrow().generation == generation);
            if current {
                call(model, Action::Drop, &[]).await;
            }
        });
    }
}

/// The inference worker's wasm memory in bytes (0 when models run on the page's thread), for the long-use checks.
pub async fn worker_memory_bytes() -> f64 {
    ready().await;
    let running = CLIENT.with(|client| matches!(client.borrow().state, State::Running(_)));
    if !running {
        return 0.0;
    }
    match call(0, Action::Memory, &[]).await {
        Some(Ok(parts)) => parts
            .first()
            .and_then(|p| p.first())
            .map_or(0.0, |&pages| f64::from(pages) * 65_536.0),
        _ => 0.0,
    }
}

/// Installs `window.genscopeCrashWorker()`, which makes the inference worker panic, so the e2e tests can check that
/// the page names the failure and its "Try again" loads the model into a new worker.
pub fn install_crash_hook() {
    let hook = Closure::<dyn Fn()>::new(|| {
        let running = CLIENT.with(|client| matches!(client.borrow().state, State::Running(_)));
        if running {
            wasm_bindgen_futures::spawn_local(async {
                call(0, Action::Crash, &[]).await;
            });
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"genscopeCrashWorker".into(), hook.as_ref());
    }
    // The hook lives as long as the page.
    hook.forget();
}
