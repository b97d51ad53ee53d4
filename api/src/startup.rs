//! Building and running an API node: `Application::build` binds its own listener (port 0 in
//! tests), `port()` says where, `run_until_stopped` serves until the shutdown future resolves.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use poem::endpoint::{BoxEndpoint, make_sync};
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use poem::web::Html;
use poem::{Endpoint as _, EndpointExt, IntoEndpoint, Route, Server};
use shared::config::ApiSettings;
use shared::queue::Queue;
use shared::store::Store;

use crate::state::AppState;
use crate::{body_limit, problem, routes, ui};

/// A bound, not yet serving, API node.
pub struct Application {
    acceptor: TcpAcceptor,
    port: u16,
    state: AppState,
}

impl Application {
    /// Connects to Postgres and Redis and binds the listener.
    pub async fn build(settings: ApiSettings) -> anyhow::Result<Application> {
        let store = Store::connect(&settings.common.database_url, settings.common.database_max_connections).await?;
        let queue = Queue::connect(settings.common.redis.clone(), &settings.common.redis_prefix).await?;
        Self::build_with(settings, store, queue).await
    }

    /// Binds the listener with existing handles (tests share pools this way).
    pub async fn build_with(settings: ApiSettings, store: Store, queue: Queue) -> anyhow::Result<Application> {
        let acceptor = TcpListener::bind(settings.bind)
            .into_acceptor()
            .await
            .with_context(|| format!("binding {}", settings.bind))?;
        let port = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().map(|s| s.port()))
            .context("listener has no TCP address")?;
        Ok(Application {
            acceptor,
            port,
            state: AppState {
                inserter: crate::inserter::Inserter::spawn(store.clone(), queue.clone()),
                store,
                queue,
                llm: shared::llm::LlmClients::new(settings.llm.clone())?,
                live: crate::live::LiveAgents::default(),
                settings: Arc::new(settings),
            },
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish (up to 10 s).
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        self.run_wrapped_until_stopped(|ep| ep, shutdown).await
    }

    /// Like [`Application::run_until_stopped`], with `wrap` around the whole HTTP surface (the
    /// integration tests check every response against the OpenAPI document this way).
    pub async fn run_wrapped_until_stopped(
        self,
        wrap: impl FnOnce(BoxEndpoint<'static>) -> BoxEndpoint<'static>,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let app = wrap(endpoint(self.state).map_to_response().boxed());
        Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(app, shutdown, Some(Duration::from_secs(10)))
            .await
            .context("serving HTTP")
    }
}

/// The whole HTTP surface.
pub fn endpoint(state: AppState) -> impl poem::Endpoint {
    let api = routes::service();
    // The corrected document (routes::spec), not poem-openapi's own, for both.
    let spec = routes::spec_json();
    let docs_html = routes::spec::swagger_ui_html();
    let max = state.settings.max_body_bytes;
    Route::new()
        .nest("/", ui::WithUi::from_env(api.into_endpoint()))
        .nest("/api/docs", poem::get(make_sync(move |_| Html(docs_html.clone()))))
        .at(
            "/api/openapi.json",
            poem::get(make_sync(move |_| {
                poem::Response::builder()
                    .content_type("application/json")
                    .body(spec.clone())
            })),
        )
        .around(move |ep, req| async move { body_limit::limit_body(&ep, req, max).await })
        .data(state)
        .catch_all_error(problem::render_poem_error)
        .around(|ep, req| async move {
            // A 405 says which methods the path takes (RFC 9110), from the spec.
            let path = req.uri().path().to_owned();
            let mut resp = ep.get_response(req).await;
            if resp.status() == poem::http::StatusCode::METHOD_NOT_ALLOWED
                && let Some(allow) = routes::spec::allowed_methods(&path)
                && let Ok(value) = poem::http::HeaderValue::from_str(allow)
            {
                resp.headers_mut().insert(poem::http::header::ALLOW, value);
            }
            Ok(resp)
        })
}
