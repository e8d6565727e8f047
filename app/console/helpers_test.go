package console

import (
	"context"
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"keyward/app/api"
	"keyward/data"
	"keyward/data/backendtest"
	"keyward/data/badger"
	"keyward/data/clocktest"
	"keyward/widgets"
)

// fakeAPI stands in for the REST API's supervisor where a test needs a
// fixed address (golden markup) or a failure, and no real socket. It
// serves on the address it is configured with, as api.Supervisor does, and
// refuses to move to a taken one.
type fakeAPI struct {
	cfg      api.Config      // the configuration applied last
	started  bool            // Start was called, and Stop not since
	running  bool            // serving on cfg.Addr
	err      error           // why it is not serving although started
	startErr error           // Start fails with it while set
	taken    map[string]bool // addresses Apply cannot move to
	// stopGrace is how long the last Stop let requests in flight take.
	stopGrace time.Duration
}

func newFakeAPI() *fakeAPI {
	return &fakeAPI{cfg: api.Config{Addr: data.DefaultAPIAddr, RateLimit: data.DefaultRateLimit}, taken: map[string]bool{}}
}

func (f *fakeAPI) Start() error {
	f.started = true
	if !f.running {
		f.err = f.startErr
		f.running = f.err == nil
	}
	return f.err
}

func (f *fakeAPI) Apply(cfg api.Config) error {
	if !f.started {
		f.cfg = cfg
		return nil
	}
	if f.taken[cfg.Addr] {
		return errors.New("another program is already listening on " + cfg.Addr + ": stop it, or choose another address")
	}
	f.cfg, f.running, f.err = cfg, true, nil
	return nil
}

func (f *fakeAPI) Stop(ctx context.Context) error {
	f.stopGrace = -1 // no limit
	if deadline, ok := ctx.Deadline(); ok {
		f.stopGrace = time.Until(deadline)
	}
	f.started, f.running, f.err = false, false, nil
	return nil
}

func (f *fakeAPI) Status() api.Status {
	st := api.Status{Running: f.running, Addr: f.cfg.Addr, Err: f.err}
	if f.running {
		st.URL = "http://" + f.cfg.Addr
	}
	return st
}

// env is a console under test: a test app and window, a real store in a
// temporary directory, fake clocks and a fake REST API.
type env struct {
	t     *testing.T
	a     fyne.App
	w     fyne.Window
	store *data.Store
	clock *clocktest.Clock
	api   *fakeAPI
	c     *Console
	taken map[string]bool // addresses the API cannot move to (e.api.taken)
}

const ownerPassword = "a long owner password"

