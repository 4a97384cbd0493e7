//! Meetings and votes on the web (issue 5): the office plans a meeting, checks delegates in
//! (or a delegate checks in with the door's QR code), adds votes and opens and closes them; a
//! delegate votes on a phone and keeps a receipt; everyone with a part sees the result and the
//! published ballots after the close; the hall screen shows attendance and progress live.

use super::congress::pick_term;
use super::proposals::my_delegate;
use super::{form_pairs as pairs, form_value as one, page, see_other};
use crate::auth::Viewer;
use crate::error::{WebError, WebResult};
use crate::hall::screen_state;
use crate::i18n::t as tx;
use crate::view::{Cell, Ctx, Field, Form, Link, Page, Panel, Stat, Table};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use lianxin_domain::access::Permission;
use lianxin_domain::ballot::{Choices, Mark, Pass, Question, VoteKind, VoteMode, VoteStatus};
use lianxin_domain::counting::appraisal::{AppraisalConfig, Scale};
use lianxin_domain::counting::decision::METHODS;
use lianxin_domain::counting::fraction::Fraction;
use lianxin_domain::lang::Coded;
use lianxin_domain::Lang;
use lianxin_store::congress::{self, Body};
use lianxin_store::meetings::{self, Cast, Meeting, Vote};
use serde::Deserialize;

/// The viewer's part: the office runs the meeting; a delegate of the term takes part.
pub(crate) struct Part {
    pub office: bool,
    pub delegate: Option<i64>,
}

pub(crate) async fn part(state: &AppState, v: &Viewer, body: &Body, term_id: Option<i64>) -> WebResult<Part> {
    let a = v.user()?;
    let office = a.can(Permission::EditDelegates, &body.org_path);
    let delegate = my_delegate(state, a, body).await?.filter(|(t, _)| term_id.is_none_or(|id| id == t.id)).map(|d| d.1);
    if !office && delegate.is_none() && !a.can(Permission::ViewReports, &body.org_path) {
        return Err(WebError::Forbidden);
    }
    Ok(Part { office, delegate })
}

pub(crate) async fn meeting_part(state: &AppState, v: &Viewer, id: i64) -> WebResult<(Meeting, Body, Part)> {
    let m = meetings::get(&state.store, id).await?;
    let body = congress::body(&state.store, m.body_id).await?;
    let p = part(state, v, &body, Some(m.term_id)).await?;
    Ok((m, body, p))
}

fn kind_label(lang: Lang, kind: &str) -> String {
    meetings::KINDS.iter().find(|k| k.0 == kind).map(|k| lang.pick(k.1, k.2).to_string()).unwrap_or_else(|| kind.to_string())
}

pub async fn list(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        let pt = part(&state, &v, &body, None).await?;
        let lang = v.lang;
        let all = meetings::list(&state.store, &body).await?;
        let mut p = Page::new(
            Ctx::new(&v, &format!("/bodies/{id}/meetings"), "bodies"),
            format!("{} · {}", body.name, lang.pick("会议与表决", "Meetings and votes")),
        );
        p.crumbs.push(Link::new(format!("/bodies/{id}"), &body.name));
        p.actions.push(Link::new(format!("/bodies/{id}/appraisals"), lang.pick("民主评议记录", "Appraisal record")));
        let mut panel = Panel::default();
        panel.table = Some(Table {
            headers: vec![
                lang.pick("日期", "Date").into(),
                tx(lang, "kind").into(),
                lang.pick("会议", "Meeting").into(),
                lang.pick("地点", "Place").into(),
            ],
            rows: all
                .iter()
                .map(|m| {
                    vec![
                        Cell::text(&m.on_date),
                        Cell::text(kind_label(lang, &m.kind)),
                        Cell::link(&m.title, format!("/meetings/{}", m.id)),
                        Cell::text(&m.place),
                    ]
                })
                .collect(),
            empty: lang.pick("还没有会议", "No meetings yet").into(),
        });
        p.panels.push(panel);
        if pt.office {
            let mut add = Panel::titled(lang.pick("安排会议", "Plan a meeting"));
            add.form = Some(Form::post(
                format!("/bodies/{id}/meetings"),
                &v.csrf,
                tx(lang, "save"),
                vec![
                    Field::select(
                        "kind",
                        tx(lang, "kind"),
                        "annual",
                        meetings::KINDS.iter().map(|k| (k.0.to_string(), lang.pick(k.1, k.2).to_string())).collect(),
                    )
                    .required(),
                    Field::new("text", "title", lang.pick("会议名称", "Title"), "").required(),
                    Field::new("date", "on", lang.pick("日期", "Date"), lianxin_domain::error::fmt_date(state.today())).required(),
                    Field::new("text", "place", lang.pick("地点", "Place"), ""),
                ],
            ));
            p.panels.push(add);
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

pub async fn create(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let b = congress::body(&state.store, id).await?;
        if !part(&state, &v, &b, None).await?.office {
            return Err(WebError::Forbidden);
        }
        let term = pick_term(&state, &b, None).await?;
        let input = meetings::MeetingInput {
            kind: one(&f, "kind").into(),
            title: one(&f, "title").into(),
            on: one(&f, "on").into(),
            place: one(&f, "place").into(),
        };
        let m = meetings::create(&state.store, &b, &term, &input, &v.change(&state)?).await?;
        Ok(see_other(&format!("/meetings/{}", m.id)))
    }
    .await;
    page(&v, r)
}

fn status_label(lang: Lang, s: &str) -> &'static str {
    match s {
        "present" => lang.pick("已签到", "Present"),
        "leave" => lang.pick("请假", "On leave"),
        _ => lang.pick("未到", "Not yet"),
    }
}

fn role_label(lang: Lang, s: &str) -> &'static str {
    match s {
        "voting" => lang.pick("表决", "Voting"),
        "non_voting" => lang.pick("列席", "Non-voting"),
        _ => lang.pick("旁听", "Observer"),
    }
}

