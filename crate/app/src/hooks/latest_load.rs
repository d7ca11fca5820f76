//! Loading a model so that only the newest request lands: a slow load that finishes after a newer one started
//! (the visitor picked another model, the backend changed) is dropped.

use std::future::Future;
use std::rc::Rc;

use yew::prelude::*;

use crate::site::Load;

/// Runs `load(key)` whenever `key` changes (and not while it is `None`), and returns its outcome. A result
/// arriving after a newer `key` started is dropped, so the page never shows a model it no longer asked for.
#[hook]
pub fn use_latest_load<K, T, F, Fut>(key: Option<K>, load: F) -> Load<Rc<T>>
where
    K: PartialEq + Clone + 'static,
    T: 'static,
    F: Fn(K) -> Fut + 'static,
    Fut: Future<Output = Result<T, String>> + 'static,
{
    let outcome = use_state(|| Load::<Rc<T>>::Loading);
    let generation = use_mut_ref(|| 0u64);
    {
        let outcome = outcome.clone();
        use_effect_with(key, move |key| {
            if let Some(key) = key.clone() {
                *generation.borrow_mut() += 1;
                let mine = *generation.borrow();
                outcome.set(Load::Loading);
                let future = load(key);
                wasm_bindgen_futures::spawn_local(async move {
                    let result = future.await;
                    if *generation.borrow() == mine {
                        outcome.set(match result {
                            Ok(value) => Load::Ready(Rc::new(value)),
                            Err(e) => Load::Failed(e),
                        });
                    }
                });
            }
        });
    }
    (*outcome).clone()
}
