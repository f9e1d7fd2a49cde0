//! Deadline computation speed: `cargo bench -p tierdesk-core --bench due`.
//!
//! 24-business-hour targets (the Developer plan's "low") from starts spread over two
//! years, on office hours with a country's holidays, and a year-long target to show the
//! cost does not grow with the target's length.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use tierdesk_core::holidays;
use tierdesk_core::schedule::Schedule;

fn office(zone: &str, country: &str) -> Schedule {
    let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    let week = std::array::from_fn(|i| {
        if i < 5 {
            vec![(8 * 60, 18 * 60)]
        } else {
            vec![]
        }
    });
    let closed = holidays::closures(&holidays::shipped(country).unwrap_or_default());
    match Schedule::weekly(tz, week, closed) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

fn bench(c: &mut Criterion) {
    let starts: Vec<Timestamp> = (0..4096i64)
        .map(|i| Timestamp::from_second(1_767_225_600 + i * 15_401).unwrap_or_default())
        .collect();
    let mut group = c.benchmark_group("due");
    group.throughput(Throughput::Elements(starts.len() as u64));
    for (zone, country) in [
        ("America/New_York", "US"),
        ("Asia/Tokyo", "JP"),
        ("Australia/Lord_Howe", "US"),
    ] {
        let s = office(zone, country);
        group.bench_function(format!("24 business hours, {zone}"), |b| {
            b.iter(|| {
                for t in &starts {
                    black_box(s.due(black_box(*t), 24 * 3600).ok());
                }
            })
        });
    }
    let s = office("Europe/Berlin", "DE");
    group.bench_function("2,600 business hours (a year), Europe/Berlin", |b| {
        b.iter(|| {
            for t in &starts {
                black_box(s.due(black_box(*t), 2600 * 3600).ok());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
