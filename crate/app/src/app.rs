//! The shell: header with the routes, the status line, the asset manifest, and error panels.

use std::rc::Rc;

use genscope_core::manifest::{AssetManifest, MANIFEST_PATH};
use genscope_core::registry::{Page, FAMILIES};
use genscope_webgpu::GpuContext;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::backend::{self, BackendStatus, CpuReason, Preference};
use crate::calibration::Calibration;
use crate::i18n::{self, fill, use_lang, Lang, LangContext};
use crate::pages;
use crate::site::{route_of, Load, Route, SiteContext, BUILD};
use crate::widgets::ErrorPanel;

async fn fetch_manifest() -> Result<AssetManifest, String> {
    let response = gloo::net::http::Request::get(MANIFEST_PATH)
        .send()
        .await
        .map_err(|e| format!("{MANIFEST_PATH}: request failed: {e}"))?;
    if !response.ok() {
        return Err(format!(
            "{MANIFEST_PATH}: the server answered HTTP {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let text = response
        .text()
        .await
        .map_err(|e| format!("{MANIFEST_PATH}: could not read the body: {e}"))?;
    AssetManifest::parse(&text).map_err(|e| e.to_string())
}

/// Records when the shell first reached the DOM, for the end-to-end tests' time-to-first-paint figure.
fn mark_shell_rendered() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let now = window.performance().map(|p| p.now()).unwrap_or(f64::NAN);
    if let Some(body) = window.document().and_then(|d| d.body()) {
        let _ = body.dataset().set("shellRenderedMs", &format!("{now:.1}"));
    }
}

/// The whole site.
#[component]
pub fn App() -> Html {
    let detection = use_state(|| None::<Result<Rc<GpuContext>, CpuReason>>);
    let choice = use_state(Preference::initial);
    let calibrations = use_reducer(Calibrations::default);
    let calibrated = {
        let dispatcher = calibrations.dispatcher();
        use_callback((), move |c: Calibration, _| dispatcher.dispatch(c))
    };
    let lost = use_state(|| None::<String>);
    let manifest = use_state(|| Load::Loading);
    let manifest_attempt = use_state(|| 0u32);
    let lang = use_state(|| {
        let lang = i18n::initial();
        i18n::apply(lang, false);
        lang
    });
    let t = i18n::shell::of(*lang);
    let lang_context = LangContext {
        lang: *lang,
        set: {
            let lang = lang.clone();
            Callback::from(move |to: Lang| {
                i18n::apply(to, true);
                lang.set(to);
            })
        },
    };

    {
        let (detection, lost) = (detection.clone(), lost.clone());
        use_effect_with((), move |_| {
            backend::install_memory_probe();
            crate::worker::install_crash_hook();
            wasm_bindgen_futures::spawn_local(async move {
                let found = backend::detect().await;
                if let Ok(gpu) = &found {
                    backend::install_device_loss_hook(Rc::clone(gpu));
                    // When the device goes away, fall back to the CPU; the page keeps its state.
                    let gpu = Rc::clone(gpu);
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Some(why) = gpu.lost().await {
                            lost.set(Some(why));
                        }
                    });
                }
                detection.set(Some(found));
            });
            mark_shell_rendered();
        });
    }
    {
        let manifest = manifest.clone();
        use_effect_with(*manifest_attempt, move |_| {
            manifest.set(Load::Loading);
            wasm_bindgen_futures::spawn_local(async move {
                manifest.set(match fetch_manifest().await {
                    Ok(m) => Load::Ready(Rc::new(m)),
                    Err(e) => Load::Failed(e),
                });
            });
        });
    }

    let retry = {
        let attempt = manifest_attempt.clone();
        Callback::from(move |()| attempt.set(*attempt + 1))
    };
    let status = backend::status(detection.as_ref(), *choice, lost.as_deref());
    let gpu = match (&status, detection.as_ref()) {
        (BackendStatus::WebGpu(_) | BackendStatus::Auto(_), Some(Ok(gpu))) => Some(Rc::clone(gpu)),
        _ => None,
    };
    // A choice is offered while a working device exists.
    let on_choose = (matches!(detection.as_ref(), Some(Ok(_))) && lost.is_none()).then(|| {
        let choice = choice.clone();
        Callback::from(move |to: Preference| {
            to.remember();
            choice.set(to);
        })
    });
    let context = SiteContext {
        backend: status,
        gpu,
        manifest: (*manifest).clone(),
        calibrated,
    };
    let asset_error = match &*manifest {
        Load::Failed(message) => html! {
            <ErrorPanel title={t.assets_failed} message={message.clone()} on_retry={retry} />
        },
        _ => html! {},
    };
    // Said where the visitor looks, not only on the status line: the switch to the CPU changes the speed.
    let lost_notice = match &*lost {
        Some(why) => html! {
            <div class="notice" id="device-lost" role="status">
                { fill(t.device_lost, &[("why", why)]) }
            </div>
        },
        None => html! {},
    };

    html! {
        <ContextProvider<LangContext> context={lang_context}>
        <ContextProvider<SiteContext> context={context.clone()}>
            <HashRouter>
                <Header />
                <main>
                    { lost_notice }
                    { asset_error }
                    <Switch<Route> render={switch} />
                </main>
                <StatusLine backend={context.backend} choice={*choice} {on_choose}
                    calibrations={calibrations.0.clone()} />
            </HashRouter>
        </ContextProvider<SiteContext>>
        </ContextProvider<LangContext>>
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <pages::home::HomePage /> },
        Route::Family { slug } => match Page::at_route(&format!("/{slug}")) {
            Some(page) => pages::page(page),
            None => not_found(),
        },
        Route::Lab => html! { <pages::lab::LabPage /> },
        Route::About => html! { <pages::about::AboutPage /> },
        Route::PanicTest => html! { <PanicTest /> },
        Route::NotFound => not_found(),
    }
}

