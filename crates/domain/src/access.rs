//! Roles scoped to a subtree of the organisation tree, and what each may do.
//!
//! Every route asks [`Actor::can`] with the path of the organisation the data belongs
//! to; the answer depends only on the actor's grants, so it is tested here as a table.

use crate::org::in_subtree;
use crate::{coded_enum, Id};
use serde::Serialize;

coded_enum! {
    Role {
        Admin => "admin", "系统管理员", "System administrator";
        LiaisonOffice => "liaison_office", "代表联络办公室", "Liaison office";
        CommitteeMember => "committee_member", "党委委员", "Committee member";
        Delegate => "delegate", "代表", "Delegate";
        HandlingUnit => "handling_unit", "承办单位", "Handling unit";
    }
}

/// One role held over one subtree (`scope_path` is the root of the subtree; `None` means
/// the whole installation, for administrators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub role: Role,
    pub scope_path: Option<String>,
    /// The body a liaison office administers, where the role is tied to one.
    pub body_id: Option<Id>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Permission {
    /// See the organisation tree and an organisation's page.
    ViewOrgs,
    EditOrgs,
    /// See the roster of people with their contact details (ID numbers stay masked).
    ViewPeople,
    EditPeople,
    /// See the delegates of a body, their groups and their status.
    ViewDelegates,
    /// Change delegates, groups, committee members, liaison links, qualifications, terms.
    EditDelegates,
    /// Composition and coverage reports.
    ViewReports,
    /// Import rosters from Excel or CSV.
    Import,
    /// Browse the audit log.
    ViewAudit,
    /// Create users and grant roles.
    ManageUsers,
}

impl Role {
    pub fn permits(self, p: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match self {
            Admin => true,
            LiaisonOffice => !matches!(p, ManageUsers),
            CommitteeMember => matches!(p, ViewOrgs | ViewPeople | ViewDelegates | ViewReports),
            Delegate => matches!(p, ViewOrgs | ViewDelegates),
            HandlingUnit => matches!(p, ViewOrgs),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: Id,
    pub username: String,
    pub display_name: String,
    /// The person this user is on the roster, if any (a delegate sees their own links).
    pub person_id: Option<Id>,
    pub grants: Vec<Grant>,
}

impl Actor {
    /// May this actor do `p` on data that belongs to the organisation at `org_path`?
    pub fn can(&self, p: Permission, org_path: &str) -> bool {
        self.grants.iter().any(|g| {
            g.role.permits(p)
                && match &g.scope_path {
                    None => true,
                    Some(scope) => in_subtree(org_path, scope),
                }
        })
    }

    /// May this actor do `p` anywhere at all (to show or hide a menu entry)?
    pub fn can_somewhere(&self, p: Permission) -> bool {
        self.grants.iter().any(|g| g.role.permits(p))
    }

    pub fn is_admin(&self) -> bool {
        self.grants.iter().any(|g| g.role == Role::Admin)
    }

    /// The subtrees in which `p` is allowed; `None` inside means everywhere.
    pub fn scopes_for(&self, p: Permission) -> Vec<Option<String>> {
        let mut v: Vec<Option<String>> = self.grants.iter().filter(|g| g.role.permits(p)).map(|g| g.scope_path.clone()).collect();
        if v.iter().any(Option::is_none) {
            return vec![None];
        }
        v.sort();
        v.dedup();
        // drop scopes already inside another scope
        let all = v.clone();
        v.retain(|s| {
            let s = s.as_deref().unwrap_or("");
            !all.iter().any(|o| {
                let o = o.as_deref().unwrap_or("");
                o != s && in_subtree(s, o)
            })
        });
        v
    }

    pub fn roles(&self) -> Vec<Role> {
        let mut r: Vec<Role> = self.grants.iter().map(|g| g.role).collect();
        r.dedup();
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Coded;
    use Permission::*;

    fn actor(role: Role, scope: Option<&str>) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            display_name: "u".into(),
            person_id: None,
            grants: vec![Grant { role, scope_path: scope.map(str::to_string), body_id: None }],
        }
    }

    const ALL: [Permission; 10] =
        [ViewOrgs, EditOrgs, ViewPeople, EditPeople, ViewDelegates, EditDelegates, ViewReports, Import, ViewAudit, ManageUsers];

    /// The whole matrix, one row per role: which permissions it has inside its scope.
    #[test]
    fn the_permission_matrix() {
        let expect: [(Role, &[Permission]); 5] = [
            (Role::Admin, &ALL),
            (Role::LiaisonOffice, &[ViewOrgs, EditOrgs, ViewPeople, EditPeople, ViewDelegates, EditDelegates, ViewReports, Import, ViewAudit]),
            (Role::CommitteeMember, &[ViewOrgs, ViewPeople, ViewDelegates, ViewReports]),
            (Role::Delegate, &[ViewOrgs, ViewDelegates]),
            (Role::HandlingUnit, &[ViewOrgs]),
        ];
        for (role, allowed) in expect {
            for p in ALL {
                assert_eq!(role.permits(p), allowed.contains(&p), "{} {:?}", role.code(), p);
            }
        }
    }

    #[test]
    fn a_scope_is_a_subtree_and_nothing_outside() {
        let office = actor(Role::LiaisonOffice, Some("/1/5/"));
        assert!(office.can(EditPeople, "/1/5/"));
        assert!(office.can(EditPeople, "/1/5/40/41/"));
        assert!(!office.can(EditPeople, "/1/6/"));
        assert!(!office.can(EditPeople, "/1/55/"));
        assert!(!office.can(EditPeople, "/1/"));
        assert!(!office.can(ManageUsers, "/1/5/"));
        let admin = actor(Role::Admin, None);
        assert!(admin.can(ManageUsers, "/9/"));
    }

    #[test]
    fn scopes_collapse_nested_grants() {
        let mut a = actor(Role::CommitteeMember, Some("/1/5/"));
        a.grants.push(Grant { role: Role::Delegate, scope_path: Some("/1/5/7/".into()), body_id: None });
        a.grants.push(Grant { role: Role::Delegate, scope_path: Some("/1/6/".into()), body_id: None });
        assert_eq!(a.scopes_for(ViewDelegates), vec![Some("/1/5/".to_string()), Some("/1/6/".to_string())]);
        assert_eq!(a.scopes_for(ViewPeople), vec![Some("/1/5/".to_string())]);
        assert!(a.scopes_for(EditPeople).is_empty());
    }
}
