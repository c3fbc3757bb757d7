//! [`FileContent`]: a file to upload, the one part of a multipart form that is not text.

use std::fmt;
use std::path::Path;

use bytes::Bytes;

/// A file to upload (an image, a document, a recording): its name and its bytes, sent exactly as
/// given, as one part of an upload's multipart form. Cheap to clone (the bytes are shared), so
/// that a retried upload sends the same bytes again without copying them.
///
/// `Debug` shows the name, the size and the content type, never the bytes. In JSON (the
/// generated request types are `Serialize`), a file is its name.
#[derive(Clone, PartialEq, Eq)]
pub struct FileContent {
    name: String,
    bytes: Bytes,
    content_type: Option<String>,
}

impl FileContent {
    /// The file `name` (as the receiver will see it) with the content `bytes`. Its content type
    /// is guessed from the name's extension for the common image types (`jpg`, `jpeg`, `png`,
    /// `gif`), and left out otherwise; set it with [`with_content_type`](Self::with_content_type).
    pub fn new(name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        let name = name.into();
        let extension = Path::new(&name)
            .extension()
            .and_then(|ext| ext.to_str())
            .map(str::to_ascii_lowercase);
        let content_type = match extension.as_deref() {
            Some("jpg" | "jpeg") => Some("image/jpeg"),
            Some("png") => Some("image/png"),
            Some("gif") => Some("image/gif"),
            _ => None,
        };
        Self {
            name,
            bytes: bytes.into(),
            content_type: content_type.map(str::to_owned),
        }
    }

    /// The file at `path`, read whole, named after its last component.
    pub fn read(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)?;
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Self::new(name, bytes))
    }

    /// The same file with the content type `content_type` (`application/pdf`).
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The file's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// Its size in bytes.
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// Whether it has no byte.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Its content type, if known.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The multipart part that carries it (with its content type, when that is a valid one).
    pub(crate) fn part(&self) -> reqwest::multipart::Part {
        let part = || {
            reqwest::multipart::Part::stream_with_length(
                reqwest::Body::from(self.bytes.clone()),
                self.len(),
            )
            .file_name(self.name.clone())
        };
        self.content_type
            .as_deref()
            .and_then(|mime| part().mime_str(mime).ok())
            .unwrap_or_else(part)
    }
}

impl fmt::Debug for FileContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileContent")
            .field("name", &self.name)
            .field("len", &self.len())
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// A file is its name in JSON.
impl serde::Serialize for FileContent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name)
    }
}

/// A file's bytes are not read from JSON: a request type holding one does not decode.
impl<'de> serde::Deserialize<'de> for FileContent {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Err(serde::de::Error::custom(
            "a file's content is not read from JSON; build it with FileContent::new or read",
        ))
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for FileContent {
    fn schema_name() -> String {
        "FileContent".to_owned()
    }
    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            format: Some("binary".to_owned()),
            ..Default::default()
        }
        .into()
    }
}
