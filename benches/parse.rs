//! Parse throughput: dblint's lossless parser against `url::Url::parse` on
//! the same corpus of realistic connection URLs.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn corpus() -> Vec<&'static str> {
    include_str!("corpus/urls.txt").lines().filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
}

fn bench_parse(c: &mut Criterion) {
    let urls = corpus();
    let bytes: usize = urls.iter().map(|u| u.len()).sum();
    let mut g = c.benchmark_group("parse-urls");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("dblint", |b| {
        b.iter(|| {
            for u in &urls {
                black_box(dblint::syntax::parse_auto(black_box(u)).ok());
            }
        })
    });
    g.bench_function("url-crate", |b| {
        b.iter(|| {
            for u in &urls {
                black_box(url::Url::parse(black_box(u)).ok());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
