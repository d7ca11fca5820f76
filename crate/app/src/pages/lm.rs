//! The LM page: step a character-level transformer one token at a time and watch the next-token distribution.
//!
//! Each step costs one token's forward pass (a KV cache on the backend). The page keeps the logits of every step,
//! so the sampling controls redraw the distribution without a forward pass and "Back" restores a step exactly.
//! A visitor can also open their own llama2.c checkpoint (with its tokenizer) or safetensors LM.

use std::rc::Rc;

use genscope_core::card::ModelConfig;
use genscope_core::lm::LmConfig;
use genscope_core::nn::HostWeights;
use genscope_core::query::Query;
use genscope_core::sampling::{distribution, Distribution, Sampler, SamplingSettings};
use genscope_core::tokenizer::Tokenizer;
use genscope_core::weights::read_lm_files;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::app::{Load, SiteContext};
use crate::engine::{Model, Op, Spec};
use crate::models::{self, ModelCard, Shared};
use crate::url;
use crate::widgets::{failure_panel, ErrorPanel, ModelCardPanel};

/// Candidates drawn in the chart.
const CHART_ROWS: usize = 20;
/// Longest prompt put into the link (longer prompts still run, but the link would be unwieldy).
const MAX_PROMPT_IN_URL: usize = 1000;
/// Steps whose attention weights are kept for "Back".
const ATTENTION_HISTORY: usize = 64;
/// The model shown when the URL names none.
const DEFAULT_MODEL: &str = "lm-shakespeare";

/// A language model on the current backend with its tokenizer.
pub struct LoadedLm {
    /// Shown in the picker: the shipped name or the visitor's file name.
    pub name: String,
    /// The shipped model's card (none for the visitor's own model).
    pub card: Option<Rc<ModelCard>>,
    /// Architecture.
    pub config: LmConfig,
    /// Text ↔ ids.
    pub tokenizer: Shared<Tokenizer>,
    /// What it runs on, as the status line names it.
    pub backend: String,
    /// The model, with its KV cache beside it (in the inference worker on the CPU).
    model: Model,
}

