//! A meeting's work besides its votes (issue 5): the agenda with its documents, handed out
//! before the meeting; each group's deliberation, gathered for the presidium; a resolution's
//! life (R-K4) from draft to review; inquiries and interpellations with their answers; and the
//! body's public page of adopted resolutions and published answers.

use super::meetings::{meeting_part, Part};
use super::{form_pairs as pairs, form_value as one, page, see_other};
use crate::auth::Viewer;
use crate::error::{WebError, WebResult};
use crate::i18n::{label, t as tx};
use crate::view::{fmt_ms, options, xlsx_response, Cell, Ctx, Field, Form, Link, Page, Panel, Table};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use lianxin_domain::counting::decision::METHODS;
use lianxin_domain::lang::Coded;
use lianxin_domain::meeting::{AgendaInput, AgendaKind, DeliberationInput, InquiryInput, InquiryKind, InquiryMode, InquiryStatus, ResolutionAction};
use lianxin_store::agenda::{self, AgendaItem};
use lianxin_store::files::Owner;
use lianxin_store::inquiries;
use lianxin_store::meetings::Meeting;
use serde::Deserialize;

/// The agenda panel of the meeting page, with the office's form to add an item.
pub(crate) async fn meeting_panels(state: &AppState, v: &Viewer, m: &Meeting, pt: &Part) -> WebResult<Vec<Panel>> {
    let lang = v.lang;
    let items = agenda::items(&state.store, m).await?;
    let mut ap = Panel::titled(lang.pick("议程与会议文件", "Agenda and documents"));
    ap.table = Some(Table {
        headers: vec![
            "#".into(),
            lang.pick("议程", "Item").into(),
            tx(lang, "kind").into(),
            lang.pick("报告人", "Presented by").into(),
            tx(lang, "status").into(),
        ],
        rows: items
            .iter()
            .map(|i| {
                let status = match (i.kind(), i.distributed_at) {
                    (AgendaKind::DraftResolution, _) => i.status().label().get(lang).to_string(),
                    (_, Some(at)) => format!("{} {}", lang.pick("已分发", "handed out"), fmt_ms(at)),
                    _ => lang.pick("未分发", "not handed out").into(),
                };
                vec![
                    Cell::text(i.position.to_string()),
                    Cell::link(&i.title, format!("/meetings/{}/agenda/{}", m.id, i.id)),
                    Cell::text(i.kind().label().get(lang)),
                    Cell::text(&i.presenter),
                    Cell::text(status),
                ]
            })
            .collect(),
        empty: lang.pick("还没有议程", "No agenda yet").into(),
    });
    ap.links = vec![
        Link::new(format!("/meetings/{}/deliberations", m.id), lang.pick("分组审议意见汇总", "Group deliberation: opinions gathered")),
        Link::new(format!("/meetings/{}/inquiries", m.id), lang.pick("询问与质询", "Inquiries and interpellations")),
    ];
    let mut out = vec![ap];
    if pt.office {
        let mut add = Panel::titled(lang.pick("增加议程", "Add an agenda item"));
        add.folded = true;
        add.form = Some(Form::post(
            format!("/meetings/{}/agenda", m.id),
            &v.csrf,
            tx(lang, "save"),
            vec![
                Field::select("kind", tx(lang, "kind"), "report", options::<AgendaKind>(lang, None)).required(),
                Field::new("text", "title", lang.pick("议程名称", "Title"), "").required(),
                Field::new("text", "presenter", lang.pick("报告人或提出者", "Presented by"), ""),
                Field::new(
                    "textarea",
                    "body",
                    lang.pick("内容摘要或决议草案正文(文件可在议程页上传)", "Summary or the draft's text (files are uploaded on the item's page)"),
                    "",
                ),
            ],
        ));
        out.push(add);
    }
    Ok(out)
}

