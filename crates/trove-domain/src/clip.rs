//! What a clip is: the formats read from the clipboard, its kind, hash,
//! preview and thumbnail. No I/O and no tauri here.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

/// Which X11 selection (or Wayland offer) a capture came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    Clipboard,
    Primary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ClipKind {
    Text,
    Html,
    Image,
    Files,
}

/// The payload formats Trove keeps, each stored as its own blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Text,
    Html,
    Png,
    UriList,
    Thumbnail,
}

impl Format {
    /// Its byte in blob keys and in the content hash: never renumber.
    pub fn tag(self) -> u8 {
        self as u8
    }
}

/// One clipboard content as read from its owner, before it is stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captured {
    pub text: Option<String>,
    pub html: Option<String>,
    pub png: Option<Vec<u8>>,
    pub uri_list: Option<String>,
    /// Every target the owner offered, for the record.
    pub mimes: Vec<String>,
}

impl Captured {
    pub fn text(text: impl Into<String>) -> Self {
        Captured { text: Some(text.into()), mimes: vec!["text/plain;charset=utf-8".into()], ..Captured::default() }
    }

    pub fn kind(&self) -> Option<ClipKind> {
        if self.png.is_some() {
            Some(ClipKind::Image)
        } else if self.uri_list.is_some() {
            Some(ClipKind::Files)
        } else if self.html.is_some() {
            Some(ClipKind::Html)
        } else if self.text.as_deref().is_some_and(|t| !t.is_empty()) {
            Some(ClipKind::Text)
        } else {
            None
        }
    }

    /// The payloads that make up this clip, in a fixed order.
    pub fn payloads(&self) -> Vec<(Format, &[u8])> {
        [
            (Format::Text, self.text.as_deref().map(str::as_bytes)),
            (Format::Html, self.html.as_deref().map(str::as_bytes)),
            (Format::Png, self.png.as_deref()),
            (Format::UriList, self.uri_list.as_deref().map(str::as_bytes)),
        ]
        .into_iter()
        .filter_map(|(f, bytes)| bytes.map(|b| (f, b)))
        .collect()
    }

    pub fn bytes(&self) -> u64 {
        self.payloads().iter().map(|(_, b)| b.len() as u64).sum()
    }

    /// Equal contents hash equally, whichever app offered them.
    pub fn hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        for (format, bytes) in self.payloads() {
            h.update([format.tag()]);
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        }
        h.finalize().into()
    }

    /// The text a user would search for: the plain text, or what HTML and
    /// file lists read as.
    pub fn searchable_text(&self) -> Option<String> {
        if let Some(uris) = &self.uri_list {
            return Some(file_names(uris).join("\n"));
        }
        if let Some(text) = self.text.as_deref().filter(|t| !t.is_empty()) {
            return Some(text.to_string());
        }
        self.html.as_deref().map(html_to_text)
    }

    pub fn preview(&self) -> String {
        if let Some(png) = &self.png {
            return match png_size(png) {
                Some((w, h)) => format!("Image {w}×{h}"),
                None => "Image".into(),
            };
        }
        one_line(&self.searchable_text().unwrap_or_default(), PREVIEW_CHARS)
    }
}

pub const PREVIEW_CHARS: usize = 200;

/// The largest length not past `max` that ends on a UTF-8 character boundary of `bytes`.
pub fn floor_char_boundary(bytes: &[u8], max: usize) -> usize {
    if bytes.len() <= max {
        return bytes.len();
    }
    // Back up over UTF-8 continuation bytes.
    (0..=max).rev().find(|&i| bytes[i] & 0xC0 != 0x80).unwrap_or(0)
}

/// Collapses whitespace runs into single spaces and keeps the first `max` characters.
pub fn one_line(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    for word in text.split_whitespace() {
        if count > 0 {
            if count == max {
                break;
            }
            out.push(' ');
            count += 1;
        }
        for c in word.chars() {
            if count == max {
                break;
            }
            out.push(c);
            count += 1;
        }
    }
    out
}

/// File names (last path segment, percent-decoded) of a `text/uri-list`.
pub fn file_names(uri_list: &str) -> Vec<String> {
    uri_list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|uri| {
            let path = uri.strip_prefix("file://").unwrap_or(uri);
            let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
            percent_decode(name)
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&a), Some(&b)) if hex(a).is_some() && hex(b).is_some() => {
                out.push((hex(a).unwrap_or(0) * 16 + hex(b).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The text of an HTML fragment, for previews and search only: tags dropped,
/// the common entities decoded. Nothing here is ever rendered as HTML.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let tag_and_after = &rest[open..];
        let Some(close) = tag_and_after.find('>') else {
            break;
        };
        out.push_str(&rest[..open]);
        let tag = tag_and_after[1..close].to_ascii_lowercase();
        rest = &tag_and_after[close + 1..];
        for skipped in ["script", "style"] {
            let opens =
                tag.strip_prefix(skipped).is_some_and(|t| t.chars().next().is_none_or(|c| !c.is_ascii_alphanumeric()));
            if opens {
                // ASCII lowercasing keeps byte offsets, so the index is valid in `rest`.
                let end = rest.to_ascii_lowercase().find(&format!("</{skipped}"));
                rest = &rest[end.unwrap_or(rest.len())..];
            }
        }
        out.push(' ');
    }
    out.push_str(rest);
    for (entity, c) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")]
    {
        out = out.replace(entity, c);
    }
    out
}

/// Width and height from a PNG's header, without decoding it.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if png.len() < 24 || !png.starts_with(SIGNATURE) || &png[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(png[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(png[20..24].try_into().ok()?);
    (w > 0 && h > 0).then_some((w, h))
}

