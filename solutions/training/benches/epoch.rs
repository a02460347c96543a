//! `cargo bench -p training`: one epoch of the LeNet over the 4,000
//! training digits (batch 16, the defaults of `cargo train mnist`) and one
//! step of the sequence model (batch 64), on the reference functions, at
//! 1 and 2 threads.

use criterion::{Criterion, criterion_group, criterion_main};
use support::random::rng;
use train::layers::{Adam, cross_entropy};
use train::{lenet, mnist, sequence};

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool")
}

fn mnist_epoch(c: &mut Criterion) {
    let kit = training::reference();
    let data = mnist::load(&mnist::default_dir()).expect("data/mnist-5k");
    let images = data.train.normalised();
    let config = lenet::Config::default();
    let mut group = c.benchmark_group("mnist_epoch");
    group.sample_size(10);
    for threads in [1, 2] {
        let pool = pool(threads);
        group.bench_function(format!("{threads}_threads"), |b| {
            b.iter(|| {
                pool.install(|| {
                    let mut net = lenet::LeNet::new(&config, mnist::SIDE);
                    let mut optimiser = Adam::new(config.lr);
                    let examples = lenet::Examples { images: &images, labels: &data.train.labels };
                    lenet::train_epoch(
                        &mut net,
                        &kit,
                        &mut optimiser,
                        examples,
                        (config.batch, config.shift),
                        &mut rng(1),
                        &mut |_, _, _, _| {},
                    )
                    .expect("an epoch")
                })
            })
        });
    }
    group.finish();
}

fn sequence_step(c: &mut Criterion) {
    let kit = training::reference();
    let config = sequence::Config::default();
    let batch = sequence::sequences(config.batch, config.digits, &mut rng(2));
    let (inputs, targets) = sequence::inputs_and_targets(&batch, config.digits);
    let mut group = c.benchmark_group("sequence_step");
    for threads in [1, 2] {
        let pool = pool(threads);
        let mut model = sequence::Reverser::new(&config);
        let mut optimiser = Adam::new(config.lr);
        group.bench_function(format!("{threads}_threads"), |b| {
            b.iter(|| {
                pool.install(|| {
                    let logits = model.forward(&kit, inputs.clone()).expect("a forward");
                    let (loss, grad) = cross_entropy(&kit, logits.view(), &targets).expect("a loss");
                    model.backward(&kit, grad).expect("a backward");
                    optimiser.step(model.params());
                    loss
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, mnist_epoch, sequence_step);
criterion_main!(benches);
