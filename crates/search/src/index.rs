//! The search index: one tantivy document per proposal, its terms (see [`crate::terms`])
//! given to tantivy as they are, ranked with tantivy's BM25. The index is derived: the
//! database holds every proposal and a log of changes, and the index records in each commit
//! how far into that log it has read, so it can always be caught up or rebuilt.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STRING};
use tantivy::tokenizer::{PreTokenizedString, Token};
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// What one proposal contributes to the index.
#[derive(Debug, Clone)]
pub struct Doc {
    pub tenant: i64,
    pub scope: i64,
    pub id: i64,
    /// Terms with their weights (counts, title terms counted more).
    pub terms: BTreeMap<String, u32>,
}

/// A change to apply: a new or changed document, or a removal.
#[derive(Debug, Clone)]
pub enum Change {
    Put(Doc),
    Remove { tenant: i64, id: i64 },
}

#[derive(Debug)]
pub struct IndexError(pub String);

impl std::error::Error for IndexError {}

impl std::fmt::Display for IndexError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "search index: {}", self.0)
    }
}

impl From<tantivy::TantivyError> for IndexError {
    fn from(e: tantivy::TantivyError) -> Self {
        IndexError(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, IndexError>;

#[derive(Clone, Copy)]
struct Fields {
    /// "tenant:id", the key a change replaces or removes by.
    key: Field,
    /// "tenant:scope" (a body), the filter every search applies.
    scope: Field,
    /// The proposal id, read back from the hits.
    id: Field,
    text: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let key = b.add_text_field("key", STRING);
    let scope = b.add_text_field("scope", STRING);
    let id = b.add_u64_field("id", FAST);
    let text = b.add_text_field(
        "text",
        TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer("raw").set_index_option(IndexRecordOption::WithFreqs)),
    );
    (b.build(), Fields { key, scope, id, text })
}

/// An index in a folder, or in memory (rebuilt at each start).
pub struct Index {
    index: tantivy::Index,
    reader: IndexReader,
    fields: Fields,
    /// Created empty just now and not yet built from the database.
    fresh: std::sync::atomic::AtomicBool,
}

/// Memory for a writer's buffers: small, as changes come a few at a time (bulk builds pass more).
const WRITER_MEMORY: usize = 15_000_000;

impl Index {
    /// Opens the index in `dir` (created if missing; an index that cannot be read, say from an
    /// older schema, is thrown away and started again, as it holds nothing of its own), or in
    /// memory when `dir` is `None`.
    pub fn open(dir: Option<&Path>) -> Result<Index> {
        let (schema, fields) = schema();
        let (index, fresh) = match dir {
            None => (tantivy::Index::create_in_ram(schema), true),
            Some(dir) => {
                let meta = dir.join("meta.json");
                let opened = if meta.exists() { tantivy::Index::open_in_dir(dir).ok().filter(|i| i.schema() == schema) } else { None };
                match opened {
                    Some(i) => (i, false),
                    None => {
                        if dir.exists() {
                            std::fs::remove_dir_all(dir).map_err(|e| IndexError(format!("{}: {e}", dir.display())))?;
                        }
                        std::fs::create_dir_all(dir).map_err(|e| IndexError(format!("{}: {e}", dir.display())))?;
                        (tantivy::Index::create_in_dir(dir, schema)?, true)
                    }
                }
            }
        };
        // reloads on our own commits explicitly, and on another process's within a moment
        let reader = index.reader_builder().reload_policy(ReloadPolicy::OnCommitWithDelay).try_into()?;
        Ok(Index { index, reader, fields, fresh: fresh.into() })
    }

    /// Whether the index was created empty by this process and has not been built since.
    pub fn is_fresh(&self) -> bool {
        self.fresh.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn mark_built(&self) {
        self.fresh.store(false, std::sync::atomic::Ordering::SeqCst)
    }

    /// What the last commit recorded about its source (the store's position in its change
    /// log), empty if nothing.
    pub fn applied(&self) -> Result<String> {
        Ok(self.index.load_metas()?.payload.unwrap_or_default())
    }

    /// A writer for a batch of changes; `threads` and `memory` are for bulk builds.
    pub fn writer(&self, threads: usize, memory: usize) -> Result<Writer> {
        let w = self.index.writer_with_num_threads(threads.max(1), memory.max(WRITER_MEMORY * threads.max(1)))?;
        Ok(Writer { w, fields: self.fields })
    }

    /// Applies changes and records `applied` in the same commit.
    pub fn apply(&self, changes: Vec<Change>, applied: &str) -> Result<()> {
        let w = self.writer(1, WRITER_MEMORY)?;
        for c in changes {
            match c {
                Change::Put(d) => w.put(d)?,
                Change::Remove { tenant, id } => w.remove(tenant, id),
            }
        }
        w.commit(applied)?;
        self.reload()
    }

    /// Empties the index (before a rebuild); what it recorded is emptied too.
    pub fn clear(&self) -> Result<()> {
        let w = self.writer(1, WRITER_MEMORY)?;
        w.w.delete_all_documents()?;
        w.commit("")?;
        self.reload()
    }

    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// How many documents hold each term (for picking the distinctive terms of a text; a
    /// replaced document counts until its segment is merged, which is close enough for that).
    pub fn doc_freqs(&self, terms: &[String]) -> Result<Vec<u64>> {
        let s = self.reader.searcher();
        terms.iter().map(|t| Ok(s.doc_freq(&Term::from_field_text(self.fields.text, t))?)).collect()
    }

    /// The best `limit` documents of a scope for any of `terms`, best first, ties by id
    /// (newer first); `exclude` leaves one document out (a proposal is not like itself).
    pub fn search(&self, tenant: i64, scope: i64, terms: &[String], exclude: Option<i64>, limit: usize) -> Result<Vec<(i64, f32)>> {
        if terms.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let f = self.fields;
        let any: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .map(|t| (Occur::Should, Box::new(TermQuery::new(Term::from_field_text(f.text, t), IndexRecordOption::WithFreqs)) as Box<dyn Query>))
            .collect();
        let in_scope = TermQuery::new(Term::from_field_text(f.scope, &format!("{tenant}:{scope}")), IndexRecordOption::Basic);
        let mut all: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(any))), (Occur::Must, Box::new(ConstScoreQuery::new(Box::new(in_scope), 0.0)))];
        if let Some(x) = exclude {
            all.push((Occur::MustNot, Box::new(TermQuery::new(Term::from_field_text(f.key, &format!("{tenant}:{x}")), IndexRecordOption::Basic))));
        }
        let searcher = self.reader.searcher();
        let top = searcher.search(&BooleanQuery::new(all), &TopDocs::with_limit(limit).order_by_score())?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let ids = searcher.segment_reader(addr.segment_ord).fast_fields().u64("id")?;
            if let Some(id) = ids.first(addr.doc_id) {
                hits.push((id as i64, score));
            }
        }
        hits.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal).then(b.0.cmp(&a.0)));
        Ok(hits)
    }
}