pub const THUMBNAIL_MAX: u32 = 160;
/// Larger images are refused at capture: a small file can claim a huge
/// image, and every view of it (thumbnail, preview) would decode it whole.
/// 40 megapixels holds an 8K screenshot.
pub const IMAGE_MAX_PIXELS: u64 = 40_000_000;
/// Decoding is capped so a small file claiming a huge image cannot exhaust memory.
const DECODE_MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// A PNG at most `THUMBNAIL_MAX` pixels on each side, or why there is none.
pub fn thumbnail(png: &[u8]) -> Result<Vec<u8>, String> {
    use image::{ImageDecoder, ImageReader, Limits};
    let mut reader = ImageReader::with_format(std::io::Cursor::new(png), image::ImageFormat::Png);
    let mut limits = Limits::default();
    limits.max_alloc = Some(DECODE_MAX_ALLOC);
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    let (w, h) = decoder.dimensions();
    let img = image::DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    let thumb =
        if w <= THUMBNAIL_MAX && h <= THUMBNAIL_MAX { img } else { img.thumbnail(THUMBNAIL_MAX, THUMBNAIL_MAX) };
    let mut out = Vec::new();
    thumb.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
pub(crate) fn test_png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([x as u8, y as u8, 128, 255]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_char_boundary_never_splits_a_character() {
        let s = "aé".as_bytes();
        assert_eq!(floor_char_boundary(s, 2), 1);
        assert_eq!(floor_char_boundary(s, 3), 3);
    }

    #[test]
    fn kind_follows_the_richest_format() {
        let mut c = Captured::text("hi");
        assert_eq!(c.kind(), Some(ClipKind::Text));
        c.html = Some("<b>hi</b>".into());
        assert_eq!(c.kind(), Some(ClipKind::Html));
        c.uri_list = Some("file:///tmp/a".into());
        assert_eq!(c.kind(), Some(ClipKind::Files));
        c.png = Some(test_png(2, 2));
        assert_eq!(c.kind(), Some(ClipKind::Image));
        assert_eq!(Captured::text("").kind(), None);
        assert_eq!(Captured::default().kind(), None);
    }

    #[test]
    fn hash_depends_on_content_not_on_offered_targets() {
        let a = Captured::text("same");
        let mut b = Captured::text("same");
        b.mimes.push("UTF8_STRING".into());
        assert_eq!(a.hash(), b.hash());
        assert_ne!(a.hash(), Captured::text("other").hash());
        let mut html = Captured::text("same");
        html.html = Some("same".into());
        assert_ne!(a.hash(), html.hash());
    }

    #[test]
    fn previews_are_one_bounded_line() {
        assert_eq!(one_line("  a\n\n b\tc  ", 10), "a b c");
        assert_eq!(one_line("abcdef", 3), "abc");
        assert_eq!(one_line("ab cd", 3), "ab ");
        let long = "é".repeat(500);
        assert_eq!(Captured::text(long).preview().chars().count(), PREVIEW_CHARS);
    }

    #[test]
    fn html_reads_as_text_without_scripts() {
        let html = "<p>Hello&nbsp;<b>world</b></p><script>alert(1)</script><style>p{}</style>&lt;ok&gt;";
        assert_eq!(one_line(&html_to_text(html), 100), "Hello world <ok>");
        assert_eq!(html_to_text("a < b"), "a < b");
    }

    #[test]
    fn file_lists_read_as_names() {
        let list = "# comment\r\nfile:///home/u/My%20Doc.txt\r\nfile:///home/u/dir/\r\n";
        assert_eq!(file_names(list), ["My Doc.txt", "dir"]);
        let c = Captured { uri_list: Some(list.into()), ..Captured::default() };
        assert_eq!(c.preview(), "My Doc.txt dir");
    }

    #[test]
    fn images_get_their_size_and_a_small_thumbnail() {
        let png = test_png(640, 320);
        assert_eq!(png_size(&png), Some((640, 320)));
        let thumb = thumbnail(&png).unwrap();
        assert_eq!(png_size(&thumb), Some((THUMBNAIL_MAX, THUMBNAIL_MAX / 2)));
        assert_eq!(png_size(b"not a png at all, really not"), None);
        assert!(thumbnail(b"\x89PNG\r\n\x1a\nbroken").is_err());
    }
}
