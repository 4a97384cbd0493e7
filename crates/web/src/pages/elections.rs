//! Elections on the web (issue 6): a body's elections; one election's page walks the journey
//! (define → nominations and their review → the candidate list in public notice → rounds on
//! phones or on paper → the next round or a reduction of seats → announce); the result sheet
//! (选举结果报告单) to print; the public notice of candidates.

use super::meetings::part;
use super::{form_pairs as pairs, form_value as one, page, see_other};
use crate::auth::Viewer;
use crate::error::{WebError, WebResult};
use crate::i18n::{label, t as tx};
use crate::view::{fmt_ms, options, Cell, Ctx, Field, Form, Link, Page, Panel, Table};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use lianxin_domain::congress::{CommitteePost, DelegateCategory};
use lianxin_domain::counting::election::{self as counting, BallotPattern, ElectionOptions, ElectionResult};
use lianxin_domain::counting::patterns;
use lianxin_domain::counting::surplus;
use lianxin_domain::election::{
    preliminary, rank, ElectionStatus, ExclusionGround, NominationSource, NominationStatus, PostOrder, ReductionApproval, RoundKind, RoundMode,
};
use lianxin_domain::lang::Coded;
use lianxin_domain::{DomainError, FieldError, Lang};
use lianxin_store::congress::{self, Body};
use lianxin_store::elections::{self, Election, ElectionDraft, NominationInput, PaperCount, PostInput};
use lianxin_store::meetings;
use std::collections::BTreeMap;

/// The election methods a clerk chooses from, with the rules they count by.
fn method_options(lang: Lang) -> Vec<(String, String)> {
    let names: &[(&str, &str, &str)] = &[
        ("party_grassroots", "党的基层组织选举(党员大会/党员代表大会)", "Party grassroots election"),
        ("party_local_congress", "地方党代表大会选举", "Local party congress"),
        ("party_local_plenary", "地方党委全体会议选举", "Local committee plenary"),
        ("party_local_preliminary", "地方党代表大会预选", "Local congress preliminary vote"),
        ("village_committee", "村民委员会选举", "Village committee"),
        ("residents_committee_voters", "居民委员会选举(全体选民)", "Residents' committee, all voters"),
        ("residents_committee_households", "居民委员会选举(户代表)", "Residents' committee, household representatives"),
        ("residents_committee_representatives", "居民委员会选举(居民代表)", "Residents' committee, residents' representatives"),
    ];
    names
        .iter()
        .map(|(code, zh, en)| {
            let rules = counting::method(code).map(|m| m.0).unwrap_or("");
            (code.to_string(), format!("{}({rules})", lang.pick(zh, en)))
        })
        .collect()
}

fn slate_options(lang: Lang) -> Vec<(String, String)> {
    let names: &[(&str, &str, &str)] = &[
        ("party_grassroots_committee", "基层党组织委员:差额不少于20%", "Grassroots committee: ≥ 20 % more"),
        ("party_grassroots_delegate", "基层党代表:差额不少于20%", "Grassroots delegates: ≥ 20 % more"),
        ("party_local_delegate", "地方党代表:差额不少于20%", "Local delegates: ≥ 20 % more"),
        ("party_local_committee", "地方党委委员:差额不少于10%", "Local committee: ≥ 10 % more"),
        ("party_standing_committee", "常委:多1至2人", "Standing committee: 1–2 more"),
        ("party_secretary", "书记、副书记:等额", "Secretary, deputies: equal slate"),
        ("village_committee", "村(居)委会:多于应选", "Village / residents: more than seats"),
        ("three_recommend", "三推一选:差额30%", "三推一选: 30 % more"),
    ];
    names
        .iter()
        .filter(|(code, _, _)| surplus::post(code).is_some())
        .map(|(code, zh, en)| (code.to_string(), lang.pick(zh, en).to_string()))
        .collect()
}

pub(crate) async fn body_part(state: &AppState, v: &Viewer, body_id: i64) -> WebResult<(Body, bool)> {
    let body = congress::body(&state.store, body_id).await?;
    let pt = part(state, v, &body, None).await?;
    Ok((body, pt.office))
}

pub(crate) async fn election_part(state: &AppState, v: &Viewer, id: i64) -> WebResult<(Election, Body, bool)> {
    let e = elections::get(&state.store, id).await?;
    let (body, office) = body_part(state, v, e.body_id).await?;
    Ok((e, body, office))
}

fn bad(field: &str, zh: &str, en: &str) -> WebError {
    WebError::from(DomainError::invalid(FieldError::new(field, "invalid", zh, en)))
}

