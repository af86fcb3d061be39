//! terraform-provider-wellarch: started by Terraform, never by hand. Stdout carries only
//! the handshake line; logs go to stderr.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use terraform_provider_wellarch::plugin::{self, handshake, log};
use terraform_provider_wellarch::server::ProviderService;

fn main() -> ExitCode {
    log::init_from_env();
    let settings = match handshake::settings(|key| std::env::var(key).ok()) {
        Ok(s) => s,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "{message}");
            return ExitCode::from(1);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            log::error(format!("cannot start the async runtime: {e}"));
            return ExitCode::from(1);
        }
    };
    let provider = ProviderService::new(wellarch_blueprints::kinds());
    let code = runtime.block_on(plugin::serve(settings, provider));
    // Do not wait for stragglers (a hung AWS call): Terraform expects a prompt exit.
    runtime.shutdown_timeout(Duration::from_millis(200));
    code
}
