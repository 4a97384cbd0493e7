//! Interface texts. Every entry carries both languages, so a key can never exist in one and
//! not the other; a test checks that every key the code and templates use is here.

use lianxin_domain::lang::{Coded, Lang};

macro_rules! texts {
    ($($key:literal => $zh:literal, $en:literal;)+) => {
        /// The text for `key` in `lang`; an unknown key shows itself (and fails the test).
        pub fn t(lang: Lang, key: &str) -> &'static str {
            match key {
                $($key => match lang { Lang::Zh => $zh, Lang::En => $en },)+
                _ => "??",
            }
        }
        pub fn exists(key: &str) -> bool {
            matches!(key, $($key)|+)
        }
    };
}

texts! {
    "app" => "连心", "Lianxin";
    "tagline" => "代表大会常任制工作平台", "Standing congress workbench";
    "home" => "首页", "Home";
    "orgs" => "组织", "Organisations";
    "people" => "人员", "People";
    "bodies" => "代表大会", "Congresses";
    "delegates" => "代表", "Delegates";
    "groups" => "代表小组", "Delegate groups";
    "committee" => "委员", "Committee";
    "composition" => "代表结构", "Composition";
    "coverage" => "联系覆盖", "Liaison coverage";
    "audit" => "操作日志", "Audit log";
    "import" => "导入", "Import";
    "export" => "导出 Excel", "Export Excel";
    "me" => "我的", "Me";
    "notices" => "消息", "Notices";
    "notice" => "消息", "Notice";
    "read" => "已读", "Read";
    "unread" => "未读", "Unread";
    "no_notices" => "暂无消息", "No notices";
    "mark_all_read" => "全部标为已读", "Mark all read";
    "users" => "用户", "Users";
    "login" => "登录", "Sign in";
    "logout" => "退出", "Sign out";
    "username" => "用户名", "Username";
    "password" => "密码", "Password";
    "search" => "查询", "Search";
    "save" => "保存", "Save";
    "create" => "新建", "Create";
    "edit" => "修改", "Edit";
    "cancel" => "取消", "Cancel";
    "confirm" => "确认", "Confirm";
    "all" => "全部", "All";
    "name" => "名称", "Name";
    "person_name" => "姓名", "Name";
    "gender" => "性别", "Gender";
    "birth_date" => "出生日期", "Birth date";
    "age" => "年龄", "Age";
    "ethnicity" => "民族", "Ethnicity";
    "education" => "学历", "Education";
    "occupation" => "职业", "Occupation";
    "phone" => "联系电话", "Phone";
    "address" => "住址", "Address";
    "org" => "所属组织", "Organisation";
    "kind" => "类别", "Kind";
    "category" => "类型", "Category";
    "sector" => "界别", "Sector";
    "set_leader" => "设置组长", "Set the group leader";
    "min_signers" => "提案最少联名人数(含提出人)", "Signers a proposal needs (proposer included)";
    "deadline_days" => "办理期限(天)", "Days to reply";
    "rehandle_days" => "再次办理期限(天)", "Days to handle again";
    "session_open" => "大会会议", "Congress";
    "in_session" => "会议期间(受理提案、提议)", "In session (proposals and motions taken)";
    "in_recess" => "闭会期间(受理建议、书面意见)", "In recess (suggestions and opinions taken)";
    "proposals" => "提案建议", "Proposals";
    "new_proposal" => "提出提案或建议", "New proposal or suggestion";
    "title" => "标题", "Title";
    "reason_part" => "案由", "Reason (案由)";
    "grounds_part" => "案据", "Grounds (案据)";
    "solution_part" => "方案(建议办法)", "Proposed solution (方案)";
    "number" => "编号", "Number";
    "proposer" => "提出人", "Proposer";
    "signers" => "联名人", "Signers";
    "units" => "承办单位", "Handling units";
    "lead_unit" => "主办单位", "Lead unit";
    "co_units" => "协办单位", "Co-handling units";
    "deadline" => "办理期限", "Deadline";
    "overdue" => "已超期", "Overdue";
    "timeline" => "办理过程", "Timeline";
    "result" => "办理结果", "Result";
    "satisfaction" => "满意度", "Satisfaction";
    "invite" => "邀请联名", "Invite a co-signer";
    "cosign" => "同意联名", "Co-sign";
    "decline" => "不同意联名", "Decline";
    "submit" => "提交", "Submit";
    "withdraw" => "撤回", "Withdraw";
    "review" => "审查", "Review";
    "accept" => "立案", "Accept";
    "return" => "退回补充", "Return for completion";
    "reject" => "不予立案", "Do not accept";
    "convert" => "转为建议/意见办理", "Handle as a suggestion or opinion";
    "merge" => "并案", "Merge";
    "assign" => "交办", "Assign";
    "reassign" => "改办", "Reassign";
    "acknowledge" => "签收", "Acknowledge";
    "request_reassignment" => "申请退回改办", "Ask to be reassigned";
    "progress" => "办理进展", "Progress";
    "reply" => "答复", "Reply";
    "rate" => "评价", "Rate";
    "key_proposal" => "重点提案", "Key proposal";
    "public" => "公开", "Public";
    "flags" => "标记", "Flags";
    "stats" => "办理统计", "Handling statistics";
    "on_time_rate" => "按期答复率", "Replied on time";
    "satisfaction_rate" => "满意率(含基本满意)", "Satisfied or basically satisfied";
    "avg_days" => "平均办理天数", "Average days to reply";
    "my_proposals" => "我的提案", "My proposals";
    "inbox" => "待办件", "Inbox";
    "comment" => "意见", "Comment";
    "delegate_id" => "代表姓名或编号", "Delegate name or number";
    "end_term_of" => "离任", "Left";
    "person_kind" => "人员类别", "Kind of person";
    "joined_on" => "入党日期", "Joined the party";
    "id_number" => "身份证号", "ID number";
    "code" => "组织代码", "Code";
    "parent" => "上级组织", "Parent";
    "children" => "下级组织", "Sub-organisations";
    "retired" => "已撤销", "Retired";
    "retire" => "撤销组织", "Retire";
    "move" => "移动到", "Move under";
    "members" => "党员", "Members";
    "residents" => "群众", "Residents";
    "women" => "女性", "Women";
    "minorities" => "少数民族", "Ethnic minorities";
    "term" => "届次", "Term";
    "terms" => "届", "Terms";
    "term_no" => "第{n}届", "Term {n}";
    "starts_on" => "开始日期", "Start";
    "ends_on" => "结束日期", "End";
    "seats" => "名额", "Seats";
    "status" => "状态", "Status";
    "origin" => "产生方式", "Origin";
    "constituency" => "选举单位", "Constituency";
    "group" => "代表小组", "Group";
    "leader" => "组长", "Leader";
    "post" => "职务", "Post";
    "since" => "任职日期", "Since";
    "elected_on" => "当选日期", "Elected on";
    "vacancies" => "待补选空缺", "Vacancies for by-election";
    "qualification" => "资格变动", "Qualification change";
    "reason" => "原因", "Reason";
    "note" => "说明", "Note";
    "decided_on" => "决定日期", "Decided on";
    "proposed_by" => "提出单位", "Proposed by";
    "decided_by" => "决定机关", "Decided by";
    "rule" => "依据", "Rule";
    "links" => "联系", "Links";
    "linked_members" => "联系的党员", "Linked members";
    "linked_residents" => "联系的群众", "Linked residents";
    "linked_groups" => "联系的代表小组", "Linked groups";
    "add_link" => "新增联系", "Add link";
    "end_link" => "结束联系", "End link";
    "history" => "历史", "History";
    "count" => "人数", "Count";
    "share" => "占比", "Share";
    "total" => "合计", "Total";
    "gaps" => "缺口", "Gaps";
    "on_date" => "统计日期", "As of";
    "page_of" => "第 {p} / {n} 页,共 {t} 条", "Page {p} of {n}, {t} in all";
    "prev" => "上一页", "Previous";
    "next" => "下一页", "Next";
    "none" => "暂无", "None";
    "time" => "时间", "Time";
    "actor" => "操作人", "By";
    "action" => "操作", "Action";
    "entity" => "对象", "Object";
    "before" => "修改前", "Before";
    "after" => "修改后", "After";
    "chain_ok" => "日志链完整,共 {n} 条", "Chain intact, {n} entries";
    "chain_broken" => "日志链被篡改:{w}", "Chain broken: {w}";
    "language" => "English", "中文";
    "forbidden" => "没有权限", "Forbidden";
    "forbidden_text" => "您没有权限查看或修改这部分内容。", "You are not allowed to see or change this.";
    "not_found" => "未找到", "Not found";
    "not_found_text" => "您要找的内容不存在。", "What you are looking for does not exist.";
    "invalid" => "请修改以下内容", "Please correct the following";
    "conflict" => "无法完成", "Cannot be done";
    "server_error" => "系统错误", "Server error";
    "server_error_text" => "系统出了问题,操作没有完成,请稍后再试。", "Something went wrong; nothing was changed. Please try again.";
    "bad_login" => "用户名或密码错误", "Wrong username or password";
    "locked" => "登录失败次数过多,账户已锁定 15 分钟", "Too many failed sign-ins: the account is locked for 15 minutes";
    "throttled" => "登录尝试过于频繁,请稍后再试", "Too many sign-in attempts; try again later";
    "csrf" => "页面已过期,请刷新后重试", "The page has expired; reload and try again";
    "saved" => "已保存", "Saved";
    "my_delegate" => "我的代表身份", "My delegate seats";
    "api_tokens" => "接口令牌", "API tokens";
    "token_created" => "新令牌(只显示一次,请妥善保存):", "New token (shown once; keep it safe):";
    "revoke" => "作废", "Revoke";
    "role" => "角色", "Role";
    "scope" => "范围", "Scope";
    "grant" => "授权", "Grant";
    "new_user" => "新建用户", "New user";
    "display_name" => "显示名称", "Display name";
    "import_help" => "下载模板,按模板填写后上传。有任何一行出错时,整个文件都不会导入,并列出每个错误的行号和原因;重复导入同一文件只会更新,不会重复。", "Download the template, fill it in and upload it. If any row has an error, nothing is imported and every error is listed with its row; importing the same file again updates instead of duplicating.";
    "template" => "下载导入模板", "Download template";
    "file" => "文件", "File";
    "upload" => "上传导入", "Upload";
    "import_done" => "导入完成", "Import finished";
    "import_failed" => "导入未执行:发现以下错误", "Nothing imported: errors found";
    "row" => "行", "Row";
    "sheet" => "工作表", "Sheet";
    "created" => "新增", "Created";
    "updated" => "更新", "Updated";
    "committee_with_group" => "委员联系代表小组", "Committee members linked to a group";
    "delegates_with_members" => "代表联系党员(不少于 {n} 名)", "Delegates linked to {n}+ members";
    "members_with_residents" => "党员联系群众", "Members linked to residents";
    "avg_members" => "平均每名代表联系党员", "Members per delegate (average)";
    "avg_residents" => "平均每名党员联系群众", "Residents per member (average)";
    "committee_without_group" => "未联系代表小组的委员", "Committee members without a group";
    "delegates_short" => "联系党员不足的代表", "Delegates with too few members";
    "members_without_residents" => "未联系群众的党员", "Members without residents";
    "highlights" => "主要比例", "Key shares";
    "subtree_counts" => "组织概况", "In this organisation";
    "my_scope" => "我的范围", "My scope";
    "delegate_count" => "代表人数", "Delegates";
    "settings" => "设置", "Settings";
    "term_years" => "每届年限", "Years per term";
    "min_members" => "每名代表至少联系党员数", "Minimum members per delegate";
    "youth_age_max" => "青年代表年龄上限(含)", "Youth age limit (inclusive)";
    "add_delegate" => "增加代表", "Add delegate";
    "add_committee" => "增加委员", "Add committee member";
    "new_term" => "新建一届", "New term";
    "new_group" => "新建代表小组", "New group";
    "new_body" => "新建代表大会", "New congress";
    "new_person" => "新增人员", "New person";
    "new_org" => "新建下级组织", "New sub-organisation";
    "by_election" => "补选(填补空缺)", "By-election (fills a vacancy)";
    "replaces" => "补选所补的空缺", "Fills the seat of";
    "person_id" => "人员编号", "Person id";
    "open" => "查看", "Open";
    "demo_hint" => "演示账号见启动时终端输出", "Demo logins are printed where the server was started";
    "skip" => "跳到正文", "Skip to content";
}

