//! The real agent CLIs from npm, pinned, installed under `target/npm-tools` on first use
//! (`scripts/test.sh` installs them up front): `@anthropic-ai/claude-code` and
//! `@google/gemini-cli`.

use std::path::PathBuf;
use std::sync::Mutex;

/// The pinned Claude Code CLI version.
pub const CLAUDE_CODE_VERSION: &str = "2.1.331";
/// The pinned Gemini CLI version.
pub const GEMINI_CLI_VERSION: &str = "0.61.0";
static INSTALL: Mutex<()> = Mutex::new(());

fn tool(package: &str, version: &str, bin: &str) -> PathBuf {
    let dir = std::env::var_os("NPM_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/npm-tools"));
    let path = dir.join("node_modules/.bin").join(bin);
    let _guard = INSTALL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let manifest = dir.join("node_modules").join(package).join("package.json");
    let installed = path.exists()
        && std::fs::read_to_string(manifest).is_ok_and(|p| p.contains(&format!("\"version\": \"{version}\"")));
    if !installed {
        std::fs::create_dir_all(&dir).expect("npm tools dir");
        let status = std::process::Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&dir)
            .arg(format!("{package}@{version}"))
            .status()
            .expect("run npm");
        assert!(status.success(), "npm install {package}@{version} failed");
    }
    path
}

/// The `claude` binary.
pub fn claude_cli() -> PathBuf {
    tool("@anthropic-ai/claude-code", CLAUDE_CODE_VERSION, "claude")
}

/// The `gemini` binary.
pub fn gemini_cli() -> PathBuf {
    tool("@google/gemini-cli", GEMINI_CLI_VERSION, "gemini")
}