impl PartialEq for LoadedLm {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// The last position's attention weights: per layer, per head, one weight per context token.
type Attention = Rc<Vec<Vec<Vec<f32>>>>;

/// One forward pass's results, read back to the host.
struct StepOutput {
    logits: Vec<f32>,
    /// Per layer, per head: the last position's attention over the context.
    attention: Vec<Vec<Vec<f32>>>,
}

impl LoadedLm {
    /// Feeds `tokens` after `keep` cached positions (a fresh cache when `keep` is 0) and returns the next-token
    /// logits and the last position's attention.
    async fn feed(&self, keep: usize, tokens: &[u32]) -> Result<StepOutput, String> {
        let (heads, n) = (self.config.n_heads, tokens.len());
        let op = Op::Feed {
            keep,
            tokens: tokens.to_vec(),
        };
        let mut parts = self.model.run(op, &[]).await?.into_iter();
        let logits = parts.next().ok_or("the model returned no logits")?;
        let layers = parts;
        // Each layer is [heads, n, context]: keep the last query row of every head.
        let attention = layers
            .into_iter()
            .map(|w| {
                let context = w.len() / (heads * n).max(1);
                (0..heads)
                    .map(|h| {
                        let row = (h * n + n - 1) * context;
                        w[row..row + context].to_vec()
                    })
                    .collect()
            })
            .collect();
        Ok(StepOutput { logits, attention })
    }
}

/// Builds a language model on the current backend; errors name `weights_file`, where the weights came from.
async fn build_lm(
    site: &SiteContext,
    name: String,
    card: Option<Rc<ModelCard>>,
    config: LmConfig,
    tokenizer: Tokenizer,
    weights: HostWeights,
    weights_file: &str,
) -> Result<LoadedLm, String> {
    if tokenizer.len() != config.vocab_size {
        return Err(format!(
            "{weights_file}: the tokenizer has {} pieces but the model's vocabulary has {}",
            tokenizer.len(),
            config.vocab_size
        ));
    }
    let model = Model::load(site.gpu.as_ref(), Spec::Lm(config.clone()), weights)
        .await
        .map_err(|e| format!("{weights_file}: {e}"))?;
    let backend = model.backend_label(|| site.backend.label());
    Ok(LoadedLm {
        name,
        card,
        config,
        tokenizer: Shared(Rc::new(tokenizer)),
        backend,
        model,
    })
}

async fn load_shipped(site: &SiteContext, name: &str) -> Result<LoadedLm, String> {
    let Load::Ready(manifest) = &site.manifest else {
        return Err("the asset list is not loaded".into());
    };
    let card = models::fetch_card(manifest, name).await?;
    let ModelConfig::Lm(config) = card.model_config().map_err(|e| e.to_string())? else {
        return Err(format!(
            "assets/models/{name}.json: a {} card, not a language model",
            card.kind
        ));
    };
    let tokenizer = Tokenizer::characters(card.vocab.clone())
        .map_err(|e| format!("assets/models/{name}.json: {e}"))?;
    let weights = models::fetch_weights(manifest, name).await?;
    build_lm(
        site,
        name.to_string(),
        Some(Rc::new(card)),
        config,
        tokenizer,
        weights,
        &format!("assets/models/{name}.safetensors"),
    )
    .await
}

/// Builds the visitor's model from their files (see [`read_lm_files`] for what they may be).
async fn open_own_model(
    site: &SiteContext,
    file_name: &str,
    bytes: &[u8],
    tokenizer_bytes: Option<&[u8]>,
) -> Result<LoadedLm, String> {
    let (config, tokenizer, weights) =
        read_lm_files(file_name, bytes, tokenizer_bytes).map_err(|e| e.to_string())?;
    let name = format!("your model ({file_name})");
    build_lm(site, name, None, config, tokenizer, weights, file_name).await
}

/// A token of the text and how it came to be there.
#[derive(Clone, Debug, PartialEq)]
struct TextToken {
    id: u32,
    /// The model's probability (temperature 1) of this token when it was chosen; `None` for prompt tokens.
    p_raw: Option<f32>,
    /// Its rank among the candidates (1 = most likely).
    rank: Option<usize>,
    /// Clicked by the visitor instead of sampled.
    forced: bool,
}

/// Everything the page shows about the text so far; replaced (not mutated) on each change.
#[derive(Clone, Debug, Default, PartialEq)]
struct Doc {
    tokens: Vec<TextToken>,
    /// Tokens (ids) currently in the KV cache, in order: the last ≤ context tokens of the text.
    window: Vec<u32>,
    /// Next-token logits after the whole text.
    logits: Rc<Vec<f32>>,
    /// Per generated token: the logits it was chosen from, and the window before it (for "Back").
    history: Vec<(Rc<Vec<f32>>, usize)>,
    /// Attention of the last position, per layer and head.
    attention: Option<Attention>,
    attention_history: Vec<Option<Attention>>,
    /// Notes for the visitor: unknown characters, a long prompt, a slid context.
    notes: Vec<String>,
    /// Milliseconds of the last forward pass.
    step_ms: Option<f64>,
    /// Goes up with every change, so the chart (and a test) can tell a redraw from the same picture.
    revision: u64,
    /// Which model wrote it.
    model: String,
}

thread_local! {
    static REVISIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn next_revision() -> u64 {
    REVISIONS.with(|r| {
        r.set(r.get() + 1);
        r.get()
    })
}

/// Tokens in the cache after a slide: three quarters of the context, so a slide happens once per quarter.
fn slide_keep(seq_len: usize) -> usize {
    (seq_len * 3 / 4).max(1)
}

/// The sampler for the token at `position`: one stream per position, so "Back" then "Step" draws the same token.
fn sampler_at(seed: u64, position: usize) -> Sampler {
    Sampler::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ position as u64)
}

/// Shows a piece readably: spaces, newlines, tabs and other control characters escaped.
pub fn readable(piece: &str) -> String {
    piece
        .chars()
        .map(|c| match c {
            ' ' => "␣".to_string(),
            '\n' => "⏎".to_string(),
            '\t' => "⇥".to_string(),
            c if c.is_control() => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// Page settings that live in the URL.
#[derive(Clone, Debug, PartialEq)]
struct Settings {
    temperature: f32,
    top_k: usize,
    top_p: f32,
    seed: u64,
    greedy: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            temperature: 1.0,
            top_k: 0,
            top_p: 1.0,
            seed: 1,
            greedy: false,
        }
    }
}

impl Settings {
    fn sampling(&self) -> SamplingSettings {
        SamplingSettings {
            temperature: self.temperature,
            top_k: (self.top_k > 0).then_some(self.top_k),
            top_p: (self.top_p < 1.0).then_some(self.top_p),
            greedy: self.greedy,
        }
    }

    fn from_query(q: &mut Query) -> Self {
        let d = Self::default();
        Self {
            temperature: q.number("t", 0.05, 20.0).unwrap_or(d.temperature),
            top_k: q
                .number("k", 0.0, 100_000.0)
                .map_or(d.top_k, |k| k as usize),
            top_p: q.number("p", 0.01, 1.0).unwrap_or(d.top_p),
            seed: q.number("seed", 0.0, 1e9).map_or(d.seed, |s| s as u64),
            greedy: q.choice("greedy", &["0", "1"]) == Some("1"),
        }
    }
}

/// Runs the prompt through the model: a fresh cache holding its last tokens.
async fn start(lm: Rc<LoadedLm>, prompt: String) -> Result<Doc, String> {
    let mut notes = Vec::new();
    let mut ids = lm.tokenizer.encode(&prompt);
    let unknown: Vec<char> = {
        let mut seen = Vec::new();
        for c in prompt.chars() {
            let mut buf = [0u8; 4];
            if lm.tokenizer.encode(c.encode_utf8(&mut buf)) == [lm.tokenizer.unknown()]
                && !seen.contains(&c)
            {
                seen.push(c);
            }
        }
        seen
    };
    if !unknown.is_empty() {
        let shown: String = unknown
            .iter()
            .take(12)
            .map(|c| readable(&c.to_string()) + " ")
            .collect();
        notes.push(format!(
            "{} distinct characters are not in this model's vocabulary and are shown as ⟨unk⟩: {shown}{}",
            unknown.len(),
            if unknown.len() > 12 { "…" } else { "" }
        ));
    }
    if ids.is_empty() {
        ids = lm.tokenizer.encode("\n");
        notes.push("The prompt is empty: the model starts after a newline.".into());
    }
    let keep = slide_keep(lm.config.seq_len);
    let window: Vec<u32> = ids[ids.len().saturating_sub(keep)..].to_vec();
    if window.len() < ids.len() {
        notes.push(format!(
            "The prompt has {} tokens; the model's context holds {}, so it reads the last {}.",
            ids.len(),
            lm.config.seq_len,
            window.len()
        ));
    }
    let started = models::now_ms();
    let out = lm.feed(0, &window).await?;
    let step_ms = models::now_ms() - started;
    Ok(Doc {
        tokens: ids
            .iter()
            .map(|&id| TextToken {
                id,
                p_raw: None,
                rank: None,
                forced: false,
            })
            .collect(),
        window,
        logits: Rc::new(out.logits),
        history: Vec::new(),
        attention: Some(Rc::new(out.attention)),
        attention_history: Vec::new(),
        notes,
        step_ms: Some(step_ms),
        revision: next_revision(),
        model: lm.name.clone(),
    })
}

/// Carries a text over to a freshly loaded copy of its model (another backend, e.g. after a lost GPU device): the
/// window is run into the new cache; the tokens, their probabilities and the history for "Back" stay as they were.
async fn resume(lm: Rc<LoadedLm>, doc: Rc<Doc>) -> Result<Doc, String> {
    let started = models::now_ms();
    let out = lm.feed(0, &doc.window).await?;
    let mut next = (*doc).clone();
    next.logits = Rc::new(out.logits);
    next.attention = Some(Rc::new(out.attention));
    next.step_ms = Some(models::now_ms() - started);
    next.revision = next_revision();
    Ok(next)
}

/// Appends `id` (sampled, greedy or clicked) and runs one token's forward pass, sliding the context when full.
async fn append(lm: Rc<LoadedLm>, doc: Rc<Doc>, id: u32, forced: bool) -> Result<Doc, String> {
    let raw = genscope_core::sampling::softmax(&doc.logits).map_err(|e| e.to_string())?;
    let rank = raw.iter().filter(|&&p| p > raw[id as usize]).count() + 1;
    let mut next = (*doc).clone();
    next.history
        .push((Rc::clone(&doc.logits), doc.window.len()));
    next.attention_history.push(doc.attention.clone());
    if next.attention_history.len() > ATTENTION_HISTORY {
        let cut = next.attention_history.len() - ATTENTION_HISTORY;
        next.attention_history
            .iter_mut()
            .take(cut)
            .for_each(|a| *a = None);
    }
    next.tokens.push(TextToken {
        id,
        p_raw: Some(raw[id as usize]),
        rank: Some(rank),
        forced,
    });
    let started = models::now_ms();
    let out = if doc.window.len() < lm.config.seq_len {
        next.window.push(id);
        lm.feed(doc.window.len(), &[id]).await?
    } else {
        // The context is full: keep its last three quarters and recompute their keys and values.
        let all: Vec<u32> = next.tokens.iter().map(|t| t.id).collect();
        next.window = all[all.len() - slide_keep(lm.config.seq_len)..].to_vec();
        next.notes
            .retain(|n| !n.starts_with("The context was full"));
        next.notes.push(format!(
            "The context was full at token {}: it slid to the last {} tokens (their cache recomputed).",
            all.len(),
            next.window.len()
        ));
        lm.feed(0, &next.window).await?
    };
    next.step_ms = Some(models::now_ms() - started);
    next.logits = Rc::new(out.logits);
    next.attention = Some(Rc::new(out.attention));
    next.revision = next_revision();
    Ok(next)
}

/// Undoes the last generated token: its logits come back from the history; the cache drops one position (or is
/// rebuilt when the token had caused a slide).
async fn back(lm: Rc<LoadedLm>, doc: Rc<Doc>) -> Result<Doc, String> {
    let mut next = (*doc).clone();
    let Some((logits, window_len)) = next.history.pop() else {
        return Ok(next);
    };
    next.tokens.pop();
    next.attention = next.attention_history.pop().flatten();
    let all: Vec<u32> = next.tokens.iter().map(|t| t.id).collect();
    let window: Vec<u32> = all[all.len().saturating_sub(window_len)..].to_vec();
    // When the cache still holds the window, the next step keeps only its positions (the forward overwrites the
    // last one); otherwise (the token had caused a slide) the window is run again.
    if !(doc.window.len() == window.len() + 1 && doc.window.starts_with(&window)) {
        lm.feed(0, &window).await?;
    }
    next.window = window;
    next.logits = logits;
    next.revision = next_revision();
    Ok(next)
}

/// The LM page.
#[component]
pub fn LmPage() -> Html {
    let site = use_context::<SiteContext>().expect("SiteContext is provided by App");
    let url_version = url::use_url_version("lm");
    let initial = use_memo(url_version, |_| url::current_query());
    let shipped: Vec<String> = match &site.manifest {
        Load::Ready(m) => m
            .files
            .iter()
            .filter_map(|f| f.path.strip_prefix("assets/models/lm-"))
            .filter_map(|p| p.strip_suffix(".json"))
            .map(|p| format!("lm-{p}"))
            .collect(),
        _ => Vec::new(),
    };
    let model = use_state(|| None::<String>);
    let own = use_state(|| None::<Rc<LoadedLm>>);
    let loaded = use_state(|| Load::<Rc<LoadedLm>>::Loading);
    let prompt = use_state(String::new);
    let settings = use_state(Settings::default);
    let doc = use_state(|| None::<Rc<Doc>>);
    let url_notes = use_state(Vec::<String>::new);
    let error = use_state(|| None::<String>);
    let busy = use_mut_ref(|| false);
    let playing = use_state(|| false);
    let speed_ms = use_state(|| 150u32);
    let layer = use_state(|| 0usize);
    let head = use_state(|| 0usize);
    let reload = use_state(|| 0u32);

    // Model, prompt and settings from the link (again when a new link is pasted).
    {
        let (model, prompt, settings, url_notes, initial, reload) = (
            model.clone(),
            prompt.clone(),
            settings.clone(),
            url_notes.clone(),
            initial.clone(),
            reload.clone(),
        );
        let applied = use_mut_ref(|| None::<u32>);
        let shipped = shipped.clone();
        use_effect_with((shipped.len(), url_version), move |&(_, version)| {
            if !shipped.is_empty() && *applied.borrow() != Some(version) {
                *applied.borrow_mut() = Some(version);
                let mut q = (*initial).clone();
                let names: Vec<&str> = shipped.iter().map(String::as_str).collect();
                let chosen =
                    q.choice("model", &names)
                        .unwrap_or(if names.contains(&DEFAULT_MODEL) {
                            DEFAULT_MODEL
                        } else {
                            names[0]
                        });
                settings.set(Settings::from_query(&mut q));
                let default_prompt = if chosen.contains("tang") {
                    "床前明月光，"
                } else {
                    "ROMEO:\n"
                };
                prompt.set(
                    q.get("prompt")
                        .map_or(default_prompt.to_string(), str::to_string),
                );
                url_notes.set(q.notes);
                model.set(Some(chosen.to_string()));
                reload.set(*reload + 1);
            }
        });
    }

    // Load the chosen shipped model (again on another backend), then run the prompt.
    let gpu_key = site.gpu.as_ref().map(|g| Rc::as_ptr(g) as usize);
    {
        let (loaded, site, own, doc, error, prompt) = (
            loaded.clone(),
            site.clone(),
            own.clone(),
            doc.clone(),
            error.clone(),
            prompt.clone(),
        );
        let generation = use_mut_ref(|| 0u64);
        use_effect_with(((*model).clone(), gpu_key, *reload), move |(name, _, _)| {
            if let Some(name) = name.clone() {
                *generation.borrow_mut() += 1;
                let mine = *generation.borrow();
                loaded.set(Load::Loading);
                wasm_bindgen_futures::spawn_local(async move {
                    let result = match (*own).clone().filter(|o| o.name == name) {
                        Some(own) => Ok(own),
                        None => load_shipped(&site, &name).await.map(Rc::new),
                    };
                    if *generation.borrow() != mine {
                        return;
                    }
                    match result {
                        Ok(lm) => {
                            // Keep the whole text (prompt and generated tokens) across a backend switch:
                            // replay it into the new cache.
                            let kept = (*doc).clone().filter(|d| d.model == lm.name);
                            let text = (*prompt).clone();
                            loaded.set(Load::Ready(Rc::clone(&lm)));
                            let resumed = match kept {
                                Some(kept) => resume(lm, kept).await,
                                None => start(lm, text).await,
                            };
                            match resumed {
                                Ok(d) => doc.set(Some(Rc::new(d))),
                                Err(e) => {
                                    error.set(Some(format!("running the prompt failed: {e}")))
                                }
                            }
                        }
                        Err(e) => loaded.set(Load::Failed(e)),
                    }
                });
            }
        });
    }

    // Keep the URL in step.
    {
        let key = ((*model).clone(), (*prompt).clone(), (*settings).clone());
        use_effect_with(key, move |(model, prompt, s)| {
            let timer = model.clone().map(|model| {
                let mut pairs = vec![("model", model)];
                pairs.extend([
                    (
                        "t",
                        format!("{}", (s.temperature * 1000.0).round() / 1000.0),
                    ),
                    ("k", s.top_k.to_string()),
                    ("p", format!("{}", (s.top_p * 1000.0).round() / 1000.0)),
                    ("seed", s.seed.to_string()),
                    ("greedy", if s.greedy { "1" } else { "0" }.to_string()),
                ]);
                // The prompt goes into the link only if the whole link still reads back in full.
                let mut with_prompt = pairs.clone();
                with_prompt.insert(1, ("prompt", prompt.clone()));
                if prompt.chars().count() <= MAX_PROMPT_IN_URL
                    && genscope_core::query::encode(&with_prompt).len()
                        <= genscope_core::query::MAX_QUERY_LEN
                {
                    pairs = with_prompt;
                }
                gloo::timers::callback::Timeout::new(250, move || url::replace("lm", &pairs))
            });
            move || drop(timer)
        });
    }

    let lm = match &*loaded {
        Load::Ready(lm) => Some(Rc::clone(lm)),
        _ => None,
    };
    let dist: Option<Result<Distribution, String>> = (*doc)
        .as_ref()
        .map(|d| distribution(&d.logits, &settings.sampling()).map_err(|e| e.to_string()));

    // When the last change was asked for: the effect below turns it into click-to-chart time once drawn.
    let asked_at = use_mut_ref(|| None::<f64>);
    {
        let asked_at = asked_at.clone();
        let revision = (*doc).as_ref().map(|d| d.revision);
        use_effect_with(revision, move |_| {
            if let Some(since) = asked_at.borrow_mut().take() {
                let ms = models::now_ms() - since;
                if let Some(body) = gloo::utils::document().body() {
                    let _ = body.dataset().set("lmClickToChartMs", &format!("{ms:.2}"));
                }
            }
        });
    }
    // Runs one change to the text (step, take, back, restart) unless another is running.
    let run = {
        let asked_at = asked_at.clone();
        let (busy, doc, error, playing) =
            (busy.clone(), doc.clone(), error.clone(), playing.clone());
        Callback::from(
            move |job: std::pin::Pin<
                Box<dyn std::future::Future<Output = Result<Doc, String>>>,
            >| {
                if *busy.borrow() {
                    return;
                }
                *busy.borrow_mut() = true;
                *asked_at.borrow_mut() = Some(models::now_ms());
                let (busy, doc, error, playing) =
                    (busy.clone(), doc.clone(), error.clone(), playing.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    match job.await {
                        Ok(d) => {
                            error.set(None);
                            doc.set(Some(Rc::new(d)));
                        }
                        Err(e) => {
                            playing.set(false);
                            error.set(Some(e));
                        }
                    }
                    *busy.borrow_mut() = false;
                });
            },
        )
    };
    let step = {
        let (lm, doc, settings, run) = (lm.clone(), doc.clone(), settings.clone(), run.clone());
        Callback::from(move |_: ()| {
            let (Some(lm), Some(d)) = (lm.clone(), (*doc).clone()) else {
                return;
            };
            let id = match distribution(&d.logits, &settings.sampling()) {
                Ok(dist) => {
                    sampler_at(settings.seed, d.tokens.len()).sample(&dist.processed) as u32
                }
                Err(_) => return,
            };
            run.emit(Box::pin(append(lm, d, id, false)));
        })
    };
    let take = {
        let (lm, doc, run) = (lm.clone(), doc.clone(), run.clone());
        Callback::from(move |id: u32| {
            let (Some(lm), Some(d)) = (lm.clone(), (*doc).clone()) else {
                return;
            };
            run.emit(Box::pin(append(lm, d, id, true)));
        })
    };
    let go_back = {
        let (lm, doc, run) = (lm.clone(), doc.clone(), run.clone());
        Callback::from(move |_| {
            let (Some(lm), Some(d)) = (lm.clone(), (*doc).clone()) else {
                return;
            };
            run.emit(Box::pin(back(lm, d)));
        })
    };
    let restart = {
        let (lm, prompt, run, playing) = (lm.clone(), prompt.clone(), run.clone(), playing.clone());
        Callback::from(move |_| {
            let Some(lm) = lm.clone() else { return };
            playing.set(false);
            run.emit(Box::pin(start(lm, (*prompt).clone())));
        })
    };

    // Play: step on a timer while playing.
    {
        let step = step.clone();
        use_effect_with((*playing, *speed_ms), move |&(on, ms)| {
            let timer =
                on.then(|| gloo::timers::callback::Interval::new(ms, move || step.emit(())));
            move || drop(timer)
        });
    }

    let on_model = {
        let (model, own, playing) = (model.clone(), own.clone(), playing.clone());
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                playing.set(false);
                let name = select.value();
                if own.as_ref().is_none_or(|o| o.name != name) || name.starts_with("your model") {
                    model.set(Some(name));
                }
            }
        })
    };
    let on_prompt = {
        let prompt = prompt.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target_dyn_into::<HtmlTextAreaElement>() {
                prompt.set(area.value());
            }
        })
    };

    let body = match (&*loaded, &lm) {
        (Load::Failed(e), _) => {
            let retry = {
                let reload = reload.clone();
                Callback::from(move |()| reload.set(*reload + 1))
            };
            html! { <ErrorPanel title="Could not load this language model" message={e.clone()} on_retry={retry} /> }
        }
        (_, None) => html! { <p class="muted" id="lm-loading">{ "Loading the model…" }</p> },
        (_, Some(lm)) => {
            let chart = match (&dist, &*doc) {
                (Some(Ok(dist)), Some(d)) => html! {
                    <Chart dist={Rc::new(dist.clone())} tokenizer={lm.tokenizer.clone()}
                        on_take={take.clone()} entropy={dist.entropy()} position={d.tokens.len()}
                        revision={d.revision} model={d.model.clone()} />
                },
                (Some(Err(e)), _) => {
                    html! { <ErrorPanel title="These settings cannot sample" message={e.clone()} /> }
                }
                _ => html! { <p class="muted">{ "Running the prompt…" }</p> },
            };
            let text = (*doc).as_ref().map(
                |d| html! { <GeneratedText doc={Rc::clone(d)} tokenizer={lm.tokenizer.clone()} /> },
            );
            let attention = (*doc).as_ref().and_then(|d| d.attention.clone().map(|a| (a, d.window.clone()))).map(|(a, window)| {
                html! {
                    <AttentionView attention={a} window={window} tokenizer={lm.tokenizer.clone()}
                        layer={*layer} head={*head}
                        on_layer={{ let l = layer.clone(); Callback::from(move |v| l.set(v)) }}
                        on_head={{ let h = head.clone(); Callback::from(move |v| h.set(v)) }} />
                }
            });
            let rate = (*doc).as_ref().and_then(|d| d.step_ms).map(|ms| {
                format!(
                    "{ms:.1} ms per forward ({:.0} tokens/s) · {}",
                    1000.0 / ms.max(1e-3),
                    lm.backend
                )
            });
            html! {
                <>
                <div class="lm-main">
                    <div class="lm-left">
                        { for text }
                        <p id="token-rate" class="muted small">{ rate.unwrap_or_default() }</p>
                        { for (*doc).as_ref().map(|d| html! {
                            <div id="context-note" class="notes">{ for d.notes.iter().map(|n| html! { <p class="notice small">{ n }</p> }) }</div>
                        }) }
                    </div>
                    <div class="lm-right">{ chart }</div>
                </div>
                { for attention }
                { for lm.card.clone().map(|card| html! { <ModelCardPanel {card} /> }) }
                </>
            }
        }
    };

    let controls = html! {
        <Controls settings={(*settings).clone()} playing={*playing} speed_ms={*speed_ms}
            on_settings={{ let s = settings.clone(); Callback::from(move |v| s.set(v)) }}
            on_step={{ let step = step.clone(); Callback::from(move |_| step.emit(())) }}
            on_play={{ let p = playing.clone(); Callback::from(move |_| p.set(!*p)) }}
            on_speed={{ let s = speed_ms.clone(); Callback::from(move |v| s.set(v)) }}
            on_back={go_back} on_reset={restart.clone()} />
    };
    let mut options: Vec<String> = shipped.clone();
    if let Some(o) = &*own {
        options.push(o.name.clone());
    }
    html! {
        <section class="page" id="page-lm">
            <h1>{ "Token by token through a language model" }</h1>
            <p class="lead">{ "A small transformer trained here predicts the next character. Step it, change how it samples, or pick a candidate yourself." }</p>
            <div class="toolbar">
                <label>{ "Model " }
                    <select id="lm-model" onchange={on_model}>
                        { for options.iter().map(|m| html! {
                            <option value={m.clone()} selected={Some(m) == (*model).as_ref()}>{ m }</option>
                        }) }
                    </select>
                </label>
                <OpenOwnModel on_open={{
                    let (site, own, model, error) = (site.clone(), own.clone(), model.clone(), error.clone());
                    Callback::from(move |(file_name, bytes, tokenizer): (String, Vec<u8>, Option<Vec<u8>>)| {
                        let (site, own, model, error) = (site.clone(), own.clone(), model.clone(), error.clone());
                        wasm_bindgen_futures::spawn_local(async move {
                            match open_own_model(&site, &file_name, &bytes, tokenizer.as_deref()).await {
                                Ok(lm) => {
                                    let name = lm.name.clone();
                                    own.set(Some(Rc::new(lm)));
                                    model.set(Some(name));
                                    error.set(None);
                                }
                                Err(e) => error.set(Some(e)),
                            }
                        });
                    })
                }} />
            </div>
            { for (!url_notes.is_empty()).then(|| html! {
                <div class="notice" id="url-notes" role="status">{ "The link's state could not all be used: " }{ url_notes.join("; ") }</div>
            }) }
            <div class="prompt-row">
                <textarea id="prompt" rows="3" maxlength="100000" value={(*prompt).clone()} oninput={on_prompt}
                    aria-label="prompt" placeholder="Type a prompt (any text)" />
                <button id="lm-start" onclick={{ let r = restart.clone(); move |_| r.emit(()) }}>{ "Run prompt" }</button>
            </div>
            { controls }
            { failure_panel("The language model stopped", &error, &reload) }
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ControlsProps {
    settings: Settings,
    playing: bool,
    speed_ms: u32,
    on_settings: Callback<Settings>,
    on_step: Callback<()>,
    on_play: Callback<()>,
    on_speed: Callback<u32>,
    on_back: Callback<()>,
    on_reset: Callback<()>,
}

/// Step / Play / Back / Reset and the sampling settings. Settings only redraw the current distribution.
#[component]
fn Controls(props: &ControlsProps) -> Html {
    let s = props.settings.clone();
    let update = |f: fn(&mut Settings, &str)| {
        let (on, s) = (props.on_settings.clone(), s.clone());
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                let mut next = s.clone();
                let value = if input.type_() == "checkbox" {
                    input.checked().to_string()
                } else {
                    input.value()
                };
                f(&mut next, &value);
                on.emit(next);
            }
        })
    };
    let live = |f: fn(&mut Settings, &str)| {
        let (on, s) = (props.on_settings.clone(), s.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                let mut next = s.clone();
                f(&mut next, &input.value());
                on.emit(next);
            }
        })
    };
    let button = |id: &'static str, label: &'static str, cb: &Callback<()>| {
        let cb = cb.clone();
        html! { <button {id} onclick={move |_| cb.emit(())}>{ label }</button> }
    };
    let on_speed = {
        let on = props.on_speed.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                on.emit(select.value().parse().unwrap_or(150));
            }
        })
    };
    html! {
        <div class="controls">
            <div class="toolbar">
                { button("lm-step", "Step", &props.on_step) }
                <button id="lm-play" onclick={{ let cb = props.on_play.clone(); move |_| cb.emit(()) }}>
                    { if props.playing { "Pause" } else { "Play" } }</button>
                <select id="lm-speed" onchange={on_speed} aria-label="play speed">
                    { for [(400, "slow"), (150, "normal"), (30, "fast")].map(|(ms, name)| html! {
                        <option value={ms.to_string()} selected={props.speed_ms == ms}>{ name }</option>
                    }) }
                </select>
                { button("lm-back", "Back", &props.on_back) }
                { button("lm-reset", "Reset", &props.on_reset) }
            </div>
            <div class="toolbar small">
                <label>{ "Temperature " }
                    <input id="temperature" type="range" min="-1.3" max="1.3" step="0.01"
                        value={format!("{:.3}", s.temperature.log10())}
                        oninput={live(|s, v| if let Ok(x) = v.parse::<f32>() { s.temperature = 10f32.powf(x).clamp(0.05, 20.0) })} />
                    <span class="mono" id="temperature-value">{ format!("{:.2}", s.temperature) }</span>
                </label>
                <label>{ "top-k " }
                    <input id="top-k" type="number" min="0" max="100000" value={s.top_k.to_string()}
                        onchange={update(|s, v| s.top_k = v.parse::<usize>().unwrap_or(0).min(100_000))} />
                </label>
                <label>{ "top-p " }
                    <input id="top-p" type="range" min="0.01" max="1" step="0.01" value={format!("{}", s.top_p)}
                        oninput={live(|s, v| if let Ok(p) = v.parse::<f32>() { s.top_p = p.clamp(0.01, 1.0) })} />
                    <span class="mono" id="top-p-value">{ format!("{:.2}", s.top_p) }</span>
                </label>
                <label>{ "seed " }
                    <input id="seed" type="number" min="0" value={s.seed.to_string()}
                        onchange={update(|s, v| s.seed = v.parse::<u64>().unwrap_or(1).min(1_000_000_000))} />
                </label>
                <label><input id="greedy" type="checkbox" checked={s.greedy}
                    onchange={update(|s, v| s.greedy = v == "true")} />{ " greedy" }</label>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ChartProps {
    dist: Rc<Distribution>,
    tokenizer: Shared<Tokenizer>,
    on_take: Callback<u32>,
    entropy: f32,
    position: usize,
    revision: u64,
    model: String,
}

/// The top candidates as bars: the model's own probability (temperature 1) and the probability after the current
/// settings; cut candidates are greyed. The last row holds the mass of all other tokens, so the rows sum to 1.
/// Click a row to take that token.
#[component]
fn Chart(props: &ChartProps) -> Html {
    let d = &props.dist;
    let order = d.ranking();
    let shown: Vec<usize> = order.iter().take(CHART_ROWS).copied().collect();
    let rest_raw: f32 = order.iter().skip(CHART_ROWS).map(|&i| d.raw[i]).sum();
    let rest_processed: f32 = order.iter().skip(CHART_ROWS).map(|&i| d.processed[i]).sum();
    let max = shown
        .iter()
        .map(|&i| d.raw[i].max(d.processed[i]))
        .fold(0.0f32, f32::max)
        .max(1e-6);
    let rows = shown.iter().enumerate().map(|(rank, &i)| {
        let (raw, processed) = (d.raw[i], d.processed[i]);
        let cut = processed == 0.0;
        let on_take = props.on_take.clone();
        let piece = props.tokenizer.piece(i as u32);
        html! {
            <button class={classes!("candidate", cut.then_some("cut"))} data-id={i.to_string()} data-piece={piece.to_string()}
                data-rank={(rank + 1).to_string()} data-raw={format!("{raw:e}")} data-processed={format!("{processed:e}")}
                title={format!("token {i} {:?}: model {:.2}%, after settings {:.2}%{}", piece, raw * 100.0, processed * 100.0,
                    if cut { " (cut)" } else { "" })}
                onclick={move |_| on_take.emit(i as u32)}>
                <span class="piece mono">{ readable(piece) }</span>
                <span class="bars">
                    <span class="bar raw" style={format!("width:{:.2}%", raw / max * 100.0)}></span>
                    <span class="bar processed" style={format!("width:{:.2}%", processed / max * 100.0)}></span>
                </span>
                <span class="prob mono">{ format!("{:5.1}% → {:5.1}%", raw * 100.0, processed * 100.0) }</span>
            </button>
        }
    });
    html! {
        <div id="chart" class="chart" data-position={props.position.to_string()}
            data-revision={props.revision.to_string()} data-model={props.model.clone()}>
            <h2>{ "Next token" }</h2>
            <p class="muted small">{ "Grey bar: the model (temperature 1). Blue bar: after temperature, top-k, top-p. Click a candidate to take it." }</p>
            { for rows }
            <div class="candidate rest" data-raw={format!("{rest_raw:e}")} data-processed={format!("{rest_processed:e}")}>
                <span class="piece muted">{ format!("{} others", order.len().saturating_sub(CHART_ROWS)) }</span>
                <span class="bars"></span>
                <span class="prob mono">{ format!("{:5.1}% → {:5.1}%", rest_raw * 100.0, rest_processed * 100.0) }</span>
            </div>
            <p class="small">{ "Entropy: " }<span id="entropy" class="mono">{ format!("{:.3}", props.entropy) }</span>{ " nats" }</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct GeneratedTextProps {
    doc: Rc<Doc>,
    tokenizer: Shared<Tokenizer>,
}

/// The text: prompt tokens plain, generated tokens coloured by the probability they had (hover for it and the
/// rank), forced tokens underlined; the running perplexity of the generated part.
#[component]
fn GeneratedText(props: &GeneratedTextProps) -> Html {
    let unk = props.tokenizer.unknown();
    let spans = props.doc.tokens.iter().map(|t| {
        let piece = props.tokenizer.piece(t.id);
        let shown = if t.id == unk { "⟨unk⟩".to_string() } else { piece.to_string() };
        match t.p_raw {
            None => html! { <span class={classes!("token", "prompt", (t.id == unk).then_some("unk"))}>{ shown }</span> },
            Some(p) => {
                // Hue from red (unlikely) to green (likely), on a log scale down to 1e-3.
                let hue = ((p.max(1e-3).log10() + 3.0) / 3.0 * 120.0).clamp(0.0, 120.0);
                html! {
                    <span class={classes!("token", "generated", t.forced.then_some("forced"))}
                        style={format!("background:hsla({hue:.0},70%,40%,0.55)")}
                        data-p={format!("{p:e}")} data-rank={t.rank.unwrap_or(0).to_string()}
                        data-forced={t.forced.to_string()}
                        title={format!("p = {:.2}% (rank {}){}", p * 100.0, t.rank.unwrap_or(0), if t.forced { ", chosen by you" } else { "" })}>
                        { shown }
                    </span>
                }
            }
        }
    });
    let generated: Vec<f32> = props.doc.tokens.iter().filter_map(|t| t.p_raw).collect();
    let perplexity = (!generated.is_empty()).then(|| {
        let nll: f64 = generated
            .iter()
            .map(|&p| -f64::from(p.max(1e-30)).ln())
            .sum::<f64>()
            / generated.len() as f64;
        nll.exp()
    });
    let forced = props.doc.tokens.iter().filter(|t| t.forced).count();
    html! {
        <div class="generated-wrap">
            <pre id="generated" class="text-view">{ for spans }</pre>
            <p class="muted small">
                { format!("{} tokens generated", generated.len()) }
                { if forced > 0 { format!(", {forced} chosen by you (underlined)") } else { String::new() } }
                { " · perplexity of the generated text: " }
                <span id="perplexity" class="mono">{ perplexity.map_or("–".to_string(), |p| format!("{p:.3}")) }</span>
            </p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct AttentionProps {
    attention: Attention,
    window: Vec<u32>,
    tokenizer: Shared<Tokenizer>,
    layer: usize,
    head: usize,
    on_layer: Callback<usize>,
    on_head: Callback<usize>,
}

/// The latest token's attention over the context, for one layer and head: each context token shaded by its weight.
#[component]
fn AttentionView(props: &AttentionProps) -> Html {
    let layers = props.attention.len();
    let heads = props.attention.first().map_or(0, Vec::len);
    let (layer, head) = (
        props.layer.min(layers.saturating_sub(1)),
        props.head.min(heads.saturating_sub(1)),
    );
    let Some(weights) = props.attention.get(layer).and_then(|l| l.get(head)) else {
        return html! {};
    };
    let picker = |id: &'static str, n: usize, current: usize, cb: &Callback<usize>| {
        let cb = cb.clone();
        let onchange = Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                cb.emit(s.value().parse().unwrap_or(0));
            }
        });
        html! {
            <select {id} {onchange}>
                { for (0..n).map(|i| html! { <option value={i.to_string()} selected={i == current}>{ i + 1 }</option> }) }
            </select>
        }
    };
    let max = weights.iter().copied().fold(0.0f32, f32::max).max(1e-6);
    let cells = props.window.iter().zip(weights.iter()).map(|(&id, &w)| {
        let piece = props.tokenizer.piece(id);
        html! {
            <span class="attn-cell mono" data-w={format!("{w:e}")}
                style={format!("background:rgba(108,180,255,{:.3})", w / max)}
                title={format!("{:?}: {:.2}%", piece, w * 100.0)}>{ readable(piece) }</span>
        }
    });
    html! {
        <section id="attention" class="attention">
            <h2>{ "Attention of the latest token" }</h2>
            <div class="toolbar small">
                <label>{ "Layer " }{ picker("attn-layer", layers, layer, &props.on_layer) }</label>
                <label>{ "Head " }{ picker("attn-head", heads, head, &props.on_head) }</label>
                <span class="muted">{ "Darker: more weight. The last cell is the latest token itself." }</span>
            </div>
            <div class="attn-row">{ for cells }</div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct OpenOwnModelProps {
    /// File name, its bytes, and the tokenizer's bytes when one was chosen.
    on_open: Callback<(String, Vec<u8>, Option<Vec<u8>>)>,
}

/// "Open your own model": a checkpoint (`.bin` or `.safetensors`) and, for llama2.c, its `tokenizer.bin`.
#[component]
fn OpenOwnModel(props: &OpenOwnModelProps) -> Html {
    let model_ref = use_node_ref();
    let tokenizer_ref = use_node_ref();
    let status = use_state(String::new);
    let open = {
        let (model_ref, tokenizer_ref, on_open, status) = (
            model_ref.clone(),
            tokenizer_ref.clone(),
            props.on_open.clone(),
            status.clone(),
        );
        Callback::from(move |_| {
            let file = |node: &NodeRef| {
                node.cast::<HtmlInputElement>()
                    .and_then(|i| i.files())
                    .and_then(|f| f.get(0))
                    .map(gloo::file::File::from)
            };
            let Some(model) = file(&model_ref) else {
                status.set("Choose a checkpoint file first.".into());
                return;
            };
            let tokenizer = file(&tokenizer_ref);
            let (on_open, status) = (on_open.clone(), status.clone());
            status.set(format!("Reading {}…", model.name()));
            wasm_bindgen_futures::spawn_local(async move {
                let bytes = match gloo::file::futures::read_as_bytes(&model).await {
                    Ok(b) => b,
                    Err(e) => {
                        status.set(format!("Could not read {}: {e}", model.name()));
                        return;
                    }
                };
                let tokenizer_bytes = match &tokenizer {
                    Some(t) => gloo::file::futures::read_as_bytes(t).await.ok(),
                    None => None,
                };
                status.set(String::new());
                on_open.emit((model.name(), bytes, tokenizer_bytes));
            });
        })
    };
    html! {
        <details class="own-model">
            <summary>{ "Open your own model" }</summary>
            <label>{ "Checkpoint (.bin or .safetensors) " }<input id="own-model-file" type="file" ref={model_ref} /></label>
            <label>{ " tokenizer.bin " }<input id="own-tokenizer-file" type="file" ref={tokenizer_ref} /></label>
            <button id="own-model-open" onclick={open}>{ "Open" }</button>
            <span class="muted small">{ &*status }</span>
        </details>
    }
}
