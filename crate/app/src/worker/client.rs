//! The page's side: a small client that starts the worker on first use, numbers requests and routes replies, and
//! [`Remote`], the page's handle on a model in the worker.

use std::cell::RefCell;
use std::collections::HashMap;

use futures_channel::oneshot;
use genscope_core::engine::{Op, Spec};
use genscope_core::lab::trained::{Picture, Setup};
use genscope_core::lab::Point;
use genscope_core::nn::HostWeights;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::host::execute;
use super::protocol::{pack, unpack, Action, Message, Outcome, Request, WORKER_SCRIPT};

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
        if let Some(why) = gone(self.generation) {
            return Err(why);
        }
        call(self.model, Action::Run(op), input)
            .await
            .unwrap_or_else(|| Err("the inference worker did not answer".into()))
    }
}

/// Why a model of worker `generation` is no longer there, if it is not.
fn gone(generation: u32) -> Option<String> {
    CLIENT.with(|client| {
        let client = client.borrow();
        (client.generation != generation).then(|| {
            format!(
                "{}; pick the model again (or reload the page) to load it into a new one",
                client
                    .died
                    .as_deref()
                    .unwrap_or("the inference worker stopped")
            )
        })
    })
}

/// Training then held-out points as `x, y` pairs.
fn flat(train: &[Point], held_out: &[Point]) -> Vec<f32> {
    train
        .iter()
        .chain(held_out)
        .flat_map(|&[x, y]| [x as f32, y as f32])
        .collect()
}

/// A 2-D lab training held by the inference worker. Dropping it ends the training there.
pub struct RemoteTraining {
    id: Remote,
}

impl RemoteTraining {
    /// Starts `setup` on `train` and `held_out` in the worker.
    pub async fn start(setup: Setup, train: &[Point], held_out: &[Point]) -> Result<Self, String> {
        ready().await;
        let (model, generation) = CLIENT.with(|client| {
            let mut client = client.borrow_mut();
            client.next_model += 1;
            (client.next_model, client.generation)
        });
        let values = flat(train, held_out);
        let action = Action::LabStart {
            setup,
            train: train.len(),
        };
        match call(model, action, &values).await {
            Some(Ok(_)) => Ok(RemoteTraining {
                id: Remote { model, generation },
            }),
            Some(Err(e)) => Err(e),
            None => Err("the inference worker did not answer".into()),
        }
    }

    async fn ask(&self, action: Action, input: &[f32]) -> Outcome {
        if let Some(why) = gone(self.id.generation) {
            return Err(why);
        }
        call(self.id.model, action, input)
            .await
            .unwrap_or_else(|| Err("the inference worker did not answer".into()))
    }

    /// Trains on `train` and `held_out` from now on, keeping the model.
    pub async fn set_points(&self, train: &[Point], held_out: &[Point]) -> Result<(), String> {
        let values = flat(train, held_out);
        let action = Action::LabPoints { train: train.len() };
        self.ask(action, &values).await.map(drop)
    }

    /// Takes `steps` gradient steps; returns each step's minibatch NLL.
    pub async fn train(&self, steps: usize) -> Result<Vec<f32>, String> {
        let mut parts = self.ask(Action::LabTrain { steps }, &[]).await?;
        Ok(parts.pop().unwrap_or_default())
    }

    /// The density on a `cells²` grid, `samples` samples from `seed`, and the NLLs and step count.
    pub async fn picture(
        &self,
        cells: usize,
        samples: usize,
        seed: u64,
    ) -> Result<Picture, String> {
        let parts = self
            .ask(
                Action::LabPicture {
                    cells,
                    samples,
                    seed,
                },
                &[],
            )
            .await?;
        let [densities, samples, numbers] = <[Vec<f32>; 3]>::try_from(parts)
            .map_err(|_| "the inference worker's picture has the wrong parts".to_string())?;
        let number = |i: usize| numbers.get(i).copied().map_or(f64::NAN, f64::from);
        let cells = (densities.len() as f64).sqrt() as usize;
        Ok(Picture {
            densities: densities.into_iter().map(f64::from).collect(),
            cells,
            samples: samples
                .chunks_exact(2)
                .map(|p| [f64::from(p[0]), f64::from(p[1])])
                .collect(),
            train_nll: number(0),
            held_out_nll: number(1),
            steps: number(2) as usize,
        })
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
