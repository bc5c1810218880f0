//! Splitting `nginx -T` output back into the files it concatenates.
//!
//! nginx writes `# configuration file PATH:` then the file, then a newline
//! (two if the file lacked a final one). Reading the dump lets users lint the
//! exact config a running server has, includes and all, from one pipe.

use std::path::PathBuf;

const HEADER: &[u8] = b"# configuration file ";

/// The files in an `nginx -T` dump, in order; empty if `bytes` is not one.
pub fn split_nginx_t(bytes: &[u8]) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut current: Option<(PathBuf, usize)> = None;
    let mut pos = 0;
    while pos < bytes.len() {
        let end = bytes[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| pos + i + 1)
            .unwrap_or(bytes.len());
        let line = &bytes[pos..end];
        let trimmed = line.strip_suffix(b"\n").unwrap_or(line);
        if let Some(rest) = trimmed.strip_prefix(HEADER) {
            if let Some(path) = rest.strip_suffix(b":") {
                if let Some((p, start)) = current.take() {
                    files.push((p, strip_separator(&bytes[start..pos])));
                }
                let path = PathBuf::from(String::from_utf8_lossy(path).into_owned());
                current = Some((path, end));
            }
        }
        pos = end;
    }
    if let Some((p, start)) = current {
        files.push((p, strip_separator(&bytes[start..])));
    }
    files
}

/// Drop the blank line nginx adds after each file.
fn strip_separator(body: &[u8]) -> Vec<u8> {
    body.strip_suffix(b"\n").unwrap_or(body).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_files_and_keeps_their_bytes() {
        let dump = b"# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp { include conf.d/*.conf; }\n\n# configuration file /etc/nginx/conf.d/a.conf:\nserver { listen 80; }\n\n";
        let files = split_nginx_t(dump);
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].0, PathBuf::from("/etc/nginx/nginx.conf"));
        assert_eq!(files[0].1, b"events {}\nhttp { include conf.d/*.conf; }\n");
        assert_eq!(files[1].1, b"server { listen 80; }\n");
        assert!(split_nginx_t(b"events {}\n").is_empty());
    }
}
