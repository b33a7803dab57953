use super::*;
use crate::systems::DoublePendulum;

fn small(model: ModelKind) -> TrainConfig {
    TrainConfig {
        hidden: vec![16, 16],
        batch: 16,
        test_size: 64,
        total_steps: 100,
        ..TrainConfig::new(System::DoublePendulum(DoublePendulum::default()), model)
    }
}

#[test]
fn same_seed_gives_the_same_weights_and_losses() {
    for kind in [ModelKind::Lnn, ModelKind::Baseline] {
        let run = || {
            let mut t = Trainer::new(small(kind)).unwrap();
            let losses: Vec<f64> = (0..10).map(|_| t.step(2).unwrap().loss).collect();
            (losses, t.model().mlp().params().to_vec())
        };
        assert_eq!(run(), run());
        let mut other = small(kind);
        other.seed = 1;
        let mut t = Trainer::new(other).unwrap();
        t.step(1).unwrap();
        assert_ne!(t.model().mlp().params(), run().1.as_slice());
    }
}

#[test]
fn evaluate_equals_the_training_loss_on_the_same_batch() {
    // Without the definiteness penalty, which the training objective adds while M is
    // indefinite (as a fresh network's is) and `evaluate` does not.
    let config = TrainConfig {
        definiteness: 0.0,
        ..small(ModelKind::Lnn)
    };
    let mut t = Trainer::new(config).unwrap();
    let data = t.test.clone();
    let mut grad = vec![0.0; t.model().mlp().params().len()];
    let a = t.model.loss_and_gradient(
        &data.states,
        &data.targets,
        data.samples,
        Loss::L1,
        data.sample_weights(),
        &mut t.ws,
        &mut grad,
    );
    let b = evaluate(&*t.model, &data, Loss::L1, &mut t.ws);
    assert!((a - b).abs() <= 1e-12 * a.abs(), "{a} vs {b}");
}

#[test]
fn bad_settings_are_named() {
    let field = |c: TrainConfig| match Trainer::new(c) {
        Err(Error::InvalidConfig { field, .. }) => field,
        Err(e) => panic!("unexpected {e}"),
        Ok(_) => panic!("accepted"),
    };
    assert_eq!(
        field(TrainConfig {
            batch: 0,
            ..small(ModelKind::Lnn)
        }),
        "batch"
    );
    assert_eq!(
        field(TrainConfig {
            lr: f64::NAN,
            ..small(ModelKind::Lnn)
        }),
        "lr"
    );
    assert_eq!(
        field(TrainConfig {
            lr: -1.0,
            ..small(ModelKind::Lnn)
        }),
        "lr"
    );
    assert_eq!(
        field(TrainConfig {
            clip: Some(0.0),
            ..small(ModelKind::Lnn)
        }),
        "clip"
    );
    assert_eq!(
        field(TrainConfig {
            total_steps: 0,
            ..small(ModelKind::Lnn)
        }),
        "steps"
    );
    assert_eq!(
        field(TrainConfig {
            activation: Activation::Relu,
            ..small(ModelKind::Lnn)
        }),
        "activation"
    );
    assert_eq!(
        field(TrainConfig {
            hidden: vec![],
            ..small(ModelKind::Lnn)
        }),
        "hidden"
    );
    assert_eq!(
        field(TrainConfig {
            system: System::wave(8).unwrap(),
            ..small(ModelKind::Lnn)
        }),
        "model"
    );
}

/// Delegates to a real model but reports a NaN loss on every third call.
struct Flaky {
    inner: Box<dyn Model>,
    calls: core::cell::Cell<u32>,
}

impl Model for Flaky {
    fn parts(&self) -> &crate::models::Parts {
        self.inner.parts()
    }
    fn parts_mut(&mut self) -> &mut crate::models::Parts {
        self.inner.parts_mut()
    }
    fn kind(&self) -> ModelKind {
        self.inner.kind()
    }
    fn derivatives(&self, s: &[f64], n: usize, ws: &mut Workspace) -> Result<Vec<f64>> {
        self.inner.derivatives(s, n, ws)
    }
    fn loss_and_gradient(
        &self,
        s: &[f64],
        t: &[f64],
        n: usize,
        l: Loss,
        w: crate::models::SampleWeights<'_>,
        ws: &mut Workspace,
        g: &mut [f64],
    ) -> f64 {
        self.calls.set(self.calls.get() + 1);
        let loss = self.inner.loss_and_gradient(s, t, n, l, w, ws, g);
        if self.calls.get().is_multiple_of(3) {
            g[0] = f64::NAN;
        }
        loss
    }
    fn loss_and_gradient_f32(
        &self,
        net: &crate::nn::Mlp<f32>,
        s: &[f64],
        t: &[f64],
        n: usize,
        l: Loss,
        w: crate::models::SampleWeights<'_>,
        ws: &mut Workspace<f32>,
        g: &mut [f32],
    ) -> f64 {
        self.calls.set(self.calls.get() + 1);
        let loss = self.inner.loss_and_gradient_f32(net, s, t, n, l, w, ws, g);
        if self.calls.get().is_multiple_of(3) {
            g[0] = f32::NAN;
        }
        loss
    }
}

#[test]
fn non_finite_steps_are_skipped_and_counted() {
    for precision in [crate::Precision::F64, crate::Precision::F32] {
        skipped_and_counted(TrainConfig {
            precision,
            ..small(ModelKind::Lnn)
        });
    }
}

fn skipped_and_counted(config: TrainConfig) {
    let spec = config.spec();
    let inner = spec.build(Init::Paper, 0).unwrap();
    let flaky = Box::new(Flaky {
        inner,
        calls: core::cell::Cell::new(0),
    });
    let mut t = Trainer::with_model(config, spec, flaky, 0).unwrap();
    let stats = t.step(9).unwrap();
    assert_eq!(stats.skipped, 3);
    assert_eq!(stats.step, 6);
    assert!(t.model().mlp().params().iter().all(|p| p.is_finite()));
}

/// A model continued from a file trained k steps counts on from k, and its schedule carries on
/// from step k instead of starting over at the warm-up (a page visitor's file of 2,564 steps,
/// trained 1,046 more, once saved as step 1,046).
#[test]
fn a_continued_model_keeps_its_step_count_and_its_place_in_the_schedule() {
    for schedule in [Schedule::Step, Schedule::OneCycle] {
        let config = TrainConfig {
            schedule,
            ..small(ModelKind::Lnn)
        };
        let mut fresh = Trainer::new(config.clone()).unwrap();
        fresh.step(70).unwrap();
        assert!(!fresh.schedule_done());
        let spec = fresh.spec().clone();
        let model = spec.build(Init::Paper, 0).unwrap();
        let mut continued = Trainer::with_model(config.clone(), spec, model, 70).unwrap();
        assert_eq!(continued.steps(), 70);
        let s = continued.step(5).unwrap();
        assert_eq!(s.step, 75);
        assert_eq!(s.lr, schedule.rate(config.lr, 74, config.total_steps));
        assert_eq!(
            s.lr,
            fresh.step(5).unwrap().lr,
            "the rate a fresh run has at that step"
        );
        assert!(s.lr < config.lr, "not back at the peak rate");
        continued.step(25).unwrap();
        assert!(continued.schedule_done());
        assert_eq!(continued.steps(), 100);
    }
}
