//! The demo's annual meeting (seeds 002–004: the standing congress meets every year): the
//! town congress's 2026 meeting, held, with its reports handed out, each group's opinions,
//! the resolution voted by secret ballot and published, a democratic appraisal of the
//! committee members, inquiries answered on the spot; and the next meeting, planned. Written
//! through the store's own functions, so the demo's records are what the pages would make.

use crate::congress::{self, Body};
use crate::meetings::{self, MeetingInput};
use crate::{agenda, inquiries, Change, Result, Store};
use lianxin_domain::ballot::{Choices, Mark, Question, VoteMode};
use lianxin_domain::meeting::{AgendaInput, DeliberationInput, InquiryInput, ResolutionAction as A};

const OPINIONS: &[&[&str]] = &[
    &["同意报告", "建议加大村级集体经济扶持力度", "党代表工作室接待日要固定并公示"],
    &["同意报告", "建议村务财务公开按月进行", "希望多组织代表培训"],
    &["同意报告", "建议解决下楣桥村灌溉水渠年久失修问题"],
];

/// Builds the town's meetings; returns how many ballots went into the boxes.
pub(crate) async fn build(store: &Store, now: &Change, body_id: i64) -> Result<usize> {
    let body: Body = congress::body(store, body_id).await?;
    // the meeting's records bear its day (10:00), and its notices have long been read
    let day = lianxin_domain::proposal::day_number(time::macros::date!(2026 - 03 - 20));
    let at = (crate::day_start_ms(day) + 10 * 3_600_000).min(now.now_ms);
    let change = &Change::new(now.actor_id, now.actor_name.clone(), at);
    let today = lianxin_domain::error::fmt_date(change.today());
    let Some(term) = congress::current_term(store, &body, &today).await? else { return Ok(0) };
    let n = 2026 - term.starts_on[..4].parse::<i32>().unwrap_or(2022) + 1;
    let title = format!("第{}届代表大会第{}次年会", term.number, n.max(1));
    let m = meetings::create(
        store,
        &body,
        &term,
        &MeetingInput { kind: "annual".into(), title, on: "2026-03-20".into(), place: "镇会议中心".into() },
        change,
    )
    .await?;
    let attendees = meetings::attendees(store, &m).await?;
    // nine in ten come; a few are excused
    for (k, a) in attendees.iter().enumerate() {
        match k % 10 {
            3 => meetings::set_attendance(store, &m, a.delegate_id, "leave", None, if k % 20 == 3 { "外出务工" } else { "因病请假" }, change).await?,
            _ => meetings::set_attendance(store, &m, a.delegate_id, "present", None, "", change).await?,
        }
    }
    let report = agenda::add(
        store,
        &m,
        &AgendaInput {
            kind: "report".into(),
            title: "镇党委工作报告".into(),
            presenter: "镇党委".into(),
            body: "一年来,镇党委坚持党代表任期制,组织党代表开展调研、视察、接访……".into(),
        },
        change,
    )
    .await?;
    agenda::distribute(store, &m, &report, change).await?;
    let discipline = agenda::add(
        store,
        &m,
        &AgendaInput { kind: "report".into(), title: "镇纪委工作报告".into(), presenter: "镇纪委".into(), body: String::new() },
        change,
    )
    .await?;
    agenda::distribute(store, &m, &discipline, change).await?;
    let draft = agenda::add(
        store,
        &m,
        &AgendaInput {
            kind: "draft_resolution".into(),
            title: "关于镇党委工作报告的决议".into(),
            presenter: "大会主席团".into(),
            body: "会议同意镇党委工作报告,要求全镇党组织和党员……".into(),
        },
        change,
    )
    .await?;
    let groups = congress::groups(store, &term).await?;
    for (g, opinions) in groups.iter().zip(OPINIONS) {
        let input = DeliberationInput {
            group: g.name.clone(), minutes: format!("{}召集,全组代表逐条审议。", g.name), opinions: opinions.join("\n")
        };
        agenda::record_deliberation(store, &draft, &input, change).await?;
    }
    let draft = agenda::step(store, &m, &draft, A::Deliberate, "", "", change).await?;
    let draft = agenda::step(store, &m, &draft, A::PutToVote, "", "party_branch_resolution", change).await?;
    let mut ballots = 0;
    if let Some(vid) = draft.vote_id {
        let v = meetings::open_vote(store, &meetings::vote(store, vid).await?, change).await?;
        for (k, a) in attendees.iter().enumerate().filter(|(k, _)| k % 10 != 3) {
            let mark = match k % 17 {
                5 => Mark::No,
                11 => Mark::Abstain,
                _ => Mark::Yes,
            };
            meetings::cast(store, &v, a.delegate_id, &Choices::Marks(vec![mark]), change).await?;
            ballots += 1;
        }
        let v = meetings::close_vote(store, &v, change).await?;
        let passed = v.result.as_ref().and_then(|r| r["items"][0]["decision"]["passed"].as_bool()).unwrap_or(false);
        let draft = agenda::step(store, &m, &draft, if passed { A::Passed } else { A::Failed }, "", "", change).await?;
        if passed {
            agenda::step(store, &m, &draft, A::Publish, "会议同意镇党委工作报告。会议要求,全镇各级党组织和广大党员……", "", change).await?;
        }
    }
    // the committee members, appraised by secret ballot (R-L1)
    let committee = congress::committee(store, &term).await?;
    if !committee.is_empty() {
        let names: Vec<String> = committee.iter().take(5).map(|c| c.name.clone()).collect();
        let (t, q) = Question::validate("对镇党委委员的民主测评", "appraisal", &names.join("\n"), None)?;
        let config = lianxin_domain::counting::appraisal::AppraisalConfig {
            flag_if_buchengzhi_over: lianxin_domain::counting::fraction::Fraction::parse("1/3").ok(),
            ..Default::default()
        };
        let config = serde_json::to_string(&config).unwrap_or_default();
        let v = meetings::open_vote(store, &meetings::create_vote(store, &m, &t, &q, &config, VoteMode::Secret, change).await?, change).await?;
        for (k, a) in attendees.iter().enumerate().filter(|(k, _)| k % 10 != 3) {
            let grades: Vec<u8> = (0..names.len()).map(|i| [0u8, 0, 1, 0, 1, 2, 0][(k + i) % 7]).collect();
            meetings::cast(store, &v, a.delegate_id, &Choices::Grades(grades), change).await?;
            ballots += 1;
        }
        meetings::close_vote(store, &v, change).await?;
    }
    // inquiries on the spot, answered; the first published
    let asks = [
        ("镇财政所", "村级财务公开为何有的村延迟三个月?", "因会计人员调整,已于十月底补公开,今后按月公开。"),
        ("镇农业综合服务中心", "下楣桥村灌溉水渠何时修缮?", "已列入明年水利项目,春耕前完工。"),
    ];
    for (k, (to, question, answer)) in asks.iter().enumerate() {
        let Some(a) = attendees.get(k * 7) else { break };
        let i = inquiries::ask(
            store,
            &m,
            a.delegate_id,
            &InquiryInput { kind: "inquiry".into(), mode: "on_site".into(), addressee: to.to_string(), question: question.to_string() },
            change,
        )
        .await?;
        let i = inquiries::answer(store, &i, answer, "", change).await?;
        if k == 0 {
            inquiries::publish(store, &i, change).await?;
        }
    }
    crate::db::q("UPDATE notices SET read_at = created_at WHERE tenant_id = $1 AND created_at = $2", [body.tenant_id.into(), at.into()])
        .execute(&store.pool)
        .await?;
    // the next one, planned
    let change = now;
    meetings::create(
        store,
        &body,
        &term,
        &MeetingInput {
            kind: "plenary".into(), title: "镇党委全委(扩大)会议".into(), on: "2026-12-15".into(), place: "镇会议中心".into()
        },
        change,
    )
    .await?;
    Ok(ballots)
}
