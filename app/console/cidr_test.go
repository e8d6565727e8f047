package console

import (
	"net/netip"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"keyward/data"
	"keyward/widgets"
)

func TestManageCIDRAllowList(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.must(createKey(e, "restricted-key", "vic@example.com"))
	e.signIn("ada@example.com")
	k := e.c.access.keys
	tapLink(cell(t, k.table, e.keyRow("restricted-key"), e.col("CIDR allow list")).Link)
	d := e.top()
	list := all[*widgets.RuleList](d)[0]
	rules := func() []string {
		key, _ := e.store.UserKeyByName("restricted-key")
		return key.AllowList.Strings()
	}
	if !strings.Contains(labelText(d), "All addresses are allowed") {
		t.Fatalf("the empty list is not explained: %s", labelText(d))
	}

	// Add an invalid rule: the error is beside the row and nothing is saved.
	test.Tap(button(t, d, "Add CIDR rule"))
	test.Type(list.Views[0].Entry, "10.0.0.1/8")
	test.Tap(list.Views[0].Save)
	if !list.Views[0].Error.Visible() || !strings.Contains(list.Views[0].Error.Text, "did you mean 10.0.0.0/8?") || len(rules()) != 0 {
		t.Fatalf("invalid rule: error %q, rules %v", list.Views[0].Error.Text, rules())
	}
	// Fix it and save.
	list.Views[0].Entry.SetText("10.0.0.0/8")
	test.Tap(list.Views[0].Save)
	if got := rules(); len(got) != 1 || got[0] != "10.0.0.0/8" || list.Rows[0].Editing {
		t.Fatalf("rules = %v, editing %v", got, list.Rows[0].Editing)
	}
	if strings.Contains(labelText(d), "All addresses are allowed") {
		t.Fatal("the empty-list sentence stays")
	}
	// A bare address is saved as a single-host prefix; Enter saves too.
	test.Tap(button(t, d, "Add CIDR rule"))
	test.Type(list.Views[1].Entry, "198.51.100.7")
	list.Views[1].Entry.TypedKey(&fyneKeyReturn)
	if got := rules(); len(got) != 2 || got[1] != "198.51.100.7/32" {
		t.Fatalf("rules = %v", got)
	}
	// A duplicate is refused.
	test.Tap(button(t, d, "Add CIDR rule"))
	test.Type(list.Views[2].Entry, "10.0.0.0/8")
	test.Tap(list.Views[2].Save)
	if !strings.Contains(list.Views[2].Error.Text, "already in the allow list") || len(rules()) != 2 {
		t.Fatalf("duplicate: %q", list.Views[2].Error.Text)
	}
	list.Views[2].Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(list.Rows) != 2 || e.w.Canvas().Overlays().Top() != d {
		t.Fatal("Escape in a new row did not drop just the row")
	}
	// Edit.
	test.Tap(list.Views[0].Edit)
	list.Views[0].Entry.SetText("192.168.0.0/16")
	test.Tap(list.Views[0].Save)
	if got := rules(); got[0] != "192.168.0.0/16" {
		t.Fatalf("after Edit: %v", got)
	}
	// The table shows the count.
	if got := cell(t, k.table, e.keyRow("restricted-key"), e.col("CIDR allow list")).Text; got != "Manage · 2 rules" {
		t.Fatalf("allow-list cell = %q", got)
	}
	// Delete both: the last one only after a confirmation that says the
	// key is then allowed from everywhere; the list is empty and says so.
	test.Tap(list.Views[1].Delete)
	test.Tap(list.Views[0].Delete)
	confirm := e.top()
	if got := labelText(confirm); !strings.Contains(got, "the key is allowed from every address") || len(rules()) != 1 {
		t.Fatalf("deleting the last rule asks %q, with %d rules left", got, len(rules()))
	}
	test.Tap(button(t, confirm, "Cancel"))
	if len(rules()) != 1 {
		t.Fatal("Cancel deleted the last rule")
	}
	test.Tap(list.Views[0].Delete)
	test.Tap(button(t, e.top(), "Delete and allow every address"))
	if len(rules()) != 0 || !strings.Contains(labelText(d), "All addresses are allowed") {
		t.Fatal("deleting every rule did not empty the list")
	}
	log, _ := e.store.SystemLog(data.LogQuery{Limit: 5})
	for _, l := range log[:2] {
		if l.Type != data.EventCIDRRuleDeleted || l.Originator != "Ada Owner" {
			t.Fatalf("log = %+v", l)
		}
	}
	e.escape()
	if e.w.Canvas().Overlays().Top() != nil {
		t.Fatal("Escape did not close the dialog")
	}
}

// TestCIDRSuggestsTheLastAddress offers, as a one-click rule, the address
// a refused request came from.
func TestCIDRSuggestsTheLastAddress(t *testing.T) {
	e := newEnv(t).withAccount(true)
	k, secret, err := e.store.CreateUserKey(data.CommandLine, "roaming-key-1", e.user("vic@example.com").ID)
	e.must(err)
	_, err = e.store.AddCIDRRule(data.CommandLine, k.ID, "10.0.0.0/8")
	e.must(err)
	acct, _ := e.store.AccountKey(data.CommandLine, data.ShowAccountKey)
	if _, err := e.store.Authenticate(acct, secret, netip.MustParseAddr("203.0.113.77")); err != data.ErrSourceNotAllowed {
		t.Fatal(err)
	}
	e.signIn("ada@example.com")
	tapLink(cell(t, e.c.access.keys.table, e.keyRow("roaming-key-1"), e.col("CIDR allow list")).Link)
	d := e.top()
	suggest := button(t, d, "Allow 203.0.113.77 (this key's last request came from there)")
	test.Tap(suggest)
	key, _ := e.store.UserKey(k.ID)
	if got := key.AllowList.Strings(); len(got) != 2 || got[1] != "203.0.113.77/32" {
		t.Fatalf("rules = %v", got)
	}
	if suggest.Visible() {
		t.Fatal("the suggestion stays once the address is allowed")
	}
	if _, err := e.store.Authenticate(acct, secret, netip.MustParseAddr("203.0.113.77")); err != nil {
		t.Fatalf("the address is still refused: %v", err)
	}
}