/// A batch of changes, committed at once.
pub struct Writer {
    w: IndexWriter<TantivyDocument>,
    fields: Fields,
}

impl Writer {
    /// Adds a document, replacing the one with the same key.
    pub fn put(&self, d: Doc) -> Result<()> {
        self.remove(d.tenant, d.id);
        self.add(d)
    }

    /// Adds a document known to be new (a rebuild after `clear`): no key lookup.
    /// Takes `&self`, so several threads can segment and add at once.
    pub fn add(&self, d: Doc) -> Result<()> {
        let f = self.fields;
        // the terms go in as tokens, each as often as its weight: tantivy counts them and the
        // field's length is the document's length in terms, as BM25 wants
        let mut tokens = Vec::with_capacity(d.terms.values().sum::<u32>() as usize);
        for (t, n) in &d.terms {
            for _ in 0..*n {
                tokens.push(Token { position: tokens.len(), text: t.clone(), ..Token::default() });
            }
        }
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, format!("{}:{}", d.tenant, d.id));
        doc.add_text(f.scope, format!("{}:{}", d.tenant, d.scope));
        doc.add_u64(f.id, d.id as u64);
        doc.add_pre_tokenized_text(f.text, PreTokenizedString { text: String::new(), tokens });
        self.w.add_document(doc)?;
        Ok(())
    }

    pub fn remove(&self, tenant: i64, id: i64) {
        self.w.delete_term(Term::from_field_text(self.fields.key, &format!("{tenant}:{id}")));
    }

    /// Commits everything added, recording how far into the change log the index now is.
    pub fn commit(mut self, applied: &str) -> Result<()> {
        let mut c = self.w.prepare_commit()?;
        c.set_payload(applied);
        c.commit()?;
        Ok(())
    }
}

