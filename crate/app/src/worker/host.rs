//! The models' host: the worker's side of the protocol (and the page's own thread where no worker could start).

use std::cell::RefCell;
use std::collections::HashMap;

use genscope_core::cpu::CpuBackend;
use genscope_core::engine::{Built, Spec};
use genscope_core::lab::trained::Training;
use genscope_core::lab::Point;
use genscope_core::nn::HostWeights;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::protocol::{pack, unpack, Action, Message, Outcome, Request};

thread_local! {
    /// The models this thread hosts: in the worker, or on the page when no worker could start.
    static HOSTED: RefCell<HashMap<u32, Built<CpuBackend>>> = RefCell::new(HashMap::new());
    /// The 2-D lab's trainings on this thread.
    static LAB: RefCell<HashMap<u32, Training>> = RefCell::new(HashMap::new());
}

/// Carries out `action` on the models of this thread. `None` for actions without a reply.
pub(super) async fn execute(model: u32, action: Action, input: Vec<f32>) -> Option<Outcome> {
    match action {
        Action::Load { spec, tensors } => Some(load_hosted(model, &spec, tensors, input)),
        Action::Run(op) => {
            let recorded = HOSTED.with(|hosted| match hosted.borrow_mut().get_mut(&model) {
                Some(built) => built
                    .record(&CpuBackend, &op, &input)
                    .map_err(|e| e.to_string()),
                None => Err(format!(
                    "model {model} is not loaded in the inference worker"
                )),
            });
            Some(match recorded {
                Ok(recorded) => recorded
                    .read(&CpuBackend)
                    .await
                    .map(|output| output.into_parts())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            })
        }
        Action::LabStart { setup, train } => {
            let (train, held_out) = split_points(&input, train);
            Some(
                Training::new(setup, train, held_out)
                    .map(|t| {
                        LAB.with(|lab| lab.borrow_mut().insert(model, t));
                        Vec::new()
                    })
                    .map_err(|e| e.to_string()),
            )
        }
        Action::LabPoints { train } => Some(with_training(model, |t| {
            let (train, held_out) = split_points(&input, train);
            t.set_points(train, held_out);
            Ok(Vec::new())
        })),
        Action::LabTrain { steps } => Some(with_training(model, |t| {
            let losses = t.train(steps.min(1000)).map_err(|e| e.to_string())?;
            Ok(vec![losses.into_iter().map(|l| l as f32).collect()])
        })),
        Action::LabPicture {
            cells,
            samples,
            seed,
        } => Some(with_training(model, |t| {
            let p = t.picture(cells, samples, seed).map_err(|e| e.to_string())?;
            Ok(vec![
                p.densities.into_iter().map(|d| d as f32).collect(),
                p.samples
                    .into_iter()
                    .flat_map(|[x, y]| [x as f32, y as f32])
                    .collect(),
                vec![p.train_nll as f32, p.held_out_nll as f32, p.steps as f32],
            ])
        })),
        Action::Drop => {
            HOSTED.with(|hosted| hosted.borrow_mut().remove(&model));
            LAB.with(|lab| lab.borrow_mut().remove(&model));
            None
        }
        Action::Memory => Some(Ok(vec![vec![wasm_pages() as f32]])),
        Action::Crash => {
            panic!("the page asked the inference worker to stop (window.genscopeCrashWorker)")
        }
    }
}

/// `x, y` pairs as points: the first `train` of them, and the rest.
fn split_points(values: &[f32], train: usize) -> (Vec<Point>, Vec<Point>) {
    let points: Vec<Point> = values
        .chunks_exact(2)
        .map(|p| [f64::from(p[0]), f64::from(p[1])])
        .collect();
    let split = train.min(points.len());
    (points[..split].to_vec(), points[split..].to_vec())
}

/// Runs `work` on the lab training `model`, or says it is not there.
fn with_training(model: u32, work: impl FnOnce(&mut Training) -> Outcome) -> Outcome {
    LAB.with(|lab| match lab.borrow_mut().get_mut(&model) {
        Some(t) => work(t),
        None => Err(format!(
            "training {model} is not running in the inference worker"
        )),
    })
}

fn load_hosted(
    model: u32,
    spec: &Spec,
    tensors: Vec<(String, Vec<usize>)>,
    values: Vec<f32>,
) -> Outcome {
    let mut weights = HostWeights::new();
    let mut at = 0usize;
    for (name, shape) in tensors {
        let short = "the weights sent to the inference worker are short";
        let len = shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .ok_or(short)?;
        let end = at.checked_add(len).ok_or(short)?;
        let data = values.get(at..end).ok_or(short)?;
        at = end;
        weights
            .insert(name, shape, data.to_vec())
            .map_err(|e| e.to_string())?;
    }
    let built = Built::new(&CpuBackend, spec, weights).map_err(|e| e.to_string())?;
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
