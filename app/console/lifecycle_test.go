package console

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/data/badger"
	"keyward/data/clocktest"
	"keyward/widgets"
)

// col returns the index of the keys table's column with the title.
func (e *env) col(title string) int {
	e.t.Helper()
	for i, c := range e.c.access.keys.columns {
		if c.title == title {
			return i
		}
	}
	e.t.Fatalf("the keys table has no column %q", title)
	return -1
}

// deleteCol is the index of the keys table's Delete column, the last.
func (e *env) deleteCol() int { return len(e.c.access.keys.columns) - 1 }

// newLifecycleEnv is newEnv with one clock for the store and the console,
// so that a test can let keys expire.
func newLifecycleEnv(t *testing.T) (*env, *clocktest.Clock) {
	clock := clocktest.New()
	store, err := badger.OpenStore(t.TempDir(), data.Options{Now: clock.Now, FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, store)
	e.clock, e.c.clock = clock, clock
	return e.withAccount(true), clock
}

// keyActions opens the Actions dialog of the key named name.
func (e *env) keyActions(name string) {
	e.t.Helper()
	tapLink(cell(e.t, e.c.access.keys.table, e.keyRow(name), e.col("Key name")).Link)
	if !strings.Contains(labelText(e.top()), "Status: ") {
		e.t.Fatalf("the Actions dialog of %s did not open", name)
	}
}

// key returns the stored key named name.
func (e *env) key(name string) data.UserKey {
	e.t.Helper()
	k, err := e.store.UserKeyByName(name)
	e.must(err)
	return k
}

func TestDisableAndEnableAKey(t *testing.T) {
	e, _ := newLifecycleEnv(t)
	e.must(createKey(e, "paused-key-01", "vic@example.com"))
	e.signIn("ada@example.com")
	e.keyActions("paused-key-01")
	test.Tap(button(t, e.top(), "Disable"))
	confirm := e.top()
	if got := labelText(confirm); !strings.Contains(got, "Requests made with it will be refused from the moment it is disabled") {
		t.Fatalf("the confirmation says %q", got)
	}
	test.Tap(button(t, confirm, "Cancel"))
	if e.key("paused-key-01").Status != data.KeyActive {
		t.Fatal("Cancel disabled the key")
	}
	e.keyActions("paused-key-01")
	test.Tap(button(t, e.top(), "Disable"))
	test.Tap(button(t, e.top(), "Disable"))
	if e.key("paused-key-01").Status != data.KeyDisabled {
		t.Fatal("the key was not disabled")
	}
	if c := cell(t, e.c.access.keys.table, e.keyRow("paused-key-01"), e.col("Key name")); c.Text != "paused-key-01 (disabled)" || c.Importance != widget.WarningImportance {
		t.Fatalf("the row shows %q", c.Text)
	}
	e.keyActions("paused-key-01")
	if got := labelText(e.top()); !strings.Contains(got, "Disabled by Ada Owner on 2026-") {
		t.Fatalf("the Actions dialog says %q", got)
	}
	test.Tap(button(t, e.top(), "Enable"))
	if e.key("paused-key-01").Status != data.KeyActive || cell(t, e.c.access.keys.table, e.keyRow("paused-key-01"), e.col("Key name")).Text != "paused-key-01" {
		t.Fatal("the key was not enabled")
	}
	e.keyActions("paused-key-01")
	e.escape()
	if e.w.Canvas().Overlays().Top() != nil {
		t.Fatal("Escape did not close the Actions dialog")
	}
}

func TestRollAKey(t *testing.T) {
	e, clock := newLifecycleEnv(t)
	acct, err := e.store.AccountKey(data.CommandLine, data.ShowAccountKey)
	e.must(err)
	_, old, err := e.store.CreateUserKey(data.CommandLine, "rolled-key-01", e.user("ada@example.com").ID)
	e.must(err)
	e.signIn("ada@example.com")

	for i, grace := range []time.Duration{0, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour} {
		e.keyActions("rolled-key-01")
		test.Tap(button(t, e.top(), "Roll…"))
		roll := e.top()
		sel := all[*widgets.Select](roll)[0]
		if i == 0 && sel.Selected != "24 hours" {
			t.Fatalf("Roll offers %q first, want 24 hours", sel.Selected)
		}
		sel.SetSelectedIndex(i)
		if grace == 0 {
			if got := labelText(roll); !strings.Contains(got, "Every program that uses the current value fails from the moment the key is rolled") ||
				button(t, roll, "Roll").Importance != widget.DangerImportance {
				t.Fatalf("Roll without grace does not say what it does: %q", got)
			}
		}
		test.Tap(button(t, roll, "Roll"))
		reveal := e.top()
		finish := button(t, reveal, "Finish")
		if !finish.Disabled() || !strings.Contains(labelText(reveal), "has a new value") {
			t.Fatal("the new value is not shown in the copy-gated dialog")
		}
		e.escape()
		if e.top() != reveal {
			t.Fatal("Escape closed the one-time dialog")
		}
		test.Tap(button(t, reveal, "Copy"))
		next := e.a.Clipboard().Content()
		test.Tap(finish)
		if data.CheckUserKeyFormat(next) != nil || next == old {
			t.Fatalf("the clipboard holds %q", data.KeyHint(next))
		}
		if _, err := e.store.Authenticate(acct, next, loopback); err != nil {
			t.Fatalf("the new value: %v", err)
		}
		_, err := e.store.Authenticate(acct, old, loopback)
		if grace == 0 && err == nil {
			t.Fatal("rolled without grace, the old value still works")
		}
		if grace > 0 {
			if err != nil {
				t.Fatalf("with a grace of %v the old value fails at once: %v", grace, err)
			}
			clock.Advance(grace)
			if _, err := e.store.Authenticate(acct, old, loopback); err != data.ErrRolledUserKey {
				t.Fatalf("after its grace of %v the old value: %v", grace, err)
			}
		}
		old = next
	}

	// While an earlier roll's grace period runs, Roll says that value
	// stops at once, and its button is red.
	k := e.key("rolled-key-01")
	_, _, err = e.store.RollUserKey(data.CommandLine, k.ID, time.Hour)
	e.must(err)
	e.keyActions("rolled-key-01")
	test.Tap(button(t, e.top(), "Roll…"))
	roll := e.top()
	if got := labelText(roll); !strings.Contains(got, "which an earlier roll left working until") || !strings.Contains(got, "stops working at once") ||
		button(t, roll, "Roll").Importance != widget.DangerImportance {
		t.Fatalf("Roll during an earlier grace period says %q", got)
	}
	test.Tap(button(t, roll, "Cancel"))
}

func TestChangeExpiry(t *testing.T) {
	e, clock := newLifecycleEnv(t)
	e.must(createKey(e, "expiring-key1", "vic@example.com"))
	e.signIn("ada@example.com")
	keys := e.c.access.keys
	if keys.expiring.Visible() {
		t.Fatal("the expiring-soon banner shows with no key expiring")
	}
	if c := cell(t, keys.table, e.keyRow("expiring-key1"), e.col("Expires")); c.Text != "Never" {
		t.Fatalf("expires cell %q", c.Text)
	}
	change := func(choice string, date string) *widget.Label {
		t.Helper()
		e.keyActions("expiring-key1")
		test.Tap(button(t, e.top(), "Change expiry…"))
		d := e.top()
		all[*widgets.Select](d)[0].SetSelected(choice)
		if date != "" {
			entry := all[*widgets.Entry](d)[0]
			entry.SetText("")
			test.Type(entry, date)
		}
		test.Tap(button(t, d, "Save"))
		if top := e.w.Canvas().Overlays().Top(); top == d {
			for _, l := range all[*widget.Label](d) {
				if l.Importance == widget.DangerImportance && l.Text != "" {
					return l
				}
			}
			t.Fatal("the dialog stayed open without an error")
		}
		return nil
	}
	if l := change("In 7 days", ""); l != nil {
		t.Fatalf("error: %s", l.Text)
	}
	if got := e.key("expiring-key1").ExpiresAt; !got.Equal(clock.Now().Add(7 * 24 * time.Hour)) {
		t.Fatalf("expires %v", got)
	}
	if c := cell(t, keys.table, e.keyRow("expiring-key1"), e.col("Expires")); c.Text != "In 7 days" || c.Importance != widget.WarningImportance {
		t.Fatalf("expires cell %q", c.Text)
	}
	if !keys.expiring.Visible() || keys.expiring.Text != "1 key expires within 7 days: extend it or replace it in time (a key's Change expiry)." {
		t.Fatalf("banner %q", keys.expiring.Text)
	}
	if l := change(expiryDate, "31/01/2027"); l == nil || !strings.Contains(l.Text, "Write the date as YYYY-MM-DD") {
		t.Fatal("a badly written date was not refused")
	}
	e.escape()
	if l := change(expiryDate, "2020-01-01"); l == nil || !strings.Contains(l.Text, "is not in the future") {
		t.Fatal("a past date was not refused")
	}
	e.escape()
	if l := change(expiryDate, "2027-01-31"); l != nil {
		t.Fatalf("error: %s", l.Text)
	}
	if c := cell(t, keys.table, e.keyRow("expiring-key1"), e.col("Expires")); c.Text != "2027-01-31" || c.Importance != widget.MediumImportance {
		t.Fatalf("expires cell %q", c.Text)
	}
	if keys.expiring.Visible() {
		t.Fatal("the banner stays once no key expires soon")
	}
	if l := change(expiryNever, ""); l != nil || !e.key("expiring-key1").ExpiresAt.IsZero() {
		t.Fatal("Never did not clear the expiry")
	}
}

func TestCreateKeyWithExpiry(t *testing.T) {
	e, clock := newLifecycleEnv(t)
	e.signIn("ada@example.com")
	test.Tap(e.c.access.keys.add)
	add := e.top()
	test.Type(all[*widgets.Entry](add)[0], "month-long-key")
	sels := all[*widgets.Select](add)
	sels[0].SetSelected("Vic Viewer (vic@example.com)")
	sels[1].SetSelected("In 30 days")
	test.Tap(button(t, add, "Create"))
	test.Tap(button(t, e.top(), "Copy"))
	test.Tap(button(t, e.top(), "Finish"))
	if got := e.key("month-long-key").ExpiresAt; !got.Equal(clock.Now().Add(30 * 24 * time.Hour)) {
		t.Fatalf("expires %v", got)
	}
	clock.Advance(30 * 24 * time.Hour)
	e.c.access.keys.refresh()
	if c := cell(t, e.c.access.keys.table, e.keyRow("month-long-key"), e.col("Key name")); c.Text != "month-long-key (expired)" {
		t.Fatalf("an expired key shows as %q", c.Text)
	}
	if c := cell(t, e.c.access.keys.table, e.keyRow("month-long-key"), e.col("Expires")); !strings.HasPrefix(c.Text, "Expired 2026-") || c.Importance != widget.WarningImportance {
		t.Fatalf("expires cell %q", c.Text)
	}
}

// TestViewersSeeTheLifecycleReadOnly: a Viewer sees statuses and expiries,
// and no Actions.
func TestViewersSeeTheLifecycleReadOnly(t *testing.T) {
	e, _ := newLifecycleEnv(t)
	e.must(createKey(e, "viewed-key-01", "vic@example.com"))
	k := e.key("viewed-key-01")
	_, err := e.store.DisableUserKey(data.CommandLine, k.ID)
	e.must(err)
	e.signIn("vic@example.com")
	if hasButton(e.c.access.keys.table, "Delete") {
		t.Fatal("a Viewer is offered Delete")
	}
	_, err = e.store.SetKeyDescription(data.CommandLine, k.ID, "the partner's nightly sync")
	e.must(err)
	tapLink(cell(t, e.c.access.keys.table, 0, e.col("Key name")).Link)
	d := e.top()
	if got := labelText(d); !strings.Contains(got, "Status: disabled.") || !strings.Contains(got, "the partner's nightly sync") {
		t.Fatalf("a Viewer's view of a key: %q", got)
	}
	for _, b := range []string{"Disable", "Enable", "Roll…", "Change expiry…", "Save"} {
		if hasButton(d, b) {
			t.Fatalf("a Viewer is offered %s", b)
		}
	}
	e.escape()
	if c := cell(t, e.c.access.keys.table, 0, e.col("Key name")); c.Text != "viewed-key-01 (disabled)" {
		t.Fatalf("row %q", c.Text)
	}
	if c := cell(t, e.c.access.keys.table, 0, e.col("Expires")); c.Text != "Never" {
		t.Fatalf("expires %q", c.Text)
	}
}

// headerButton returns the header button of the keys table whose text
// starts with title.
func (e *env) headerButton(title string) *widget.Button {
	e.t.Helper()
	for _, b := range buttons(e.c.access.keys.table) {
		if strings.HasPrefix(b.Text, title) && b.Visible() {
			return b
		}
	}
	e.t.Fatalf("no header button %q", title)
	return nil
}

// visibleNames returns the names of the keys the table shows, in order.
func (e *env) visibleNames() string {
	var names []string
	for _, k := range e.c.access.keys.visibleKeys() {
		names = append(names, k.Name)
	}
	return strings.Join(names, " ")
}

func TestQuickFiltersAndSorting(t *testing.T) {
	e, clock := newLifecycleEnv(t)
	acct, _ := e.store.AccountKey(data.CommandLine, data.ShowAccountKey)
	ada := e.user("ada@example.com").ID
	mk := func(name string, user int64, expires time.Duration) (data.UserKey, string) {
		var at time.Time
		if expires > 0 {
			at = clock.Now().Add(expires)
		}
		k, secret, err := e.store.CreateUserKeyWith(data.CommandLine, data.NewKey{Name: name, UserID: user, ExpiresAt: at})
		e.must(err)
		clock.Advance(time.Minute)
		return k, secret
	}
	_, usedSecret := mk("b-used-key-01", ada, 0)
	off, _ := mk("c-disabled-01", e.user("vic@example.com").ID, 0)
	mk("d-expiring-01", ada, 5*24*time.Hour)
	mk("a-expired-001", e.user("lou@example.com").ID, time.Hour)
	mk("e-inactive-01", e.user("vic@example.com").ID, 200*24*time.Hour)
	_, err := e.store.DisableUserKey(data.CommandLine, off.ID)
	e.must(err)
	clock.Advance(2 * time.Hour)
	_, err = e.store.Authenticate(acct, usedSecret, loopback)
	e.must(err)
	e.must(e.store.FlushLastUsed())
	e.signIn("ada@example.com")
	keys := e.c.access.keys

	for _, tt := range []struct{ filter, want string }{
		{"All keys", "a-expired-001 b-used-key-01 c-disabled-01 d-expiring-01 e-inactive-01"},
		{"Never used", "a-expired-001 c-disabled-01 d-expiring-01 e-inactive-01"},
		{"Not used in 90 days", ""},
		{"Expiring soon", "d-expiring-01"},
		{"Expired", "a-expired-001"},
		{"Disabled", "c-disabled-01"},
		{"Inactive", ""},
	} {
		keys.quick.SetSelected(tt.filter)
		if got := e.visibleNames(); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.filter, got, tt.want)
		}
	}
	clock.Advance(91 * 24 * time.Hour)
	keys.refresh()
	keys.quick.SetSelected("Not used in 90 days")
	if got := e.visibleNames(); got != "a-expired-001 b-used-key-01 c-disabled-01 d-expiring-01 e-inactive-01" {
		t.Errorf("91 days on, not used in 90 days: %q", got)
	}
	e.setRole("vic@example.com", data.RoleMember)
	keys.quick.SetSelected("Inactive")
	if got := e.visibleNames(); got != "e-inactive-01" {
		t.Errorf("Inactive: %q (a disabled key reads disabled)", got)
	}
	// Combined with the text filter.
	keys.quick.SetSelected("Never used")
	test.Type(keys.filter, "vic")
	if got := e.visibleNames(); got != "c-disabled-01 e-inactive-01" || keys.count.Text != "2 of 5 keys" {
		t.Errorf("Never used and \"vic\": %q, %q", got, keys.count.Text)
	}
	keys.filter.SetText("")
	keys.quick.SetSelected("All keys")

	// Sorting by a tap on a header, again to reverse.
	for _, tt := range []struct{ header, want string }{
		{"Expires", "a-expired-001 d-expiring-01 e-inactive-01 b-used-key-01 c-disabled-01"},
		{"Expires", "c-disabled-01 b-used-key-01 e-inactive-01 d-expiring-01 a-expired-001"},
		{"Created", "b-used-key-01 c-disabled-01 d-expiring-01 a-expired-001 e-inactive-01"},
		{"User name", "b-used-key-01 d-expiring-01 a-expired-001 c-disabled-01 e-inactive-01"},
		{"Last used", "b-used-key-01 a-expired-001 c-disabled-01 d-expiring-01 e-inactive-01"},
		{"Key name", "a-expired-001 b-used-key-01 c-disabled-01 d-expiring-01 e-inactive-01"},
		{"Key name", "e-inactive-01 d-expiring-01 c-disabled-01 b-used-key-01 a-expired-001"},
	} {
		test.Tap(e.headerButton(tt.header))
		if got := e.visibleNames(); got != tt.want {
			t.Errorf("sorted by %s: %q, want %q", tt.header, got, tt.want)
		}
	}
	if b := e.headerButton("Key name"); b.Text != "Key name" || b.Icon != theme.MenuDropDownIcon() {
		t.Errorf("the sorted column's header says %q with %v", b.Text, b.Icon)
	}
	if b := e.headerButton("Expires"); b.Icon != nil {
		t.Error("a column the table is not sorted by shows an arrow")
	}
}

