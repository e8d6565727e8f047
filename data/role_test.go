package data

import (
	"strings"
	"testing"
)

func TestParseRole(t *testing.T) {
	tests := []struct {
		in   string
		want Role
	}{
		{"Owner", RoleOwner}, {"owner", RoleOwner}, {"OWNER", RoleOwner},
		{"Manager", RoleManager}, {"manager", RoleManager},
		{"Member", RoleMember}, {"member", RoleMember},
		{"Billing Admin", RoleBillingAdmin}, {"billing admin", RoleBillingAdmin}, {"billing-admin", RoleBillingAdmin},
		{"Viewer", RoleViewer}, {"viewer", RoleViewer},
		{"Logs Viewer (API use only)", RoleLogsViewer}, {"logs viewer (api use only)", RoleLogsViewer}, {"logs-viewer", RoleLogsViewer},
		{" viewer ", RoleViewer},
	}
	for _, tt := range tests {
		got, err := ParseRole(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "admin", "Logs Viewer", "logs_viewer", "owners"} {
		_, err := ParseRole(bad)
		if err == nil || !strings.Contains(err.Error(), "use one of Owner, Manager, Member, Billing Admin, Viewer, Logs Viewer (API use only)") {
			t.Errorf("ParseRole(%q) = %v, want an error listing the roles", bad, err)
		}
		wantCode(t, err, EInvalid)
	}
}

func TestRoleRights(t *testing.T) {
	tests := []struct {
		role                         Role
		ownKeys, signIn, admin, logs bool
		api                          APIAccess
	}{
		{RoleOwner, true, true, true, true, APIReadWrite},
		{RoleManager, false, true, false, false, APINone},
		{RoleMember, false, true, false, false, APINone},
		{RoleBillingAdmin, false, true, false, false, APINone},
		{RoleViewer, true, true, false, true, APIReadOnly},
		{RoleLogsViewer, true, false, false, false, APILogsOnly},
		{Role("Admin"), false, false, false, false, APINone},
	}
	for _, tt := range tests {
		if tt.role.CanOwnKeys() != tt.ownKeys || tt.role.CanSignIn() != tt.signIn || tt.role.CanAdminister() != tt.admin ||
			tt.role.CanReadLogs() != tt.logs || tt.role.APIAccess() != tt.api {
			t.Errorf("rights of %q are wrong", tt.role)
		}
	}
}
