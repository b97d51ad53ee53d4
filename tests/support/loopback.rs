//! Serving a scripted stand-in (model APIs, push services) on a random loopback port.

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{IntoEndpoint, Server};
use tokio_util::sync::CancellationToken;

/// Serves `app` on 127.0.0.1 at a random port until the returned token is cancelled; returns
/// the port. `what` names the stand-in in a bind failure.
pub async fn serve<E>(app: E, what: &str) -> (u16, CancellationToken)
where
    E: IntoEndpoint + Send + 'static,
    E::Endpoint: 'static,
{
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap_or_else(|e| panic!("bind {what}: {e}"));
    let port = acceptor.local_addr()[0].as_socket_addr().expect("tcp").port();
    let stop = CancellationToken::new();
    let s = stop.clone();
    tokio::spawn(async move {
        let _ = Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(app, s.cancelled_owned(), None)
            .await;
    });
    (port, stop)
}