// TestCopyAsCurl: the one-time dialog copies a curl command with both
// headers and the API's URL, which counts as copying the value; while the
// API is off it offers neither that nor the account key.
func TestCopyAsCurl(t *testing.T) {
	e, _ := newLifecycleEnv(t)
	e.signIn("ada@example.com")
	test.Tap(e.c.access.keys.add)
	add := e.top()
	test.Type(all[*widgets.Entry](add)[0], "curl-tried-key")
	all[*widgets.Select](add)[0].SetSelected("Vic Viewer (vic@example.com)")
	test.Tap(button(t, add, "Create"))
	reveal := e.top()
	test.Tap(button(t, reveal, "Copy as curl"))
	got := e.a.Clipboard().Content()
	acct, _ := e.store.AccountKey(data.CommandLine, data.ShowAccountKey)
	var secret string
	data.FindKeys([]byte(got), func(_ int, k string) {
		if strings.HasPrefix(k, data.UserKeyPrefix) {
			secret = k
		}
	})
	want := "curl -s http://127.0.0.1:8686/v1/ -H 'x-api-key: " + acct + "' -H 'x-api-secret-key: " + secret + "'"
	if got != want || secret == "" {
		t.Fatalf("the clipboard holds %q", data.Redact(got))
	}
	if _, err := e.store.Authenticate(acct, secret, loopback); err != nil {
		t.Fatalf("the copied key: %v", err)
	}
	finish := button(t, reveal, "Finish")
	if finish.Disabled() {
		t.Fatal("Copy as curl does not enable Finish")
	}
	test.Tap(finish)
	log, err := e.store.SystemLog(data.LogQuery{Limit: 5})
	e.must(err)
	logged := false
	for _, entry := range log {
		logged = logged || (entry.Type == data.EventAccountKeyCopied && entry.Originator == "Ada Owner")
	}
	if !logged {
		t.Fatalf("copying the account key in the curl is not logged: %+v", log)
	}

	// With the API off there is no account key to offer.
	_, err = e.store.SetAPIEnabled(data.CommandLine, false)
	e.must(err)
	test.Tap(e.c.access.keys.add)
	add = e.top()
	test.Type(all[*widgets.Entry](add)[0], "offline-key-01")
	all[*widgets.Select](add)[0].SetSelected("Vic Viewer (vic@example.com)")
	test.Tap(button(t, add, "Create"))
	if reveal := e.top(); hasButton(reveal, "Copy as curl") || hasButton(reveal, "Copy account key") {
		t.Fatal("with the API off the one-time dialog offers the account key")
	}
}