// newEnv opens a console on a new data directory.
func newEnv(t *testing.T) *env {
	store, err := badger.OpenStore(t.TempDir(), data.Options{Now: clocktest.New().Now, FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return newEnvOn(t, store)
}

// openMemoryStore opens a new store on a backend in memory, whose commits
// the test can make fail (m.FailCommits).
func openMemoryStore(t *testing.T) (*backendtest.Memory, *data.Store) {
	m := backendtest.NewMemory()
	b, err := m.Open()
	if err != nil {
		t.Fatal(err)
	}
	s, err := data.Open(b, data.Options{Now: clocktest.New().Now, FlushInterval: time.Hour, SealKeyFile: filepath.Join(t.TempDir(), "seal.key")})
	if err != nil {
		t.Fatal(err)
	}
	return m, s
}

// newEnvOn opens a console on store, which it closes after the test.
func newEnvOn(t *testing.T, store *data.Store) *env {
	e := &env{t: t, a: test.NewTempApp(t), store: store, clock: clocktest.New(), api: newFakeAPI()}
	e.taken = e.api.taken
	e.w = e.a.NewWindow(Title)
	// Tests move the clock by days: the idle sign-out is off unless a
	// test turns it on.
	e.a.Preferences().SetInt(prefIdleMinutes, 0)
	e.c = New(e.a, e.w, e.store, e.api, Options{Clock: e.clock, Location: time.UTC, Version: "Keyward test", Website: "https://keyward.example/guide"})
	t.Cleanup(func() {
		e.c.Close()
		e.w.Close()
		e.store.Close()
	})
	return e
}

// withAccount creates the account with Ada as Owner, a Viewer, a Logs
// Viewer and a Member (each with a console password), and enables the API
// when enabled is true.
func (e *env) withAccount(enabled bool) *env {
	seedAccount(e.t, e.store, enabled)
	return e
}

// seedAccount fills store as withAccount does, before a console is open
// on it.
func seedAccount(t *testing.T, store *data.Store, enabled bool) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := store.Init(data.NewAccount{AccountName: "Acme", OwnerName: "Ada Owner", OwnerEmail: "ada@example.com", OwnerPassword: ownerPassword})
	must(err)
	for _, u := range []data.NewUser{
		{Name: "Vic Viewer", Email: "vic@example.com", Role: data.RoleViewer, Password: ownerPassword},
		{Name: "Lou Logs", Email: "lou@example.com", Role: data.RoleLogsViewer, Password: ownerPassword},
		{Name: "Max Member", Email: "max@example.com", Role: data.RoleMember, Password: ownerPassword},
	} {
		_, err := store.AddUser(data.CommandLine, u)
		must(err)
	}
	if enabled {
		_, err := store.SetAPIEnabled(data.CommandLine, true)
		must(err)
	}
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// user returns the user with the given email.
func (e *env) user(email string) data.User {
	e.t.Helper()
	u, err := e.store.UserByEmail(email)
	e.must(err)
	return u
}

// setRole gives the user with the given email a new role, as the command
// line would, while the console is open.
func (e *env) setRole(email string, role data.Role) {
	e.t.Helper()
	_, err := e.store.UpdateUser(data.CommandLine, e.user(email).ID, data.UserChange{Role: &role})
	e.must(err)
}

// signIn starts the console and signs in through the form.
func (e *env) signIn(email string) {
	e.t.Helper()
	e.c.Start()
	e.typeSignIn(email, ownerPassword)
	if e.c.access == nil {
		e.t.Fatalf("sign-in as %s failed: %s", email, e.visibleErrors())
	}
}

func (e *env) typeSignIn(email, password string) {
	e.t.Helper()
	entries := all[*widget.Entry](e.w.Canvas().Content())
	if len(entries) != 2 {
		e.t.Fatalf("the sign-in form has %d entries", len(entries))
	}
	entries[0].SetText("")
	entries[1].SetText("")
	test.Type(entries[0], email)
	test.Type(entries[1], password)
	test.Tap(button(e.t, e.w.Canvas().Content(), "Sign in"))
}

// visibleErrors returns the text of the visible danger labels of the top
// dialog, or of the window when there is none.
func (e *env) visibleErrors() string {
	root := e.w.Canvas().Content()
	if top := e.w.Canvas().Overlays().Top(); top != nil {
		root = top
	}
	var msgs []string
	for _, l := range all[*widget.Label](root) {
		if l.Visible() && l.Importance == widget.DangerImportance && l.Text != "" {
			msgs = append(msgs, l.Text)
		}
	}
	return strings.Join(msgs, " | ")
}

// top returns the content of the dialog on top, failing if there is none.
func (e *env) top() fyne.CanvasObject {
	e.t.Helper()
	o := e.w.Canvas().Overlays().Top()
	if o == nil {
		e.t.Fatal("no dialog is up")
	}
	return o
}

// escape presses Escape with no widget focused.
func (e *env) escape() {
	e.w.Canvas().Unfocus()
	e.w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
}

// children returns what o is drawn from: a container's objects, a widget's
// renderer's objects.
func children(o fyne.CanvasObject) []fyne.CanvasObject {
	switch x := o.(type) {
	case *fyne.Container:
		return x.Objects
	case fyne.Widget:
		return test.WidgetRenderer(x).Objects()
	}
	return nil
}

// all returns every object of type T drawn under root, visible or not,
// depth first.
func all[T fyne.CanvasObject](root fyne.CanvasObject) []T {
	var out []T
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil {
			return
		}
		if x, ok := o.(T); ok {
			out = append(out, x)
		}
		for _, c := range children(o) {
			walk(c)
		}
	}
	walk(root)
	return out
}

// buttons returns every button under root, visible or not: Fyne's and
// the console's own (widgets.Button), as the *widget.Button they are
// built on.
func buttons(root fyne.CanvasObject) []*widget.Button {
	var out []*widget.Button
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch b := o.(type) {
		case nil:
			return
		case *widget.Button:
			out = append(out, b)
		case *widgets.Button:
			out = append(out, &b.Button)
		}
		for _, c := range children(o) {
			walk(c)
		}
	}
	walk(root)
	return out
}

