//! Reading and writing spreadsheets: every list exports to .xlsx; imports read .xlsx (every
//! sheet) or .csv (one sheet) into rows of text keyed by their column headers.

use crate::view::Table;
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook};
use std::io::Cursor;

/// One sheet of an uploaded file: its name and rows of cells as text (row 1 is the header).
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
}

/// Writes one table to an .xlsx workbook (header row bold and frozen; columns sized to fit).
pub fn write_table(sheet: &str, t: &Table) -> Result<Vec<u8>, String> {
    write_sheets(&[(sheet.to_string(), t.headers.clone(), t.rows.iter().map(|r| r.iter().map(|c| c.text.clone()).collect()).collect())])
}

/// A sheet to write: its name, header and rows.
pub type SheetData = (String, Vec<String>, Vec<Vec<String>>);

/// Writes several sheets.
pub fn write_sheets(sheets: &[SheetData]) -> Result<Vec<u8>, String> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    for (name, headers, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).map_err(|e| e.to_string())?;
        let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold).map_err(|e| e.to_string())?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                // numbers a clerk will sum stay numbers; ID and phone numbers stay text
                let numeric = v.len() < 10 && !v.is_empty() && !v.starts_with('0') && v.parse::<f64>().is_ok();
                if numeric {
                    ws.write_number((r + 1) as u32, c as u16, v.parse::<f64>().unwrap_or(0.0)).map_err(|e| e.to_string())?;
                } else {
                    ws.write_string((r + 1) as u32, c as u16, v).map_err(|e| e.to_string())?;
                }
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(display_width(v));
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, (*w as f64 + 2.0).min(60.0)).map_err(|e| e.to_string())?;
        }
        ws.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
    }
    wb.save_to_buffer().map_err(|e| e.to_string())
}

/// Chinese characters take two columns.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Excel's serial day number to an ISO date (the 1900 system, as every Chinese office uses).
fn serial_to_date(serial: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = time::Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
    let d = base.checked_add(time::Duration::days(serial.floor() as i64))?;
    Some(lianxin_domain::error::fmt_date(d))
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => serial_to_date(dt.as_f64()).unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.chars().take(10).collect(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Reads every sheet of an .xlsx file.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Sheet>, String> {
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes.to_vec())).map_err(|e| format!("不是有效的 .xlsx 文件 / not a valid .xlsx file: {e}"))?;
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).map_err(|e| format!("{name}: {e}"))?;
        let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(cell_text).collect()).collect();
        out.push(Sheet { name, rows });
    }
    Ok(out)
}

/// Reads a CSV file (UTF-8, with or without BOM; GB18030 files must be saved as UTF-8).
pub fn read_csv(bytes: &[u8], sheet_name: &str) -> Result<Sheet, String> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| "CSV 文件须为 UTF-8 编码(在 Excel 中另存为“CSV UTF-8”) / the CSV file must be UTF-8".to_string())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => row.push(std::mem::take(&mut field).trim().to_string()),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field).trim().to_string());
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return Err("CSV 文件的引号没有闭合 / unterminated quote in the CSV file".into());
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field.trim().to_string());
        rows.push(row);
    }
    Ok(Sheet { name: sheet_name.to_string(), rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::Cell;

    #[test]
    fn a_table_round_trips_through_xlsx() {
        let t = Table {
            headers: vec!["姓名".into(), "身份证号".into(), "人数".into()],
            rows: vec![
                vec![Cell::text("张三"), Cell::text("431002198001011234"), Cell::text("42")],
                vec![Cell::text("李四"), Cell::text(""), Cell::text("07")],
            ],
            empty: String::new(),
        };
        let bytes = write_table("代表", &t).unwrap();
        let sheets = read_xlsx(&bytes).unwrap();
        assert_eq!(sheets[0].name, "代表");
        assert_eq!(sheets[0].rows[0], vec!["姓名", "身份证号", "人数"]);
        assert_eq!(sheets[0].rows[1], vec!["张三", "431002198001011234", "42"]);
        // a leading zero is kept as text
        assert_eq!(sheets[0].rows[2][2], "07");
    }

    #[test]
    fn csv_with_bom_quotes_and_crlf() {
        let s = read_csv("\u{feff}姓名,住址\r\n\"王五\",\"下楣桥村,李家组\"\r\n赵六,\"说\"\"事\"\"\"\r\n".as_bytes(), "人员").unwrap();
        assert_eq!(s.rows, vec![vec!["姓名", "住址"], vec!["王五", "下楣桥村,李家组"], vec!["赵六", "说\"事\""]]);
        assert!(read_csv(b"a,\"b", "x").is_err());
        assert!(read_csv(&[0xff, 0xfe, 0x00], "x").is_err());
    }

    #[test]
    fn malformed_xlsx_is_refused() {
        assert!(read_xlsx(b"PK\x03\x04 not really").is_err());
        assert!(read_xlsx(b"hello").is_err());
    }

    #[test]
    fn excel_serial_dates() {
        assert_eq!(serial_to_date(45292.0).as_deref(), Some("2024-01-01"));
        assert_eq!(serial_to_date(-1.0), None);
    }
}