// TestKeyDescription: an Owner describes a key in its actions; the
// description is kept, found by the filter, and a pasted key is refused.
func TestKeyDescription(t *testing.T) {
	e, _ := newLifecycleEnv(t)
	_, secret, err := e.store.CreateUserKey(data.CommandLine, "described-key", e.user("ada@example.com").ID)
	e.must(err)
	e.signIn("ada@example.com")
	describe := func(text string) *env {
		e.keyActions("described-key")
		d := e.top()
		entry := all[*widgets.Entry](d)[0]
		save := button(t, d, "Save")
		if !save.Disabled() {
			t.Fatal("Save is enabled before the description changed")
		}
		entry.SetText("")
		test.Type(entry, text)
		test.Tap(save)
		return e
	}
	describe("the nightly invoice export")
	if got := e.key("described-key").Description; got != "the nightly invoice export" {
		t.Fatalf("description %q", got)
	}
	test.Type(e.c.access.keys.filter, "invoice")
	if e.visibleNames() != "described-key" {
		t.Fatal("the filter does not find the description")
	}
	describe("uses " + secret)
	if msg := e.visibleErrors(); !strings.Contains(msg, "is an API key") {
		t.Fatalf("a pasted key in the description: %q", msg)
	}
	if got := e.key("described-key").Description; got != "the nightly invoice export" {
		t.Fatalf("a refused description changed it to %q", data.Redact(got))
	}
}

