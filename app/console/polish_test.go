package console

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/widgets"
)

// key types a key as the driver does: to the focused widget, or to the
// window when none has the focus.
func (e *env) typeKey(name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := e.w.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	e.w.Canvas().OnTypedKey()(ev)
}

// tabOrder returns the controls Tab visits from nothing focused, in
// order, up to max of them.
func (e *env) tabOrder(max int) []any {
	e.w.Canvas().Unfocus()
	var order []any
	for range max {
		test.FocusNext(e.w.Canvas())
		f := e.focused()
		if len(order) > 0 && f == order[0] {
			break
		}
		order = append(order, f)
	}
	return order
}

func TestTabShortcutsSwitchTabs(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	tabs := e.c.access.tabs
	ctrl := fyne.KeyModifierControl
	for _, step := range []struct {
		s    fyne.Shortcut
		want string
	}{
		{&desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: ctrl}, "System Log"},
		{&desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: ctrl}, "Team"}, // around
		{&desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: ctrl | fyne.KeyModifierShift}, "System Log"},
		{&desktop.CustomShortcut{KeyName: fyne.KeyPageUp, Modifier: ctrl}, "API Keys"},
		{&desktop.CustomShortcut{KeyName: fyne.KeyPageDown, Modifier: ctrl}, "System Log"},
		{&desktop.CustomShortcut{KeyName: fyne.Key1, Modifier: fyne.KeyModifierShortcutDefault}, "Team"},
		{&desktop.CustomShortcut{KeyName: fyne.Key2, Modifier: fyne.KeyModifierShortcutDefault}, "API Keys"},
		{&desktop.CustomShortcut{KeyName: fyne.Key3, Modifier: fyne.KeyModifierAlt}, "System Log"},
	} {
		e.press(step.s)
		if got := tabs.Selected().Text; got != step.want {
			t.Fatalf("%s: on %s, want %s", step.s.ShortcutName(), got, step.want)
		}
	}
	// From the focused filter too: the entry passes them on.
	e.press(&desktop.CustomShortcut{KeyName: fyne.Key2, Modifier: fyne.KeyModifierShortcutDefault})
	e.press(shortcutFilter)
	e.press(&desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: ctrl})
	if got := tabs.Selected().Text; got != "System Log" {
		t.Fatalf("Ctrl+Tab from the filter: on %s", got)
	}
	// Not under a dialog.
	e.press(&desktop.CustomShortcut{KeyName: fyne.Key2, Modifier: fyne.KeyModifierShortcutDefault})
	e.press(shortcutAdd)
	e.press(&desktop.CustomShortcut{KeyName: fyne.Key1, Modifier: fyne.KeyModifierShortcutDefault})
	if got := tabs.Selected().Text; got != "API Keys" {
		t.Fatalf("Ctrl+1 under the Add dialog switched to %s", got)
	}
}

// Tab goes down the screen: the header, the account key, the filters and
// toolbar, then the table.
func TestTabOrderOfTheAPIKeysTab(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.must(createKey(e, "ci-deploy-key", "vic@example.com"))
	e.signIn("ada@example.com")
	s, k := e.c.access, e.c.access.keys
	order := e.tabOrder(40)
	index := func(what any, name string) int {
		for i, f := range order {
			if f == what {
				return i
			}
		}
		t.Fatalf("Tab never reaches %s (order: %d stops)", name, len(order))
		return -1
	}
	want := []struct {
		what any
		name string
	}{
		{&s.settings.Button, "Settings"}, {&s.about.Button, "About"}, {&s.signOut.Button, "Sign out"},
		{&k.accountKey.Toggle.Button, "Show"}, {&k.accountKey.Copy.Button, "Copy"}, {&k.disable.Button, "Disable API"},
		{k.quick, "the quick filter"}, {k.filter, "the filter"}, {&k.export.Button, "Export"}, {&k.add.Button, "Add"},
		{k.table, "the table"},
	}
	last := -1
	for _, w := range want {
		i := index(w.what, w.name)
		if i < last {
			t.Fatalf("Tab reaches %s before the control above or left of it", w.name)
		}
		last = i
	}
}

