//! The landing page: what there is to see, and the map of generative models the site is built around.

use yew::prelude::*;
use yew_router::prelude::*;

use genscope_core::registry::{Page, FAMILIES};

use crate::i18n::{self, use_lang};
use crate::math;
use crate::site::{route_of, Route};

/// The landing page: one card per model page, then the seven families of generative models.
#[component]
pub fn HomePage() -> Html {
    let lang = use_lang();
    let t = i18n::shell::of(lang);
    let card = |route: Route, title: &'static str, text: &'static str| -> Html {
        html! {
            <Link<Route> to={route} classes="card">
                <h2>{ title }</h2>
                <p>{ text }</p>
            </Link<Route>>
        }
    };
    // The survey's seven families, in its order; a family with a page links to it (the GMM to the 2-D lab).
    let families: [(&str, &str, &str, Option<Route>); 7] = [
        (t.gmm_name, t.gmm_learns, t.gmm_eval, Some(Route::Lab)),
        (t.hmm_name, t.hmm_learns, t.hmm_eval, None),
        (t.rbm_name, t.rbm_learns, t.rbm_eval, None),
        (
            t.vae_name,
            t.vae_learns,
            t.vae_eval,
            Some(route_of(Page::Vae)),
        ),
        (
            t.gan_name,
            t.gan_learns,
            t.gan_eval,
            Some(route_of(Page::Gan)),
        ),
        (t.ar_name, t.ar_learns, t.ar_eval, Some(route_of(Page::Lm))),
        (t.flow_name, t.flow_learns, t.flow_eval, None),
    ];
    let rows = families.iter().map(|(name, learns, evaluated, route)| {
        let see = match route {
            Some(route) => html! { <Link<Route> to={route.clone()}>{ route.to_path() }</Link<Route>> },
            None => html! { <span class="muted">{ t.map_coming }</span> },
        };
        html! { <tr><th scope="row">{ name }</th><td>{ learns }</td><td>{ evaluated }</td><td>{ see }</td></tr> }
    });
    html! {
        <section class="page home">
            <h1>{ t.home_title }</h1>
            <p class="lead">{ t.home_lead }</p>
            <h2 class="section">{ t.home_pages }</h2>
            <div class="cards">
                { for FAMILIES.iter().filter_map(|f| f.page).map(|p| card(route_of(p.page), p.title.get(lang), p.summary.get(lang))) }
                { card(Route::Lab, t.nav_lab, t.lab_summary) }
            </div>
            <h2 class="section">{ t.map_title }</h2>
            <p>{ t.map_intro }</p>
            <p>{ t.map_objective }</p>
            <div class="formula" id="objective">{ math::formula(math::OBJECTIVE) }</div>
            <div class="table-scroll">
                <table class="family-map" id="family-map">
                    <thead><tr>
                        <th scope="col">{ t.map_family }</th><th scope="col">{ t.map_learns }</th>
                        <th scope="col">{ t.map_evaluated }</th><th scope="col">{ t.map_page }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
        </section>
    }
}
