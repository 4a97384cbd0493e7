//! What a page shows, as plain data: a page is a title, breadcrumbs, actions and panels;
//! a panel holds facts, figures, a table, bars or a form. One template draws them all, so
//! every page looks and behaves alike, and every table can also be sent as .xlsx.

use crate::auth::Viewer;
use crate::error::WebError;
use crate::i18n::{fill, t as tx};
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use lianxin_domain::access::Permission;
use lianxin_domain::Lang;

/// The text function the templates call as `tr.t("key")`.
#[derive(Clone, Copy)]
pub struct Tr(pub Lang);
impl Tr {
    pub fn t(&self, key: &str) -> &'static str {
        tx(self.0, key)
    }
}

#[derive(Clone)]
pub struct NavItem {
    pub href: String,
    pub label: String,
    pub active: bool,
}

/// What every page needs to know about the viewer.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub tr: Tr,
    pub user_name: Option<String>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    /// The current address, for the language switch to come back to.
    pub here: String,
    pub flash: Option<String>,
}

impl Ctx {
    pub fn new(v: &Viewer, here: &str, section: &str) -> Ctx {
        let lang = v.lang;
        let mut nav = Vec::new();
        if let Some(a) = &v.actor {
            let mut add = |href: &str, key: &str| nav.push(NavItem { href: href.into(), label: tx(lang, key).into(), active: key == section });
            add("/", "home");
            if a.can_somewhere(Permission::ViewOrgs) {
                add("/orgs", "orgs");
            }
            if a.can_somewhere(Permission::ViewPeople) {
                add("/people", "people");
            }
            if a.can_somewhere(Permission::ViewDelegates) {
                add("/bodies", "bodies");
            }
            if a.can_somewhere(Permission::ViewDelegates) || a.grants.iter().any(|g| g.role == lianxin_domain::access::Role::HandlingUnit) {
                add("/proposals", "proposals");
            }
            if a.can_somewhere(Permission::Import) {
                add("/import", "import");
            }
            if a.can_somewhere(Permission::ViewAudit) {
                add("/audit", "audit");
            }
            if a.can_somewhere(Permission::ManageUsers) {
                add("/admin/users", "users");
            }
            add("/me", "me");
            // the count of unread notices rides on the link: "消息 3"
            nav.push(NavItem {
                href: "/notices".into(),
                label: if v.unread > 0 { format!("{} {}", tx(lang, "notices"), v.unread) } else { tx(lang, "notices").into() },
                active: section == "notices",
            });
        }
        Ctx {
            lang,
            tr: Tr(lang),
            user_name: v.actor.as_ref().map(|a| a.display_name.clone()),
            csrf: v.csrf.clone(),
            nav,
            here: here.to_string(),
            flash: None,
        }
    }
    pub fn t(&self, key: &str) -> &'static str {
        tx(self.lang, key)
    }
    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "en",
            Lang::En => "zh-CN",
        }
    }
}

#[derive(Clone, Default)]
pub struct Link {
    pub href: String,
    pub label: String,
}

impl Link {
    pub fn new(href: impl Into<String>, label: impl Into<String>) -> Link {
        Link { href: href.into(), label: label.into() }
    }
}

#[derive(Clone, Default)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    /// The link is an action: drawn as a small form that POSTs with the CSRF token.
    pub post: bool,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell { text: s.into(), href: None, post: false }
    }
    pub fn link(s: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell { text: s.into(), href: Some(href.into()), post: false }
    }
    pub fn action(s: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell { text: s.into(), href: Some(href.into()), post: true }
    }
}

#[derive(Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: String,
}

#[derive(Clone, Default)]
pub struct Stat {
    pub label: String,
    pub value: String,
    pub sub: String,
}

#[derive(Clone, Default)]
pub struct Bar {
    pub label: String,
    pub count: i64,
    pub pct: String,
    /// width of the bar, 0–100
    pub width: i64,
}

#[derive(Clone, Default)]
pub struct Field {
    pub name: String,
    pub label: String,
    /// text, date, number, select, hidden, password, file, textarea, search, checks (ticks of `options`)
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
    pub error: Option<String>,
    pub required: bool,
    pub hint: Option<String>,
}

impl Field {
    pub fn new(kind: &'static str, name: &str, label: impl Into<String>, value: impl Into<String>) -> Field {
        Field { name: name.into(), label: label.into(), kind, value: value.into(), ..Default::default() }
    }
    pub fn select(name: &str, label: impl Into<String>, value: impl Into<String>, options: Vec<(String, String)>) -> Field {
        Field { options, ..Field::new("select", name, label, value) }
    }
    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }
    pub fn hint(mut self, h: impl Into<String>) -> Field {
        self.hint = Some(h.into());
        self
    }
}

#[derive(Clone, Default)]
pub struct Form {
    pub action: String,
    pub method: &'static str,
    pub fields: Vec<Field>,
    pub submit: String,
    pub csrf: String,
    pub multipart: bool,
    /// Asks the user before sending (for actions that cannot be undone).
    pub confirm: Option<String>,
    /// A filter bar rather than an edit form.
    pub inline: bool,
}