fn not_found() -> Html {
    html! { <NotFound /> }
}

#[component]
fn NotFound() -> Html {
    let t = i18n::shell::of(use_lang());
    html! {
        <section class="page"><h1>{ t.not_found_title }</h1>
            <p>{ t.not_found_text }<Link<Route> to={Route::Home}>{ t.not_found_link }</Link<Route>></p>
        </section>
    }
}

#[component]
fn PanicTest() -> Html {
    panic!("test panic requested through #/__panic");
}

#[component]
fn Header() -> Html {
    let current = use_route::<Route>();
    let lang = use_context::<LangContext>();
    let here = lang.as_ref().map_or(Lang::En, |c| c.lang);
    let t = i18n::shell::of(here);
    let switch = lang.map(|c| {
        let other = match c.lang {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        };
        let set = c.set.clone();
        html! {
            <button id="lang-switch" type="button" class="lang-switch" lang={other.html_tag()}
                aria-label={t.lang_label} data-lang={c.lang.code()}
                onclick={move |_| set.emit(other)}>{ other.own_name() }</button>
        }
    });
    let tab = |route: Route, label: &'static str| {
        let class = classes!(
            "tab",
            (current.as_ref() == Some(&route)).then_some("active")
        );
        html! { <Link<Route> to={route} classes={class}>{ label }</Link<Route>> }
    };
    html! {
        <header class="site-header">
            <Link<Route> to={Route::Home} classes="brand">{ "genscope" }</Link<Route>>
            <nav>
                { for FAMILIES.iter().filter_map(|f| f.page).map(|p| tab(route_of(p.page), p.title.get(here))) }
                { tab(Route::Lab, t.nav_lab) }
                { tab(Route::About, t.nav_about) }
            </nav>
            { for switch }
        </header>
    }
}

/// This visit's calibrations, one per model and work (a newer one replaces the older).
#[derive(Default, PartialEq)]
struct Calibrations(Rc<Vec<Calibration>>);

impl Reducible for Calibrations {
    type Action = Calibration;

    fn reduce(self: Rc<Self>, c: Calibration) -> Rc<Self> {
        let mut all: Vec<Calibration> = self
            .0
            .iter()
            .filter(|old| (old.model.as_str(), old.work) != (c.model.as_str(), c.work))
            .cloned()
            .collect();
        all.push(c);
        Rc::new(Calibrations(Rc::new(all)))
    }
}

#[derive(Properties, PartialEq)]
struct StatusLineProps {
    backend: BackendStatus,
    /// The visitor's choice of backend.
    choice: Preference,
    /// Changes the choice; `None` when there is nothing to choose (no adapter, or the device was lost).
    on_choose: Option<Callback<Preference>>,
    /// What the automatic choice measured.
    calibrations: Rc<Vec<Calibration>>,
}

#[component]
fn StatusLine(props: &StatusLineProps) -> Html {
    let lang = use_lang();
    let t = i18n::shell::of(lang);
    let choose = props.on_choose.clone().map(|on_choose| {
        let onchange = Callback::from(move |e: Event| {
            let picked = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .and_then(|s| Preference::parse(&s.value()));
            if let Some(picked) = picked {
                on_choose.emit(picked);
            }
        });
        html! {
            <select id="backend-choice" aria-label={t.choose_label} {onchange}>
                { for Preference::ALL.into_iter().map(|p| html! {
                    <option value={p.code()} selected={p == props.choice}>{ p.words(lang) }</option>
                }) }
            </select>
        }
    });
    // The figures behind the automatic choice, while it is the choice.
    let calibrations = (props.backend.calibrates() && !props.calibrations.is_empty()).then(|| {
        html! {
            <span id="calibration" title={t.calibration_detail}>
                { for props.calibrations.iter().map(|c| html! {
                    <span class="calibration" data-i18n-skip="" data-model={c.model.clone()} data-work={c.work.code()}
                        data-cpu-ms={c.cpu_ms.to_string()} data-gpu-ms={c.gpu_ms.to_string()} data-gpu-at-least={c.gpu_at_least.to_string()}
                        data-choice={if c.gpu_wins() { "webgpu" } else { "cpu" }}>{ c.words(lang) }</span>
                }) }
            </span>
        }
    });
    html! {
        <footer class="status-line">
            <span>{ t.status_backend }
                <span id="backend" title={props.backend.detail(lang)}>{ props.backend.label_in(lang) }</span>
                { for choose }
            </span>
            { for calibrations }
            <span>{ t.status_build }<span id="build">{ BUILD }</span></span>
        </footer>
    }
}
