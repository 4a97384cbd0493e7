//! Chinese text for search. Jieba (its dictionary is compiled into the binary) cuts text into
//! words; the index keeps words and, for recall on names and places jieba does not know,
//! every two-character run of Chinese text as well. [`index`] keeps the terms of each
//! proposal in a tantivy index derived from the database; [`extract`] reads attachments.

pub mod extract;
pub mod index;

use jieba_rs::Jieba;
use std::collections::BTreeMap;
use std::sync::LazyLock;

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Words too common to search for.
const STOP: &[&str] = &["的", "了", "和", "与", "及", "在", "是", "对", "关于", "进一步", "加强", "有关", "问题", "建议", "提案", "工作"];

fn keep(w: &str) -> bool {
    let w = w.trim();
    !w.is_empty() && w.chars().any(|c| c.is_alphanumeric()) && !STOP.contains(&w) && w.chars().count() <= 20
}

/// The terms of a text with their counts: jieba's words (search mode, which also yields the
/// parts of long words) plus the character pairs of Chinese runs. ASCII is lowercased.
pub fn terms(text: &str) -> BTreeMap<String, u32> {
    let mut out: BTreeMap<String, u32> = BTreeMap::new();
    for w in JIEBA.cut_for_search(text, true) {
        let w = w.word.trim().to_lowercase();
        if keep(&w) {
            *out.entry(w).or_insert(0) += 1;
        }
    }
    let chars: Vec<char> = text.chars().collect();
    for pair in chars.windows(2) {
        if is_cjk(pair[0]) && is_cjk(pair[1]) {
            let bigram: String = pair.iter().collect();
            // a pair that is already a word was counted above
            if keep(&bigram) {
                out.entry(bigram).or_insert(1);
            }
        }
    }
    out
}

/// The terms a query looks for (no duplicates, most specific first).
pub fn query_terms(q: &str) -> Vec<String> {
    let mut words: Vec<String> = JIEBA.cut_for_search(q, true).into_iter().map(|w| w.word.trim().to_lowercase()).filter(|w| keep(w)).collect();
    if words.is_empty() {
        // a query of stop words alone still searches for itself
        words = q.split_whitespace().map(str::to_lowercase).filter(|w| !w.is_empty()).collect();
    }
    words.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    words.dedup();
    words
}

/// A short excerpt around the first place a term occurs, with the term marked 【thus】
/// (plain text, so it is escaped like any other text wherever it is shown).
pub fn snippet(text: &str, terms: &[String], width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let lower: String = text.to_lowercase();
    let hit = terms.iter().filter_map(|t| lower.find(t.as_str()).map(|byte| (lower[..byte].chars().count(), t.chars().count()))).min();
    let Some((at, len)) = hit else {
        return chars.iter().take(width * 2).collect();
    };
    let start = at.saturating_sub(width);
    let end = (at + len + width).min(chars.len());
    let mut s = String::new();
    if start > 0 {
        s.push('…');
    }
    s.extend(&chars[start..at]);
    s.push('【');
    s.extend(&chars[at..at + len]);
    s.push('】');
    s.extend(&chars[at + len..end]);
    if end < chars.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_titles_become_terms() {
        let t = terms("修缮下楣桥李家组水渠");
        assert!(t.contains_key("水渠"), "{t:?}");
        assert!(t.contains_key("修缮"));
        // the pairs catch the place name jieba does not know
        assert!(t.contains_key("楣桥"));
        let t = terms("关于引进优良品种发展林业经济作物的提案");
        assert!(t.contains_key("林业") && t.contains_key("经济作物") && !t.contains_key("关于") && !t.contains_key("的"));
    }

    #[test]
    fn queries_and_snippets() {
        let q = query_terms("七里洞 学校");
        assert!(q.contains(&"学校".to_string()));
        let s = snippet("镇党委经过调研,决定改造七里洞学校的危房,并增加寄宿床位。", &query_terms("学校"), 5);
        assert_eq!(s, "…改造七里洞【学校】的危房,并…");
        assert_eq!(snippet("没有命中", &["水渠".to_string()], 3), "没有命中");
        assert_eq!(query_terms("的"), vec!["的".to_string()]);
    }
}