/// A body's elections, and the office's form to define one.
pub async fn list(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let (body, office) = body_part(&state, &v, id).await?;
        let lang = v.lang;
        let all = elections::list(&state.store, &body).await?;
        let mut p = Page::new(Ctx::new(&v, &format!("/bodies/{id}/elections"), "bodies"), format!("{} · {}", body.name, lang.pick("选举", "Elections")));
        p.crumbs.push(Link::new(format!("/bodies/{id}"), &body.name));
        let mut panel = Panel::default();
        panel.table = Some(Table {
            headers: vec![lang.pick("选举", "Election").into(), lang.pick("办法", "Method").into(), tx(lang, "status").into(), lang.pick("建立", "Created").into()],
            rows: all
                .iter()
                .map(|e| {
                    vec![
                        Cell::link(&e.title, format!("/elections/{}", e.id)),
                        Cell::text(method_options(lang).into_iter().find(|m| m.0 == e.method).map(|m| m.1).unwrap_or_else(|| e.method.clone())),
                        Cell::text(e.status().label().get(lang)),
                        Cell::text(fmt_ms(e.created_at)),
                    ]
                })
                .collect(),
            empty: lang.pick("还没有选举", "No elections yet").into(),
        });
        p.panels.push(panel);
        if office {
            let term = congress::current_term(&state.store, &body, &lianxin_domain::error::fmt_date(v.change(&state)?.today())).await?;
            let ms = meetings::list(&state.store, &body).await?;
            let mut meeting_opts = vec![(String::new(), lang.pick("不用手机投票(纸质选票)", "No phones (paper ballots)").to_string())];
            meeting_opts.extend(ms.iter().map(|m| (m.id.to_string(), format!("{} {}", m.on_date, m.title))));
            let roster: Vec<(String, String)> = std::iter::once(("delegate".to_string(), lang.pick("代表", "Delegate").to_string()))
                .chain(options::<CommitteePost>(lang, None))
                .collect();
            let mut fields = vec![
                Field::new("hidden", "term_id", "", term.map(|t| t.id.to_string()).unwrap_or_default()),
                Field::new("text", "title", lang.pick("选举名称", "Title"), "").required(),
                Field::select(
                    "target",
                    lang.pick("当选者进入", "The elected join"),
                    "committee",
                    vec![
                        ("committee".into(), lang.pick("本届委员会", "The committee of the term").into()),
                        ("delegates".into(), lang.pick("本届代表名单", "The delegates of the term").into()),
                    ],
                )
                .required(),
                Field::select("method", lang.pick("选举办法", "Method"), "party_grassroots", method_options(lang)).required(),
                Field::select("post_order", lang.pick("选举顺序", "Order of posts"), "normal", options::<PostOrder>(lang, None)),
                Field::select(
                    "one_ballot",
                    lang.pick("各职务印在一张选票上(纸质)", "Every post on one ballot (paper)"),
                    "0",
                    vec![("0".into(), lang.pick("否,逐个职务投票", "No, a ballot per post").into()), ("1".into(), lang.pick("是,一张选票", "Yes, one ballot").into())],
                ),
                Field::select(
                    "count_down",
                    lang.pick("一张选票时高职务得票计入低职务(R-I3)", "One ballot: higher-post votes count toward lower posts (R-I3)"),
                    "0",
                    vec![("0".into(), lang.pick("否", "no").into()), ("1".into(), lang.pick("是(部分省份村委会选举)", "yes (some provinces' village rules)").into())],
                ),
                Field::select(
                    "cascade",
                    lang.pick("倒着选时落选者参加下一职务选举", "Top-down: those not elected stand for the next post"),
                    "1",
                    vec![("1".into(), lang.pick("是", "yes").into()), ("0".into(), lang.pick("否", "no").into())],
                ),
                Field::select(
                    "by_election",
                    lang.pick("换届或补选", "Regular or by-election"),
                    "0",
                    vec![("0".into(), lang.pick("换届选举", "Regular election").into()), ("1".into(), lang.pick("补选", "By-election").into())],
                ),
                Field::select("meeting_id", lang.pick("手机投票的会议", "Meeting for phone voting"), "", meeting_opts),
                Field::new("number", "min_size", lang.pick("最少职数(减少名额时不得低于,R-G1)", "Minimum size (R-G1)"), "3"),
            ];
            // guiding shares of the elected (R-J12): shown against the result, never blocking
            fields.push(
                Field::new("textarea", "targets_more", lang.pick("界别、地区结构比例(每行:界别代码或组织名称 百分比)", "Sector or region shares (one a line: category code or organisation name, percent)"), "")
                    .hint(lang.pick("如“farmer 30”“下楣桥村党支部 10”", "e.g. “farmer 30”, “下楣桥村党支部 10”")),
            );
            for (key, zh, en) in [("women", "妇女不低于(%)", "Women at least (%)"), ("young", "35岁以下不低于(%)", "Young at least (%)"), ("minority", "少数民族不低于(%)", "Minorities at least (%)"), ("college", "大专以上不低于(%)", "College-educated at least (%)")] {
                fields.push(Field::new("number", &format!("target_{key}"), lang.pick(zh, en), "").hint(lang.pick("结构指导比例,可不填", "a guiding share; optional")));
            }
            for (i, (name, post, seats)) in [("书记", "secretary", "1"), ("副书记", "deputy", ""), ("委员", "member", "5")].iter().enumerate() {
                let slate = if *post == "member" { "party_grassroots_committee" } else { "party_secretary" };
                fields.push(Field::new("text", &format!("post{i}_name"), format!("{} {}", lang.pick("职务", "Post"), i + 1), *name).hint(lang.pick(
                    "名额留空则不设此职务;倒着选时从上往下选",
                    "leave the seats empty to skip the post; top-down elects from the first",
                )));
                fields.push(Field::select(&format!("post{i}_roster"), lang.pick("当选后职务", "Roster post"), *post, roster.clone()));
                fields.push(Field::new("number", &format!("post{i}_seats"), lang.pick("应选名额", "Seats"), *seats));
                fields.push(Field::select(&format!("post{i}_slate"), lang.pick("差额规则", "Slate rule"), slate, slate_options(lang)));
            }
            let mut add = Panel::titled(lang.pick("筹备一次选举", "Define an election"));
            add.note = lang
                .pick(
                    "常用顺序:先由大会选出委员,再由全委会选书记、副书记(R-I1);“倒着选”先选书记,落选者可参加下一职务的选举(R-I3)。",
                    "Usually the meeting elects the members first and the plenary then elects the secretaries (R-I1); top-down elects the secretary first (R-I3).",
                )
                .into();
            add.form = Some(Form::post(format!("/bodies/{id}/elections"), &v.csrf, tx(lang, "save"), fields));
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
        let (b, office) = body_part(&state, &v, id).await?;
        if !office {
            return Err(WebError::Forbidden);
        }
        let term_id: i64 = one(&f, "term_id").parse().map_err(|_| bad("term_id", "本机构没有当前届次", "the body has no current term"))?;
        let term = congress::term(&state.store, term_id).await?;
        let mut posts = Vec::new();
        for i in 0..3 {
            let seats = one(&f, &format!("post{i}_seats")).trim();
            if seats.is_empty() {
                continue;
            }
            posts.push(PostInput {
                name: one(&f, &format!("post{i}_name")).trim().into(),
                roster_post: one(&f, &format!("post{i}_roster")).into(),
                seats: seats.parse().map_err(|_| bad("seats", "应选名额须为整数", "seats must be a whole number"))?,
                slate: one(&f, &format!("post{i}_slate")).into(),
                constituency: None,
            });
        }
        let target = one(&f, "target").to_string();
        if target == "delegates" {
            for p in &mut posts {
                p.roster_post = "delegate".into();
            }
        }
        let mut targets = Vec::new();
        for key in lianxin_domain::election::TARGET_KEYS {
            let raw = one(&f, &format!("target_{key}")).trim();
            if !raw.is_empty() {
                let min_percent = raw.parse().map_err(|_| bad("targets", "结构比例须为整数百分数", "a guiding share is a whole percentage"))?;
                targets.push(lianxin_domain::election::CompositionTarget { key: key.to_string(), min_percent });
            }
        }
        for line in one(&f, "targets_more").lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (what, pct) = line
                .rsplit_once(char::is_whitespace)
                .ok_or_else(|| bad("targets_more", "每行写“界别代码或组织名称 百分比”", "write “category or organisation, percent” a line"))?;
            let min_percent = pct.trim().parse().map_err(|_| bad("targets_more", "百分比须为整数", "the percent is a whole number"))?;
            let what = what.trim();
            let key = if DelegateCategory::from_code(what).is_some() { format!("category:{what}") } else { format!("organisation:{what}") };
            targets.push(lianxin_domain::election::CompositionTarget { key, min_percent });
        }
        let draft = ElectionDraft {
            targets,
            title: one(&f, "title").into(),
            target,
            method: one(&f, "method").into(),
            options: ElectionOptions { count_higher_post_votes: one(&f, "count_down") == "1", ..ElectionOptions::default() },
            one_ballot: one(&f, "one_ballot") == "1",
            post_order: one(&f, "post_order").into(),
            cascade: Some(one(&f, "cascade") != "0"),
            by_election: one(&f, "by_election") == "1",
            min_size: one(&f, "min_size").trim().parse().ok(),
            meeting_id: one(&f, "meeting_id").parse().ok(),
            posts,
        };
        let e = elections::create(&state.store, &b, &term, &draft, &v.change(&state)?).await?;
        Ok(see_other(&format!("/elections/{}", e.id)))
    }
    .await;
    page(&v, r)
}

