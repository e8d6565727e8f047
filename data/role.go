package data

import (
	"strings"
)

// Role is a team member's role, spelled exactly as the Redis Cloud API
// spells it.
type Role string

// The six roles of a Redis Cloud account.
const (
	RoleOwner        Role = "Owner"
	RoleManager      Role = "Manager"
	RoleMember       Role = "Member"
	RoleBillingAdmin Role = "Billing Admin"
	RoleViewer       Role = "Viewer"
	RoleLogsViewer   Role = "Logs Viewer (API use only)"
)

// Roles lists every role, most privileged first; selectors show this order.
var Roles = []Role{RoleOwner, RoleManager, RoleMember, RoleBillingAdmin, RoleViewer, RoleLogsViewer}

// roleShortNames are the short spellings the command line accepts.
var roleShortNames = map[string]Role{
	"owner":         RoleOwner,
	"manager":       RoleManager,
	"member":        RoleMember,
	"billing-admin": RoleBillingAdmin,
	"viewer":        RoleViewer,
	"logs-viewer":   RoleLogsViewer,
}

// ParseRole accepts a role case-insensitively, in full ("Logs Viewer (API
// use only)") or short ("logs-viewer").
func ParseRole(s string) (Role, error) {
	t := strings.TrimSpace(s)
	for _, r := range Roles {
		if strings.EqualFold(t, string(r)) {
			return r, nil
		}
	}
	if r, ok := roleShortNames[strings.ToLower(t)]; ok {
		return r, nil
	}
	return "", Errorf(EInvalid, "Unknown role %s: use one of Owner, Manager, Member, Billing Admin, Viewer, "+
		"Logs Viewer (API use only), or their short forms owner, manager, member, billing-admin, viewer, logs-viewer.", Quote(s))
}

// Validate reports whether r is one of the six roles.
func (r Role) Validate() error {
	for _, known := range Roles {
		if r == known {
			return nil
		}
	}
	if known, err := ParseRole(string(r)); err == nil {
		return Errorf(EInvalid, "The role %s must be spelled %q.", Quote(string(r)), known)
	}
	_, err := ParseRole(string(r))
	return err
}

// CanOwnKeys reports whether a user with this role may own API user keys.
func (r Role) CanOwnKeys() bool {
	return r == RoleOwner || r == RoleViewer || r == RoleLogsViewer
}

// CanSignIn reports whether a user with this role may sign in to the console.
func (r Role) CanSignIn() bool {
	return r.Validate() == nil && r != RoleLogsViewer
}

// CanAdminister reports whether this role may change the account: enable the
// API, see the account key, manage users, keys and allow lists.
func (r Role) CanAdminister() bool { return r == RoleOwner }

// CanReadLogs reports whether this role may read the system log in the
// console.
func (r Role) CanReadLogs() bool { return r == RoleOwner || r == RoleViewer }

// APIAccess is how much of the REST API a user key lets its holder use.
type APIAccess int

// The levels of REST API access, each including the ones before it except
// that APILogsOnly grants a single endpoint.
const (
	APINone      APIAccess = iota // the role cannot own keys
	APILogsOnly                   // GET /v1/logs only
	APIReadOnly                   // every GET
	APIReadWrite                  // every endpoint
)

// MayUseGated reports whether a key of this role may make a request with
// method to a service the gate protects (SPEC §3.1): Owners any method,
// Viewers and Logs Viewers only GET and HEAD, the other roles none (they
// hold no active keys).
func (r Role) MayUseGated(method string) bool {
	switch r {
	case RoleOwner:
		return true
	case RoleViewer, RoleLogsViewer:
		return method == "GET" || method == "HEAD"
	}
	return false
}

// APIAccess returns what a key held by a user with this role may call.
func (r Role) APIAccess() APIAccess {
	switch r {
	case RoleOwner:
		return APIReadWrite
	case RoleViewer:
		return APIReadOnly
	case RoleLogsViewer:
		return APILogsOnly
	}
	return APINone
}