// Escape cancels and Enter confirms the Add dialog wherever its focus
// is; Enter on a focused button presses that button.
func TestEscapeAndEnterInAdd(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	open := func() fyne.CanvasObject {
		e.press(shortcutAdd)
		return e.top()
	}
	controls := func(d fyne.CanvasObject) map[string]fyne.Focusable {
		sels := all[*widgets.Select](d)
		return map[string]fyne.Focusable{
			"name": all[*widgets.Entry](d)[0], "user": sels[0], "expiry": sels[1],
			"Cancel": buttonOf(t, d, "Cancel"), "Create": buttonOf(t, d, "Create"),
		}
	}
	for name := range controls(open()) {
		if len(e.c.dialogs) == 0 {
			open()
		}
		f := controls(e.top())[name]
		e.w.Canvas().Focus(f)
		e.typeKey(fyne.KeyEscape)
		if len(e.c.dialogs) != 0 {
			t.Fatalf("Escape with the focus on %s did not cancel Add", name)
		}
	}
	// Enter with the focus on the user selector creates the key.
	d := open()
	test.Type(all[*widgets.Entry](d)[0], "enter-from-user")
	sel := all[*widgets.Select](d)[0]
	sel.SetSelectedIndex(0)
	e.w.Canvas().Focus(sel)
	e.typeKey(fyne.KeyReturn)
	if _, err := e.store.UserKeyByName("enter-from-user"); err != nil || !strings.Contains(labelText(e.top()), "only time") {
		t.Fatalf("Enter on the user selector did not create the key: %v", err)
	}
	e.c.closeDialogs()
	// Enter on a focused Create presses it; on a focused Cancel, cancels.
	d = open()
	test.Type(all[*widgets.Entry](d)[0], "enter-on-create")
	all[*widgets.Select](d)[0].SetSelectedIndex(0)
	e.w.Canvas().Focus(buttonOf(t, d, "Create"))
	e.typeKey(fyne.KeyEnter)
	if _, err := e.store.UserKeyByName("enter-on-create"); err != nil {
		t.Fatal("Enter on Create did not create the key")
	}
	e.c.closeDialogs()
	d = open()
	test.Type(all[*widgets.Entry](d)[0], "enter-on-cancel")
	all[*widgets.Select](d)[0].SetSelectedIndex(0)
	e.w.Canvas().Focus(buttonOf(t, d, "Cancel"))
	e.typeKey(fyne.KeyReturn)
	if _, err := e.store.UserKeyByName("enter-on-cancel"); err == nil || len(e.c.dialogs) != 0 {
		t.Fatal("Enter on Cancel created the key, or left the dialog up")
	}
}

// buttonOf is the console button with text under root.
func buttonOf(t *testing.T, root fyne.CanvasObject, text string) *widgets.Button {
	t.Helper()
	for _, b := range all[*widgets.Button](root) {
		if b.Text == text && b.Visible() {
			return b
		}
	}
	t.Fatalf("no console button %q", text)
	return nil
}

func TestEscapeAndEnterInDelete(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.must(createKey(e, "doomed-key-01", "vic@example.com"))
	e.signIn("ada@example.com")
	openDelete := func() fyne.CanvasObject {
		test.Tap(cell(t, e.c.access.keys.table, e.keyRow("doomed-key-01"), e.deleteCol()).Button)
		d := e.top()
		if !strings.Contains(labelText(d), "Requests with doomed-key-01 will fail from now on.") {
			t.Fatalf("the confirmation says %q", labelText(d))
		}
		return d
	}
	for _, name := range []string{"Cancel", "Delete"} {
		d := openDelete()
		e.w.Canvas().Focus(buttonOf(t, d, name))
		e.typeKey(fyne.KeyEscape)
		if len(e.c.dialogs) != 0 {
			t.Fatalf("Escape on %s did not cancel", name)
		}
	}
	d := openDelete()
	e.w.Canvas().Focus(buttonOf(t, d, "Cancel"))
	e.typeKey(fyne.KeyReturn)
	if _, err := e.store.UserKeyByName("doomed-key-01"); err != nil || len(e.c.dialogs) != 0 {
		t.Fatal("Enter on Cancel deleted the key, or left the dialog up")
	}
	// The red button has the trash can, not a tick; the row's is quiet.
	d = openDelete()
	if b := buttonOf(t, d, "Delete"); b.Importance != widget.DangerImportance || b.Icon != theme.DeleteIcon() {
		t.Fatal("the confirmation's Delete is not the red trash can")
	}
	if b := cell(t, e.c.access.keys.table, 0, e.deleteCol()).Button; b.Importance == widget.DangerImportance || b.Icon != theme.DeleteIcon() {
		t.Fatal("the row's delete button is not a quiet trash can")
	}
	e.typeKey(fyne.KeyReturn) // nothing focused: Enter confirms
	if _, err := e.store.UserKeyByName("doomed-key-01"); err == nil {
		t.Fatal("Enter did not confirm the deletion")
	}
}

