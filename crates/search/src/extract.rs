//! The text inside an attachment, so that it is searchable with the proposal: plain text as
//! it is, Word documents (.docx) from their paragraphs, PDF from its text (through the
//! fonts' ToUnicode maps, which is how Word and WPS write Chinese). Images and spreadsheets
//! are kept but not read (a scanned PDF has no text to read); a file that cannot be read
//! gives no text, never an error.

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
    if content_type == "application/pdf" {
        return pdf(bytes);
    }
    String::new()
}

/// A PDF's text. The reader is third-party code given untrusted bytes: a file it cannot
/// handle (or that makes it panic) gives no text rather than failing the upload or the index.
fn pdf(bytes: &[u8]) -> String {
    let bytes = bytes.to_vec();
    std::panic::catch_unwind(move || pdf_extract::extract_text_from_mem(&bytes).ok())
        .ok()
        .flatten()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
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

    /// A one-page PDF whose font maps its glyph codes to Chinese through a ToUnicode CMap
    /// (what Word's and WPS's "save as PDF" write), with a correct cross-reference table.
    fn pdf_with_chinese() -> Vec<u8> {
        let cmap = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
                    1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n4 beginbfchar\n<0001> <6751>\n<0002> <9053>\n<0003> <786C>\n<0004> <5316>\n\
                    endbfchar\nendcmap\nCMapName currentdict /CMapResource defineresource pop\nend\nend";
        let content = "BT /F1 12 Tf 10 50 Td <0001000200030004> Tj ET";
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_string(),
            "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>".to_string(),
            format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 /FontDescriptor 8 0 R >>"
                .to_string(),
            format!("<< /Length {} >>\nstream\n{cmap}\nendstream", cmap.len()),
            "<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -140 1000 860] /ItalicAngle 0 /Ascent 860 /Descent -140 /CapHeight 700 /StemV 80 >>"
                .to_string(),
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for off in offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
        out
    }

    #[test]
    fn pdf_text_comes_through_the_fonts_unicode_map() {
        assert_eq!(text("application/pdf", &pdf_with_chinese()), "村道硬化");
    }

    #[test]
    fn unreadable_files_give_no_text() {
        assert_eq!(text("application/pdf", b"%PDF-1.4 nothing else"), "");
        assert_eq!(text(DOCX, b"PK\x03\x04 not really a zip"), "");
        // a cut-off document gives what could be read
        assert_eq!(text(DOCX, &docx_with("<w:p><w:t>未完")), "未完");
        assert_eq!(text(DOCX, &docx_with("<w:p><w:t>a</w:x></w:t>")), "");
        assert_eq!(text("image/png", b"\x89PNG"), "");
        assert_eq!(text("text/plain; charset=utf-8", "村道".as_bytes()), "村道");
    }
}
