//! The text inside an attachment, so that it is searchable with the proposal: plain text as
//! it is, Word documents (.docx) from their paragraphs. Other types (images, spreadsheets,
//! PDF) are kept but not read; a file that cannot be read gives no text, never an error.

use std::io::Read;

/// The largest document part read (a 5 MB .docx can hold far more XML than text).
const MAX_XML: u64 = 20 * 1024 * 1024;

/// The text of an attachment of `content_type` (as the store records it).
pub fn text(content_type: &str, bytes: &[u8]) -> String {
    if content_type.starts_with("text/plain") {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    if content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document" {
        return docx(bytes).unwrap_or_default();
    }
    String::new()
}

/// The paragraphs of a .docx: the runs of text (`w:t`) of `word/document.xml`, a line per
/// paragraph (`w:p`), tabs and breaks as spaces.
fn docx(bytes: &[u8]) -> Option<String> {
    use quick_xml::events::Event;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut xml = String::new();
    zip.by_name("word/document.xml").ok()?.take(MAX_XML).read_to_string(&mut xml).ok()?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().0 == "w:t" => in_text = true,
            Ok(Event::End(e)) => match e.name().0 {
                "w:t" => in_text = false,
                "w:p" => out.push('\n'),
                _ => {}
            },
            Ok(Event::Empty(e)) if matches!(e.name().0, "w:tab" | "w:br") => out.push(' '),
            Ok(Event::Text(t)) if in_text => out.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if in_text => {
                // &amp; and friends, and numeric references
                let c = match &*r {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => r.resolve_char_ref().ok().flatten(),
                };
                out.extend(c);
            }
            Ok(Event::Eof) => break,
            Err(_) => return None,
            _ => {}
        }
    }
    Some(out.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A minimal .docx: the one part the extraction reads.
    pub fn docx_with(document_xml: &str) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut buf);
        z.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(document_xml.as_bytes()).unwrap();
        z.finish().unwrap();
        buf.into_inner()
    }

    const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    #[test]
    fn word_paragraphs_become_lines() {
        let xml = r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body>
            <w:p><w:r><w:t>修缮下楣桥</w:t></w:r><w:r><w:t xml:space="preserve">李家组水渠 &amp; 道路</w:t></w:r></w:p>
            <w:p><w:r><w:t>资金</w:t><w:tab/><w:t>12万元</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(text(DOCX, &docx_with(xml)), "修缮下楣桥李家组水渠 & 道路\n资金 12万元");
    }

    #[test]
    fn unreadable_files_give_no_text() {
        assert_eq!(text(DOCX, b"PK\x03\x04 not really a zip"), "");
        // a cut-off document gives what could be read
        assert_eq!(text(DOCX, &docx_with("<w:p><w:t>未完")), "未完");
        assert_eq!(text(DOCX, &docx_with("<w:p><w:t>a</w:x></w:t>")), "");
        assert_eq!(text("image/png", b"\x89PNG"), "");
        assert_eq!(text("text/plain; charset=utf-8", "村道".as_bytes()), "村道");
    }
}
