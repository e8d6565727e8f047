package console

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"keyward/data"
	"keyward/widgets"
)

// TestViewerSeesEverythingReadOnly signs in as a Viewer: the keys and the
// team are listed, but nothing that changes them is offered, and the
// account key is nowhere.
func TestViewerSeesEverythingReadOnly(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.must(createKey(e, "viewer-sees-me", "vic@example.com"))
	e.signIn("vic@example.com")
	s := e.c.access
	root := e.w.Canvas().Content()
	if s.keys.accountKey != nil || s.keys.add != nil || s.team.add != nil {
		t.Fatal("a Viewer is offered the account key, Add or Add user")
	}
	for _, text := range []string{"Add", "Enable API", "Disable API", "Delete", "Edit", "Add user", "Show", "Copy"} {
		if hasButton(root, text) {
			t.Errorf("a Viewer sees the %q button", text)
		}
	}
	if len(s.keys.columns) != 6 || len(s.team.columns) != 5 { // the keys' expiry is shown
		t.Fatalf("a Viewer has %d key columns and %d team columns", len(s.keys.columns), len(s.team.columns))
	}
	row := e.keyRow("viewer-sees-me")
	// The rules open read-only: a Viewer sees which addresses a key is
	// accepted from, and that only an Owner can change them.
	_, err := e.store.AddCIDRRule(data.CommandLine, e.key("viewer-sees-me").ID, "10.0.0.0/8")
	e.must(err)
	c := cell(t, s.keys.table, row, e.col("CIDR allow list"))
	if c.Kind != widgets.CellLink || c.Text != "1 rule" {
		t.Fatalf("the allow list is a %v %q for a Viewer", c.Kind, c.Text)
	}
	tapLink(c.Link)
	d := e.top()
	if !strings.Contains(labelText(d), "10.0.0.0/8") || !strings.Contains(labelText(d), "Read-only: only an Owner can change the allow list.") {
		t.Fatalf("the Viewer's allow list dialog says %q", labelText(d))
	}
	for _, text := range []string{"Edit", "Delete", "Add CIDR rule"} {
		if hasButton(d, text) {
			t.Errorf("a Viewer's allow list offers %q", text)
		}
	}
	e.escape()
	if !strings.Contains(labelText(root), "Read-only: you are signed in as a Viewer. An Owner can add, change and delete keys.") {
		t.Fatal("the API Keys tab does not say it is read-only")
	}
	if s.log == nil || len(s.tabs.Items) != 3 {
		t.Fatal("a Viewer does not see the System Log")
	}
	if !strings.Contains(labelText(root), "Vic Viewer · Viewer") {
		t.Fatal("the corner does not name the user and role")
	}
}

func TestMemberHasNoSystemLog(t *testing.T) {
	e := newEnv(t).withAccount(false)
	e.signIn("max@example.com")
	if e.c.access.log != nil || len(e.c.access.tabs.Items) != 2 {
		t.Fatal("a Member sees the System Log")
	}
	if e.c.access.keys.enable.Visible() || !strings.Contains(labelText(e.c.access.keys.apiOff), "An Owner can enable it") {
		t.Fatal("a Member is offered Enable API")
	}
}

func (e *env) teamRow(email string) int {
	for i, u := range e.c.access.team.users {
		if u.Email == email {
			return i
		}
	}
	return -1
}