// TestRowsFollowTheClock: a key that expires while the window is open
// reads expired within a minute, without any change to the account.
func TestRowsFollowTheClock(t *testing.T) {
	e, clock := newLifecycleEnv(t)
	_, _, err := e.store.CreateUserKeyWith(data.CommandLine, data.NewKey{Name: "short-lived-1", UserID: e.user("ada@example.com").ID, ExpiresAt: clock.Now().Add(90 * time.Second)})
	e.must(err)
	e.signIn("ada@example.com")
	row := func() string {
		return cell(t, e.c.access.keys.table, e.keyRow("short-lived-1"), e.col("Key name")).Text
	}
	if row() != "short-lived-1" {
		t.Fatalf("row %q", row())
	}
	clock.Advance(time.Minute)
	if row() != "short-lived-1" {
		t.Fatalf("a minute on: %q", row())
	}
	clock.Advance(time.Minute)
	if row() != "short-lived-1 (expired)" {
		t.Fatalf("two minutes on: %q", row())
	}
}

// TestEmptyTableSaysSo: no keys, and a filter that matches none, are said
// in words over the table.
func TestEmptyTableSaysSo(t *testing.T) {
	e, _ := newLifecycleEnv(t)
	e.signIn("ada@example.com")
	keys := e.c.access.keys
	if !keys.empty.Visible() || keys.empty.Text != "No API user keys yet. Add creates the first one." {
		t.Fatalf("no keys: %v %q", keys.empty.Visible(), keys.empty.Text)
	}
	e.must(createKey(e, "the-only-key1", "ada@example.com"))
	if keys.empty.Visible() {
		t.Fatal("the empty message stays with a key")
	}
	test.Type(keys.filter, "zzz")
	if !keys.empty.Visible() || keys.empty.Text != "No key matches the filter." {
		t.Fatalf("no match: %v %q", keys.empty.Visible(), keys.empty.Text)
	}
}