func TestEscapeAndEnterInCIDR(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.must(createKey(e, "ci-deploy-key", "vic@example.com"))
	e.signIn("ada@example.com")
	open := func() fyne.CanvasObject {
		tapLink(cell(t, e.c.access.keys.table, 0, e.col("CIDR allow list")).Link)
		return e.top()
	}
	for _, name := range []string{"Add CIDR rule", "Close"} {
		d := open()
		e.w.Canvas().Focus(buttonOf(t, d, name))
		e.typeKey(fyne.KeyEscape)
		if len(e.c.dialogs) != 0 {
			t.Fatalf("Escape on %s did not close the allow list", name)
		}
	}
	// Enter in a new row saves it; Escape in a row cancels only its edit.
	d := open()
	test.Tap(buttonOf(t, d, "Add CIDR rule"))
	entry := e.w.Canvas().Focused().(*widgets.Entry)
	test.Type(entry, "10.0.0.0/8")
	e.typeKey(fyne.KeyReturn)
	if k := e.key("ci-deploy-key"); len(k.AllowList) != 1 {
		t.Fatal("Enter in the rule's entry did not save it")
	}
	test.Tap(buttonOf(t, d, "Add CIDR rule"))
	e.typeKey(fyne.KeyEscape)
	if len(e.c.dialogs) != 1 || len(e.c.access.keys.keys.At(0).AllowList) != 1 {
		t.Fatal("Escape in a new row did more than cancel it")
	}
	// A row's button passes Escape to the dialog.
	e.w.Canvas().Focus(buttonOf(t, d, "Edit"))
	e.typeKey(fyne.KeyEscape)
	if len(e.c.dialogs) != 0 {
		t.Fatal("Escape on a row's Edit did not close the dialog")
	}
	open()
	e.typeKey(fyne.KeyReturn) // nothing focused, nothing being edited: Enter closes
	if len(e.c.dialogs) != 0 {
		t.Fatal("Enter did not close the allow list")
	}
}

// ringShown tells whether the console button draws its focus ring.
func ringShown(b *widgets.Button) bool {
	for _, r := range all[*canvas.Rectangle](b) {
		if r.StrokeWidth > 0 && r.StrokeColor == theme.Color(theme.ColorNamePrimary) && r.Visible() {
			return true
		}
	}
	return false
}

func TestFocusIsVisibleOnPrimaryButtons(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	add := e.c.access.keys.add
	if ringShown(add) {
		t.Fatal("an unfocused Add shows a focus ring")
	}
	e.w.Canvas().Focus(add)
	if !ringShown(add) {
		t.Fatal("the focused Add (a blue button) shows no focus ring")
	}
	// The one-time dialog: its stops, Copy and Finish, show their focus;
	// the value is no Tab stop showing none.
	_, secret, err := e.store.CreateUserKey(e.c.actor(), "shown-once", e.user("vic@example.com").ID)
	e.must(err)
	e.c.showRevealDialog("shown-once", "The key was created.", secret)
	order := e.tabOrder(10)
	copyButton := buttonOf(t, e.top(), "Copy")
	if len(order) != 3 || order[0] != &copyButton.Button {
		t.Fatalf("the one-time dialog has %d Tab stops, starting with %T", len(order), order[0])
	}
	e.w.Canvas().Focus(copyButton)
	if !ringShown(copyButton) {
		t.Fatal("the focused Copy shows no focus ring")
	}
}

func TestIdleSignOut(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.a.Preferences().SetInt(prefIdleMinutes, 15)
	e.signIn("ada@example.com")
	e.clock.Advance(14 * time.Minute)
	if e.c.access == nil {
		t.Fatal("signed out before the idle time")
	}
	// Typing in the filter is input: the time starts again.
	test.Type(e.c.access.keys.filter, "x")
	e.clock.Advance(14 * time.Minute)
	if e.c.access == nil {
		t.Fatal("input did not restart the idle time")
	}
	e.clock.Advance(2 * time.Minute)
	if e.c.access != nil {
		t.Fatal("not signed out after 15 minutes without input")
	}
	if !strings.Contains(labelText(e.w.Canvas().Content()), "signed out after 15 minutes without input") {
		t.Fatalf("the sign-in form does not say why: %q", labelText(e.w.Canvas().Content()))
	}
	// 0 never signs out.
	e.a.Preferences().SetInt(prefIdleMinutes, 0)
	e.signIn("ada@example.com")
	e.clock.Advance(48 * time.Hour)
	if e.c.access == nil {
		t.Fatal("signed out with the idle sign-out off")
	}
}

