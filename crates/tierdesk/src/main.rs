//! `tierdesk`: the one binary. Commands for operators, and `serve` for the service; the
//! HTTP surfaces live in `tierdesk-server`, the use cases in `tierdesk-app`.

mod cli;
mod setup;

use std::process::ExitCode;

use clap::Parser;

// The request path allocates many small, short-lived buffers (headers, JSON, rows);
// mimalloc serves them with less locking than the system allocator. Its `override`
// feature (Cargo.toml) makes it the C allocator too, so SQLite's page buffers and row
// values come from it: glibc's malloc handed their freed memory back to the kernel
// (madvise), which flushed every core's TLB each time (BENCHMARKS.md, "sixth session").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match e.downcast_ref::<cli::Exit>() {
            Some(exit) => {
                eprintln!("{}", exit.message);
                ExitCode::from(exit.code)
            }
            None => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}