// button returns the visible button with the given text under root.
func button(t *testing.T, root fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, b := range buttons(root) {
		if b.Text == text && isShown(b) {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

// hasButton reports whether a visible button with the text is under root.
func hasButton(root fyne.CanvasObject, text string) bool {
	for _, b := range buttons(root) {
		if b.Text == text && isShown(b) {
			return true
		}
	}
	return false
}

// focused returns what has the keyboard focus on e's window, as the
// *widget.Button a console button is built on.
func (e *env) focused() any {
	if b, ok := e.w.Canvas().Focused().(*widgets.Button); ok {
		return &b.Button
	}
	return e.w.Canvas().Focused()
}

// isShown reports whether o is visible; a hidden parent is not checked,
// which the callers avoid by looking under the right root.
func isShown(o fyne.CanvasObject) bool { return o.Visible() }

// labelText returns the text of every visible label under root, joined.
func labelText(root fyne.CanvasObject) string {
	var texts []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
		for _, c := range children(o) {
			walk(c)
		}
	}
	walk(root)
	return strings.Join(texts, "\n")
}

// cell returns the table cell at row and col as last drawn.
func cell(t *testing.T, table *widgets.Table, row, col int) *widgets.Cell {
	t.Helper()
	for _, c := range all[*widgets.Cell](table) {
		if c.Row == row && c.Col == col && c.Visible() {
			return c
		}
	}
	t.Fatalf("no cell at row %d, column %d", row, col)
	return nil
}

// keyRow returns the row of the key named name in the keys table.
func (e *env) keyRow(name string) int {
	for i, k := range e.c.access.keys.visibleKeys() {
		if k.Name == name {
			return i
		}
	}
	return -1
}

var errAddressInUse = errors.New("another program is already listening on 127.0.0.1:8686: stop it, or choose another address")

var fyneKeyReturn = fyne.KeyEvent{Name: fyne.KeyReturn}

var loopback = netip.MustParseAddr("127.0.0.1")

// tapLink taps a hyperlink over its text, where a person would.
func tapLink(l interface {
	fyne.Tappable
	Size() fyne.Size
}) {
	test.TapAt(l, fyne.NewPos(12, l.Size().Height/2))
}

// showTab selects a tab of the Access Management window, as a tap on it
// does.
func (e *env) showTab(title string) {
	e.t.Helper()
	for _, item := range e.c.access.tabs.Items {
		if item.Text == title {
			e.c.access.tabs.Select(item)
			return
		}
	}
	e.t.Fatalf("no tab %q", title)
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// firstRowInView fails t unless the table's first row is on screen,
// under the header, as its cell in column col shows: Fyne's own
// ScrollToTop filled the top rows but left them scrolled out of sight.
func firstRowInView(t *testing.T, table *widgets.Table, col int) {
	t.Helper()
	d := fyne.CurrentApp().Driver()
	first := cell(t, table, 0, col)
	top, at := d.AbsolutePositionForObject(table), d.AbsolutePositionForObject(first)
	below := top.Y + table.CreateHeader().MinSize().Height
	if at.Y < below || at.Y+first.Size().Height > top.Y+table.Size().Height {
		t.Fatalf("the first row is at y %v, out of the table's %v–%v under its header", at.Y, below, top.Y+table.Size().Height)
	}
}
