//! The shell: header with the routes, the status line, the asset manifest, and error panels.

use std::rc::Rc;

use genscope_core::manifest::{AssetManifest, MANIFEST_PATH};
use genscope_core::registry::{Page, FAMILIES};
use genscope_webgpu::GpuContext;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::backend::{self, BackendStatus};
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
    let detection = use_state(|| None::<Result<Rc<GpuContext>, String>>);
    let prefer_cpu = use_state(|| false);
    let lost = use_state(|| None::<String>);
    let manifest = use_state(|| Load::Loading);
    let manifest_attempt = use_state(|| 0u32);

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
    let status = backend::status(detection.as_ref(), *prefer_cpu, lost.as_deref());
    let gpu = match (&status, detection.as_ref()) {
        (BackendStatus::WebGpu(_), Some(Ok(gpu))) => Some(Rc::clone(gpu)),
        _ => None,
    };
    // Switching is offered while a working device exists.
    let on_switch = (matches!(detection.as_ref(), Some(Ok(_))) && lost.is_none()).then(|| {
        let prefer_cpu = prefer_cpu.clone();
        Callback::from(move |()| prefer_cpu.set(!*prefer_cpu))
    });
    let context = SiteContext {
        backend: status,
        gpu,
        manifest: (*manifest).clone(),
    };
    let asset_error = match &*manifest {
        Load::Failed(message) => html! {
            <ErrorPanel title="Could not load the site's assets" message={message.clone()} on_retry={retry} />
        },
        _ => html! {},
    };
    // Said where the visitor looks, not only on the status line: the switch to the CPU changes the speed.
    let lost_notice = match &*lost {
        Some(why) => html! {
            <div class="notice" id="device-lost" role="status">
                { format!("The WebGPU device was lost ({why}). The models now run on the CPU in WebAssembly; this page kept what you were doing. Reload to try WebGPU again.") }
            </div>
        },
        None => html! {},
    };

    html! {
        <ContextProvider<SiteContext> context={context.clone()}>
            <HashRouter>
                <Header />
                <main>
                    { lost_notice }
                    { asset_error }
                    <Switch<Route> render={switch} />
                </main>
                <StatusLine backend={context.backend} {on_switch} />
            </HashRouter>
        </ContextProvider<SiteContext>>
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <pages::home::HomePage /> },
        Route::Family { slug } => match Page::at_route(&format!("/{slug}")) {
            Some(page) => pages::page(page),
            None => not_found(),
        },
        Route::About => html! { <pages::about::AboutPage /> },
        Route::PanicTest => html! { <PanicTest /> },
        Route::NotFound => not_found(),
    }
}

fn not_found() -> Html {
    html! {
        <section class="page"><h1>{ "Not found" }</h1>
            <p>{ "No page here. " }<Link<Route> to={Route::Home}>{ "Go to the start." }</Link<Route>></p>
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
                { for FAMILIES.iter().filter_map(|f| f.page).map(|p| tab(route_of(p.page), p.title)) }
                { tab(Route::About, "About") }
            </nav>
        </header>
    }
}

#[derive(Properties, PartialEq)]
struct StatusLineProps {
    backend: BackendStatus,
    /// Flips between WebGPU and the CPU; `None` when there is nothing to switch to.
    on_switch: Option<Callback<()>>,
}

#[component]
fn StatusLine(props: &StatusLineProps) -> Html {
    let switch = props.on_switch.clone().map(|on_switch| {
        let label = match props.backend {
            BackendStatus::WebGpu(_) => "Use CPU",
            _ => "Use WebGPU",
        };
        html! { <button id="backend-switch" type="button" onclick={move |_| on_switch.emit(())}>{ label }</button> }
    });
    html! {
        <footer class="status-line">
            <span>{ "Backend: " }
                <span id="backend" title={props.backend.detail()}>{ props.backend.label() }</span>
                { for switch }
            </span>
            <span>{ "Build " }<span id="build">{ BUILD }</span></span>
        </footer>
    }
}