impl Form {
    pub fn post(action: impl Into<String>, csrf: &str, submit: impl Into<String>, fields: Vec<Field>) -> Form {
        Form { action: action.into(), method: "post", fields, submit: submit.into(), csrf: csrf.into(), ..Default::default() }
    }
    pub fn filter(action: impl Into<String>, submit: impl Into<String>, fields: Vec<Field>) -> Form {
        Form { action: action.into(), method: "get", fields, submit: submit.into(), inline: true, ..Default::default() }
    }
    /// Puts each validation error next to its field; errors for fields not on the form
    /// are returned to be shown above it.
    pub fn with_errors(mut self, errors: &[lianxin_domain::FieldError], lang: Lang) -> (Form, Vec<String>) {
        let mut rest = Vec::new();
        for e in errors {
            match self.fields.iter_mut().find(|f| f.name == e.field) {
                Some(f) => f.error = Some(e.message(lang).to_string()),
                None => rest.push(e.message(lang).to_string()),
            }
        }
        (self, rest)
    }
}

#[derive(Clone, Default)]
pub struct Pager {
    pub text: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `base` is the list's address with its filters, without `page`.
    pub fn new<T>(lang: Lang, page: &lianxin_store::Page<T>, base: &str) -> Pager {
        let sep = if base.contains('?') { '&' } else { '?' };
        let pages = page.pages();
        Pager {
            text: fill(tx(lang, "page_of"), &[("p", &page.page.to_string()), ("n", &pages.to_string()), ("t", &page.total.to_string())]),
            prev: (page.page > 1).then(|| format!("{base}{sep}page={}", page.page - 1)),
            next: (page.page < pages).then(|| format!("{base}{sep}page={}", page.page + 1)),
        }
    }
}

#[derive(Clone, Default)]
pub struct Panel {
    pub id: String,
    pub title: String,
    pub note: String,
    pub errors: Vec<String>,
    pub facts: Vec<(String, String)>,
    pub stats: Vec<Stat>,
    pub bars: Vec<Bar>,
    pub table: Option<Table>,
    pub pager: Option<Pager>,
    pub form: Option<Form>,
    pub links: Vec<Link>,
    /// Folded until opened (secondary forms).
    pub folded: bool,
}

impl Panel {
    pub fn titled(title: impl Into<String>) -> Panel {
        Panel { title: title.into(), ..Default::default() }
    }
}

#[derive(Template)]
#[template(path = "page.html")]
pub struct Page {
    pub ctx: Ctx,
    pub title: String,
    pub crumbs: Vec<Link>,
    pub actions: Vec<Link>,
    pub panels: Vec<Panel>,
}

impl Page {
    pub fn new(ctx: Ctx, title: impl Into<String>) -> Page {
        Page { ctx, title: title.into(), crumbs: Vec::new(), actions: Vec::new(), panels: Vec::new() }
    }
    pub fn render(&self) -> Response {
        self.render_status(StatusCode::OK)
    }
    pub fn render_status(&self, status: StatusCode) -> Response {
        match Template::render(self) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => WebError::from(e).into_response(),
        }
    }
}

/// An error page in the viewer's language.
pub fn error_page(v: &Viewer, e: WebError) -> Response {
    if matches!(e, WebError::Unauthorized) {
        return axum::response::Redirect::to("/login").into_response();
    }
    if let WebError::Internal(cause) = &e {
        tracing::error!(%cause, "internal error");
    }
    let (title, detail) = e.texts(v.lang);
    let mut p = Page::new(Ctx::new(v, "/", ""), title);
    let mut panel = Panel::default();
    match &e {
        WebError::Invalid(errs) => panel.errors = errs.iter().map(|f| f.message(v.lang).to_string()).collect(),
        _ => panel.note = detail,
    }
    panel.links.push(Link::new("javascript:history.back()", tx(v.lang, "cancel")));
    p.panels.push(panel);
    p.render_status(e.status())
}

/// A bare page for errors raised before the viewer is known.
pub fn plain_page(title: &str, body_html: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body><main class=\"wrap\"><h1>{title}</h1><p>{body_html}</p>\
         <p><a href=\"/\">连心 Lianxin</a></p></main></body></html>"
    ))
}

/// A table as an .xlsx download.
pub fn xlsx_response(filename: &str, sheet: &str, table: &Table) -> Response {
    match crate::excel::write_table(sheet, table) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
                (header::CONTENT_DISPOSITION, content_disposition(filename)),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => WebError::Internal(e).into_response(),
    }
}

/// `attachment` with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987).
pub fn content_disposition(filename: &str) -> String {
    let ascii: String = filename.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
    let mut enc = String::new();
    for b in filename.bytes() {
        if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{enc}")
}

/// Percent-encodes a value for a query string.
pub fn qs(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `(code, label)` options for a coded enum, with an optional leading "all" entry.
pub fn options<T: lianxin_domain::lang::Coded>(lang: Lang, all: Option<&str>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = all.map(|a| vec![(String::new(), a.to_string())]).unwrap_or_default();
    v.extend(T::ALL.iter().map(|x| (x.code().to_string(), x.label().get(lang).to_string())));
    v
}

/// Shows instants (epoch ms) in China Standard Time.
pub fn fmt_ms(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000) + 8 * 3600).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}