// TestFilterShowsTheFirstMatches: scrolled down a long table, a filter
// shows its matches from the top, not the old scroll position.
func TestFilterShowsTheFirstMatches(t *testing.T) {
	e, _ := newLifecycleEnv(t)
	for i := range 120 {
		_, _, err := e.store.CreateUserKey(data.CommandLine, fmt.Sprintf("scrolled-key-%03d", i), e.user("ada@example.com").ID)
		e.must(err)
	}
	e.signIn("ada@example.com")
	keys := e.c.access.keys
	keys.table.ScrollTo(widget.TableCellID{Row: 100, Col: 1})
	e.w.Canvas().Capture() // lay the table out where it scrolled
	for _, c := range all[*widgets.Cell](keys.table) {
		if c.Visible() && c.Row == 0 {
			t.Fatal("row 0 is still in view after scrolling to row 100")
		}
	}
	test.Type(keys.filter, "key-01")
	e.w.Canvas().Capture()
	if got := cell(t, keys.table, 0, e.col("Key name")).Text; got != "scrolled-key-010" {
		t.Fatalf("the first row shown is %q", got)
	}
	// And it is in view, right under the header: Fyne's own ScrollToTop
	// filled the top rows but left them scrolled out of sight.
	keys.table.ScrollTo(widget.TableCellID{Row: 100, Col: 1})
	e.w.Canvas().Capture()
	keys.sortBy(e.col("Created"))
	e.w.Canvas().Capture()
	firstRowInView(t, keys.table, e.col("Key name"))
}
