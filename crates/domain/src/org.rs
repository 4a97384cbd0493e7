//! The organisation tree: county committee → town committees → general branches → branches.
//!
//! Each organisation keeps its parent and a materialised path (`/11/25/301/`), so a whole
//! subtree is one indexed prefix match on both SQLite and PostgreSQL.

use crate::error::{DomainError, Errors, FieldError};
use crate::{coded_enum, Id};

coded_enum! {
    /// The level of an organisation in the party structure.
    OrgKind {
        CountyCommittee => "county_committee", "县委", "County committee";
        Committee => "committee", "党委", "Committee";
        TownCommittee => "town_committee", "乡镇党委", "Town committee";
        VillageCommittee => "village_committee", "村级党委", "Village-level committee";
        GeneralBranch => "general_branch", "党总支", "General branch";
        Branch => "branch", "党支部", "Branch";
        Unit => "unit", "单位/部门", "Unit / department";
    }
}

coded_enum! {
    /// The kind of place an organisation sits in (seed 001 counts branches by these).
    OrgCategory {
        Rural => "rural", "农村", "Rural";
        Community => "community", "社区", "Community";
        Agency => "agency", "机关事业单位", "Agency / public institution";
        Enterprise => "enterprise", "企业", "Enterprise";
        Retired => "retired", "离退休", "Retired";
        Association => "association", "协会", "Association";
        Migrant => "migrant", "外出务工", "Migrant workers";
        School => "school", "学校", "School";
        Other => "other", "其他", "Other";
    }
}

/// The path of the root: a root's path is just `/id/`.
pub fn child_path(parent_path: Option<&str>, id: Id) -> String {
    match parent_path {
        Some(p) => format!("{p}{id}/"),
        None => format!("/{id}/"),
    }
}

/// Depth of a path: `/1/` is 0, `/1/5/` is 1.
pub fn depth_of(path: &str) -> i64 {
    (path.matches('/').count() as i64 - 2).max(0)
}

/// Whether `path` lies in the subtree rooted at `root_path` (a node is in its own subtree).
pub fn in_subtree(path: &str, root_path: &str) -> bool {
    path.starts_with(root_path)
}

/// The ids along a path, root first.
pub fn ancestors(path: &str) -> Vec<Id> {
    path.split('/').filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect()
}

/// The root (tenant) id of a path.
pub fn root_of(path: &str) -> Option<Id> {
    ancestors(path).first().copied()
}

/// Checks a move of the node at `node_path` under `new_parent_path`; returns the new path
/// of the node. Moving a node under itself or its own descendant would cut the tree.
pub fn plan_move(node_id: Id, node_path: &str, new_parent_path: &str) -> Result<String, DomainError> {
    if in_subtree(new_parent_path, node_path) {
        return Err(DomainError::invalid(FieldError::new(
            "parent_id",
            "cycle",
            "不能把组织移到它自己或它的下级组织之下",
            "an organisation cannot be moved under itself or its own descendant",
        )));
    }
    if root_of(new_parent_path) != root_of(node_path) {
        return Err(DomainError::invalid(FieldError::new(
            "parent_id",
            "other_tree",
            "不能把组织移到另一个组织树中",
            "an organisation cannot be moved into another tree",
        )));
    }
    Ok(child_path(Some(new_parent_path), node_id))
}

/// Rewrites a descendant's path after its ancestor moved from `old_prefix` to `new_prefix`.
pub fn rebase(path: &str, old_prefix: &str, new_prefix: &str) -> String {
    match path.strip_prefix(old_prefix) {
        Some(rest) => format!("{new_prefix}{rest}"),
        None => path.to_string(),
    }
}

/// The fields a user gives for an organisation.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct OrgInput {
    pub name: String,
    pub kind: String,
    pub category: String,
    pub parent_id: Option<Id>,
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidOrg {
    pub name: String,
    pub kind: OrgKind,
    pub category: OrgCategory,
    pub code: Option<String>,
}

