//! MNIST-5k from `data/mnist-5k/`: four gzip-compressed IDX files, each
//! checked against the sha256 sum that the folder's README.md lists before
//! it is read. Nothing is downloaded.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use flate2::read::GzDecoder;
use ndarray::Array4;
use sha2::{Digest, Sha256};

/// Height and width of an image.
pub const SIDE: usize = 28;

/// The files and their sha256 sums, as `data/mnist-5k/README.md` lists them.
pub const FILES: [(&str, &str); 4] = [
    ("train-images-idx3-ubyte.gz", "728d9271e668ea98ed4cb689f06d60adda58f52f239be921bb21f7594805a690"),
    ("train-labels-idx1-ubyte.gz", "b0ec418df5245d5163835c454ef1af4c338ba0dcc7a9698956c34677fb574234"),
    ("t10k-images-idx3-ubyte.gz", "677b0752d5b008752ca591d22da097f7d50f9d0039cfe1e7dd48635ecfdf83fd"),
    ("t10k-labels-idx1-ubyte.gz", "75898356302976bafb997b3d724bb3a77860495ff65037a554b77c20d7d0864e"),
];

/// The mean and standard deviation of MNIST's pixels (scaled to [0, 1]),
/// which [`Split::normalised`] subtracts and divides by.
pub const MEAN: f64 = 0.1307;
pub const STD: f64 = 0.3081;

/// Images and their labels.
#[derive(Clone, Debug)]
pub struct Split {
    /// `N x 1 x 28 x 28`, pixels in [0, 1].
    pub images: Array4<f64>,
    /// `N` digits 0 to 9.
    pub labels: Vec<usize>,
}

impl Split {
    /// The number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The first `n` images (all of them when there are fewer).
    pub fn take(&self, n: usize) -> Split {
        let n = n.min(self.len());
        Split { images: self.images.slice(ndarray::s![..n, .., .., ..]).to_owned(), labels: self.labels[..n].to_vec() }
    }

    /// The images with [`MEAN`] subtracted and divided by [`STD`].
    pub fn normalised(&self) -> Array4<f64> {
        self.images.mapv(|p| (p - MEAN) / STD)
    }
}

/// The training (4,000 images) and test (1,000 images) splits.
#[derive(Clone, Debug)]
pub struct Mnist {
    pub train: Split,
    pub test: Split,
}

/// `data/mnist-5k/` of the workspace this crate belongs to.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("data").join("mnist-5k")
}

/// Reads the four files of `dir`.
///
/// **Errors**, naming the file, when one is missing, unreadable, does not
/// have the sha256 sum listed in [`FILES`], or is not the IDX file it should be.
pub fn load(dir: &Path) -> Result<Mnist> {
    let [train_images, train_labels, test_images, test_labels] = FILES.map(|(name, _)| dir.join(name));
    Ok(Mnist { train: split(&train_images, &train_labels)?, test: split(&test_images, &test_labels)? })
}

fn split(images: &Path, labels: &Path) -> Result<Split> {
    let images = read_images(images)?;
    let labels = read_labels(labels)?;
    ensure!(images.dim().0 == labels.len(), "{} images but {} labels", images.dim().0, labels.len());
    Ok(Split { images, labels })
}

/// The decompressed contents of `path`, after checking its sha256 sum.
fn verified(path: &Path) -> Result<Vec<u8>> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let Some((_, expected)) = FILES.iter().find(|(file, _)| *file == name) else {
        bail!("{}: not one of the MNIST-5k files", path.display());
    };
    let bytes = std::fs::read(path).with_context(|| {
        format!(
            "cannot read {} (the MNIST-5k files ship in data/mnist-5k/; restore them from the repository)",
            path.display()
        )
    })?;
    let actual: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    if actual != *expected {
        bail!(
            "{} is corrupt: its sha256 is {actual}, expected {expected} (restore it from the repository)",
            path.display()
        );
    }
    let mut out = Vec::new();
    GzDecoder::new(&bytes[..])
        .read_to_end(&mut out)
        .with_context(|| format!("cannot decompress {}", path.display()))?;
    Ok(out)
}

fn be_u32(bytes: &[u8], at: usize) -> usize {
    bytes.get(at..at + 4).map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

fn read_images(path: &Path) -> Result<Array4<f64>> {
    let bytes = verified(path)?;
    let (magic, n, rows, cols) = (be_u32(&bytes, 0), be_u32(&bytes, 4), be_u32(&bytes, 8), be_u32(&bytes, 12));
    ensure!(
        magic == 0x803 && rows == SIDE && cols == SIDE && bytes.len() == 16 + n * SIDE * SIDE,
        "{}: not an IDX file of 28 x 28 images",
        path.display()
    );
    let pixels = bytes[16..].iter().map(|&p| f64::from(p) / 255.0).collect();
    Ok(Array4::from_shape_vec((n, 1, SIDE, SIDE), pixels)?)
}

fn read_labels(path: &Path) -> Result<Vec<usize>> {
    let bytes = verified(path)?;
    let (magic, n) = (be_u32(&bytes, 0), be_u32(&bytes, 4));
    ensure!(magic == 0x801 && bytes.len() == 8 + n, "{}: not an IDX file of labels", path.display());
    let labels: Vec<usize> = bytes[8..].iter().map(|&l| usize::from(l)).collect();
    ensure!(labels.iter().all(|&l| l < 10), "{}: a label is not a digit", path.display());
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sums in the code are those of the README beside the files.
    #[test]
    fn sums_match_the_readme() {
        let readme = std::fs::read_to_string(default_dir().join("README.md")).unwrap();
        for (name, sum) in FILES {
            assert!(readme.lines().any(|l| l.contains(name) && l.contains(sum)), "{name} {sum}");
        }
    }

    #[test]
    fn loads_both_splits() {
        let data = load(&default_dir()).unwrap();
        assert_eq!(data.train.images.dim(), (4000, 1, 28, 28));
        assert_eq!(data.test.len(), 1000);
        assert!(data.train.images.iter().all(|p| (0.0..=1.0).contains(p)));
        let mut counts = [0; 10];
        data.test.labels.iter().for_each(|&l| counts[l] += 1);
        assert_eq!(counts, [100; 10]);
    }

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("train-mnist-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, _) in FILES {
            std::fs::copy(default_dir().join(name), dir.join(name)).unwrap();
        }
        dir
    }

    #[test]
    fn a_missing_file_is_named() {
        let dir = scratch("missing");
        std::fs::remove_file(dir.join("t10k-labels-idx1-ubyte.gz")).unwrap();
        let error = format!("{:#}", load(&dir).unwrap_err());
        assert!(error.contains("cannot read") && error.contains("t10k-labels-idx1-ubyte.gz"), "{error}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_corrupt_file_is_named() {
        let dir = scratch("corrupt");
        let path = dir.join("train-images-idx3-ubyte.gz");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[1000] ^= 0xff;
        std::fs::write(&path, bytes).unwrap();
        let error = format!("{:#}", load(&dir).unwrap_err());
        assert!(error.contains("train-images-idx3-ubyte.gz is corrupt") && error.contains(FILES[0].1), "{error}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