/// The meeting: attendance and quorum, the door's check-in code, and its votes.
pub async fn show(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let (m, body, pt) = meeting_part(&state, &v, id).await?;
        let lang = v.lang;
        let att = meetings::attendance(&state.store, &m).await?;
        let mut p = Page::new(Ctx::new(&v, &format!("/meetings/{id}"), "bodies"), m.title.clone());
        p.crumbs
            .push(Link::new(format!("/bodies/{}/meetings", body.id), format!("{} · {}", body.name, lang.pick("会议与表决", "Meetings and votes"))));
        p.actions.push(Link::new(format!("/meetings/{id}/screen"), lang.pick("大屏", "Hall screen")));
        let mut head = Panel::default();
        head.facts = vec![
            (tx(lang, "kind").into(), kind_label(lang, &m.kind)),
            (lang.pick("日期", "Date").into(), m.on_date.clone()),
            (lang.pick("地点", "Place").into(), m.place.clone()),
        ];
        head.stats = vec![
            Stat { label: lang.pick("应到(有表决权)", "Expected (voting)").into(), value: att.expected.to_string(), sub: String::new() },
            Stat {
                label: lang.pick("实到", "Present").into(),
                value: att.present.to_string(),
                sub: format!("{} {}", lang.pick("请假", "on leave"), att.leave),
            },
            Stat { label: lang.pick("列席", "Non-voting present").into(), value: att.non_voting_present.to_string(), sub: String::new() },
        ];
        p.panels.push(head);
        let list = meetings::attendees(&state.store, &m).await?;
        if let Some(me) = pt.delegate {
            if list.iter().any(|a| a.delegate_id == me && a.status != "present") {
                p.panels.push(Panel {
                    note: lang.pick("请在会场门口扫码签到。", "Check in by scanning the code at the door.").into(),
                    ..Default::default()
                });
            }
        }
        if pt.office {
            p.actions.push(Link::new(format!("/meetings/{id}/door"), lang.pick("打印签到二维码", "Print the check-in code")));
            p.actions
                .push(Link::new(format!("/public/bodies/{}/meetings", body.id), lang.pick("公开的决议与答复", "Public resolutions and answers")));
        }
        let mut ap = Panel::titled(lang.pick("出席情况", "Attendance"));
        ap.table = Some(Table {
            headers: vec![
                tx(lang, "name").into(),
                lang.pick("身份", "Role").into(),
                tx(lang, "status").into(),
                lang.pick("事由", "Reason").into(),
                String::new(),
            ],
            rows: list
                .iter()
                .map(|a| {
                    vec![
                        Cell::text(&a.name),
                        Cell::text(role_label(lang, &a.role)),
                        Cell::text(status_label(lang, &a.status)),
                        Cell::text(&a.note),
                        if pt.office && a.status != "present" {
                            Cell::action(lang.pick("签到", "Check in"), format!("/meetings/{id}/attendance/{}/present", a.delegate_id))
                        } else {
                            Cell::text("")
                        },
                    ]
                })
                .collect(),
            empty: tx(lang, "none").into(),
        });
        p.panels.push(ap);
        if pt.office {
            let mut role = Panel::titled(lang.pick("出席身份(表决、列席、旁听)", "Role (voting, non-voting, observer)"));
            role.folded = true;
            role.form = Some(Form::post(
                format!("/meetings/{id}/role"),
                &v.csrf,
                tx(lang, "save"),
                vec![
                    Field::select(
                        "delegate",
                        lang.pick("代表", "Delegate"),
                        "",
                        list.iter().map(|a| (a.delegate_id.to_string(), a.name.clone())).collect(),
                    )
                    .required(),
                    Field::select(
                        "role",
                        lang.pick("身份", "Role"),
                        "non_voting",
                        ["voting", "non_voting", "observer"].iter().map(|r| (r.to_string(), role_label(lang, r).to_string())).collect(),
                    ),
                ],
            ));
            p.panels.push(role);
            let mut leave = Panel::titled(lang.pick("请假登记", "Leave of absence"));
            leave.folded = true;
            leave.form = Some(Form::post(
                format!("/meetings/{id}/leave"),
                &v.csrf,
                tx(lang, "save"),
                vec![
                    Field::select(
                        "delegate",
                        lang.pick("代表", "Delegate"),
                        "",
                        list.iter().map(|a| (a.delegate_id.to_string(), a.name.clone())).collect(),
                    )
                    .required(),
                    Field::new("text", "note", lang.pick("事由", "Reason"), "").required(),
                ],
            ));
            p.panels.push(leave);
        }
        p.panels.extend(super::agenda::meeting_panels(&state, &v, &m, &pt).await?);
        let votes = meetings::votes(&state.store, &m).await?;
        let mut vp = Panel::titled(lang.pick("表决事项", "Votes"));
        vp.table = Some(Table {
            headers: vec![lang.pick("事项", "Item").into(), tx(lang, "status").into(), lang.pick("方式", "Mode").into()],
            rows: votes
                .iter()
                .map(|x| {
                    vec![
                        Cell::link(&x.title, format!("/votes/{}", x.id)),
                        Cell::text(x.status().label().get(lang)),
                        Cell::text(if x.paper {
                            lang.pick("纸质", "Paper")
                        } else if x.secret {
                            lang.pick("无记名", "Secret")
                        } else {
                            lang.pick("记名", "Named")
                        }),
                    ]
                })
                .collect(),
            empty: tx(lang, "none").into(),
        });
        p.panels.push(vp);
        if pt.office {
            let mut add = Panel::titled(lang.pick("增加表决事项", "Add a vote"));
            add.folded = true;
            add.form = Some(Form::post(
                format!("/meetings/{id}/votes"),
                &v.csrf,
                tx(lang, "save"),
                vec![
                    Field::new("text", "title", lang.pick("事项", "Title"), "").required(),
                    Field::select(
                        "kind",
                        tx(lang, "kind"),
                        "motion",
                        // an election's rounds are made from its own page (/elections)
                        crate::view::options::<VoteKind>(lang, None).into_iter().filter(|(k, _)| k != "election").collect(),
                    )
                    .required(),
                    Field::new(
                        "textarea",
                        "items",
                        lang.pick("分项或候选项(每行一项;单项决议可不填)", "Items or options, one per line (blank for a single motion)"),
                        "",
                    ),
                    Field::new("number", "max_choices", lang.pick("限选几项(选择题)", "Choose at most (a choice)"), "1"),
                    Field::select(
                        "method",
                        lang.pick("表决规则", "Counting rule"),
                        "party_branch_resolution",
                        METHODS.iter().map(|m| (m.to_string(), m.to_string())).collect(),
                    ),
                    Field::select(
                        "scale",
                        lang.pick("测评等次", "Appraisal grades"),
                        "cadre",
                        vec![
                            (
                                "cadre".into(),
                                lang.pick("优秀/称职/基本称职/不称职(干部、委员、部门)", "优秀/称职/基本称职/不称职 (cadres, members, departments)")
                                    .into(),
                            ),
                            (
                                "member".into(),
                                lang.pick("优秀/合格/基本合格/不合格(党员民主评议)", "优秀/合格/基本合格/不合格 (party members)").into(),
                            ),
                        ],
                    ),
                    Field::new(
                        "text",
                        "flag",
                        lang.pick("测评:不称职超过此比例时提示(如 1/3,可空)", "Appraisal: flag when 不称职 is over (e.g. 1/3; optional)"),
                        "",
                    ),
                    Field::new(
                        "text",
                        "verdict",
                        lang.pick("测评:不称职超过此比例时评为不称职(如 1/2,可空)", "Appraisal: judge 不称职 when over (e.g. 1/2; optional)"),
                        "",
                    ),
                    Field::select("mode", lang.pick("方式", "Mode"), "secret", crate::view::options::<VoteMode>(lang, None)),
                ],
            ));
            p.panels.push(add);
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

pub async fn mark_present(State(state): State<AppState>, v: Viewer, Path((id, delegate)): Path<(i64, i64)>, body: Bytes) -> Response {
    let r = async {
        v.check_csrf(one(&pairs(&body), "_csrf"))?;
        let (m, _, pt) = meeting_part(&state, &v, id).await?;
        if !pt.office {
            return Err(WebError::Forbidden);
        }
        meetings::set_attendance(&state.store, &m, delegate, "present", None, "", &v.change(&state)?).await?;
        state.hall.poke(m.id);
        Ok(see_other(&format!("/meetings/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn leave(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let (m, _, pt) = meeting_part(&state, &v, id).await?;
        if !pt.office {
            return Err(WebError::Forbidden);
        }
        let d: i64 = one(&f, "delegate").parse().map_err(|_| WebError::BadRequest("delegate".into()))?;
        meetings::set_attendance(&state.store, &m, d, "leave", None, one(&f, "note"), &v.change(&state)?).await?;
        state.hall.poke(m.id);
        Ok(see_other(&format!("/meetings/{id}")))
    }
    .await;
    page(&v, r)
}

/// Sets an attendee's role, keeping whether they are present.
pub async fn set_role(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let (m, _, pt) = meeting_part(&state, &v, id).await?;
        if !pt.office {
            return Err(WebError::Forbidden);
        }
        let d: i64 = one(&f, "delegate").parse().map_err(|_| WebError::BadRequest("delegate".into()))?;
        let now = meetings::attendees(&state.store, &m).await?.into_iter().find(|a| a.delegate_id == d).ok_or(WebError::NotFound)?;
        meetings::set_attendance(&state.store, &m, d, &now.status, Some(one(&f, "role")), &now.note, &v.change(&state)?).await?;
        state.hall.poke(m.id);
        Ok(see_other(&format!("/meetings/{id}")))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    t: Option<String>,
}

/// The door's QR target: a delegate signed in on their phone confirms they are here.
pub async fn checkin_form(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<TokenQuery>) -> Response {
    let r = async {
        let (m, _, pt) = meeting_part(&state, &v, id).await?;
        let lang = v.lang;
        if pt.delegate.is_none() {
            return Err(WebError::Forbidden);
        }
        let mut p = Page::new(Ctx::new(&v, &format!("/meetings/{id}/checkin"), "bodies"), m.title.clone());
        let mut panel = Panel::titled(lang.pick("签到", "Check in"));
        panel.form = Some(Form::post(
            format!("/meetings/{id}/checkin"),
            &v.csrf,
            lang.pick("我已到会,签到", "I am here: check in"),
            vec![Field::new("hidden", "t", "", q.t.unwrap_or_default())],
        ));
        p.panels.push(panel);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

pub async fn checkin(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let (m, _, pt) = meeting_part(&state, &v, id).await?;
        let Some(me) = pt.delegate else { return Err(WebError::Forbidden) };
        // the code at the door shows one is there; without it only the clerk can check one in
        if !crate::auth::constant_time_eq(one(&f, "t").as_bytes(), m.checkin_token.as_bytes()) {
            return Err(WebError::BadRequest(v.lang.pick("签到码不对,请扫会场门口的二维码", "wrong code: scan the code at the door").into()));
        }
        meetings::set_attendance(&state.store, &m, me, "present", None, "", &v.change(&state)?).await?;
        state.hall.poke(m.id);
        Ok(see_other(&format!("/meetings/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn create_vote(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let (m, _, pt) = meeting_part(&state, &v, id).await?;
        if !pt.office {
            return Err(WebError::Forbidden);
        }
        let (title, q) = Question::validate(one(&f, "title"), one(&f, "kind"), one(&f, "items"), one(&f, "max_choices").trim().parse().ok())
            .map_err(WebError::from)?;
        if q.kind == VoteKind::Election {
            return Err(WebError::BadRequest(v.lang.pick("选举请在“选举”页面中进行", "hold elections from the elections page").into()));
        }
        let method = if q.kind == VoteKind::Appraisal {
            // the shares are settings with no default (rules.md R-L2, R-L3)
            let share = |name: &str| -> WebResult<Option<Fraction>> {
                let raw = one(&f, name).trim();
                if raw.is_empty() {
                    return Ok(None);
                }
                Fraction::parse(raw).map(Some).map_err(|_| {
                    WebError::from(lianxin_domain::DomainError::invalid(lianxin_domain::FieldError::new(
                        name,
                        "bad_fraction",
                        "比例请写成分数,如 1/3",
                        "write the share as a fraction, e.g. 1/3",
                    )))
                })
            };
            let scale = if one(&f, "scale") == "member" { Scale::Member } else { Scale::Cadre };
            let config = AppraisalConfig {
                flag_if_buchengzhi_over: share("flag")?,
                verdict_buchengzhi_if_over: share("verdict")?,
                scale,
                ..Default::default()
            };
            serde_json::to_string(&config).unwrap_or_default()
        } else {
            one(&f, "method").to_string()
        };
        // the form's old field (secret = 1/0) is still read, for bookmarked forms and scripts
        let mode = VoteMode::from_code(one(&f, "mode")).unwrap_or(if one(&f, "secret") == "0" { VoteMode::Named } else { VoteMode::Secret });
        let x = meetings::create_vote(&state.store, &m, &title, &q, &method, mode, &v.change(&state)?).await?;
        Ok(see_other(&format!("/votes/{}", x.id)))
    }
    .await;
    page(&v, r)
}

async fn vote_part(state: &AppState, v: &Viewer, id: i64) -> WebResult<(Vote, Meeting, Body, Part)> {
    let x = meetings::vote(&state.store, id).await?;
    let (m, b, p) = meeting_part(state, v, x.meeting_id).await?;
    Ok((x, m, b, p))
}

fn result_table(lang: Lang, x: &Vote) -> Option<Table> {
    let r = x.result.as_ref()?;
    let items = r["items"].as_array()?;
    Some(Table {
        headers: match x.question.kind {
            VoteKind::Election => vec![
                lang.pick("候选人", "Candidate").into(),
                Mark::Yes.label().get(lang).into(),
                lang.pick("不赞成", "No").into(),
                Mark::Abstain.label().get(lang).into(),
                lang.pick("结果", "Result").into(),
            ],
            VoteKind::Motion => vec![
                lang.pick("事项", "Item").into(),
                Mark::Yes.label().get(lang).into(),
                Mark::No.label().get(lang).into(),
                Mark::Abstain.label().get(lang).into(),
                lang.pick("结果", "Result").into(),
            ],
            VoteKind::Choice => vec![lang.pick("候选项", "Option").into(), lang.pick("得票", "Votes").into()],
            VoteKind::Appraisal => std::iter::once(lang.pick("测评对象", "Appraised").to_string())
                .chain(x.grades().iter().map(|g| g.to_string()))
                .chain([lang.pick("称职及以上", "Competent or better").to_string()])
                .collect(),
        },
        rows: items
            .iter()
            .map(|i| {
                let n = |k: &str| Cell::text(i[k].as_u64().unwrap_or(0).to_string());
                match x.question.kind {
                    VoteKind::Election => {
                        let name = i["item"].as_str().unwrap_or("");
                        let elected = r["election"]["elected"].as_array().is_some_and(|e| e.iter().any(|n| n == name));
                        let verdict = if elected { lang.pick("当选", "Elected") } else { "" };
                        vec![Cell::text(name), n("yes"), n("no"), n("abstain"), Cell::text(verdict)]
                    }
                    VoteKind::Motion => {
                        let d = &i["decision"];
                        let verdict = match (d["quorum_met"].as_bool(), d["passed"].as_bool()) {
                            (Some(false), _) => lang.pick("不足法定人数", "No quorum"),
                            (_, Some(true)) => lang.pick("通过", "Passed"),
                            _ => lang.pick("未通过", "Not passed"),
                        };
                        let why = d[if lang == Lang::Zh { "reason_zh" } else { "reason" }].as_str().unwrap_or("").to_string();
                        vec![Cell::text(i["item"].as_str().unwrap_or("")), n("yes"), n("no"), n("abstain"), Cell::text(format!("{verdict} — {why}"))]
                    }
                    VoteKind::Choice => vec![Cell::text(i["item"].as_str().unwrap_or("")), n("yes")],
                    VoteKind::Appraisal => {
                        let a = &i["appraisal"];
                        std::iter::once(Cell::text(i["item"].as_str().unwrap_or("")))
                            .chain(
                                x.grades()
                                    .iter()
                                    .map(|g| Cell::text(format!("{}({}%)", a["counts"][g].as_u64().unwrap_or(0), a["shares_percent"][g]))),
                            )
                            .chain([Cell::text(format!(
                                "{}%{}{}",
                                a["chengzhi_or_better_percent"],
                                if a["flagged"] == true { lang.pick(" · 提示关注", " · flagged") } else { "" },
                                if a["verdict_buchengzhi"] == true { lang.pick(" · 评为不称职", " · judged 不称职") } else { "" }
                            ))])
                            .collect()
                    }
                }
            })
            .collect(),
        empty: String::new(),
    })
}

/// A vote: the ballot for a delegate who may vote (large targets, a confirm step), progress for
/// the office, the result and the published ballots after the close.
pub async fn show_vote(State(state): State<AppState>, v: Viewer, headers: axum::http::HeaderMap, Path(id): Path<i64>) -> Response {
    let r = async {
        let (x, m, _, pt) = vote_part(&state, &v, id).await?;
        let lang = v.lang;
        let mut p = Page::new(Ctx::new(&v, &format!("/votes/{id}"), "bodies"), x.title.clone());
        p.crumbs.push(Link::new(format!("/meetings/{}", m.id), &m.title));
        let (voted, of) = meetings::progress(&state.store, &x).await?;
        let mut head = Panel::default();
        head.stats = vec![
            Stat {
                label: tx(lang, "status").into(),
                value: x.status().label().get(lang).into(),
                sub: if x.secret { lang.pick("无记名投票", "Secret ballot").into() } else { lang.pick("记名表决", "Named vote").into() },
            },
            Stat { label: lang.pick("已投", "Voted").into(), value: format!("{voted} / {of}"), sub: String::new() },
        ];
        p.panels.push(head);
        match x.status() {
            VoteStatus::Draft if pt.office => {
                p.panels.push(Panel {
                    form: Some(Form::post(format!("/votes/{id}/open"), &v.csrf, lang.pick("开始投票", "Open the vote"), vec![])),
                    ..Default::default()
                });
            }
            VoteStatus::Open if x.paper => {
                p.panels.extend(paper_panels(&state, &v, &x, pt.office).await?);
                if pt.office {
                    let mut f =
                        Form::post(format!("/votes/{id}/close"), &v.csrf, lang.pick("按一致的录入计票", "Count by the agreed entries"), vec![]);
                    f.confirm = Some(lang.pick("计票后不能再录入,确定吗?", "No entry can be changed after the count. Count now?").into());
                    p.panels.push(Panel { form: Some(f), ..Default::default() });
                }
            }
            VoteStatus::Open => {
                if let Some(me) = pt.delegate {
                    if meetings::has_voted(&state.store, &x, me).await? {
                        p.panels.push(Panel {
                            note: lang.pick("您的选票已投入票箱。", "Your ballot is in the box.").into(), ..Default::default()
                        });
                    } else {
                        let pass = match crate::auth::credential(&headers) {
                            Some(c) => issue_pass(&state, m.id, me, c).await?,
                            None => String::new(),
                        };
                        p.panels.push(ballot_panel(lang, &v.csrf, &x, &pass));
                    }
                }
                if pt.office {
                    let mut f = Form::post(format!("/votes/{id}/close"), &v.csrf, lang.pick("结束投票并计票", "Close and count"), vec![]);
                    f.confirm = Some(lang.pick("结束后不能再投票,确定吗?", "No ballot can be cast after the close. Close now?").into());
                    p.panels.push(Panel { form: Some(f), ..Default::default() });
                }
            }
            VoteStatus::Closed => {
                let mut rp = Panel::titled(lang.pick("表决结果", "Result"));
                rp.table = result_table(lang, &x);
                rp.links.push(Link::new(format!("/votes/{id}/ballots"), lang.pick("公布的选票与核对回执", "Published ballots and receipt check")));
                p.panels.push(rp);
            }
            _ => {}
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

/// A paper vote's tellers' entries: who entered, whether the two agree, and the office's
/// form to enter (a teller sees their own entry, not the other's, until both are in).
async fn paper_panels(state: &AppState, v: &Viewer, x: &Vote, office: bool) -> WebResult<Vec<Panel>> {
    let lang = v.lang;
    let slots = meetings::paper_entries(&state.store, x).await?;
    let me = v.user()?.user_id;
    let mut sp = Panel::titled(lang.pick("纸质选票:两位计票人分别录入", "Paper ballots: two tellers enter them apart"));
    let both = slots.len() == 2;
    sp.table = Some(Table {
        headers: vec![
            lang.pick("录入", "Entry").into(),
            lang.pick("计票人", "Teller").into(),
            lang.pick("发出/收回/废票", "Issued / returned / void").into(),
            lang.pick("各类选票", "Piles").into(),
        ],
        rows: slots
            .iter()
            .map(|s| {
                let shown = both || s.teller_id == Some(me);
                vec![
                    Cell::text(if s.slot == "a" { lang.pick("第一遍", "First") } else { lang.pick("第二遍", "Second") }),
                    Cell::text(&s.teller_name),
                    Cell::text(if shown { format!("{} / {} / {}", s.entry.issued, s.entry.returned, s.entry.void) } else { "—".into() }),
                    Cell::text(if shown {
                        s.entry.patterns.iter().map(|(c, n)| format!("{} × {n}", describe(lang, x, c))).collect::<Vec<_>>().join(";")
                    } else {
                        lang.pick("(另一位计票人录入后显示)", "(shown once both are in)").into()
                    }),
                ]
            })
            .collect(),
        empty: lang.pick("还没有录入", "Nothing entered yet").into(),
    });
    if both {
        let diff = slots[0].entry.differences(&slots[1].entry);
        sp.note = if diff.is_empty() {
            lang.pick("两次录入一致,可以计票。", "The two entries agree: the vote can be counted.").into()
        } else {
            format!("{}{}", lang.pick("两次录入不一致,请核对更正:", "The entries differ; check and correct: "), diff.join(";"))
        };
    }
    let mut out = vec![sp];
    if office {
        let mine = slots.iter().find(|s| s.teller_id == Some(me)).map(|s| &s.entry);
        let example = match x.question.kind {
            VoteKind::Motion => x.question.items.iter().map(|_| "赞成").collect::<Vec<_>>().join(" ") + " 30",
            VoteKind::Choice => format!("{} 15", x.question.items.iter().take(x.question.max_choices).cloned().collect::<Vec<_>>().join(" ")),
            VoteKind::Appraisal => x.question.items.iter().map(|_| "称职").collect::<Vec<_>>().join(" ") + " 8",
            VoteKind::Election => {
                x.question
                    .items
                    .iter()
                    .enumerate()
                    .map(|(i, _)| if i < x.question.max_choices { "赞成" } else { "反对" })
                    .collect::<Vec<_>>()
                    .join(" ")
                    + " 20"
            }
        };
        let piles =
            mine.map(|e| e.patterns.iter().map(|(c, n)| format!("{} {n}", pile_marks(x, c))).collect::<Vec<_>>().join("\n")).unwrap_or_default();
        let n = |e: Option<&lianxin_domain::meeting::PaperEntry>, f: fn(&lianxin_domain::meeting::PaperEntry) -> u64| {
            e.map(|e| f(e).to_string()).unwrap_or_default()
        };
        let mut ep = Panel::titled(lang.pick("录入我清点的结果", "Enter my count"));
        ep.form = Some(Form::post(
            format!("/votes/{}/paper", x.id),
            &v.csrf,
            tx(lang, "save"),
            vec![
                Field::new("number", "issued", lang.pick("发出选票", "Ballots handed out"), n(mine, |e| e.issued)).required(),
                Field::new("number", "returned", lang.pick("收回选票", "Ballots returned"), n(mine, |e| e.returned)).required(),
                Field::new("number", "void", lang.pick("废票", "Void"), n(mine, |e| e.void)).required(),
                Field::new("textarea", "piles", lang.pick("有效票分类及张数(每行一类)", "Valid ballots by pile, one pile a line"), piles)
                    .required()
                    .hint(format!("{}{example}", lang.pick("例:", "e.g. "))),
            ],
        ));
        out.push(ep);
    }
    Ok(out)
}

/// A pile's marks as a teller types them (see `parse_piles`): 赞成 反对, 张三 王五, 优秀 称职.
fn pile_marks(x: &Vote, canonical: &str) -> String {
    match Choices::parse(x.question.kind, canonical) {
        Some(Choices::Marks(m)) => m.iter().map(|k| k.label().zh).collect::<Vec<_>>().join(" "),
        Some(Choices::Chosen(c)) if c.is_empty() => "空白".into(),
        Some(Choices::Chosen(c)) => c.iter().filter_map(|i| x.question.items.get(*i).cloned()).collect::<Vec<_>>().join(" "),
        Some(Choices::Grades(g)) => g.iter().map(|k| x.grades().get(usize::from(*k)).copied().unwrap_or("?")).collect::<Vec<_>>().join(" "),
        Some(Choices::Ballot { marks, write_ins }) => marks.iter().map(|k| k.label().zh.to_string()).chain(write_ins).collect::<Vec<_>>().join(" "),
        None => canonical.to_string(),
    }
}

/// A teller enters their count of a paper vote.
pub async fn enter_paper(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let (x, _, _, pt) = vote_part(&state, &v, id).await?;
        if !pt.office {
            return Err(WebError::Forbidden);
        }
        let num = |name: &str| -> WebResult<u64> {
            one(&f, name).trim().parse().map_err(|_| {
                WebError::from(lianxin_domain::DomainError::invalid(lianxin_domain::FieldError::new(
                    name,
                    "number",
                    "请填写张数(整数)",
                    "enter a whole number",
                )))
            })
        };
        let entry = lianxin_domain::meeting::PaperEntry {
            issued: num("issued")?,
            returned: num("returned")?,
            void: num("void")?,
            patterns: lianxin_domain::meeting::parse_piles(&x.question, one(&f, "piles"))?,
        };
        let me = v.user()?.user_id;
        meetings::enter_paper(&state.store, &x, me, &entry, &v.change(&state)?).await?;
        Ok(see_other(&format!("/votes/{id}")))
    }
    .await;
    page(&v, r)
}

/// A ballot pass for this delegate at this meeting, bound to the credential they signed in
/// with (see `lianxin_domain::ballot::Pass`).
pub(crate) async fn issue_pass(state: &AppState, meeting: i64, delegate: i64, credential: &str) -> WebResult<String> {
    let key = state.hall.pass_key(state).await?;
    let pass = Pass { meeting_id: meeting, delegate_id: delegate, expires_ms: state.now_ms() + crate::hall::PASS_TTL_MS };
    Ok(pass.encode(key, credential))
}

/// The ballot form. Without script it posts like any form; with script (`app.js`) it sends
/// the marks with the pass to `/api/v1/votes/{id}/cast`, trying again on a lost connection,
/// and shows the receipt in place.
fn ballot_panel(lang: Lang, csrf: &str, x: &Vote, pass: &str) -> Panel {
    let mut fields = vec![Field::new("hidden", "kind", "", x.question.kind.code())];
    if !pass.is_empty() {
        fields.push(Field::new("hidden", "pass", "", pass));
    }
    match x.question.kind {
        VoteKind::Motion => {
            for (i, item) in x.question.items.iter().enumerate() {
                let mut f = Field::select(
                    &format!("m{i}"),
                    item,
                    "",
                    Mark::ALL.iter().map(|m| (m.code().to_string(), m.label().get(lang).to_string())).collect(),
                )
                .required();
                f.kind = "radios";
                fields.push(f);
            }
        }
        VoteKind::Appraisal => {
            for (i, target) in x.question.items.iter().enumerate() {
                let mut f =
                    Field::select(&format!("g{i}"), target, "", x.grades().iter().enumerate().map(|(k, g)| (k.to_string(), g.to_string())).collect())
                        .required();
                f.kind = "radios";
                fields.push(f);
            }
        }
        VoteKind::Choice => {
            let mut f = Field::new("checks", "chosen", format!("{}({})", lang.pick("最多选", "choose at most"), x.question.max_choices), "");
            f.options = x.question.items.iter().enumerate().map(|(i, o)| (i.to_string(), o.clone())).collect();
            fields.push(f);
        }
        // R-C1: yes, no or abstain on each candidate; names written in with a yes (另选他人),
        // at most the seats in all (R-C2)
        VoteKind::Election => {
            let marks: Vec<(String, String)> = [Mark::Yes, Mark::No, Mark::Abstain]
                .iter()
                .map(|m| (m.code().to_string(), if *m == Mark::No { lang.pick("不赞成", "No").to_string() } else { m.label().get(lang).to_string() }))
                .collect();
            for (i, c) in x.question.items.iter().enumerate() {
                let mut f = Field::select(&format!("m{i}"), c, "", marks.clone()).required();
                f.kind = "radios";
                fields.push(f);
            }
            for i in 0..x.question.max_choices {
                let label = if i == 0 { lang.pick("另选他人(可不填)", "Write in another person (optional)") } else { "" };
                fields.push(Field::new("text", &format!("w{i}"), label, "").hint(if i == 0 {
                    format!(
                        "{} {} {}",
                        lang.pick("赞成与另选合计不超过应选", "yes and written-in together at most the"),
                        x.question.max_choices,
                        lang.pick("名,否则选票无效", "seats, or the ballot is void")
                    )
                } else {
                    String::new()
                }));
            }
        }
    }
    let mut f = Form::post(format!("/votes/{}/cast", x.id), csrf, lang.pick("投票", "Cast my ballot"), fields);
    f.confirm = Some(lang.pick("确认投出这张选票?投出后不能更改。", "Cast this ballot? It cannot be changed afterwards.").into());
    Panel { title: lang.pick("选票", "Ballot").into(), form: Some(f), ..Default::default() }
}

pub async fn open(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    step(state, v, id, body, true).await
}

pub async fn close(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    step(state, v, id, body, false).await
}

async fn step(state: AppState, v: Viewer, id: i64, body: Bytes, opening: bool) -> Response {
    let r = async {
        v.check_csrf(one(&pairs(&body), "_csrf"))?;
        let (x, _, _, pt) = vote_part(&state, &v, id).await?;
        if !pt.office {
            return Err(WebError::Forbidden);
        }
        if opening {
            meetings::open_vote(&state.store, &x, &v.change(&state)?).await?;
        } else {
            meetings::close_vote(&state.store, &x, &v.change(&state)?).await?;
        }
        state.hall.poke(x.meeting_id);
        Ok(see_other(&format!("/votes/{id}")))
    }
    .await;
    page(&v, r)
}

/// Casts the viewer's ballot. A repeated submit (a flaky connection) makes no second ballot:
/// it answers that the ballot is already in.
pub async fn cast(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let (x, m, _, pt) = vote_part(&state, &v, id).await?;
        let Some(me) = pt.delegate else { return Err(WebError::Forbidden) };
        let lang = v.lang;
        let choices = match x.question.kind {
            VoteKind::Motion => Choices::Marks(
                (0..x.question.items.len())
                    .map(|i| Mark::from_code(one(&f, &format!("m{i}"))))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| WebError::BadRequest(lang.pick("请对每一项作出选择", "mark every item").into()))?,
            ),
            VoteKind::Choice => Choices::Chosen(f.iter().filter(|(k, _)| k == "chosen").filter_map(|(_, v)| v.parse().ok()).collect()),
            VoteKind::Appraisal => Choices::Grades(
                (0..x.question.items.len())
                    .map(|i| one(&f, &format!("g{i}")).parse().ok())
                    .collect::<Option<Vec<u8>>>()
                    .ok_or_else(|| WebError::BadRequest(lang.pick("请对每一位测评对象选择等次", "grade everyone appraised").into()))?,
            ),
            VoteKind::Election => Choices::Ballot {
                marks: (0..x.question.items.len())
                    .map(|i| Mark::from_code(one(&f, &format!("m{i}"))))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| WebError::BadRequest(lang.pick("请对每一位候选人作出选择", "mark every candidate").into()))?,
                write_ins: (0..x.question.max_choices).map(|i| one(&f, &format!("w{i}")).trim().to_string()).filter(|w| !w.is_empty()).collect(),
            },
        };
        let out = meetings::cast(&state.store, &x, me, &choices, &v.change(&state)?).await?;
        state.hall.poke(m.id);
        let mut p = Page::new(Ctx::new(&v, &format!("/votes/{id}"), "bodies"), x.title.clone());
        p.crumbs.push(Link::new(format!("/meetings/{}", m.id), &m.title));
        let mut panel = Panel::default();
        match out {
            Cast::Receipt(code) => {
                panel.title = lang.pick("投票成功", "Ballot cast").into();
                panel.note = lang
                    .pick(
                        "请记下回执码。表决结束后,可在公布的选票中用它找到自己的选票;回执码不会再显示。",
                        "Keep this receipt. After the close it finds your ballot in the published list; it is not shown again.",
                    )
                    .into();
                panel.facts = vec![(lang.pick("回执码", "Receipt").into(), code)];
            }
            Cast::AlreadyIn => {
                panel.title = lang.pick("您已投过票", "Already voted").into();
                panel.note = lang.pick("您的选票已在票箱中,未重复计入。", "Your ballot is already in the box; nothing was added.").into();
            }
        }
        p.panels.push(panel);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct ReceiptQuery {
    receipt: Option<String>,
}

/// After the close: every ballot as stored (fingerprint, choices), and a receipt check.
pub async fn ballots(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<ReceiptQuery>) -> Response {
    let r = async {
        let (x, _, _, _) = vote_part(&state, &v, id).await?;
        let lang = v.lang;
        let list = meetings::published(&state.store, &x).await?;
        let mut p = Page::new(
            Ctx::new(&v, &format!("/votes/{id}/ballots"), "bodies"),
            format!("{} · {}", x.title, lang.pick("公布的选票", "Published ballots")),
        );
        p.crumbs.push(Link::new(format!("/votes/{id}"), &x.title));
        let mut check = Panel::titled(lang.pick("核对回执", "Check a receipt"));
        check.form = Some(Form::filter(
            format!("/votes/{id}/ballots"),
            lang.pick("核对", "Check"),
            vec![Field::new("text", "receipt", lang.pick("回执码", "Receipt"), q.receipt.clone().unwrap_or_default())],
        ));
        if let Some(rc) = q.receipt.as_deref().filter(|s| !s.trim().is_empty()) {
            check.note = match meetings::find_receipt(&state.store, &x, rc).await? {
                Some(c) => format!("{} {}", lang.pick("找到您的选票:", "Your ballot is in the box:"), describe(lang, &x, &c)),
                None => lang.pick("没有与此回执对应的选票。", "No ballot matches this receipt.").into(),
            };
        }
        p.panels.push(check);
        let mut panel = Panel::titled(format!("{} {}", list.len(), lang.pick("张选票", "ballots")));
        panel.table = Some(Table {
            headers: vec![lang.pick("指纹", "Fingerprint").into(), lang.pick("选择", "Choices").into()],
            rows: list.iter().map(|(fp, c, _)| vec![Cell::text(fp), Cell::text(describe(lang, &x, c))]).collect(),
            empty: tx(lang, "none").into(),
        });
        p.panels.push(panel);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

fn describe(lang: Lang, x: &Vote, canonical: &str) -> String {
    match Choices::parse(x.question.kind, canonical) {
        Some(Choices::Marks(m)) => m.iter().map(|k| k.label().get(lang)).collect::<Vec<_>>().join(" / "),
        Some(Choices::Chosen(c)) => c.iter().filter_map(|i| x.question.items.get(*i).cloned()).collect::<Vec<_>>().join("、"),
        Some(Choices::Grades(g)) => x
            .question
            .items
            .iter()
            .zip(g)
            .map(|(t, k)| format!("{t}:{}", x.grades().get(usize::from(k)).copied().unwrap_or("?")))
            .collect::<Vec<_>>()
            .join(" / "),
        Some(Choices::Ballot { marks, write_ins }) => x
            .question
            .items
            .iter()
            .zip(marks)
            .map(|(c, m)| format!("{c}:{}", m.label().get(lang)))
            .chain(write_ins.iter().map(|w| format!("{}{w}", lang.pick("另选:", "written in: "))))
            .collect::<Vec<_>>()
            .join(" / "),
        None => canonical.to_string(),
    }
}

pub async fn screen_json(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let (m, _, _) = meeting_part(&state, &v, id).await?;
        Ok(axum::Json(screen_state(&state, &m).await?).into_response())
    }
    .await;
    page(&v, r)
}

/// Live updates for the screen (server-sent events): the meeting's state as it changes (one
/// refresher per meeting feeds every screen, see `hall.rs`), for at most four hours; a closed
/// page stops it.
pub async fn screen_events(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let r = async {
        let (m, _, _) = meeting_part(&state, &v, id).await?;
        let rx = state.hall.watch(&state, &m).await?;
        let until = tokio::time::Instant::now() + std::time::Duration::from_secs(4 * 3600);
        let stream = futures_util::stream::unfold((rx, true), move |(mut rx, first)| async move {
            if !first && tokio::time::timeout_at(until, rx.changed()).await.map_or(true, |r| r.is_err()) {
                return None;
            }
            let now = rx.borrow_and_update().clone();
            Some((Ok::<Event, std::convert::Infallible>(Event::default().data(&*now)), (rx, false)))
        });
        Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
    }
    .await;
    page(&v, r)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The door's sheet: the meeting's name and the QR code delegates scan to check in.
pub async fn door(State(state): State<AppState>, v: Viewer, headers: axum::http::HeaderMap, Path(id): Path<i64>) -> Response {
    let r = async {
        let (m, _, pt) = meeting_part(&state, &v, id).await?;
        if !pt.office {
            return Err(WebError::Forbidden);
        }
        let url = format!("{}/meetings/{id}/checkin?t={}", super::cards::origin(&headers, state.config.secure_cookies), m.checkin_token);
        let html = format!(
            r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{t}</title><style>body{{text-align:center;font-family:sans-serif}}svg{{width:70vmin;height:70vmin}}</style></head><body><h1>{t}</h1><p>{hint}</p>{svg}<p class="url">{u}</p></body></html>"#,
            u = escape(&url),
            t = escape(&m.title),
            hint = v.lang.pick("代表请用手机扫码签到", "Delegates: scan with your phone to check in"),
            svg = super::cards::qr_svg(&url)?,
        );
        Ok(axum::response::Html(html).into_response())
    }
    .await;
    page(&v, r)
}

/// The hall screen: big numbers for the projector, kept live by the events above.
pub async fn screen(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let (m, _, _) = meeting_part(&state, &v, id).await?;
        let s = screen_state(&state, &m).await?;
        let lang = v.lang;
        let html = format!(
            r#"<!doctype html><html lang="{lang_code}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title>
<style>body{{margin:0;background:#7a0c0c;color:#fff;font-family:sans-serif;text-align:center}}h1{{font-size:4vw;margin:3vh 2vw}}.n{{font-size:12vw;font-weight:bold}}.row{{display:flex;justify-content:center;gap:6vw}}.l{{font-size:3vw}}#votes{{font-size:3.2vw;margin-top:4vh}}</style></head>
<body><h1>{title}</h1><div class="row"><div><div class="n" id="expected">{expected}</div><div class="l">{l_expected}</div></div><div><div class="n" id="present">{present}</div><div class="l">{l_present}</div></div></div>
<div id="votes"></div>
<script>
const L={{open:"{l_open}",closed:"{l_closed}",draft:"{l_draft}",voted:"{l_voted}",passed:"{l_passed}",failed:"{l_failed}",void:"{l_void}"}};
function draw(s){{document.getElementById('expected').textContent=s.expected;document.getElementById('present').textContent=s.present;
const box=document.getElementById('votes');box.textContent='';
for(const v of s.votes){{const d=document.createElement('div');let t=v.title+' · '+(L[v.status]||v.status);
if(v.status==='open')t+=' · '+L.voted+' '+v.voted+' / '+v.of;
if(v.status==='closed'&&v.result)t+=' · '+(v.result.void?L.void:v.result.items.map(i=>i.item+' '+(i.counts?i.counts.join('/'):(i.no===undefined?i.yes:i.yes+'/'+i.no+'/'+i.abstain))+(i.passed===true?' '+L.passed:i.passed===false?' '+L.failed:'')).join(';'));
d.textContent=t;box.appendChild(d);}}}}
draw({state});
if(window.EventSource){{const es=new EventSource('/meetings/{id}/screen/events');es.onmessage=e=>draw(JSON.parse(e.data));}}
</script></body></html>"#,
            lang_code = if lang == Lang::Zh { "zh-CN" } else { "en" },
            title = escape(&m.title),
            expected = s["expected"],
            present = s["present"],
            l_expected = lang.pick("应到", "Expected"),
            l_present = lang.pick("实到", "Present"),
            l_open = lang.pick("投票中", "voting"),
            l_closed = lang.pick("已结束", "closed"),
            l_draft = lang.pick("未开始", "not open"),
            l_voted = lang.pick("已投", "voted"),
            l_passed = lang.pick("通过", "passed"),
            l_failed = lang.pick("未通过", "not passed"),
            l_void = lang.pick("表决无效", "void"),
            state = s.to_string().replace("</", "<\\/"),
        );
        Ok(axum::response::Html(html).into_response())
    }
    .await;
    page(&v, r)
}

/// Everyone appraised at the body's meetings with each verdict in date order, and whom two
/// 不称职 verdicts in a row put out of office (R-L2).
pub async fn appraisals(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        let pt = part(&state, &v, &body, None).await?;
        if !pt.office && !v.can(Permission::ViewReports, &body.org_path) {
            return Err(WebError::Forbidden);
        }
        let lang = v.lang;
        let history = meetings::appraisal_history(&state.store, &body).await?;
        let mut p = Page::new(
            Ctx::new(&v, &format!("/bodies/{id}/appraisals"), "bodies"),
            format!("{} · {}", body.name, lang.pick("民主评议记录", "Appraisal record")),
        );
        p.crumbs.push(Link::new(format!("/bodies/{id}/meetings"), lang.pick("会议与表决", "Meetings and votes")));
        let mut panel = Panel::default();
        panel.note = lang
            .pick(
                "连续两次被评议为不称职的,其职务终止(村委会组织法第三十八条、居委会组织法第三十七条,R-L2);“不称职”的认定比例在每次测评中设定。",
                "Two 不称职 verdicts in a row end the office (R-L2); what counts as 不称职 is each appraisal's own setting.",
            )
            .into();
        panel.table = Some(Table {
            headers: vec![lang.pick("评议对象", "Appraised").into(), lang.pick("历次评议", "Appraisals").into(), lang.pick("R-L2", "R-L2").into()],
            rows: history
                .iter()
                .map(|(name, hs)| {
                    let list = hs
                        .iter()
                        .map(|h| {
                            format!(
                                "{} {}:{}",
                                h.on,
                                h.appraisal,
                                if h.buchengzhi { lang.pick("不称职", "不称职") } else { lang.pick("未评为不称职", "not 不称职") }
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(";");
                    let flag = match lianxin_domain::counting::appraisal::two_in_a_row(hs) {
                        Some((_, b)) => format!("{} {}", lang.pick("连续两次不称职,职务终止于", "two in a row: office ends"), b.on),
                        None => String::new(),
                    };
                    vec![Cell::text(name), Cell::text(list), Cell::text(flag)]
                })
                .collect(),
            empty: lang.pick("还没有民主评议", "No appraisals yet").into(),
        });
        p.panels.push(panel);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}
