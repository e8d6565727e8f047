package console

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
)

func TestSystemLogFilter(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.must(createKey(e, "logged-key-001", "vic@example.com"))
	e.must(createKey(e, "other-key-0001", "ada@example.com"))
	e.signIn("ada@example.com")
	e.showTab("System Log")
	l := e.c.access.log
	all, _ := e.store.SystemLog(data.LogQuery{Limit: 1000})
	if len(l.entries) != len(all) || l.count.Text != data.Count(len(all), "entry", "entries") {
		t.Fatalf("the tab shows %d entries (%q), the log has %d", len(l.entries), l.count.Text, len(all))
	}
	if got := cell(t, l.table, 0, 3).Text; got != "Created API user key other-key-0001 for Ada Owner (ada@example.com)" {
		t.Fatalf("newest entry = %q", got)
	}
	test.Type(l.filter, "LOGGED-KEY")
	if len(l.entries) != 1 || !strings.Contains(l.entries[0].Description, "logged-key-001") {
		t.Fatalf("text filter: %+v", l.entries)
	}
	// A change while the tab is up shows at once.
	e.must(createKey(e, "logged-key-002", "vic@example.com"))
	if len(l.entries) != 2 {
		t.Fatalf("after a new entry: %d", len(l.entries))
	}
	l.filter.SetText("")
	// The store's clock says 2026-11-27; a range that ends the day before
	// shows nothing, one that covers the day shows everything.
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	l.to.SetDate(&day)
	if len(l.entries) != 0 || l.count.Text != "0 entries" {
		t.Fatalf("range before the entries: %d (%q)", len(l.entries), l.count.Text)
	}
	day = day.AddDate(0, 0, 1)
	l.from.SetDate(&day)
	l.to.SetDate(&day)
	if len(l.entries) != len(all)+1 {
		t.Fatalf("range over the day: %d", len(l.entries))
	}
	later := day.AddDate(0, 0, 1)
	l.from.SetDate(&later)
	if l.count.Text != "The To day is before the From day" {
		t.Fatalf("reversed range: %q", l.count.Text)
	}
}

func TestAPIChangesNameTheirKeyInTheLog(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	e.showTab("System Log")
	actor := data.Actor{UserID: e.user("ada@example.com").ID, Name: "Ada Owner", Role: data.RoleOwner, APIKeyName: "automation-key"}
	name := "Vic V."
	_, err := e.store.UpdateUser(actor, e.user("vic@example.com").ID, data.UserChange{Name: &name})
	e.must(err)
	if got := cell(t, e.c.access.log.table, 0, 1).Text; got != "Ada Owner (API key automation-key)" {
		t.Fatalf("by = %q", got)
	}
}

// TestLogFilterShowsTheFirstMatches: scrolled down a long log, a filter
// shows its matches from the top (issue 13 item 2, as on API Keys).
func TestLogFilterShowsTheFirstMatches(t *testing.T) {
	e := newEnv(t).withAccount(true)
	owner := e.user("ada@example.com")
	for i := range 120 {
		_, _, err := e.store.CreateUserKey(data.CommandLine, fmt.Sprintf("logged-key-%03d", i), owner.ID)
		e.must(err)
	}
	e.signIn("ada@example.com")
	e.showTab("System Log")
	l := e.c.access.log
	l.table.ScrollTo(widget.TableCellID{Row: 100, Col: 3})
	e.w.Canvas().Capture()
	test.Type(l.filter, "logged-key-01")
	e.w.Canvas().Capture()
	if got := cell(t, l.table, 0, 3).Text; !strings.Contains(got, "logged-key-019") {
		t.Fatalf("the first row shown is %q", got)
	}
	firstRowInView(t, l.table, 3)
}
