//! `tierdesk-smtp-sink`: an SMTP server on this machine's loopback that accepts every
//! message and throws it away, counting, for the mail benchmark (`scripts/mailbench`). It
//! stops once messages have stopped arriving for `--idle` seconds and prints how many came
//! and how fast (from the first to the last).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Parser)]
#[command(about = "An SMTP sink on the loopback that counts what it is sent")]
struct Args {
    #[arg(long, default_value = "127.0.0.1:2525")]
    listen: SocketAddr,
    /// Stop once nothing arrived for this many seconds after the first message.
    #[arg(long, default_value_t = 3)]
    idle: u64,
    /// Stop after this many seconds, whatever came.
    #[arg(long, default_value_t = 600)]
    duration: u64,
    #[arg(long)]
    json: bool,
}

#[derive(Default)]
struct Tally {
    messages: u64,
    first: Option<Instant>,
    last: Option<Instant>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if !args.listen.ip().is_loopback() {
        bail!("--listen must be a loopback address");
    }
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    eprintln!("smtp sink on {}", args.listen);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let accepting = {
        let tally = tally.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let tally = tally.clone();
                tokio::spawn(async move {
                    let _ = session(stream, &tally).await;
                });
            }
        })
    };
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let done = match tally.lock() {
            Ok(t) => t
                .last
                .is_some_and(|l| l.elapsed() >= Duration::from_secs(args.idle)),
            Err(_) => true,
        };
        if done || started.elapsed() >= Duration::from_secs(args.duration) {
            break;
        }
    }
    accepting.abort();
    let t = tally
        .lock()
        .map_err(|_| anyhow::anyhow!("tally poisoned"))?;
    let span = match (t.first, t.last) {
        (Some(f), Some(l)) => l.duration_since(f).as_secs_f64(),
        _ => 0.0,
    };
    let rate = if span > 0.0 {
        t.messages as f64 / span
    } else {
        0.0
    };
    if args.json {
        println!(
            "{{\"messages\": {}, \"seconds\": {span:.3}, \"per_second\": {rate:.1}}}",
            t.messages
        );
    } else {
        println!("{} messages in {span:.2} s: {rate:.0}/s", t.messages);
    }
    Ok(())
}

/// One SMTP session: everything is accepted; a message ends at a lone dot.
async fn session(stream: TcpStream, tally: &Mutex<Tally>) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut line = Vec::with_capacity(1024);
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let verb = line
            .get(..4)
            .map(|v| v.to_ascii_uppercase())
            .unwrap_or_default();
        match verb.as_slice() {
            b"EHLO" => write.write_all(b"250-sink\r\n250 8BITMIME\r\n").await?,
            b"DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                loop {
                    line.clear();
                    if read.read_until(b'\n', &mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == b".\r\n" || line == b".\n" {
                        break;
                    }
                }
                if let Ok(mut t) = tally.lock() {
                    let now = Instant::now();
                    t.messages += 1;
                    t.first.get_or_insert(now);
                    t.last = Some(now);
                }
                write.write_all(b"250 OK\r\n").await?;
            }
            b"QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => write.write_all(b"250 OK\r\n").await?,
        }
    }
}
