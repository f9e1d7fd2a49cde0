//! Usage import and fee computation throughput.
//!
//!   cargo bench -p tierdesk-core --bench billing
//!
//! The CUR input is built in memory (realistic column set and values), so the figure is
//! the parser's and the folding's, not the disk's; `scripts/bench-usage` measures whole
//! imports of large files with their memory.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rust_decimal::Decimal;
use tierdesk_core::catalog::{builtin_sources, parse_catalog};
use tierdesk_core::fees::monthly_fee;
use tierdesk_core::usage::{Format, read};

const HEADER: &str = "identity/LineItemId,identity/TimeInterval,bill/InvoiceId,bill/BillingEntity,\
bill/BillType,bill/PayerAccountId,bill/BillingPeriodStartDate,bill/BillingPeriodEndDate,\
lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,\
lineItem/ProductCode,lineItem/UsageType,lineItem/Operation,lineItem/AvailabilityZone,\
lineItem/ResourceId,lineItem/UsageAmount,lineItem/CurrencyCode,lineItem/UnblendedRate,\
lineItem/UnblendedCost,lineItem/LineItemDescription,product/ProductName,product/region\n";

/// `rows` line items over 50 accounts, mostly usage, some credits, taxes and support fees.
pub fn cur(rows: usize) -> Vec<u8> {
    let mut out = String::with_capacity(rows * 420 + HEADER.len());
    out.push_str(HEADER);
    let kinds = [
        "Usage",
        "Usage",
        "Usage",
        "Usage",
        "Usage",
        "Usage",
        "DiscountedUsage",
        "Credit",
        "Tax",
        "RIFee",
    ];
    for i in 0..rows {
        let account = 100_000_000_000u64 + (i % 50) as u64;
        let kind = kinds[i % kinds.len()];
        let product = if i % 97 == 0 {
            "AWS Support (Business)"
        } else {
            "Amazon Elastic Compute Cloud"
        };
        out.push_str(&format!(
            "li{i:012},2026-10-01T00:00:00Z/2026-10-01T01:00:00Z,INV-{},AWS,Anniversary,111122223333,\
2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,{account},{kind},2026-10-01T00:00:00Z,2026-10-01T01:00:00Z,\
AmazonEC2,APN1-BoxUsage:m5.large,RunInstances,ap-northeast-1a,i-{i:017x},1.0000000000,USD,0.1240000000,\
{}.{:010},$0.124 per On Demand Linux m5.large Instance Hour,{product},ap-northeast-1\n",
            i / 1000,
            i % 7,
            i % 9_999_999_999
        ));
    }
    out.into_bytes()
}

fn usage_import(c: &mut Criterion) {
    let rows = 200_000;
    let data = cur(rows);
    let mut g = c.benchmark_group("usage_import");
    g.sample_size(10);
    g.throughput(Throughput::Elements(rows as u64));
    g.bench_function("cur_rows", |b| {
        b.iter(|| {
            let s = read(Format::Cur, black_box(data.as_slice()), "USD", |_| {});
            black_box(s.map(|s| s.totals.len()).unwrap_or_default())
        })
    });
    g.finish();
}

fn fees(c: &mut Criterion) {
    let catalog = match parse_catalog(&builtin_sources()) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    let usages: Vec<Decimal> = (0..1024u64)
        .map(|i| Decimal::new((i * 7919 + 13) as i64 * 1_000_003, 2))
        .collect();
    let mut g = c.benchmark_group("fees");
    g.throughput(Throughput::Elements(usages.len() as u64));
    for plan in ["aws.business", "aws.enterprise_2025", "aliyun.enterprise"] {
        let Some(p) = catalog.plan(plan) else {
            panic!("no {plan}")
        };
        g.bench_function(plan, |b| {
            b.iter(|| {
                let mut sum = Decimal::ZERO;
                for u in &usages {
                    if let Some(f) = monthly_fee(p, *u) {
                        sum += f.fee;
                    }
                }
                black_box(sum)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, usage_import, fees);
criterion_main!(benches);
