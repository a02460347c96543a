//! `file://` URLs of local files, for the terminal to show: most terminals
//! make them clickable, and any browser opens them.

use std::path::Path;

/// The `file://` URL of the absolute path `path`, with every byte outside
/// letters, digits and `-._~/:` percent-encoded (a space is `%20`).
/// On Windows, `C:\book` becomes `file:///C:/book`.
pub fn file_url(path: &Path) -> String {
    let text = path.to_string_lossy();
    let text = if cfg!(windows) { text.replace('\\', "/") } else { text.into_owned() };
    let mut url = String::from("file://");
    if !text.starts_with('/') {
        url.push('/');
    }
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/:".contains(&byte) {
            url.push(char::from(byte));
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_are_kept() {
        assert_eq!(
            file_url(Path::new("/work/main/target/book/index.html")),
            "file:///work/main/target/book/index.html"
        );
    }

    #[test]
    fn spaces_and_non_ascii_are_percent_encoded() {
        assert_eq!(file_url(Path::new("/home/a b/ü#1.html")), "file:///home/a%20b/%C3%BC%231.html");
    }

    #[test]
    #[cfg(windows)]
    fn windows_paths_get_a_leading_slash() {
        assert_eq!(file_url(Path::new(r"C:\notes\index.html")), "file:///C:/notes/index.html");
    }
}