func TestTeamRules(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.must(createKey(e, "vics-key-0001", "vic@example.com"))
	e.must(createKey(e, "vics-key-0002", "vic@example.com"))
	e.signIn("ada@example.com")
	e.showTab("Team")
	team := e.c.access.team

	// Add a user.
	test.Tap(team.add)
	d := e.top()
	entries := all[*widgets.Entry](d)
	test.Type(entries[0], "Bea Billing")
	test.Type(entries[1], "bea@example.com")
	all[*widgets.Select](d)[0].SetSelected(string(data.RoleBillingAdmin))
	test.Tap(button(t, d, "Save"))
	if e.w.Canvas().Overlays().Top() != nil || e.teamRow("bea@example.com") < 0 {
		t.Fatalf("Add user: %s", labelText(d))
	}
	if c := cell(t, team.table, e.teamRow("bea@example.com"), 4); c.Text != "No password" {
		t.Fatalf("console cell = %q", c.Text)
	}
	// A duplicate email is refused in the dialog.
	test.Tap(team.add)
	d = e.top()
	entries = all[*widgets.Entry](d)
	test.Type(entries[0], "Bea Again")
	test.Type(entries[1], "BEA@example.com")
	test.Tap(button(t, d, "Save"))
	if !strings.Contains(labelText(d), "Bea Billing already uses the email bea@example.com") {
		t.Fatalf("duplicate email: %s", labelText(d))
	}
	e.escape()

	// Ada cannot change her own role; the selector says so.
	test.Tap(cell(t, team.table, e.teamRow("ada@example.com"), 5).Button)
	d = e.top()
	if !all[*widgets.Select](d)[0].Disabled() || !strings.Contains(labelText(d), "You cannot change your own role.") {
		t.Fatal("the own role is editable")
	}
	e.escape()
	// Nobody can delete themselves: no Delete on Ada's row.
	if c := cell(t, team.table, e.teamRow("ada@example.com"), 6); c.Kind == 2 {
		t.Fatal("Ada is offered to delete herself")
	}

	// Edit Vic: a new name and a password.
	test.Tap(cell(t, team.table, e.teamRow("vic@example.com"), 5).Button)
	d = e.top()
	entries = all[*widgets.Entry](d)
	entries[0].SetText("Victoria Viewer")
	test.Type(entries[1], "a new password for vic")
	test.Type(entries[2], "a new password for vic")
	test.Tap(button(t, d, "Save"))
	if u := e.user("vic@example.com"); u.Name != "Victoria Viewer" {
		t.Fatalf("after Edit: %+v", u)
	}
	if _, err := e.store.SignIn("vic@example.com", "a new password for vic", data.SessionClient{}); err != nil {
		t.Fatal("the new password does not work")
	}
	// Keys show the new name.
	e.showTab("API Keys")
	if c := cell(t, e.c.access.keys.table, e.keyRow("vics-key-0001"), e.col("User name")); c.Text != "Victoria Viewer" {
		t.Fatalf("the keys table shows %q", c.Text)
	}

	// Delete Vic: the confirmation counts the keys that go too.
	e.showTab("Team")
	test.Tap(cell(t, team.table, e.teamRow("vic@example.com"), 6).Button)
	d = e.top()
	if got := labelText(d); !strings.Contains(got, "Delete Victoria Viewer (vic@example.com) from the team?") ||
		!strings.Contains(got, "Their 2 API user keys will be deleted too") {
		t.Fatalf("the confirmation says %q", got)
	}
	test.Tap(button(t, d, "Cancel"))
	if e.teamRow("vic@example.com") < 0 {
		t.Fatal("Cancel deleted the user")
	}
	test.Tap(cell(t, team.table, e.teamRow("vic@example.com"), 6).Button)
	test.Tap(button(t, e.top(), "Delete"))
	if e.teamRow("vic@example.com") >= 0 || len(e.store.UserKeys()) != 0 || e.keyRow("vics-key-0001") >= 0 {
		t.Fatal("the user or their keys remain")
	}
}

func TestLastOwnerCannotBeDemoted(t *testing.T) {
	e := newEnv(t).withAccount(false)
	e.setRole("vic@example.com", data.RoleOwner)
	e.signIn("vic@example.com")
	e.showTab("Team")
	// Vic demotes Ada: fine, two Owners.
	team := e.c.access.team
	test.Tap(cell(t, team.table, e.teamRow("ada@example.com"), 5).Button)
	d := e.top()
	all[*widgets.Select](d)[0].SetSelected(string(data.RoleViewer))
	test.Tap(button(t, d, "Save"))
	if e.user("ada@example.com").Role != data.RoleViewer {
		t.Fatal("Ada was not demoted")
	}
	// Ada is now a Viewer; the CLI makes Vic the last Owner demote attempt
	// through the store, which refuses it.
	viewer := data.RoleViewer
	_, err := e.store.UpdateUser(data.CommandLine, e.user("vic@example.com").ID, data.UserChange{Role: &viewer})
	if err == nil || !strings.Contains(err.Error(), "last Owner") {
		t.Fatalf("demoting the last Owner: %v", err)
	}
}

// TestOwnRoleChangedElsewhere: when another Owner demotes the signed-in
// Owner, the window re-opens with the new rights at once.
func TestOwnRoleChangedElsewhere(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.setRole("vic@example.com", data.RoleOwner)
	e.signIn("vic@example.com")
	if e.c.access.keys.add == nil {
		t.Fatal("an Owner has no Add")
	}
	e.setRole("vic@example.com", data.RoleViewer)
	if e.c.access.keys.add != nil || e.c.user.Role != data.RoleViewer {
		t.Fatal("the window kept the Owner's controls")
	}
	// Deleted while signed in: back to the sign-in form.
	_, err := e.store.DeleteUser(data.CommandLine, e.user("vic@example.com").ID)
	e.must(err)
	if e.c.access != nil {
		t.Fatal("a deleted user stays signed in")
	}
}