/// One election: where it stands and what the office can do next.
pub async fn show(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let (e, body, office) = election_part(&state, &v, id).await?;
        let lang = v.lang;
        let store = &state.store;
        let posts = elections::posts(store, &e).await?;
        let noms = elections::nominations(store, &e).await?;
        let cands = elections::candidates(store, &e).await?;
        let rounds = elections::rounds(store, &e).await?;
        let elected = elections::elected(store, &e).await?;
        let post_name = |pid: i64| posts.iter().find(|p| p.id == pid).map(|p| p.name.clone()).unwrap_or_default();
        let mut p = Page::new(Ctx::new(&v, &format!("/elections/{id}"), "bodies"), e.title.clone());
        p.crumbs.push(Link::new(format!("/bodies/{}/elections", body.id), format!("{} · {}", body.name, lang.pick("选举", "Elections"))));
        let mut head = Panel::default();
        head.facts = vec![
            (tx(lang, "status").into(), e.status().label().get(lang).into()),
            (lang.pick("选举办法", "Method").into(), method_options(lang).into_iter().find(|m| m.0 == e.method).map(|m| m.1).unwrap_or_else(|| e.method.clone())),
            (lang.pick("选举顺序", "Order").into(), label::<PostOrder>(lang, &e.post_order)),
            (lang.pick("类别", "Kind").into(), if e.by_election { lang.pick("补选", "By-election") } else { lang.pick("换届选举", "Regular election") }.into()),
        ];
        if let Some(u) = &e.notice_until {
            head.facts.push((lang.pick("候选人公示至", "Public notice until").into(), u.clone()));
        }
        head.links.push(Link::new(format!("/elections/{id}/sheet"), lang.pick("选举结果报告单", "Result sheet")));
        if e.notice_until.is_some() {
            head.links.push(Link::new(format!("/public/elections/{id}"), lang.pick("候选人公示(公开页)", "Public notice of candidates")));
        }
        p.panels.push(head);

        // posts and where each stands
        let mut pp = Panel::titled(lang.pick("职务与名额", "Posts and seats"));
        let mut rows = Vec::new();
        for post in &posts {
            let st = elections::post_state(store, &e, post).await?;
            let (min, max) = surplus::rule_for(&post.slate, None).map(|(_, r)| surplus::bounds(r, post.seats, e.by_election)).unwrap_or((0, None));
            let slate = match max {
                Some(m) if m == min => format!("{} {min}", lang.pick("等额", "equal")),
                Some(m) => format!("{min}–{m}"),
                None => format!("≥ {min}"),
            };
            let state_text = if let Some(r) = st.open_round {
                format!("{} #{r}", lang.pick("投票中", "voting"))
            } else if let Some((k, seats, _)) = &st.next {
                format!("{}:{} {seats}", lang.pick("待进行", "next"), k.label().get(lang))
            } else if st.vacant > 0 {
                format!("{} {}", lang.pick("空缺", "vacant"), st.vacant)
            } else {
                lang.pick("已选出", "filled").into()
            };
            let mut seats = post.seats.to_string();
            if let Some(from) = post.reduced_from {
                seats = format!("{seats}({}{from},{})", lang.pick("原", "was "), label::<ReductionApproval>(lang, post.reduced_by.as_deref().unwrap_or("")));
            }
            rows.push(vec![
                Cell::text(&post.name),
                Cell::text(seats),
                Cell::text(slate),
                Cell::text(elected.iter().filter(|x| x.post_id == post.id).map(|x| format!("{} {}", x.name, x.votes)).collect::<Vec<_>>().join("、")),
                Cell::text(state_text),
            ]);
        }
        pp.table = Some(Table {
            headers: vec![
                lang.pick("职务", "Post").into(),
                lang.pick("应选", "Seats").into(),
                lang.pick("候选人数(R-H)", "Candidates (R-H)").into(),
                lang.pick("已当选", "Elected").into(),
                tx(lang, "status").into(),
            ],
            rows,
            empty: String::new(),
        });
        p.panels.push(pp);

        match e.status() {
            ElectionStatus::Draft if office => {
                let mut f = Form::post(format!("/elections/{id}/open"), &v.csrf, lang.pick("开始提名", "Open nominations"), vec![]);
                f.confirm = Some(lang.pick("开始提名后不能再改职务与名额,确定吗?", "Posts and seats cannot change once nominations open. Open now?").into());
                p.panels.push(Panel { form: Some(f), ..Default::default() });
            }
            _ => {}
        }
        if e.status() != ElectionStatus::Draft {
            p.panels.push(nominations_panel(lang, &e, &posts, &noms, office));
        }
        if e.status() == ElectionStatus::Nominating && office {
            p.panels.extend(nominating_forms(&state, lang, &v.csrf, &e, &posts, &noms).await?);
        }
        let excluded = elections::exclusions(store, &e).await?;
        if !excluded.is_empty() || (office && matches!(e.status(), ElectionStatus::Draft | ElectionStatus::Nominating | ElectionStatus::Notice)) {
            let mut xp = Panel::titled(lang.pick("不计入应到会人数(R-A2)", "Left out of those due to attend (R-A2)"));
            xp.note = lang
                .pick("须经上级党组织同意并经党员大会通过,两项都具备才不计入。", "Only with both the higher organisation's consent and the meeting's approval.")
                .into();
            let yn = |b: bool| if b { lang.pick("是", "yes") } else { lang.pick("否", "no") };
            xp.table = Some(Table {
                headers: vec![
                    lang.pick("姓名", "Name").into(),
                    lang.pick("情形", "Ground").into(),
                    lang.pick("上级同意", "Higher consent").into(),
                    lang.pick("大会通过", "Meeting approval").into(),
                    lang.pick("计入应到会", "Counted as due").into(),
                ],
                rows: excluded
                    .iter()
                    .map(|x| {
                        vec![
                            Cell::text(&x.name),
                            Cell::text(label::<ExclusionGround>(lang, &x.ground)),
                            Cell::text(yn(x.higher_approved)),
                            Cell::text(yn(x.meeting_approved)),
                            Cell::text(yn(!(x.higher_approved && x.meeting_approved))),
                        ]
                    })
                    .collect(),
                empty: tx(lang, "none").into(),
            });
            if office && matches!(e.status(), ElectionStatus::Draft | ElectionStatus::Nominating | ElectionStatus::Notice) {
                let yes_no = vec![("1".to_string(), lang.pick("是", "yes").to_string()), ("0".to_string(), lang.pick("否", "no").to_string())];
                xp.form = Some(Form::post(
                    format!("/elections/{id}/exclusions"),
                    &v.csrf,
                    tx(lang, "save"),
                    vec![
                        Field::new("text", "name", lang.pick("姓名", "Name"), "").required(),
                        Field::select("ground", lang.pick("情形", "Ground"), "", options::<ExclusionGround>(lang, None)).required(),
                        Field::select("higher_approved", lang.pick("上级党组织同意", "Higher organisation consents"), "1", yes_no.clone()),
                        Field::select("meeting_approved", lang.pick("党员大会通过", "Meeting approves"), "1", yes_no),
                    ],
                ));
            }
            p.panels.push(xp);
        }
        if !cands.is_empty() {
            let mut cp = Panel::titled(lang.pick("候选人名单(按选票顺序)", "Candidates, in ballot order"));
            cp.table = Some(Table {
                headers: vec![lang.pick("职务", "Post").into(), "#".into(), lang.pick("姓名", "Name").into()],
                rows: cands.iter().map(|c| vec![Cell::text(post_name(c.post_id)), Cell::text((c.position + 1).to_string()), Cell::text(&c.name)]).collect(),
                empty: String::new(),
            });
            p.panels.push(cp);
        }
        let objections = elections::objections(store, &e).await?;
        if !objections.is_empty() {
            let mut op = Panel::titled(lang.pick("公示期间的异议", "Objections during the notice"));
            op.table = Some(Table {
                headers: vec![
                    lang.pick("候选人", "Candidate").into(),
                    lang.pick("事实和理由", "Grounds").into(),
                    lang.pick("联系方式", "Contact").into(),
                    tx(lang, "status").into(),
                ],
                rows: objections
                    .iter()
                    .map(|o| {
                        let status = match o.status.as_str() {
                            "upheld" => lang.pick("异议成立", "upheld"),
                            "dismissed" => lang.pick("异议不成立", "dismissed"),
                            _ => lang.pick("待核查", "to be decided"),
                        };
                        vec![
                            Cell::text(&o.candidate),
                            Cell::text(&o.text),
                            Cell::text(&o.contact),
                            Cell::text(format!("{status}{}", o.response.as_deref().map(|r| format!(":{r}")).unwrap_or_default())),
                        ]
                    })
                    .collect(),
                empty: String::new(),
            });
            let open: Vec<&elections::Objection> = objections.iter().filter(|o| o.status == "received").collect();
            if office && e.status() == ElectionStatus::Notice && !open.is_empty() {
                op.form = Some(Form::post(
                    format!("/elections/{id}/objections"),
                    &v.csrf,
                    tx(lang, "save"),
                    vec![
                        Field::select("objection", lang.pick("异议", "Objection"), "", open.iter().map(|o| (o.id.to_string(), format!("{}:{}", o.candidate, o.text.chars().take(20).collect::<String>()))).collect()).required(),
                        Field::select(
                            "decision",
                            lang.pick("核查结论", "Finding"),
                            "dismissed",
                            vec![("dismissed".into(), lang.pick("异议不成立", "Dismissed").into()), ("upheld".into(), lang.pick("异议成立,取消候选人资格", "Upheld: the candidate leaves the list").into())],
                        ),
                        Field::new("text", "response", lang.pick("核查情况与答复", "What was found, the answer"), "").required(),
                    ],
                ));
            }
            p.panels.push(op);
        }
        if !rounds.is_empty() {
            p.panels.push(rounds_panel(lang, &rounds, &post_name));
        }
        if office && matches!(e.status(), ElectionStatus::Notice | ElectionStatus::Voting) {
            p.panels.extend(voting_forms(&state, lang, &v.csrf, &e, &posts, &rounds).await?);
        }
        if office && e.status() == ElectionStatus::Voting {
            // write-ins and nominees by name are linked to the roster before announcing (R-G3)
            let unlinked: Vec<&elections::Elected> = elected.iter().filter(|x| x.person_id.is_none()).collect();
            if !unlinked.is_empty() {
                let mut lp = Panel::titled(lang.pick("当选人对应花名册", "Link the elected to the roster"));
                lp.note = lang
                    .pick("以下当选人不在花名册中(另选或按姓名提名),经资格审查后填入人员编号。", "These elected are not on the roster by id (written in or nominated by name): after the eligibility check, give their person id.")
                    .into();
                lp.form = Some(Form::post(
                    format!("/elections/{id}/link"),
                    &v.csrf,
                    tx(lang, "save"),
                    vec![
                        Field::select(
                            "who",
                            lang.pick("当选人", "Elected"),
                            "",
                            unlinked.iter().map(|x| (format!("{}:{}", x.post_id, x.name), format!("{} · {}", post_name(x.post_id), x.name))).collect(),
                        )
                        .required(),
                        Field::new("number", "person_id", lang.pick("人员编号", "Person id"), "").required(),
                    ],
                ));
                p.panels.push(lp);
            }
            let mut f = Form::post(format!("/elections/{id}/announce"), &v.csrf, lang.pick("公布结果并写入名单", "Announce and update the roster"), vec![]);
            f.confirm = Some(lang.pick("公布后当选人将进入本届名单,确定吗?", "The elected will join the roster of the term. Announce now?").into());
            p.panels.push(Panel { title: lang.pick("公布选举结果", "Announce the result").into(), form: Some(f), ..Default::default() });
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

fn nominations_panel(lang: Lang, e: &Election, posts: &[elections::Post], noms: &[elections::Nomination], office: bool) -> Panel {
    let mut np = Panel::titled(lang.pick("提名与资格审查", "Nominations and review"));
    // support per source, as 三推 counts it
    let mut per_source: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for n in noms {
        let e = per_source.entry(label::<NominationSource>(lang, &n.source)).or_default();
        e.0 += 1;
        e.1 += n.support;
    }
    np.note = per_source
        .iter()
        .map(|(s, (n, sup))| format!("{s}:{n} {}{sup}", lang.pick("人次,推荐票 ", " nominations, support ")))
        .collect::<Vec<_>>()
        .join(";");
    let mut rows = Vec::new();
    for post in posts {
        let mine: Vec<(String, NominationSource, u64)> = noms
            .iter()
            .filter(|n| n.post_id == post.id && n.status != "withdrawn" && n.status != "rejected")
            .filter_map(|n| NominationSource::from_code(&n.source).map(|s| (n.name.clone(), s, n.support)))
            .collect();
        let ranked = rank(&mine, &BTreeMap::new());
        for n in noms.iter().filter(|n| n.post_id == post.id) {
            let place = ranked.iter().position(|r| r.name == n.name).map(|i| (i + 1).to_string()).unwrap_or_else(|| "—".into());
            let mut row = vec![
                Cell::text(&post.name),
                Cell::text(&n.name),
                Cell::text(label::<NominationSource>(lang, &n.source)),
                Cell::text(n.support.to_string()),
                Cell::text(place),
                Cell::text(format!(
                    "{}{}",
                    label::<NominationStatus>(lang, &n.status),
                    n.review_note.as_deref().map(|x| format!(":{x}")).unwrap_or_default()
                )),
            ];
            if office && e.status() == ElectionStatus::Nominating {
                row.push(if n.status == "qualified" {
                    Cell::text("")
                } else {
                    Cell::action(lang.pick("审查通过", "Qualify"), format!("/elections/{}/nominations/{}/qualify", e.id, n.id))
                });
            }
            rows.push(row);
        }
    }
    let mut headers: Vec<String> = vec![
        lang.pick("职务", "Post").into(),
        lang.pick("被提名人", "Nominee").into(),
        lang.pick("提名方式", "Nominated by").into(),
        lang.pick("推荐票", "Support").into(),
        lang.pick("排名", "Rank").into(),
        lang.pick("审查", "Review").into(),
    ];
    if office && e.status() == ElectionStatus::Nominating {
        headers.push(String::new());
    }
    np.table = Some(Table { headers, rows, empty: lang.pick("还没有提名", "No nominations yet").into() });
    np
}

async fn nominating_forms(
    state: &AppState,
    lang: Lang,
    csrf: &str,
    e: &Election,
    posts: &[elections::Post],
    noms: &[elections::Nomination],
) -> WebResult<Vec<Panel>> {
    let post_opts: Vec<(String, String)> = posts.iter().map(|p| (p.id.to_string(), p.name.clone())).collect();
    let mut add = Panel::titled(lang.pick("登记提名", "Record a nomination"));
    let mut cats = vec![(String::new(), "—".to_string())];
    cats.extend(options::<DelegateCategory>(lang, None));
    add.form = Some(Form::post(
        format!("/elections/{}/nominations", e.id),
        csrf,
        tx(lang, "save"),
        vec![
            Field::select("post_id", lang.pick("职务", "Post"), "", post_opts.clone()).required(),
            Field::new("number", "person_id", lang.pick("花名册人员编号", "Person id on the roster"), "")
                .hint(lang.pick("在花名册中的人填编号;不在的填姓名", "a person on the roster by id; anyone else by name")),
            Field::new("text", "name", lang.pick("或姓名", "or name"), ""),
            Field::select("source", lang.pick("提名方式", "Nominated by"), "members", options::<NominationSource>(lang, None)).required(),
            Field::new("number", "support", lang.pick("推荐票数或联名人数", "Support (votes or signatures)"), "0"),
            Field::select("category", lang.pick("代表界别(选代表时)", "Category (for delegates)"), "", cats),
            Field::new("textarea", "profile", lang.pick("简介", "Profile"), ""),
            Field::new("textarea", "statement", lang.pick("竞职演讲或承诺", "Statement"), ""),
        ],
    ));
    let mut out = vec![add];
    let open: Vec<&elections::Nomination> = noms.iter().filter(|n| n.status != "rejected").collect();
    if !open.is_empty() {
        let mut rj = Panel::titled(lang.pick("审查不通过或退出", "Not qualified, or withdrawn"));
        rj.folded = true;
        rj.form = Some(Form::post(
            format!("/elections/{}/review", e.id),
            csrf,
            tx(lang, "save"),
            vec![
                Field::select("nomination", lang.pick("被提名人", "Nominee"), "", open.iter().map(|n| (n.id.to_string(), n.name.clone())).collect())
                    .required(),
                Field::select(
                    "status",
                    lang.pick("结论", "Decision"),
                    "rejected",
                    options::<NominationStatus>(lang, None).into_iter().filter(|(c, _)| c == "rejected" || c == "withdrawn").collect(),
                ),
                Field::new("text", "note", lang.pick("理由", "Reason"), "").required(),
            ],
        ));
        out.push(rj);
    }
    // the list to publish: per post, the qualified by rank (the clerk orders them, R-C6)
    let mut fields = Vec::new();
    for post in posts {
        let mine: Vec<(String, NominationSource, u64)> = noms
            .iter()
            .filter(|n| n.post_id == post.id && n.status == "qualified")
            .filter_map(|n| NominationSource::from_code(&n.source).map(|s| (n.name.clone(), s, n.support)))
            .collect();
        let ranked = rank(&mine, &BTreeMap::new());
        let (min, _) = surplus::rule_for(&post.slate, None).map(|(_, r)| surplus::bounds(r, post.seats, e.by_election)).unwrap_or((0, None));
        // the preliminary list: the trust vote's (两票制, R-I4), or the first by support to the
        // slate's size, ties kept (三推一选: "按30%的差额确定候选人初步人选")
        let list: Vec<String> = match e.trust_vote.get(&post.id) {
            Some(t) => t.preliminary_candidates.iter().filter(|n| mine.iter().any(|m| &m.0 == *n)).cloned().collect(),
            None => preliminary(&ranked, min as usize),
        };
        fields.push(
            Field::new(
                "textarea",
                &format!("list_{}", post.id),
                format!("{}({} {},{} {min})", post.name, lang.pick("应选", "seats"), post.seats, lang.pick("候选人至少", "candidates at least")),
                list.join("\n"),
            )
            .hint(lang.pick(
                "每行一人,按选票上的顺序(委员、代表按姓氏笔画,R-C6)",
                "one a line, in ballot order (members and delegates by surname strokes, R-C6)",
            )),
        );
    }
    // 两票制 (R-I4): the villagers' trust vote on each post's nominees, before the members elect
    for post in posts {
        let mine: Vec<&elections::Nomination> = noms.iter().filter(|n| n.post_id == post.id && n.status != "withdrawn").collect();
        if mine.is_empty() {
            continue;
        }
        let mut tp = Panel::titled(format!("{} · {}", post.name, lang.pick("两票制:群众信任投票", "两票制: the villagers' trust vote")));
        tp.folded = !e.trust_vote.contains_key(&post.id);
        if let Some(t) = e.trust_vote.get(&post.id) {
            tp.note = if lang == Lang::Zh { t.reason_zh.clone() } else { t.reason.clone() };
        }
        tp.form = Some(Form::post(
            format!("/elections/{}/posts/{}/trust", e.id, post.id),
            csrf,
            tx(lang, "save"),
            vec![
                Field::new("number", "participants", lang.pick("参加信任投票人数", "Took part in the trust vote"), "").required(),
                Field::new("number", "per_seat", lang.pick("每个名额取预备人选(1∶2 填 2)", "Preliminary candidates per seat (1:2 is 2)"), "2"),
                Field::new(
                    "textarea",
                    "votes",
                    lang.pick("信任票(每行:姓名 票数)", "Trust votes (one a line: name votes)"),
                    mine.iter().map(|n| format!("{} ", n.name)).collect::<Vec<_>>().join("\n"),
                )
                .hint(lang.pick("过半数才能成为候选人;按得票取足预备人选(R-I4)", "more than half to stand; the list by votes (R-I4)")),
            ],
        ));
        out.push(tp);
    }
    let until = lianxin_domain::error::fmt_date(lianxin_store::day_of_ms(state.now_ms()) + time::Duration::days(5));
    fields.push(Field::new("date", "notice_until", lang.pick("公示截止", "Public notice until"), until).required());
    let mut pl = Panel::titled(lang.pick("确定候选人并公示", "Publish the candidates for public notice"));
    pl.form = Some(Form::post(format!("/elections/{}/publish", e.id), csrf, lang.pick("公示", "Publish"), fields));
    out.push(pl);
    Ok(out)
}

fn rounds_panel(lang: Lang, rounds: &[elections::RoundRec], post_name: &dyn Fn(i64) -> String) -> Panel {
    let mut rp = Panel::titled(lang.pick("投票轮次", "Rounds"));
    rp.table = Some(Table {
        headers: vec![
            lang.pick("职务", "Post").into(),
            lang.pick("轮次", "Round").into(),
            lang.pick("方式", "Mode").into(),
            lang.pick("应选", "Seats").into(),
            lang.pick("候选人", "Candidates").into(),
            lang.pick("结果", "Result").into(),
        ],
        rows: rounds
            .iter()
            .map(|r| {
                let result = match r.result.as_ref().and_then(|x| serde_json::from_value::<ElectionResult>(x.clone()).ok()) {
                    Some(res) => {
                        let line =
                            |t: &serde_json::Map<String, serde_json::Value>| t.iter().map(|(n, v)| format!("{n} {v}")).collect::<Vec<_>>().join("、");
                        let tally = match res.tally.as_object() {
                            // one ballot for several posts: each post's tally
                            Some(t) if t.values().all(|v| v.is_object()) => t
                                .iter()
                                .map(|(post, v)| format!("{post}:{}", v.as_object().map(line).unwrap_or_default()))
                                .collect::<Vec<_>>()
                                .join(";"),
                            Some(t) => line(t),
                            None => String::new(),
                        };
                        format!("{tally} — {}", if lang == Lang::Zh { res.reason_zh } else { res.reason })
                    }
                    None if r.vote_id.is_some() => lang.pick("投票中", "voting").into(),
                    None => lang.pick("待录入计票", "waiting for the count").into(),
                };
                let mode = match r.vote_id {
                    Some(vid) => Cell::link(label::<RoundMode>(lang, &r.mode), format!("/votes/{vid}")),
                    None => Cell::text(label::<RoundMode>(lang, &r.mode)),
                };
                vec![
                    Cell::text(post_name(r.post_id)),
                    Cell::text(format!("{} · {}", r.number, label::<RoundKind>(lang, &r.kind))),
                    mode,
                    Cell::text(r.seats.to_string()),
                    Cell::text(r.candidates.join("、")),
                    Cell::text(result),
                ]
            })
            .collect(),
        empty: String::new(),
    });
    rp
}

async fn voting_forms(
    state: &AppState,
    lang: Lang,
    csrf: &str,
    e: &Election,
    posts: &[elections::Post],
    rounds: &[elections::RoundRec],
) -> WebResult<Vec<Panel>> {
    let mut out = Vec::new();
    for post in posts {
        let st = elections::post_state(&state.store, e, post).await?;
        if let Some(rid) = st.open_round {
            let Some(r) = rounds.iter().find(|r| r.id == rid) else { continue };
            if r.vote_id.is_some() {
                let mut f =
                    Form::post(format!("/elections/{}/rounds/{rid}/count", e.id), csrf, lang.pick("结束投票并计票", "Close and count"), vec![]);
                f.confirm = Some(lang.pick("结束后不能再投票,确定吗?", "No ballot can be cast after the close. Close now?").into());
                out.push(Panel {
                    title: format!("{} · {}", post.name, lang.pick("手机投票进行中", "phones voting")),
                    form: Some(f),
                    ..Default::default()
                });
            } else if r.is_one_ballot() && r.post_id != post.id {
                // one form for the whole ballot, under its first post
            } else {
                let header = if r.is_one_ballot() {
                    std::iter::once("张数".to_string())
                        .chain(r.ballot_posts().iter().flat_map(|(_, name, _, cands)| {
                            cands.iter().map(move |c| format!("{name}/{c}")).chain(std::iter::once(format!("{name}/另选")))
                        }))
                        .chain(["废票".to_string()])
                        .collect::<Vec<_>>()
                        .join(",")
                } else {
                    std::iter::once("张数".to_string())
                        .chain(r.candidates.iter().cloned())
                        .chain(["另选".to_string(), "废票".to_string()])
                        .collect::<Vec<_>>()
                        .join(",")
                };
                let mut pp = Panel::titled(format!("{} · {}", post.name, lang.pick("录入纸质选票计票结果", "Enter the paper ballots' count")));
                pp.note = lang
                    .pick(
                        "计票表每行一类选票:张数、每位候选人一列(赞成/不赞成/弃权,空格为弃权)、另选人姓名、废票(是)。可从 Excel 直接复制粘贴。",
                        "One row per pile: the count, a column per candidate (yes/no/abstain, empty = abstain), names written in, void (是). Paste straight from Excel.",
                    )
                    .into();
                pp.form = Some(Form::post(
                    format!("/elections/{}/rounds/{rid}/paper", e.id),
                    csrf,
                    lang.pick("计票", "Count"),
                    vec![
                        Field::new(
                            "number",
                            "eligible_voters",
                            lang.pick("应到会有选举权人数(或登记选民数)", "Due to attend (or registered voters)"),
                            "",
                        )
                        .required(),
                        Field::new("number", "voters_present", lang.pick("实到会人数(或参加投票人数)", "Present (or who voted)"), "").required(),
                        Field::new("number", "ballots_issued", lang.pick("发出选票", "Ballots issued"), "")
                            .hint(lang.pick("留空则等于实到人数", "empty: as many as present")),
                        Field::new("textarea", "tally", lang.pick("计票表", "Tally sheet"), format!("{header}\n")).required(),
                    ],
                ));
                out.push(pp);
            }
            continue;
        }
        let Some((kind, seats, list)) = st.next else { continue };
        let mut fields = vec![Field::select(
            "mode",
            lang.pick("投票方式", "Mode"),
            if e.meeting_id.is_some() { "phones" } else { "paper" },
            options::<RoundMode>(lang, None).into_iter().filter(|(c, _)| e.meeting_id.is_some() || c == "paper").collect(),
        )];
        if kind == RoundKind::Supplementary {
            fields.push(Field::new("textarea", "list", lang.pick("另行选举候选人(每行一人)", "Candidates (one a line)"), list.join("\n")).hint(
                lang.pick(
                    "党内另行选举可经进一步酝酿调整人选,不得按得票多少补足(R-G2)",
                    "for Party rules the list may change after further discussion; never topped up by votes (R-G2)",
                ),
            ));
        }
        let title = format!("{} · {}({} {seats}:{})", post.name, kind.label().get(lang), lang.pick("应选", "seats"), list.join("、"));
        out.push(Panel {
            title,
            form: Some(Form::post(
                format!("/elections/{}/posts/{}/rounds", e.id, post.id),
                csrf,
                lang.pick("开始这一轮", "Start this round"),
                fields,
            )),
            ..Default::default()
        });
        if kind == RoundKind::Supplementary {
            let mut rd = Panel::titled(format!("{} · {}", post.name, lang.pick("不再另行选举,减少名额(R-G1)", "Reduce the seats instead (R-G1)")));
            rd.folded = true;
            rd.form = Some(Form::post(
                format!("/elections/{}/posts/{}/reduce", e.id, post.id),
                csrf,
                tx(lang, "save"),
                vec![
                    Field::new("number", "seats", lang.pick("减少后的名额", "Seats after the reduction"), (post.seats - seats).to_string())
                        .required(),
                    Field::select("approved_by", lang.pick("依据", "Approved by"), "electors", options::<ReductionApproval>(lang, None)).required(),
                    Field::new("text", "note", lang.pick("同意或决定的情况", "How it was approved"), "").required(),
                ],
            ));
            out.push(rd);
        }
    }
    Ok(out)
}

async fn office_election(state: &AppState, v: &Viewer, id: i64, body: &Bytes) -> WebResult<(Election, Vec<(String, String)>)> {
    let f = pairs(body);
    v.check_csrf(one(&f, "_csrf"))?;
    let (e, _, office) = election_part(state, v, id).await?;
    if !office {
        return Err(WebError::Forbidden);
    }
    Ok((e, f))
}

pub async fn open(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let (e, _) = office_election(&state, &v, id, &body).await?;
        elections::open_nominations(&state.store, &e, &v.change(&state)?).await?;
        Ok(see_other(&format!("/elections/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn exclude(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let (e, f) = office_election(&state, &v, id, &body).await?;
        let x = counting::Exclusion {
            name: one(&f, "name").into(),
            ground: one(&f, "ground").into(),
            higher_approved: one(&f, "higher_approved") == "1",
            meeting_approved: one(&f, "meeting_approved") == "1",
        };
        elections::add_exclusion(&state.store, &e, &x, &v.change(&state)?).await?;
        Ok(see_other(&format!("/elections/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn nominate(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let (e, f) = office_election(&state, &v, id, &body).await?;
        let n = NominationInput {
            post_id: one(&f, "post_id").parse().unwrap_or_default(),
            person_id: one(&f, "person_id").trim().parse().ok(),
            name: one(&f, "name").into(),
            category: Some(one(&f, "category").to_string()).filter(|c| !c.is_empty()),
            source: one(&f, "source").into(),
            support: one(&f, "support").trim().parse().map_err(|_| bad("support", "推荐票数须为整数", "support must be a whole number"))?,
            profile: one(&f, "profile").into(),
            statement: one(&f, "statement").into(),
        };
        elections::nominate(&state.store, &e, &n, &v.change(&state)?).await?;
        Ok(see_other(&format!("/elections/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn trust(State(state): State<AppState>, v: Viewer, Path((id, pid)): Path<(i64, i64)>, body: Bytes) -> Response {
    let r = async {
        let (e, f) = office_election(&state, &v, id, &body).await?;
        let mut votes = BTreeMap::new();
        for (k, line) in one(&f, "votes").lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let (name, n) = line.trim().rsplit_once(char::is_whitespace).ok_or_else(|| {
                WebError::from(DomainError::invalid(FieldError::new(
                    "votes",
                    "invalid",
                    format!("第 {} 行应为“姓名 票数”", k + 1),
                    format!("line {}: write “name votes”", k + 1),
                )))
            })?;
            let n: i64 = n.trim().parse().map_err(|_| {
                WebError::from(DomainError::invalid(FieldError::new(
                    "votes",
                    "invalid",
                    format!("第 {} 行的票数不是整数", k + 1),
                    format!("line {}: the votes are not a number", k + 1),
                )))
            })?;
            votes.insert(name.trim().to_string(), n);
        }
        let participants = one(&f, "participants").trim().parse().map_err(|_| bad("participants", "请填写参加人数", "give how many took part"))?;
        let t = lianxin_domain::counting::two_ballot::TrustVote { participants, votes, ..Default::default() };
        elections::record_trust_vote(&state.store, &e, pid, t, one(&f, "per_seat").trim().parse().ok(), &v.change(&state)?).await?;
        Ok(see_other(&format!("/elections/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn qualify(State(state): State<AppState>, v: Viewer, Path((id, nid)): Path<(i64, i64)>, body: Bytes) -> Response {
    let r = async {
        let (e, _) = office_election(&state, &v, id, &body).await?;
        elections::review(&state.store, &e, nid, NominationStatus::Qualified, "", &v.change(&state)?).await?;
        Ok(see_other(&format!("/elections/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn review(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let (e, f) = office_election(&state, &v, id, &body).await?;
        let status = NominationStatus::from_code(one(&f, "status")).ok_or_else(|| bad("status", "请选择结论", "choose the decision"))?;
        let nid = one(&f, "nomination").parse().map_err(|_| bad("nomination", "请选择被提名人", "choose the nominee"))?;
        elections::review(&state.store, &e, nid, status, one(&f, "note"), &v.change(&state)?).await?;
        Ok(see_other(&format!("/elections/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn publish(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let (e, f) = office_election(&state, &v, id, &body).await?;
        let posts = elections::posts(&state.store, &e).await?;
        let lists: Vec<(i64, Vec<String>)> = posts
            .iter()
            .map(|p| (p.id, one(&f, &format!("list_{}", p.id)).lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect()))
            .collect();
        elections::publish_list(&state.store, &e, &lists, one(&f, "notice_until"), &v.change(&state)?).await?;
        Ok(see_other(&format!("/elections/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn start_round(State(state): State<AppState>, v: Viewer, Path((id, pid)): Path<(i64, i64)>, body: Bytes) -> Response {
    let r = async {
        let (e, f) = office_election(&state, &v, id, &body).await?;
        let mode = RoundMode::from_code(one(&f, "mode")).unwrap_or(RoundMode::Paper);
        let list: Vec<String> = one(&f, "list").lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
        let r = elections::start_round(&state.store, &e, pid, mode, Some(list).filter(|l| !l.is_empty()), &v.change(&state)?).await?;
        if let Some(vid) = r.vote_id {
            if let Ok(x) = meetings::vote(&state.store, vid).await {
                state.hall.poke(x.meeting_id);
            }
        }
        Ok(see_other(&format!("/elections/{id}")))
    }
    .await;
    page(&v, r)
}

/// The rows of a pasted tally sheet: tabs (from Excel) or commas (CSV).
fn sheet_rows(text: &str) -> WebResult<Vec<Vec<String>>> {
    if text.contains('\t') {
        return Ok(text.lines().map(|l| l.split('\t').map(|c| c.trim().to_string()).collect()).collect());
    }
    Ok(crate::excel::read_csv(text.as_bytes(), "tally").map_err(WebError::BadRequest)?.rows)
}

pub async fn paper(State(state): State<AppState>, v: Viewer, Path((id, rid)): Path<(i64, i64)>, body: Bytes) -> Response {
    let r = async {
        let (e, f) = office_election(&state, &v, id, &body).await?;
        let round = elections::round(&state.store, rid).await?;
        if round.election_id != e.id {
            return Err(WebError::NotFound);
        }
        let num = |name: &str, zh: &str, en: &str| -> WebResult<i64> { one(&f, name).trim().parse().map_err(|_| bad(name, zh, en)) };
        let ballots: Vec<BallotPattern> = patterns::from_rows(&sheet_rows(one(&f, "tally"))?, round.is_one_ballot())?;
        let c = PaperCount {
            eligible_voters: num("eligible_voters", "请填写应到会人数", "give those due to attend")?,
            voters_present: num("voters_present", "请填写实到会人数", "give those present")?,
            ballots_issued: one(&f, "ballots_issued").trim().parse().ok(),
            ballots,
        };
        elections::count_paper(&state.store, &e, &round, &c, &v.change(&state)?).await?;
        Ok(see_other(&format!("/elections/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn count(State(state): State<AppState>, v: Viewer, Path((id, rid)): Path<(i64, i64)>, body: Bytes) -> Response {
    let r = async {
        let (e, _) = office_election(&state, &v, id, &body).await?;
        let round = elections::round(&state.store, rid).await?;
        if round.election_id != e.id {
            return Err(WebError::NotFound);
        }
        elections::count_phones(&state.store, &e, &round, &v.change(&state)?).await?;
        if let Some(vid) = round.vote_id {
            if let Ok(x) = meetings::vote(&state.store, vid).await {
                state.hall.poke(x.meeting_id);
            }
        }
        Ok(see_other(&format!("/elections/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn reduce(State(state): State<AppState>, v: Viewer, Path((id, pid)): Path<(i64, i64)>, body: Bytes) -> Response {
    let r = async {
        let (e, f) = office_election(&state, &v, id, &body).await?;
        let seats: u64 = one(&f, "seats").trim().parse().map_err(|_| bad("seats", "名额须为整数", "seats must be a whole number"))?;
        let by = ReductionApproval::from_code(one(&f, "approved_by")).ok_or_else(|| bad("approved_by", "请选择依据", "choose who approved"))?;
        elections::reduce_seats(&state.store, &e, pid, seats, by, one(&f, "note"), &v.change(&state)?).await?;
        Ok(see_other(&format!("/elections/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn link(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let (e, f) = office_election(&state, &v, id, &body).await?;
        let (post, name) = one(&f, "who").split_once(':').ok_or_else(|| bad("who", "请选择当选人", "choose the elected"))?;
        let post: i64 = post.parse().map_err(|_| bad("who", "请选择当选人", "choose the elected"))?;
        let person: i64 = one(&f, "person_id").trim().parse().map_err(|_| bad("person_id", "请填写人员编号", "give the person id"))?;
        elections::link_elected(&state.store, &e, post, name, person, &v.change(&state)?).await?;
        Ok(see_other(&format!("/elections/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn announce(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let (e, _) = office_election(&state, &v, id, &body).await?;
        elections::announce(&state.store, &e, &v.change(&state)?).await?;
        Ok(see_other(&format!("/elections/{id}/sheet")))
    }
    .await;
    page(&v, r)
}

/// 选举结果报告单: each round's counts as the tellers report them, and the elected; printable.
pub async fn sheet(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let (e, body, _) = election_part(&state, &v, id).await?;
        let lang = v.lang;
        let posts = elections::posts(&state.store, &e).await?;
        let rounds = elections::rounds(&state.store, &e).await?;
        let elected = elections::elected(&state.store, &e).await?;
        let mut p = Page::new(
            Ctx::new(&v, &format!("/elections/{id}/sheet"), "bodies"),
            format!("{} · {}", e.title, lang.pick("选举结果报告单", "Result sheet")),
        );
        p.crumbs.push(Link::new(format!("/elections/{id}"), &e.title));
        let mut head = Panel::default();
        head.facts = vec![
            (lang.pick("选举单位", "Body").into(), body.name.clone()),
            (
                lang.pick("选举办法", "Method").into(),
                method_options(lang).into_iter().find(|m| m.0 == e.method).map(|m| m.1).unwrap_or_else(|| e.method.clone()),
            ),
            (tx(lang, "status").into(), e.status().label().get(lang).into()),
        ];
        if let Some(at) = e.announced_at {
            head.facts.push((lang.pick("公布时间", "Announced").into(), fmt_ms(at)));
        }
        p.panels.push(head);
        for post in &posts {
            for r in rounds.iter().filter(|r| r.post_id == post.id || r.is_one_ballot()) {
                let Some(mut res) = r.result.as_ref().and_then(|x| serde_json::from_value::<ElectionResult>(x.clone()).ok()) else { continue };
                // a one-ballot round: this post's part of it
                if let Some(part) = res.posts.iter().find(|x| x.post == post.name && r.is_one_ballot()).cloned() {
                    res.tally = serde_json::to_value(&part.tally).unwrap_or_default();
                    res.elected = part.elected.clone();
                    res.void_ballots = part.void_ballots;
                    res.valid_ballots = part.valid_ballots;
                    res.threshold_min_votes = part.threshold_min_votes;
                    res.posts = vec![part];
                }
                let mut rp =
                    Panel::titled(format!("{} · {} {} · {}", post.name, lang.pick("第", "round "), r.number, label::<RoundKind>(lang, &r.kind)));
                rp.facts = vec![
                    (lang.pick("应到会(有选举权)", "Due to attend").into(), res.members_expected.to_string()),
                    (lang.pick("实到会", "Present").into(), res.voters_present.to_string()),
                    (lang.pick("发出选票", "Issued").into(), res.ballots_issued.to_string()),
                    (lang.pick("收回选票", "Returned").into(), res.ballots_returned.to_string()),
                    (lang.pick("有效票 / 废票", "Valid / void").into(), format!("{} / {}", res.valid_ballots, res.void_ballots)),
                    (lang.pick("当选票数", "Votes to be elected").into(), format!("≥ {}", res.threshold_min_votes)),
                ];
                let marks = res.posts.first().map(|x| x.marks.clone()).unwrap_or_default();
                let tally = res.tally.as_object().cloned().unwrap_or_default();
                rp.table = Some(Table {
                    headers: vec![
                        lang.pick("姓名", "Name").into(),
                        lang.pick("赞成", "Yes").into(),
                        lang.pick("不赞成", "No").into(),
                        lang.pick("弃权", "Abstain").into(),
                        lang.pick("结果", "Result").into(),
                    ],
                    rows: tally
                        .iter()
                        .map(|(n, yes)| {
                            let m = marks.get(n);
                            vec![
                                Cell::text(if r.candidates.contains(n) { n.clone() } else { format!("{n}({})", lang.pick("另选", "written in")) }),
                                Cell::text(yes.to_string()),
                                Cell::text(m.map(|m| m.no.to_string()).unwrap_or_else(|| "—".into())),
                                Cell::text(m.map(|m| m.abstain.to_string()).unwrap_or_else(|| "—".into())),
                                Cell::text(if res.elected.contains(n) { lang.pick("当选", "Elected") } else { "" }),
                            ]
                        })
                        .collect(),
                    empty: String::new(),
                });
                rp.note = if lang == Lang::Zh { res.reason_zh.clone() } else { res.reason.clone() };
                p.panels.push(rp);
            }
        }
        let mut ep = Panel::titled(lang.pick("当选名单", "Elected"));
        ep.table = Some(Table {
            headers: vec![lang.pick("职务", "Post").into(), lang.pick("姓名", "Name").into(), lang.pick("得票", "Votes").into()],
            rows: elected
                .iter()
                .map(|x| {
                    vec![
                        Cell::text(posts.iter().find(|p| p.id == x.post_id).map(|p| p.name.clone()).unwrap_or_default()),
                        Cell::text(&x.name),
                        Cell::text(x.votes.to_string()),
                    ]
                })
                .collect(),
            empty: lang.pick("尚无当选人", "No one elected yet").into(),
        });
        ep.note = lang.pick("监票人、计票人、总监票人签字:", "Signed by the scrutineers and tellers:").into();
        p.panels.push(ep);
        if !elected.is_empty() {
            let (c, checks) = elections::composition_of_elected(&state.store, &e, lianxin_store::day_of_ms(state.now_ms()), lang).await?;
            let mut cp = Panel::titled(lang.pick("当选人员结构", "Composition of the elected"));
            cp.table = Some(Table {
                headers: vec![
                    lang.pick("项目", "Item").into(),
                    lang.pick("人数", "Number").into(),
                    lang.pick("占比", "Share").into(),
                    lang.pick("指导比例(R-J12)", "Guiding share (R-J12)").into(),
                ],
                rows: c
                    .highlights
                    .iter()
                    .map(|r| {
                        let target = match checks.iter().find(|t| t.key == r.key) {
                            Some(t) if t.met => format!("≥ {}% {}", t.min_percent, lang.pick("达到", "met")),
                            Some(t) => format!("≥ {}% {}", t.min_percent, lang.pick("未达到,请说明", "NOT met: explain")),
                            None => "—".into(),
                        };
                        vec![Cell::text(&r.label), Cell::text(r.share.count.to_string()), Cell::text(r.share.percent()), Cell::text(target)]
                    })
                    .collect(),
                empty: String::new(),
            });
            let more: Vec<&lianxin_domain::election::TargetCheck> = checks.iter().filter(|t| t.key.contains(':')).collect();
            if let Some(t) = cp.table.as_mut() {
                for c in more {
                    let verdict = if c.met { lang.pick("达到", "met") } else { lang.pick("未达到,请说明", "NOT met: explain") };
                    t.rows.push(vec![
                        Cell::text(&c.label),
                        Cell::text(c.count.to_string()),
                        Cell::text(&c.percent),
                        Cell::text(format!("≥ {}% {verdict}", c.min_percent)),
                    ]);
                }
            }
            p.panels.push(cp);
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

/// The public notice of candidates (公示), without signing in: names, profiles and statements;
/// after the announcement, the elected.
pub async fn public_notice(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let e = elections::get(&state.store, id).await?;
        if e.notice_until.is_none() {
            return Err(WebError::NotFound);
        }
        let lang = v.lang;
        let posts = elections::posts(&state.store, &e).await?;
        let cands = elections::candidates(&state.store, &e).await?;
        let noms = elections::nominations(&state.store, &e).await?;
        let mut p = Page::new(
            Ctx::new(&v, &format!("/public/elections/{id}"), ""),
            format!("{} · {}", e.title, lang.pick("候选人公示", "Candidates in public notice")),
        );
        let mut head = Panel::default();
        head.note = format!(
            "{} {}。{}",
            lang.pick("公示至", "In public notice until"),
            e.notice_until.clone().unwrap_or_default(),
            lang.pick("对候选人有意见的,请在公示期内向选举单位反映。", "Objections go to the electing body within the notice period.")
        );
        p.panels.push(head);
        for post in &posts {
            let mut cp = Panel::titled(format!("{}({} {})", post.name, lang.pick("应选", "seats"), post.seats));
            cp.table = Some(Table {
                headers: vec![lang.pick("姓名", "Name").into(), lang.pick("简介", "Profile").into(), lang.pick("竞职演讲", "Statement").into()],
                rows: cands
                    .iter()
                    .filter(|c| c.post_id == post.id)
                    .map(|c| {
                        let n = noms.iter().find(|n| n.post_id == post.id && n.name == c.name);
                        vec![
                            Cell::text(&c.name),
                            Cell::text(n.map(|n| n.profile.clone()).unwrap_or_default()),
                            Cell::text(n.map(|n| n.statement.clone()).unwrap_or_default()),
                        ]
                    })
                    .collect(),
                empty: String::new(),
            });
            p.panels.push(cp);
        }
        if e.status() == ElectionStatus::Notice {
            let mut op = Panel::titled(lang.pick("对候选人提出异议", "Object to a candidate"));
            op.note =
                lang.pick("请写明事实和理由;选举单位核查后答复。", "Give the facts and grounds; the electing body looks into it and answers.").into();
            op.form = Some(Form::post(
                format!("/public/elections/{id}/objections"),
                "",
                lang.pick("提交", "Send"),
                vec![
                    Field::select(
                        "candidate",
                        lang.pick("候选人", "Candidate"),
                        "",
                        cands.iter().map(|c| (c.name.clone(), c.name.clone())).collect(),
                    )
                    .required(),
                    Field::new("textarea", "text", lang.pick("事实和理由", "Facts and grounds"), "").required(),
                    Field::new("text", "contact", lang.pick("联系方式(可不填)", "Contact (optional)"), ""),
                ],
            ));
            p.panels.push(op);
        }
        if e.status() == ElectionStatus::Announced {
            let elected = elections::elected(&state.store, &e).await?;
            let mut ep = Panel::titled(lang.pick("当选名单", "Elected"));
            ep.note = elected.iter().map(|x| x.name.clone()).collect::<Vec<_>>().join("、");
            p.panels.push(ep);
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

/// An objection sent from the public notice page (no account: the origin check guards the
/// form, and each address may send only so many).
pub async fn public_object(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        if !state.throttle.allow(&format!("objection:{}", v.client), state.now_ms(), 10) {
            return Err(WebError::TooMany);
        }
        let f = pairs(&body);
        let e = elections::get(&state.store, id).await?;
        let change = lianxin_store::Change::new(None, "群众 / resident", state.now_ms());
        elections::object(&state.store, &e, one(&f, "candidate"), one(&f, "text"), one(&f, "contact"), &change).await?;
        let mut p = Page::new(Ctx::new(&v, &format!("/public/elections/{id}"), ""), e.title.clone());
        p.panels.push(Panel {
            title: v.lang.pick("异议已收到", "Objection received").into(),
            note: v.lang.pick("选举单位将在公示期内核查并答复。", "The electing body will look into it during the notice.").into(),
            links: vec![Link::new(format!("/public/elections/{id}"), v.lang.pick("返回公示", "Back to the notice"))],
            ..Default::default()
        });
        Ok(axum::response::IntoResponse::into_response(p.render()))
    }
    .await;
    page(&v, r)
}

pub async fn decide(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let (e, f) = office_election(&state, &v, id, &body).await?;
        let oid = one(&f, "objection").parse().map_err(|_| bad("objection", "请选择异议", "choose the objection"))?;
        elections::decide_objection(&state.store, &e, oid, one(&f, "decision") == "upheld", one(&f, "response"), &v.change(&state)?).await?;
        Ok(see_other(&format!("/elections/{id}")))
    }
    .await;
    page(&v, r)
}