func TestShownAccountKeyHidesItself(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	f := e.c.access.keys.accountKey
	test.Tap(f.Toggle)
	if !f.Revealed {
		t.Fatal("Show did not reveal the account key")
	}
	e.clock.Advance(29 * time.Second)
	if !f.Revealed {
		t.Fatal("the account key hid itself too soon")
	}
	e.clock.Advance(2 * time.Second)
	if f.Revealed || f.Secret != "" {
		t.Fatal("the account key is still shown after 30 seconds")
	}
}

func TestDuplicateNameIsCaughtAsTyped(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.must(createKey(e, "taken-name", "vic@example.com"))
	e.signIn("ada@example.com")
	e.press(shortcutAdd)
	d := e.top()
	name := all[*widgets.Entry](d)[0]
	all[*widgets.Select](d)[0].SetSelectedIndex(0)
	test.Type(name, "TAKEN-name")
	if !strings.Contains(labelText(d), "already exists") {
		t.Fatalf("no duplicate warning as the name is typed: %q", labelText(d))
	}
	if !buttonOf(t, d, "Create").Disabled() {
		t.Fatal("Create is enabled for a taken name")
	}
	test.Type(name, "-2")
	if strings.Contains(labelText(d), "already exists") || buttonOf(t, d, "Create").Disabled() {
		t.Fatal("a free name is still refused")
	}
}

func TestSetupErrorsAreBesideTheirFields(t *testing.T) {
	e := newEnv(t)
	e.c.Start()
	root := e.w.Canvas().Content()
	test.Tap(button(t, root, "Create account"))
	text := labelText(root)
	for _, want := range []string{"Enter an account name.", "Enter a name.", "Enter an email address.", "at least 12 characters"} {
		if !strings.Contains(text, want) {
			t.Fatalf("the empty setup form does not say %q: %s", want, text)
		}
	}
	// Each message replaces its field's hint, under the field.
	entries := all[*widget.Entry](root)
	test.Type(entries[0], "Acme")
	if strings.Contains(labelText(root), "Enter an account name.") || !strings.Contains(labelText(root), "Your company or team") {
		t.Fatal("the account name's error did not give way to its hint once typed")
	}
}

func TestRemoveAUsersPassword(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	e.showTab("Team")
	test.Tap(cell(t, e.c.access.team.table, e.teamRow("vic@example.com"), len(e.c.access.team.columns)-2).Button)
	d := e.top()
	check := all[*widgets.Check](d)
	if len(check) != 1 || !strings.Contains(labelText(d), "Leave empty to keep the current password.") {
		t.Fatal("editing a user with a password offers no way to remove it")
	}
	test.Tap(check[0])
	test.Tap(button(t, d, "Save"))
	if e.user("vic@example.com").HasPassword {
		t.Fatal("the password was not removed")
	}
	// Without one, the dialog says so and offers none to remove.
	test.Tap(cell(t, e.c.access.team.table, e.teamRow("vic@example.com"), len(e.c.access.team.columns)-2).Button)
	if d := e.top(); len(all[*widgets.Check](d)) != 0 || !strings.Contains(labelText(d), "has no console password") {
		t.Fatalf("editing a user without a password says %q", labelText(d))
	}
}

func TestSystemLogSelectsTheRow(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.must(createKey(e, "logged-key", "vic@example.com"))
	e.signIn("ada@example.com")
	e.showTab("System Log")
	l := e.c.access.log
	l.table.Select(widget.TableCellID{Row: 0, Col: 3})
	for col := range logColumns {
		if c := cell(t, l.table, 0, col); !c.Visible() || !highlighted(c) {
			t.Fatalf("column %d of the selected row is not highlighted", col)
		}
	}
	if c := cell(t, l.table, 1, 0); highlighted(c) {
		t.Fatal("another row is highlighted")
	}
	if text := l.detail.Text; strings.Contains(text, "API key 1") || !strings.Contains(text, "by ") {
		t.Fatalf("the detail says %q", text)
	}
}