pub async fn add_item(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let (m, _, pt) = meeting_part(&state, &v, id).await?;
        if !pt.office {
            return Err(WebError::Forbidden);
        }
        let input = AgendaInput {
            kind: one(&f, "kind").into(),
            title: one(&f, "title").into(),
            presenter: one(&f, "presenter").into(),
            body: one(&f, "body").into(),
        };
        let item = agenda::add(&state.store, &m, &input, &v.change(&state)?).await?;
        Ok(see_other(&format!("/meetings/{id}/agenda/{}", item.id)))
    }
    .await;
    page(&v, r)
}

async fn item_part(state: &AppState, v: &Viewer, mid: i64, iid: i64) -> WebResult<(Meeting, AgendaItem, Part)> {
    let (m, _, pt) = meeting_part(state, v, mid).await?;
    let item = agenda::get(&state.store, iid).await?;
    if item.meeting_id != m.id || item.tenant_id != m.tenant_id {
        return Err(WebError::NotFound);
    }
    Ok((m, item, pt))
}

/// An agenda item: its text and documents, handing them out, each group's deliberation, and
/// for a draft resolution the steps of its life.
pub async fn item(State(state): State<AppState>, v: Viewer, Path((mid, iid)): Path<(i64, i64)>) -> Response {
    let r = async {
        let (m, item, pt) = item_part(&state, &v, mid, iid).await?;
        let lang = v.lang;
        let base = format!("/meetings/{mid}/agenda/{iid}");
        let mut p = Page::new(Ctx::new(&v, &base, "bodies"), item.title.clone());
        p.crumbs.push(Link::new(format!("/meetings/{mid}"), &m.title));
        let mut head = Panel::default();
        head.facts = vec![
            (tx(lang, "kind").into(), item.kind().label().get(lang).into()),
            (lang.pick("报告人", "Presented by").into(), item.presenter.clone()),
            (lang.pick("分发", "Handed out").into(), item.distributed_at.map(fmt_ms).unwrap_or_else(|| lang.pick("未分发", "not yet").into())),
        ];
        if item.kind() == AgendaKind::DraftResolution {
            head.facts.push((tx(lang, "status").into(), item.status().label().get(lang).into()));
        }
        if let Some(vid) = item.vote_id {
            head.links.push(Link::new(format!("/votes/{vid}"), lang.pick("表决情况", "The vote")));
        }
        head.note = item.body.clone();
        p.panels.push(head);
        if let Some(t) = &item.adopted_text {
            p.panels.push(Panel { title: lang.pick("通过的决议", "As adopted").into(), note: t.clone(), ..Default::default() });
        }
        for (t, text) in [(lang.pick("实施情况报告", "Implementation report"), &item.report), (lang.pick("评议", "Review"), &item.review)] {
            if let Some(text) = text {
                p.panels.push(Panel { title: t.into(), note: text.clone(), ..Default::default() });
            }
        }
        let files = lianxin_store::files::list(&state.store.pool, item.tenant_id, Owner::AgendaItem, item.id).await?;
        p.panels.push(super::files::panel(lang, &v.csrf, &files, &format!("{base}/files"), pt.office));
        if pt.office {
            let mut f = Form::post(format!("{base}/distribute"), &v.csrf, lang.pick("分发给参会人员", "Hand out to the participants"), vec![]);
            f.confirm = Some(
                lang.pick("将通知本次会议的全体参会人员阅读,确定吗?", "Every participant of the meeting will be told to read it. Go ahead?").into(),
            );
            p.panels.push(Panel { form: Some(f), ..Default::default() });
        }
        // each group's deliberation of this item
        let records: Vec<_> = agenda::deliberations(&state.store, &m).await?.into_iter().filter(|d| d.item_id == item.id).collect();
        let mut dp = Panel::titled(lang.pick("分组审议", "Group deliberation"));
        dp.table = Some(Table {
            headers: vec![
                lang.pick("审议组", "Group").into(),
                lang.pick("意见和建议", "Opinions").into(),
                lang.pick("记录", "Minutes").into(),
                tx(lang, "actor").into(),
            ],
            rows: records
                .iter()
                .map(|d| vec![Cell::text(&d.group_name), Cell::text(d.opinions.join(";")), Cell::text(&d.minutes), Cell::text(&d.recorded_by)])
                .collect(),
            empty: lang.pick("还没有审议记录", "No record yet").into(),
        });
        p.panels.push(dp);
        if pt.office {
            let groups = lianxin_store::congress::groups(&state.store, &lianxin_store::congress::term(&state.store, m.term_id).await?).await?;
            let mut rec = Panel::titled(lang.pick("登记审议意见", "Record a group's deliberation"));
            rec.folded = true;
            let mut g = Field::new("text", "group", lang.pick("审议组(同组再次登记即更正)", "Group (recording it again corrects it)"), "").required();
            if !groups.is_empty() {
                g = g.hint(format!(
                    "{}{}",
                    lang.pick("本届代表小组:", "This term's groups: "),
                    groups.iter().map(|x| x.name.as_str()).collect::<Vec<_>>().join("、")
                ));
            }
            rec.form = Some(Form::post(
                format!("{base}/deliberation"),
                &v.csrf,
                tx(lang, "save"),
                vec![
                    g,
                    Field::new("textarea", "opinions", lang.pick("意见和建议(每行一条)", "Opinions, one per line"), ""),
                    Field::new("textarea", "minutes", lang.pick("审议记录", "Minutes"), ""),
                ],
            ));
            p.panels.push(rec);
        }
        if item.kind() == AgendaKind::DraftResolution && pt.office {
            for action in item.status().actions() {
                let mut fields = Vec::new();
                match action {
                    ResolutionAction::Publish => fields
                        .push(Field::new("textarea", "text", lang.pick("通过的决议全文", "The resolution as adopted"), item.body.clone()).required()),
                    ResolutionAction::Report => {
                        fields.push(Field::new("textarea", "text", lang.pick("实施情况", "How it was implemented"), "").required())
                    }
                    ResolutionAction::Review => fields.push(Field::new("textarea", "text", lang.pick("评议意见", "The review"), "").required()),
                    ResolutionAction::PutToVote => fields.push(Field::select(
                        "method",
                        lang.pick("表决规则", "Counting rule"),
                        "party_branch_resolution",
                        METHODS.iter().map(|m| (m.to_string(), m.to_string())).collect(),
                    )),
                    _ => {}
                }
                let mut f = Form::post(format!("{base}/step"), &v.csrf, action.label().get(lang), fields);
                f.fields.push(Field::new("hidden", "action", "", action.code()));
                p.panels.push(Panel { form: Some(f), ..Default::default() });
            }
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

pub async fn upload(State(state): State<AppState>, v: Viewer, Path((mid, iid)): Path<(i64, i64)>, mp: axum::extract::Multipart) -> Response {
    let r = async {
        let (_, item, pt) = item_part(&state, &v, mid, iid).await?;
        let (name, bytes) = super::files::read_upload(&v, mp).await?;
        if !pt.office {
            return Err(WebError::Forbidden);
        }
        agenda::attach(&state.store, &item, lianxin_store::files::check(&name, bytes)?, &v.change(&state)?).await?;
        Ok(see_other(&format!("/meetings/{mid}/agenda/{iid}")))
    }
    .await;
    page(&v, r)
}

pub async fn download(State(state): State<AppState>, v: Viewer, Path((mid, iid, fid)): Path<(i64, i64, i64)>) -> Response {
    let r = async {
        let (_, item, _) = item_part(&state, &v, mid, iid).await?;
        Ok(super::files::download(lianxin_store::files::data(&state.store.pool, item.tenant_id, Owner::AgendaItem, item.id, fid).await?))
    }
    .await;
    page(&v, r)
}

pub async fn distribute(State(state): State<AppState>, v: Viewer, Path((mid, iid)): Path<(i64, i64)>, body: Bytes) -> Response {
    let r = async {
        v.check_csrf(one(&pairs(&body), "_csrf"))?;
        let (m, item, pt) = item_part(&state, &v, mid, iid).await?;
        if !pt.office {
            return Err(WebError::Forbidden);
        }
        agenda::distribute(&state.store, &m, &item, &v.change(&state)?).await?;
        Ok(see_other(&format!("/meetings/{mid}/agenda/{iid}")))
    }
    .await;
    page(&v, r)
}

pub async fn deliberate(State(state): State<AppState>, v: Viewer, Path((mid, iid)): Path<(i64, i64)>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let (_, item, pt) = item_part(&state, &v, mid, iid).await?;
        if !pt.office {
            return Err(WebError::Forbidden);
        }
        let input = DeliberationInput { group: one(&f, "group").into(), minutes: one(&f, "minutes").into(), opinions: one(&f, "opinions").into() };
        agenda::record_deliberation(&state.store, &item, &input, &v.change(&state)?).await?;
        Ok(see_other(&format!("/meetings/{mid}/agenda/{iid}")))
    }
    .await;
    page(&v, r)
}

pub async fn step(State(state): State<AppState>, v: Viewer, Path((mid, iid)): Path<(i64, i64)>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let (m, item, pt) = item_part(&state, &v, mid, iid).await?;
        if !pt.office {
            return Err(WebError::Forbidden);
        }
        let action = ResolutionAction::from_code(one(&f, "action")).ok_or_else(|| WebError::BadRequest("action".into()))?;
        let after = agenda::step(&state.store, &m, &item, action, one(&f, "text"), one(&f, "method"), &v.change(&state)?).await?;
        // putting it to the vote makes the vote: go there to open it
        Ok(match (action, after.vote_id) {
            (ResolutionAction::PutToVote, Some(vid)) => see_other(&format!("/votes/{vid}")),
            _ => see_other(&format!("/meetings/{mid}/agenda/{iid}")),
        })
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct FormatQuery {
    format: Option<String>,
}

/// Every group's opinions on every item, for the presidium; exportable.
pub async fn deliberations(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<FormatQuery>) -> Response {
    let r = async {
        let (m, _, _) = meeting_part(&state, &v, id).await?;
        let lang = v.lang;
        let items = agenda::items(&state.store, &m).await?;
        let records = agenda::deliberations(&state.store, &m).await?;
        let mut rows = Vec::new();
        for i in &items {
            for d in records.iter().filter(|d| d.item_id == i.id) {
                let opinions = if d.opinions.is_empty() { vec![String::new()] } else { d.opinions.clone() };
                for o in opinions {
                    rows.push(vec![Cell::text(&i.title), Cell::text(&d.group_name), Cell::text(o)]);
                }
            }
        }
        let table = Table {
            headers: vec![lang.pick("议程", "Item").into(), lang.pick("审议组", "Group").into(), lang.pick("意见和建议", "Opinion").into()],
            rows,
            empty: lang.pick("还没有审议记录", "No record yet").into(),
        };
        if q.format.as_deref() == Some("xlsx") {
            return Ok(xlsx_response(&format!("{}-分组审议意见.xlsx", m.title), "分组审议意见", &table));
        }
        let mut p = Page::new(
            Ctx::new(&v, &format!("/meetings/{id}/deliberations"), "bodies"),
            format!("{} · {}", m.title, lang.pick("分组审议意见汇总", "Opinions gathered")),
        );
        p.crumbs.push(Link::new(format!("/meetings/{id}"), &m.title));
        p.actions.push(Link::new(format!("/meetings/{id}/deliberations?format=xlsx"), tx(lang, "export")));
        let groups: std::collections::BTreeSet<&str> = records.iter().map(|d| d.group_name.as_str()).collect();
        let mut head = Panel::default();
        head.note = format!(
            "{} {} {}、{} {} {}",
            lang.pick("共", ""),
            groups.len(),
            lang.pick("个审议组", "groups"),
            records.iter().map(|d| d.opinions.len()).sum::<usize>(),
            lang.pick("条意见和建议", "opinions"),
            lang.pick("", "in all")
        );
        head.table = Some(table);
        p.panels.push(head);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

/// The meeting's inquiries: a delegate puts one; the office records the answers and publishes them.
pub async fn inquiries(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let (m, _, pt) = meeting_part(&state, &v, id).await?;
        let lang = v.lang;
        let list = inquiries::list(&state.store, &m).await?;
        let mut p = Page::new(
            Ctx::new(&v, &format!("/meetings/{id}/inquiries"), "bodies"),
            format!("{} · {}", m.title, lang.pick("询问与质询", "Inquiries")),
        );
        p.crumbs.push(Link::new(format!("/meetings/{id}"), &m.title));
        let mut lp = Panel::default();
        lp.table = Some(Table {
            headers: vec![
                tx(lang, "kind").into(),
                lang.pick("提问代表", "Asked by").into(),
                lang.pick("询问对象", "Addressed to").into(),
                lang.pick("问题", "Question").into(),
                tx(lang, "status").into(),
                lang.pick("答复", "Answer").into(),
                String::new(),
            ],
            rows: list
                .iter()
                .map(|i| {
                    vec![
                        Cell::text(format!("{}({})", label::<InquiryKind>(lang, &i.kind), label::<InquiryMode>(lang, &i.mode))),
                        Cell::text(&i.asker),
                        Cell::text(&i.addressee),
                        Cell::text(&i.question),
                        Cell::text(i.status().label().get(lang)),
                        Cell::text(i.answer.as_ref().map(|a| format!("{a}({})", i.answered_by.clone().unwrap_or_default())).unwrap_or_default()),
                        if pt.office && i.status() == InquiryStatus::Answered {
                            Cell::action(lang.pick("公开", "Publish"), format!("/inquiries/{}/publish", i.id))
                        } else {
                            Cell::text("")
                        },
                    ]
                })
                .collect(),
            empty: lang.pick("还没有询问", "No inquiries yet").into(),
        });
        p.panels.push(lp);
        if pt.office {
            for i in list.iter().filter(|i| i.status() != InquiryStatus::Published) {
                let mut ap = Panel::titled(format!("{}:{}", lang.pick("答复", "Answer"), i.question.chars().take(24).collect::<String>()));
                ap.folded = true;
                ap.form = Some(Form::post(
                    format!("/inquiries/{}/answer", i.id),
                    &v.csrf,
                    tx(lang, "save"),
                    vec![
                        Field::new(
                            "textarea",
                            "answer",
                            lang.pick("答复内容(现场答复的记录或书面答复)", "The answer (as given on the spot, or in writing)"),
                            i.answer.clone().unwrap_or_default(),
                        )
                        .required(),
                        Field::new(
                            "text",
                            "answered_by",
                            lang.pick("答复人", "Answered by"),
                            i.answered_by.clone().unwrap_or_else(|| i.addressee.clone()),
                        ),
                    ],
                ));
                p.panels.push(ap);
            }
        }
        if pt.delegate.is_some() || pt.office {
            let mut ask = Panel::titled(lang.pick("提出询问或质询", "Put an inquiry"));
            let mut fields = vec![
                Field::select("kind", tx(lang, "kind"), "inquiry", options::<InquiryKind>(lang, None)).required(),
                Field::select("mode", lang.pick("方式", "How"), "on_site", options::<InquiryMode>(lang, None)).required(),
                Field::new("text", "addressee", lang.pick("询问对象(委员或部门)", "Addressed to (a member or a department)"), "").required(),
                Field::new("textarea", "question", lang.pick("问题", "Question"), "").required(),
            ];
            if pt.office {
                let att = lianxin_store::meetings::attendees(&state.store, &m).await?;
                fields.insert(
                    0,
                    Field::select(
                        "delegate",
                        lang.pick("提问代表", "Asked by"),
                        "",
                        att.iter().map(|a| (a.delegate_id.to_string(), a.name.clone())).collect(),
                    )
                    .required(),
                );
            }
            ask.folded = !list.is_empty();
            ask.form = Some(Form::post(format!("/meetings/{id}/inquiries"), &v.csrf, tx(lang, "save"), fields));
            p.panels.push(ask);
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

pub async fn ask(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let (m, _, pt) = meeting_part(&state, &v, id).await?;
        // the office writes down a question put on the spot; a delegate puts their own
        let delegate = match (pt.office, pt.delegate) {
            (true, _) if !one(&f, "delegate").is_empty() => one(&f, "delegate").parse().map_err(|_| WebError::BadRequest("delegate".into()))?,
            (_, Some(me)) => me,
            _ => return Err(WebError::Forbidden),
        };
        let input = InquiryInput {
            kind: one(&f, "kind").into(),
            mode: one(&f, "mode").into(),
            addressee: one(&f, "addressee").into(),
            question: one(&f, "question").into(),
        };
        inquiries::ask(&state.store, &m, delegate, &input, &v.change(&state)?).await?;
        Ok(see_other(&format!("/meetings/{id}/inquiries")))
    }
    .await;
    page(&v, r)
}

async fn inquiry_office(state: &AppState, v: &Viewer, id: i64) -> WebResult<inquiries::Inquiry> {
    let i = inquiries::get(&state.store, id).await?;
    let (_, _, pt) = meeting_part(state, v, i.meeting_id).await?;
    if !pt.office {
        return Err(WebError::Forbidden);
    }
    Ok(i)
}

pub async fn answer(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let i = inquiry_office(&state, &v, id).await?;
        inquiries::answer(&state.store, &i, one(&f, "answer"), one(&f, "answered_by"), &v.change(&state)?).await?;
        Ok(see_other(&format!("/meetings/{}/inquiries", i.meeting_id)))
    }
    .await;
    page(&v, r)
}

pub async fn publish(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        v.check_csrf(one(&pairs(&body), "_csrf"))?;
        let i = inquiry_office(&state, &v, id).await?;
        inquiries::publish(&state.store, &i, &v.change(&state)?).await?;
        Ok(see_other(&format!("/meetings/{}/inquiries", i.meeting_id)))
    }
    .await;
    page(&v, r)
}

/// The body's public page (no sign-in): resolutions as adopted and published, and the
/// answers to inquiries once published (seed 004 §4).
pub async fn public_page(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let body = lianxin_store::congress::body(&state.store, id).await?;
        let lang = v.lang;
        let mut p = Page::new(
            Ctx::new(&v, &format!("/public/bodies/{id}/meetings"), ""),
            format!("{} · {}", body.name, lang.pick("会议决议与询问答复", "Resolutions and answers")),
        );
        let resolutions = agenda::published(&state.store, body.tenant_id, body.id).await?;
        let mut rp = Panel::titled(lang.pick("通过的决议", "Resolutions adopted"));
        rp.table = Some(Table {
            headers: vec![
                lang.pick("会议", "Meeting").into(),
                lang.pick("决议", "Resolution").into(),
                lang.pick("全文", "Text").into(),
                lang.pick("公布", "Published").into(),
            ],
            rows: resolutions
                .iter()
                .map(|(mt, i)| {
                    vec![
                        Cell::text(mt),
                        Cell::text(&i.title),
                        Cell::text(i.adopted_text.clone().unwrap_or_default()),
                        Cell::text(i.published_at.map(fmt_ms).unwrap_or_default()),
                    ]
                })
                .collect(),
            empty: tx(lang, "none").into(),
        });
        p.panels.push(rp);
        let answers = inquiries::published(&state.store, body.tenant_id, body.id).await?;
        let mut ip = Panel::titled(lang.pick("询问与答复", "Inquiries and answers"));
        ip.table = Some(Table {
            headers: vec![
                lang.pick("会议", "Meeting").into(),
                lang.pick("提问代表", "Asked by").into(),
                lang.pick("询问对象", "Addressed to").into(),
                lang.pick("问题", "Question").into(),
                lang.pick("答复", "Answer").into(),
            ],
            rows: answers
                .iter()
                .map(|(mt, i)| {
                    vec![
                        Cell::text(mt),
                        Cell::text(&i.asker),
                        Cell::text(&i.addressee),
                        Cell::text(&i.question),
                        Cell::text(format!("{}({})", i.answer.clone().unwrap_or_default(), i.answered_by.clone().unwrap_or_default())),
                    ]
                })
                .collect(),
            empty: tx(lang, "none").into(),
        });
        p.panels.push(ip);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}
