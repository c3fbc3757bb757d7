//! Reading the multipart form of an upload (RFC 7578), as the mock receives it: enough to take
//! each part's name, file name, content type and bytes, and to refuse what is not a form.

use bytes::Bytes;

/// One part of a form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// The field's name (`name=` of its `Content-Disposition`).
    pub name: String,
    /// The file's name (`filename=`), for a file.
    pub file_name: Option<String>,
    /// Its `Content-Type`, if it has one.
    pub content_type: Option<String>,
    /// Its bytes, exactly as sent.
    pub bytes: Bytes,
}

/// The parts of `body`, a form whose boundary is in `content_type`
/// (`multipart/form-data; boundary=…`); `None` when it is not one.
pub(crate) fn parse(content_type: &str, body: &[u8]) -> Option<Vec<Part>> {
    let (kind, parameters) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let boundary = parameters.split(';').find_map(|parameter| {
        let (name, value) = parameter.trim().split_once('=')?;
        name.eq_ignore_ascii_case("boundary")
            .then(|| value.trim_matches('"').to_owned())
    })?;
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut rest = body.get(find(body, &delimiter)? + delimiter.len()..)?;
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&rest[..head_end]).ok()?;
        let content = &rest[head_end + 4..];
        let end = find(content, &[b"\r\n".as_slice(), &delimiter].concat())?;
        let (mut name, mut file_name, mut content_type) = (None, None, None);
        for line in head.split("\r\n") {
            let (header, value) = line.split_once(':')?;
            if header.trim().eq_ignore_ascii_case("content-disposition") {
                for parameter in value.split(';').skip(1) {
                    let Some((key, value)) = parameter.trim().split_once('=') else {
                        continue;
                    };
                    let value = value.trim_matches('"').to_owned();
                    match key {
                        "name" => name = Some(value),
                        "filename" => file_name = Some(value),
                        _ => {}
                    }
                }
            } else if header.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_owned());
            }
        }
        parts.push(Part {
            name: name?,
            file_name,
            content_type,
            bytes: Bytes::copy_from_slice(&content[..end]),
        });
        rest = &content[end + 2 + delimiter.len()..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_read_part_by_part_and_bytes_arrive_exactly() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"sender_key\"\r\n\r\nkey-1\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x00\xff\r\n--XyZ--\r\n";
        let parts = parse("multipart/form-data; boundary=XyZ", body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "sender_key");
        assert_eq!(&parts[0].bytes[..], b"key-1");
        assert_eq!(parts[1].file_name.as_deref(), Some("a.png"));
        assert_eq!(parts[1].content_type.as_deref(), Some("image/png"));
        assert_eq!(&parts[1].bytes[..], b"\x89PNG\r\n\x00\xff");
        assert_eq!(parse("application/json", body), None);
        assert_eq!(parse("multipart/form-data; boundary=XyZ", b"nothing"), None);
    }
}