func highlighted(c *widgets.Cell) bool {
	for _, r := range all[*canvas.Rectangle](c) {
		if r.FillColor == theme.Color(theme.ColorNameSelection) && r.Visible() {
			return true
		}
	}
	return false
}

func TestNameColumnsTakeTheSpareWidth(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.must(createKey(e, "ci-deploy-key", "vic@example.com"))
	e.signIn("ada@example.com")
	name := func() float32 { return cell(t, e.c.access.keys.table, 0, e.col("Key name")).Size().Width }
	e.w.Resize(fyne.NewSize(1024, 600))
	narrow := name()
	e.w.Resize(fyne.NewSize(1920, 1080))
	wide := name()
	if wide <= narrow+100 {
		t.Fatalf("the Key name column is %.0f px at 1024 and %.0f px at 1920", narrow, wide)
	}
}

func TestPageKeysInTheTable(t *testing.T) {
	e := newEnv(t).withAccount(true)
	for i := range 60 {
		e.must(createKey(e, "page-key-"+string(rune('a'+i/26))+string(rune('a'+i%26)), "vic@example.com"))
	}
	e.signIn("ada@example.com")
	table := e.c.access.keys.table
	e.w.Canvas().Focus(table)
	top := func() int {
		min := 1 << 30
		for _, c := range all[*widgets.Cell](table) {
			if c.Visible() && c.Row < min && c.Position().Y >= 0 {
				min = c.Row
			}
		}
		return min
	}
	e.typeKey(fyne.KeyEnd)
	if top() < 30 {
		t.Fatalf("End left row %d at the top", top())
	}
	e.typeKey(fyne.KeyHome)
	if top() != 0 {
		t.Fatalf("Home left row %d at the top", top())
	}
	e.typeKey(fyne.KeyPageDown)
	e.typeKey(fyne.KeyPageDown)
	if top() == 0 {
		t.Fatal("Page Down did not scroll")
	}
}

func TestExportKeysAndLog(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.must(createKey(e, "ci-deploy-key", "vic@example.com"))
	e.must(createKey(e, "other-key-01", "vic@example.com"))
	e.signIn("ada@example.com")
	dir := t.TempDir()
	folder, err := storage.ListerForURI(storage.NewFileURI(dir))
	e.must(err)
	e.c.backupFolder = folder
	// What the filter shows is what is exported.
	test.Type(e.c.access.keys.filter, "deploy")
	write := func(tap fyne.Tappable, file string) []byte {
		test.Tap(tap)
		fd := e.top()
		name := all[*widget.Entry](fd)[0]
		if !strings.HasSuffix(name.Text, ".csv") {
			t.Fatalf("the suggested name is %q", name.Text)
		}
		name.SetText(file)
		test.Tap(button(t, fd, "Save"))
		if !strings.Contains(labelText(e.top()), "Wrote ") {
			t.Fatalf("after the export: %q", labelText(e.top()))
		}
		e.escape()
		b, err := os.ReadFile(filepath.Join(dir, file))
		e.must(err)
		return b
	}
	rows, err := csv.NewReader(strings.NewReader(string(write(e.c.access.keys.export, "keys.csv")))).ReadAll()
	e.must(err)
	if len(rows) != 2 || rows[1][0] != "ci-deploy-key" {
		t.Fatalf("the CSV export = %q", rows)
	}
	var keys []data.KeyExport
	e.must(json.Unmarshal(write(e.c.access.keys.export, "keys.json"), &keys))
	if len(keys) != 1 || keys[0].Name != "ci-deploy-key" {
		t.Fatalf("the JSON export = %+v", keys)
	}
	e.showTab("System Log")
	var entries []data.SystemLogEntry
	e.must(json.Unmarshal(write(e.c.access.log.export, "log.json"), &entries))
	if len(entries) != len(e.c.access.log.entries) || len(entries) == 0 {
		t.Fatalf("the log export has %d entries, the tab %d", len(entries), len(e.c.access.log.entries))
	}
	// Another extension is refused, and leaves no empty file.
	test.Tap(e.c.access.log.export)
	fd := e.top()
	all[*widget.Entry](fd)[0].SetText("log.xlsx")
	test.Tap(button(t, fd, "Save"))
	if !strings.Contains(labelText(e.top()), "neither .csv nor .json") {
		t.Fatalf("a .xlsx export: %q", labelText(e.top()))
	}
	if _, err := os.Stat(filepath.Join(dir, "log.xlsx")); !os.IsNotExist(err) {
		t.Fatal("the refused export left a file")
	}
}

