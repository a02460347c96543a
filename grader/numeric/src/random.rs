//! Seeded randomness: every random input of the course comes from one seed,
//! so a failing run can be replayed exactly.

use ndarray::{Array, Dimension, ShapeBuilder};
use rand::{RngExt, SeedableRng, rngs::StdRng};

/// The generator used everywhere in the course.
pub type Rng = StdRng;

/// A generator that always produces the same numbers for the same seed.
pub fn rng(seed: u64) -> Rng {
    StdRng::seed_from_u64(seed)
}

/// A seed for one named part of a run, derived from the run's seed, so that
/// the inputs of one check do not depend on which other checks ran before it.
pub fn derive_seed(seed: u64, label: &str) -> u64 {
    // FNV-1a over the label, mixed with the run's seed.
    label.bytes().fold(seed ^ 0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// An array of the given shape with values drawn uniformly from `[-1, 1)`.
pub fn uniform<Sh, D>(shape: Sh, rng: &mut Rng) -> Array<f64, D>
where
    Sh: ShapeBuilder<Dim = D>,
    D: Dimension,
{
    Array::from_shape_simple_fn(shape, || rng.random_range(-1.0..1.0))
}

/// Adds noise drawn uniformly from `[-scale, scale)` to every element.
///
/// Gradient checks perturb their inputs this way so that no two candidates
/// for a maximum are exactly equal and no ReLU input sits exactly at its kink.
pub fn perturb<D: Dimension>(x: &mut Array<f64, D>, scale: f64, rng: &mut Rng) {
    x.mapv_inplace(|v| v + rng.random_range(-scale..scale));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let a = uniform((3, 4), &mut rng(7));
        let b = uniform((3, 4), &mut rng(7));
        let c = uniform((3, 4), &mut rng(8));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().all(|v| (-1.0..1.0).contains(v)));
    }

    #[test]
    fn derived_seeds_differ_by_label_and_by_seed() {
        assert_ne!(derive_seed(1, "view"), derive_seed(1, "permute"));
        assert_ne!(derive_seed(1, "view"), derive_seed(2, "view"));
        assert_eq!(derive_seed(1, "view"), derive_seed(1, "view"));
    }

    #[test]
    fn perturbing_moves_every_element_a_little() {
        let mut x = Array::<f64, _>::zeros(100);
        perturb(&mut x, 1e-3, &mut rng(1));
        assert!(x.iter().all(|v| *v != 0.0 && v.abs() <= 1e-3));
    }
}
