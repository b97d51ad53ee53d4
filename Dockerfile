# Dockerfile — container image with the claudomator `api` and `worker` binaries and the web UI.
#   docker build -t claudomator .
#   docker run --rm claudomator api --help
# There is no ENTRYPOINT: the command picks the binary (`api serve`, `api migrate`,
# `worker run`); docker-compose.yml sets it per service. Configuration is by environment
# (DATABASE_URL, REDIS_URL, CLAUDOMATOR_BIND, WORKER_CONCURRENCY, WORKER_AGENTS, ...).

# ---- web UI -----------------------------------------------------------------------
# web/ → web/dist, with the API types generated from openapi/openapi.yaml.
FROM node:20-bookworm-slim AS web
WORKDIR /app
COPY openapi/openapi.yaml openapi/
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund
COPY web web
RUN cd web && npm run build

# ---- agent CLIs --------------------------------------------------------------------
# The Claude Code and Gemini CLIs the `claude` and `gemini` agents run (the versions the tests
# pin), with the Node runtime the Gemini CLI needs.
FROM node:20-bookworm-slim AS agents
RUN npm install -g --no-audit --no-fund --prefix /opt/agents \
      @anthropic-ai/claude-code@2.1.331 @google/gemini-cli@0.61.0

# ---- build ------------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /app
COPY . .
RUN cargo build --release --locked --bins

# ---- runtime ----------------------------------------------------------------------
FROM debian:bookworm-slim
# ca-certificates: TLS to Postgres/Redis and the model APIs; git: sandboxes and agents; curl:
# container healthchecks and agents calling the API back; bubblewrap: the sandbox every agent
# process runs in (AGENT_SANDBOX=bwrap; unprivileged, see docker-compose.yml for what the
# container needs).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git curl bubblewrap \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 claudomator \
 && useradd --system --uid 10001 --gid claudomator --create-home --home-dir /home/claudomator \
      --shell /usr/sbin/nologin claudomator
COPY --from=builder /app/target/release/api /app/target/release/worker /usr/local/bin/
COPY --from=web /app/web/dist /usr/share/claudomator/web
COPY --from=agents /usr/local/bin/node /usr/local/bin/node
COPY --from=agents /opt/agents /opt/agents
# Sandboxes: one directory per attempt, the same path in every worker container.
RUN mkdir -p /var/lib/claudomator/tasks && chown claudomator:claudomator /var/lib/claudomator/tasks
USER claudomator
WORKDIR /home/claudomator
ENV PATH=/opt/agents/bin:$PATH \
    WORKSPACE_ROOT=/var/lib/claudomator/tasks \
    CLAUDOMATOR_BIND=0.0.0.0:8080 \
    CLAUDOMATOR_WEB_DIR=/usr/share/claudomator/web \
    LOG_FORMAT=json
EXPOSE 8080
CMD ["api", "serve"]