// A long name and email are cut in the user selector, so that its list
// stays inside the dialog.
func TestUserSelectorKeepsItsListInside(t *testing.T) {
	e := newEnv(t).withAccount(true)
	long := strings.Repeat("Bartholomew ", 6) + "Longname"
	_, err := e.store.AddUser(data.CommandLine, data.NewUser{Name: long, Email: strings.Repeat("x", 60) + "@example.com", Role: data.RoleViewer})
	e.must(err)
	e.signIn("ada@example.com")
	e.press(shortcutAdd)
	d := e.top()
	sel := all[*widgets.Select](d)[0]
	for _, o := range sel.Options {
		if n := len([]rune(o)); n > 64 {
			t.Fatalf("the choice %q has %d characters", o, n)
		}
	}
	// Fyne makes the list as wide as the selector or its longest choice:
	// each choice must fit in the selector's width.
	for _, o := range sel.Options {
		w := fyne.MeasureText(o, theme.TextSize(), fyne.TextStyle{}).Width + 4*theme.InnerPadding()
		if w > sel.Size().Width {
			t.Fatalf("the choice %q needs %.0f px, the selector is %.0f px wide", o, w, sel.Size().Width)
		}
	}
}

// Enter held down on the button that opens a confirmation repeats; a
// repeat must not confirm it. A fresh press does.
func TestRepeatedEnterDoesNotConfirm(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.must(createKey(e, "doomed-key-01", "vic@example.com"))
	e.signIn("ada@example.com")
	e.c.armEnter = true // as on a desktop canvas, which reports key presses
	trash := cell(t, e.c.access.keys.table, e.keyRow("doomed-key-01"), e.deleteCol()).Button
	e.w.Canvas().Focus(trash)
	e.typeKey(fyne.KeyReturn) // opens the confirmation
	if len(e.c.dialogs) != 1 {
		t.Fatal("Enter on the trash can did not ask")
	}
	for range 5 { // the key repeats, with nothing focused
		e.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	}
	if _, err := e.store.UserKeyByName("doomed-key-01"); err != nil || len(e.c.dialogs) != 1 {
		t.Fatal("a repeated Enter confirmed the deletion")
	}
	e.c.keyDown(&fyne.KeyEvent{Name: fyne.KeyReturn}) // pressed again
	e.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if _, err := e.store.UserKeyByName("doomed-key-01"); err == nil {
		t.Fatal("a fresh Enter did not confirm")
	}
}

// Signed out for want of input with a new key's value never copied: the
// sign-in form says which key to roll, and nothing of the window stays.
func TestIdleSignOutWithAnUncopiedKey(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.a.Preferences().SetInt(prefIdleMinutes, 15)
	e.signIn("ada@example.com")
	e.press(shortcutAdd)
	d := e.top()
	test.Type(all[*widgets.Entry](d)[0], "never-copied-key")
	sel := all[*widgets.Select](d)[0]
	sel.SetSelectedIndex(0)
	e.typeKey(fyne.KeyReturn)
	widget.ShowPopUp(widget.NewLabel("a calendar, a list"), e.w.Canvas()) // an overlay the console does not track
	e.clock.Advance(16 * time.Minute)
	if e.c.access != nil || len(e.w.Canvas().Overlays().List()) != 0 {
		t.Fatalf("signed in %v, %d overlays left", e.c.access != nil, len(e.w.Canvas().Overlays().List()))
	}
	if text := labelText(e.w.Canvas().Content()); !strings.Contains(text, "never-copied-key was on screen and never copied: roll the key") {
		t.Fatalf("the sign-in form says %q", text)
	}
}

// A field behind a dialog does not keep its focus ring (nor its blinking
// cursor) while the dialog has the keys.
func TestFilterBehindADialogLosesItsFocus(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	filter := e.c.access.keys.filter
	e.press(shortcutFilter)
	if !looksFocused(filter) {
		t.Fatal("Ctrl+F did not focus the filter")
	}
	e.press(shortcutAdd)
	if looksFocused(filter) {
		t.Fatal("the filter behind the Add dialog still looks focused")
	}
	e.escape()
	e.press(shortcutFilter)
	test.Tap(e.c.access.settings) // a dialog opened by the pointer too
	if len(e.c.dialogs) != 1 || looksFocused(filter) {
		t.Fatal("the filter looks focused behind Settings")
	}
}
