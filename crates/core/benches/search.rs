//! Cutting a case's search document (`tierdesk_core::search::document`): what every
//! opening, message and reply does before it is written; and joining a message's terms
//! with its case's subject's (`joined`), which a message's write does.
//!
//!   cargo bench -p tierdesk-core --bench search
//!
//! Two inputs: the load generator's opening (a subject, one sentence, the account, case
//! id and sender), and a message with a pasted log of 120 lines (about 12 KB), whose
//! hundreds of distinct terms are where checking each new term against all before it
//! cost the most.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tierdesk_core::search::{document, joined, terms};

fn pasted_log() -> String {
    let mut log = String::from("The API gateway drops requests since this morning; log below.\n");
    for i in 0..120 {
        log.push_str(&format!(
            "2026-11-28T14:{:02}:{:02}Z req-{i:05x} GET /v1/orders/{} 502 upstream=10.0.{}.{} 本番環境 タイムアウト\n",
            i / 60,
            i % 60,
            1000 + i * 7,
            i % 4,
            i % 250
        ));
    }
    log
}

fn bench(c: &mut Criterion) {
    let opening = [
        "load test case 1234",
        "Instance i-0abc123 in us-east-1 stopped answering at 14:02 UTC.",
        "123456789012",
        "case-123456789012-2026-a1b2c3d4e5f6a7b8",
        "ops@example.com",
        "",
    ];
    c.bench_function("search document, opening", |b| {
        b.iter(|| document(black_box(&opening)))
    });
    let log = pasted_log();
    let message = ["Gateway errors", log.as_str()];
    c.bench_function("search document, 120-line log", |b| {
        b.iter(|| document(black_box(&message)))
    });
    // A message's terms, cut before its write, joined with its case's subject's inside it
    // (`message_plan` in the store); beside it, the join as that plan wrote it before: each
    // term compared with all before it.
    let subject = terms("Gateway errors since the deploy");
    let body = terms(&log);
    c.bench_function("join a subject's and a 120-line log's terms", |b| {
        b.iter(|| joined(black_box(&[&subject, &body])))
    });
    c.bench_function(
        "join them comparing each term with all before it (the old way)",
        |b| {
            b.iter(|| {
                let mut out = black_box(&subject).clone();
                for t in black_box(&body) {
                    if !out.contains(t) {
                        out.push(t.clone());
                    }
                }
                out
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