impl OrgInput {
    pub fn validate(&self) -> Result<ValidOrg, DomainError> {
        use crate::lang::Coded;
        let mut e = Errors::new();
        let name = e.text("name", "组织名称", &self.name, 60);
        let kind = OrgKind::from_code(self.kind.trim());
        if kind.is_none() {
            e.push(FieldError::new("kind", "bad_choice", "请选择组织类别", "choose the kind of organisation"));
        }
        let category = if self.category.trim().is_empty() { Some(OrgCategory::Other) } else { OrgCategory::from_code(self.category.trim()) };
        if category.is_none() {
            e.push(FieldError::new("category", "bad_choice", "请选择组织类型", "choose the type of organisation"));
        }
        let code = e.opt_text("code", "组织代码", self.code.as_deref(), 40);
        e.finish()?;
        Ok(ValidOrg { name, kind: kind.unwrap_or(OrgKind::Branch), category: category.unwrap_or(OrgCategory::Other), code })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paths_and_depths() {
        let root = child_path(None, 1);
        let town = child_path(Some(&root), 5);
        let branch = child_path(Some(&town), 12);
        assert_eq!(branch, "/1/5/12/");
        assert_eq!(depth_of(&root), 0);
        assert_eq!(depth_of(&branch), 2);
        assert!(in_subtree(&branch, &town));
        assert!(!in_subtree(&town, &branch));
        // `/1/5/` must not match `/1/55/`: the trailing slash is what keeps siblings apart.
        assert!(!in_subtree("/1/55/", "/1/5/"));
        assert_eq!(ancestors(&branch), vec![1, 5, 12]);
        assert_eq!(root_of(&branch), Some(1));
    }

    #[test]
    fn a_node_cannot_move_under_itself_or_out_of_its_tree() {
        assert!(plan_move(5, "/1/5/", "/1/5/12/").is_err());
        assert!(plan_move(5, "/1/5/", "/1/5/").is_err());
        assert!(plan_move(5, "/1/5/", "/2/").is_err());
        assert_eq!(plan_move(12, "/1/5/12/", "/1/6/").unwrap(), "/1/6/12/");
        assert_eq!(rebase("/1/5/12/40/", "/1/5/12/", "/1/6/12/"), "/1/6/12/40/");
    }

    #[test]
    fn org_input_is_validated_with_chinese_messages() {
        let bad = OrgInput { name: " ".into(), kind: "castle".into(), ..Default::default() };
        let DomainError::Invalid(errs) = bad.validate().unwrap_err() else { panic!() };
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].zh, "组织名称不能为空");
        let ok = OrgInput { name: "下楣桥村党支部".into(), kind: "branch".into(), category: "rural".into(), ..Default::default() };
        let v = ok.validate().unwrap();
        assert_eq!(v.kind, OrgKind::Branch);
        assert_eq!(v.category, OrgCategory::Rural);
    }

    proptest! {
        /// After any legal move, every node's path still lists its ancestors and the moved
        /// subtree keeps its shape: the tree invariant holds.
        #[test]
        fn moves_keep_paths_consistent(parent_choice in 0usize..6, node_choice in 1usize..6) {
            // A small fixed tree: 1 → 2 → 3 → 4, 1 → 5 → 6.
            let mut paths: Vec<(Id, String)> = vec![
                (1, "/1/".into()), (2, "/1/2/".into()), (3, "/1/2/3/".into()),
                (4, "/1/2/3/4/".into()), (5, "/1/5/".into()), (6, "/1/5/6/".into()),
            ];
            let (node, node_path) = paths[node_choice].clone();
            let (_, parent_path) = paths[parent_choice].clone();
            match plan_move(node, &node_path, &parent_path) {
                Err(_) => prop_assert!(in_subtree(&parent_path, &node_path)),
                Ok(new_path) => {
                    for (_, p) in paths.iter_mut() {
                        *p = rebase(p, &node_path, &new_path);
                    }
                    for (id, p) in &paths {
                        let a = ancestors(p);
                        prop_assert_eq!(a.last().copied(), Some(*id));
                        prop_assert_eq!(a.first().copied(), Some(1));
                        // every ancestor of a node has a path that is a prefix of the node's
                        for (aid, ap) in &paths {
                            if a.contains(aid) { prop_assert!(in_subtree(p, ap)); }
                        }
                    }
                }
            }
        }
    }
}