/// The label of a coded value (an enum stored as a code) in the viewer's language.
pub fn label<T: Coded>(lang: Lang, code: &str) -> String {
    T::from_code(code).map(|v| v.label().get(lang).to_string()).unwrap_or_else(|| code.to_string())
}

/// A text with `{name}` placeholders filled.
pub fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut s = text.to_string();
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key used as `t(…, "key")` or `tr.t("key")` in the code and templates exists.
    #[test]
    fn every_used_key_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        let mut files = Vec::new();
        for dir in ["src", "src/pages", "src/api", "templates"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
                if e.path().is_file() {
                    files.push(e.path());
                }
            }
        }
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            // comments may mention the calls without being calls
            let code: String = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
            for (needle, skip) in [(".t(\"", 4usize), ("tx(lang, \"", 10usize)] {
                for (i, _) in code.match_indices(needle) {
                    let rest = &code[i + skip..];
                    if let Some(end) = rest.find('"') {
                        let key = &rest[..end];
                        if !exists(key) {
                            missing.push(format!("{}: {key}", f.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing texts: {missing:?}");
    }

    #[test]
    fn both_languages_and_placeholders() {
        assert_eq!(t(Lang::Zh, "login"), "登录");
        assert_eq!(t(Lang::En, "login"), "Sign in");
        assert_eq!(fill(t(Lang::En, "page_of"), &[("p", "2"), ("n", "5"), ("t", "90")]), "Page 2 of 5, 90 in all");
    }
}