/// Where the index of a SQLite database lives: a folder beside the file.
pub fn dir_beside(db_file: &Path) -> PathBuf {
    let mut name = db_file.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".search");
    db_file.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(tenant: i64, scope: i64, id: i64, text: &str) -> Change {
        Change::Put(Doc { tenant, scope, id, terms: crate::terms(text) })
    }

    #[test]
    fn finds_ranks_replaces_and_removes() {
        let ix = Index::open(None).unwrap();
        assert!(ix.is_fresh());
        ix.apply(
            vec![
                doc(1, 7, 100, "修缮下楣桥李家组水渠，解决灌溉问题"),
                doc(1, 7, 101, "改造七里洞学校校舍"),
                doc(1, 8, 102, "修缮水渠"),
                doc(2, 7, 103, "修缮水渠"),
            ],
            "5",
        )
        .unwrap();
        assert_eq!(ix.applied().unwrap(), "5");
        assert_eq!(ix.doc_freqs(&["水渠".to_string(), "没有".to_string()]).unwrap(), vec![3, 0]);
        let q = crate::query_terms("水渠");
        // only the scope asked for, of the tenant asked for
        let hits = ix.search(1, 7, &q, None, 10).unwrap();
        assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), vec![100]);
        assert!(ix.search(1, 7, &q, Some(100), 10).unwrap().is_empty());
        // a changed document replaces the old one, a removed one is gone
        ix.apply(vec![doc(1, 7, 100, "改造学校"), Change::Remove { tenant: 1, id: 101 }], "6").unwrap();
        assert!(ix.search(1, 7, &q, None, 10).unwrap().is_empty());
        assert_eq!(ix.search(1, 7, &crate::query_terms("学校"), None, 10).unwrap().iter().map(|h| h.0).collect::<Vec<_>>(), vec![100]);
        assert_eq!(ix.num_docs(), 3);
        ix.clear().unwrap();
        assert_eq!((ix.num_docs(), ix.applied().unwrap()), (0, String::new()));
    }

    #[test]
    fn a_folder_index_survives_reopening_and_a_broken_one_starts_again() {
        let dir = std::env::temp_dir().join(format!("lianxin-index-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let ix = Index::open(Some(&dir)).unwrap();
            assert!(ix.is_fresh());
            ix.apply(vec![doc(1, 1, 1, "村道硬化")], "3").unwrap();
        }
        let ix = Index::open(Some(&dir)).unwrap();
        assert!(!ix.is_fresh());
        assert_eq!(ix.applied().unwrap(), "3");
        assert_eq!(ix.search(1, 1, &crate::query_terms("村道"), None, 5).unwrap().len(), 1);
        drop(ix);
        std::fs::write(dir.join("meta.json"), "not json").unwrap();
        let ix = Index::open(Some(&dir)).unwrap();
        assert!(ix.is_fresh());
        assert_eq!(ix.num_docs(), 0);
        drop(ix);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn more_weight_ranks_higher() {
        let ix = Index::open(None).unwrap();
        let mut heavy = crate::terms("路灯");
        for n in heavy.values_mut() {
            *n *= 3;
        }
        ix.apply(
            vec![
                doc(1, 1, 1, "村里安装路灯，方便群众夜间出行，修缮道路，整治环境卫生"),
                Change::Put(Doc { tenant: 1, scope: 1, id: 2, terms: heavy }),
            ],
            "1",
        )
        .unwrap();
        let hits = ix.search(1, 1, &crate::query_terms("路灯"), None, 5).unwrap();
        assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), vec![2, 1]);
    }
}
