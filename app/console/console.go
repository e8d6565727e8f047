// Package console is Keyward's console: the sign-in and setup forms and the
// Access Management window with its Team, API Keys and System Log tabs.
// Each screen or dialog is built by a small struct that keeps the widgets
// it updates; the rules all live in package data.
package console

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/app/api"
	"keyward/data"
	"keyward/widgets"
)

// Title is the window's title.
const Title = "Keyward — Access Management"

// DefaultClipboardDelay is how long a copied secret may stay on the
// clipboard.
const DefaultClipboardDelay = 30 * time.Second

// Options configures the console. The REST API's settings are the
// account's (data.Store.Settings); the console's own, such as the theme,
// are the user's Fyne preferences (see settings.go).
type Options struct {
	// Clock is the console's time source and timer; nil means the real one.
	Clock Clock
	// Location is the time zone times are shown in; nil means local time.
	Location *time.Location
	// Version names this build in the About dialog and in the session
	// log's user agent.
	Version string
	// Website is where the user guide is; the About dialog links to it.
	Website string
	// Shared says the store is shared by several machines (Redis): the
	// sign-in form and About name it, so that nobody mistakes whose data
	// they are about to change.
	Shared bool
}

// Clock tells the time and runs functions later. Tests replace it so that
// nothing sleeps.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f on the UI goroutine after d, unless stop is called
	// first.
	AfterFunc(d time.Duration, f func()) (stop func())
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) func() {
	t := time.AfterFunc(d, func() { fyne.Do(f) })
	return func() { t.Stop() }
}

// API is what the console needs of the REST API's supervisor
// (*api.Supervisor): the API Keys tab starts and stops it, Settings moves
// it, and both show its Status. Tests pass a fake with a fixed address or
// one that fails to start.
type API interface {
	Start() error
	Apply(api.Config) error
	Stop(ctx context.Context) error
	Status() api.Status
}

// Console is the application's window and what it shows.
type Console struct {
	app   fyne.App
	win   fyne.Window
	store *data.Store
	opts  Options
	clock Clock

	api  API
	clip *clipboardGuard

	user        data.User // who is signed in; zero before sign-in
	access      *accessScreen
	screen      fyne.CanvasObject // what setContent was last given
	banner      *failureBanner    // over the screen once the storage failed
	dialogs     []*openDialog     // the dialogs up, last on top
	unsubscribe func()

	armEnter   bool      // whether Enter must be pressed anew in a dialog (see openDialog.armed)
	lastInput  time.Time // when a person last typed, tapped or pointed
	stopIdle   func()    // cancels the idle sign-out's next check
	signInNote string    // why the sign-in form is back, once
	unseenKey  string    // the key whose value the one-time dialog shows, until copied

	// do runs f on the UI goroutine: fyne.Do. Fyne's test driver runs f
	// at once on the caller's goroutine, so the tests of a notification
	// sent from another goroutine (the storage's failure) replace it with
	// a queue that they run themselves.
	do func(f func())
	// backupFolder is where the file dialog of Back up now opens; nil
	// leaves it to Fyne (the folder used last, else the home folder).
	// Tests set it.
	backupFolder fyne.ListableURI
}

// New returns the console for store in window w of app a; it serves the
// REST API through restAPI while the API is enabled.
func New(a fyne.App, w fyne.Window, store *data.Store, restAPI API, opts Options) *Console {
	c := &Console{app: a, win: w, store: store, api: restAPI, opts: opts, clock: opts.Clock, do: fyne.Do}
	if c.clock == nil {
		c.clock = realClock{}
	}
	if c.opts.Location == nil {
		c.opts.Location = time.Local
	}
	c.clip = newClipboardGuard(a.Clipboard(), c.clock, c.clipboardDelay())
	c.applyTheme()
	w.Canvas().SetOnTypedKey(c.typedKey)
	if dc, ok := w.Canvas().(desktop.Canvas); ok {
		// Key presses, not repeats, arm a dialog's Enter.
		dc.SetOnKeyDown(c.keyDown)
		c.armEnter = true
	}
	w.Canvas().SetOnTypedRune(func(rune) { c.touch() })
	widgets.OnActivity = c.touch
	c.addShortcuts()
	w.Resize(c.savedSize())
	w.SetOnClosed(c.saveSize)
	c.unsubscribe = store.Subscribe(func(ch data.Change) { c.do(func() { c.changed(ch) }) })
	return c
}

// Start serves the REST API if it is enabled and shows the setup form on a
// new data directory, the sign-in form otherwise.
func (c *Console) Start() {
	if acct, err := c.store.Account(); err == nil && acct.APIEnabled {
		c.startAPI()
	}
	if c.store.Initialized() {
		c.showSignIn()
	} else {
		c.showSetup()
	}
	c.releaseMemory()
}

// Close stops the REST API and takes a secret the console copied off the
// clipboard. The caller closes the store afterwards.
func (c *Console) Close() {
	c.unsubscribe()
	c.clip.clearNow()
	c.stopAPI()
}

// The window's size is remembered in the app's preferences.
const (
	prefWidth  = "window.width"
	prefHeight = "window.height"
)

// defaultSize is the window's size on first start.
var defaultSize = fyne.NewSize(1000, 680)

func (c *Console) savedSize() fyne.Size {
	p := c.app.Preferences()
	return fyne.NewSize(float32(p.FloatWithFallback(prefWidth, float64(defaultSize.Width))),
		float32(p.FloatWithFallback(prefHeight, float64(defaultSize.Height))))
}

func (c *Console) saveSize() {
	size := c.win.Canvas().Size()
	if size.Width < 200 || size.Height < 200 {
		return // minimised or not laid out: keep the last good size
	}
	c.app.Preferences().SetFloat(prefWidth, float64(size.Width))
	c.app.Preferences().SetFloat(prefHeight, float64(size.Height))
}

// startAPI starts the REST API. Why it could not start is kept in its
// Status, which the API Keys tab shows.
func (c *Console) startAPI() {
	c.api.Start()
}

// apiStopGrace is how long requests in flight may take to finish when the
// REST API stops. The console must be gone within 10 s of being closed,
// even when the storage has failed, and closing the store afterwards may
// take 5 s of that for its engine.
const apiStopGrace = 3 * time.Second

// stopAPI stops the REST API, giving requests in flight apiStopGrace to
// finish.
func (c *Console) stopAPI() {
	ctx, cancel := context.WithTimeout(context.Background(), apiStopGrace)
	defer cancel()
	c.api.Stop(ctx)
}

// signedIn shows the Access Management window for u.
func (c *Console) signedIn(u data.User) {
	c.user = u
	c.access = newAccessScreen(c)
	c.setContent(c.access.content)
	c.touch()
	c.watchIdle()
	c.releaseMemory()
	// Drawing the tab the first time, a table of 10,000 keys, leaves its
	// own garbage: returned too, once it is drawn.
	c.clock.AfterFunc(settleAfterSignIn, c.releaseMemory)
}

// settleAfterSignIn is how long after sign-in the window has drawn.
const settleAfterSignIn = 3 * time.Second

// touch records a person's input: the idle sign-out counts from it.
func (c *Console) touch() { c.lastInput = c.clock.Now() }

// watchIdle signs the user out once the console has had no input for the
// idle time of the settings (0: never), checking again when that time
// from the last input has passed.
func (c *Console) watchIdle() {
	if c.stopIdle != nil {
		c.stopIdle()
		c.stopIdle = nil
	}
	limit := c.idleTimeout()
	if limit <= 0 || c.access == nil {
		return
	}
	wait := limit - c.clock.Now().Sub(c.lastInput)
	if wait <= 0 {
		c.signInNote = fmt.Sprintf("You were signed out after %s without input. Sign in again to go on.", data.FormatDuration(limit))
		if c.unseenKey != "" {
			c.signInNote += fmt.Sprintf(" The value of the API user key %s was on screen and never copied: roll the key for a new one.", c.unseenKey)
		}
		c.signOut()
		return
	}
	c.stopIdle = c.clock.AfterFunc(wait, c.watchIdle)
}

// setContent replaces what the window shows, under the failure banner
// once the storage has failed. Whatever had the keyboard focus loses it
// first: Fyne drops the old content's focus without telling the widget,
// and an entry that still thinks it has the focus blinks its cursor
// forever, repainting the window many times a second while it sits idle.
func (c *Console) setContent(o fyne.CanvasObject) {
	c.screen = o
	if c.banner == nil {
		if failure := c.store.Failure(); failure != nil {
			c.banner = newFailureBanner(failure)
		}
	}
	if c.banner != nil {
		o = container.NewBorder(c.banner.content, nil, nil, nil, o)
	}
	c.win.Canvas().Unfocus()
	c.win.SetContent(o)
}

// releaseMemory returns the garbage of a one-off burst to the system: the
// 19 MiB Argon2id takes to check a password, the decoding of every record
// when the store opens. Go would otherwise keep it for minutes, and a
// desktop app that sits open all day should not. The store gives back
// the pages of the files it read when it opened.
func (c *Console) releaseMemory() {
	debug.FreeOSMemory()
	c.store.ReleaseMemory()
}

// signOut forgets the user and shows the sign-in form.
func (c *Console) signOut() {
	if c.stopIdle != nil {
		c.stopIdle()
		c.stopIdle = nil
	}
	c.closeDialogs()
	// And what the console does not track: a selector's open list, a
	// calendar, Fyne's own confirmations (the file dialog's Overwrite?).
	for _, o := range c.win.Canvas().Overlays().List() {
		c.win.Canvas().Overlays().Remove(o)
	}
	c.unseenKey = ""
	c.user, c.access = data.User{}, nil
	c.showSignIn()
}

// actor is who the console acts as.
func (c *Console) actor() data.Actor { return data.ActorFor(c.user) }

// changed refreshes what a change, made here or through the REST API,
// affects. A change to the signed-in user (their role, their removal)
// re-opens the window with their new rights, or signs them out. A failure
// of the storage shows on every screen.
func (c *Console) changed(ch data.Change) {
	if ch.Kind == data.ChangeStorage {
		c.storageFailed()
		return
	}
	if c.access == nil {
		return
	}
	if ch.Kind == data.ChangeUsers {
		u, err := c.store.User(c.user.ID)
		if err != nil || !u.Role.CanSignIn() {
			c.signOut()
			return
		}
		if u.Role != c.user.Role {
			c.closeDialogs()
			c.signedIn(u)
			return
		}
		c.user = u
	}
	c.access.changed(ch)
}

// userAgent names the console in the session log: "Keyward 0.1.0 (build
// 1) console on linux".
func (c *Console) userAgent() string {
	v := c.opts.Version
	if v == "" {
		v = "Keyward (development build)"
	}
	return v + " console on " + runtime.GOOS
}

// formatTime shows t to people, in the console's time zone; the zero time
// is "Never".
func (c *Console) formatTime(t time.Time) string {
	if t.IsZero() {
		return "Never"
	}
	return t.In(c.opts.Location).Format("2006-01-02 15:04")
}

// formatDate shows the day of t, in the console's time zone.
func (c *Console) formatDate(t time.Time) string {
	return t.In(c.opts.Location).Format("2006-01-02")
}

// openDialog is a dialog the console shows; escapable tells whether
// Escape closes it (not the one-time key dialog); enter, when set, is what
// Enter does in it wherever its focus is (but on a button, which Enter
// presses).
type openDialog struct {
	d         dialog.Dialog
	escapable bool
	enter     func()
	// armed is whether Enter was pressed since the dialog came up. Held
	// down on the button that opened a confirmation, Enter repeats, and a
	// repeat must not confirm it.
	armed bool
}

// show shows d and tracks it, so that Escape and Enter reach the top
// dialog. Whatever had the focus behind it loses it: a filter behind a
// dialog kept its focus ring, and its blinking cursor, while the dialog
// took the keys.
func (c *Console) show(d dialog.Dialog, escapable bool) *openDialog {
	od := &openDialog{d: d, escapable: escapable}
	c.dialogs = append(c.dialogs, od)
	d.SetOnClosed(func() { c.forget(od) })
	c.win.Canvas().Unfocus()
	d.Show()
	return od
}

func (c *Console) forget(od *openDialog) {
	for i, x := range c.dialogs {
		if x == od {
			c.dialogs = append(c.dialogs[:i], c.dialogs[i+1:]...)
			return
		}
	}
}

// hide closes d, which c.show showed. As with setContent, the entry
// focused in the dialog loses the focus first, or its cursor would go on
// blinking after the dialog has gone.
func (c *Console) hide(d dialog.Dialog) {
	if n := len(c.dialogs); n > 0 && c.dialogs[n-1].d == d {
		c.win.Canvas().Unfocus() // the top dialog's focus
	}
	d.Hide()
}

// closeDialogs closes every dialog, top first, so that each is the top one
// when hide unfocuses it.
func (c *Console) closeDialogs() {
	open := c.dialogs
	for i := len(open) - 1; i >= 0; i-- {
		c.hide(open[i].d) // its OnClosed forgets it
	}
	c.dialogs = nil
}

// typedKey handles keys no widget took: Escape cancels the top dialog,
// Enter confirms it.
func (c *Console) typedKey(ev *fyne.KeyEvent) {
	c.touch()
	switch ev.Name {
	case fyne.KeyEscape:
		c.escape()
	case fyne.KeyReturn, fyne.KeyEnter:
		if n := len(c.dialogs); n > 0 && c.armEnter && !c.dialogs[n-1].armed {
			return // a repeat of the Enter that opened the dialog
		}
		c.enter()
	}
}

// keyDown sees a key pressed with no widget focused: a fresh Enter arms
// the top dialog's.
func (c *Console) keyDown(ev *fyne.KeyEvent) {
	if n := len(c.dialogs); n > 0 && (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) {
		c.dialogs[n-1].armed = true
	}
}

// escape closes the top dialog, unless that dialog must not be left that
// way.
func (c *Console) escape() {
	if len(c.dialogs) == 0 {
		return
	}
	if top := c.dialogs[len(c.dialogs)-1]; top.escapable {
		c.hide(top.d)
	}
}

// enter confirms the top dialog, if it has an action Enter takes.
func (c *Console) enter() {
	if len(c.dialogs) == 0 {
		return
	}
	if top := c.dialogs[len(c.dialogs)-1]; top.enter != nil {
		top.enter()
	}
}

// dialogEntry is an entry for a dialog: Escape in it cancels the dialog,
// Enter confirms it (unless the caller gives it another OnSubmitted).
func (c *Console) dialogEntry(placeholder string, password bool) *widgets.Entry {
	e := widgets.NewEntry()
	e.PlaceHolder, e.Password, e.OnEscape = placeholder, password, c.escape
	e.OnSubmitted = func(string) { c.enter() }
	return e
}

// button is a button of the console: Enter presses it as Space does,
// Escape on it cancels the dialog it is in, and its focus shows.
func (c *Console) button(text string, icon fyne.Resource, importance widget.Importance, tapped func()) *widgets.Button {
	b := widgets.NewButton(text, icon, importance, tapped)
	b.OnEscape = c.escape
	return b
}

// dialogSelect is a selector for a dialog: Escape on it cancels the
// dialog, Enter confirms it.
func (c *Console) dialogSelect(options []string, changed func(string)) *widgets.Select {
	s := widgets.NewSelect(options, changed)
	s.OnEscape, s.OnEnter = c.escape, c.enter
	return s
}

// dialogCheck is a check box for a dialog, with Escape and Enter as
// dialogSelect's.
func (c *Console) dialogCheck(text string, changed func(bool)) *widgets.Check {
	k := widgets.NewCheck(text, changed)
	k.OnEscape, k.OnEnter = c.escape, c.enter
	return k
}

// newDialog is a dialog with content over buttons of the console's own,
// which Enter and Escape work on too (a dialog's built-in buttons ignore
// both).
func (c *Console) newDialog(title string, content fyne.CanvasObject, buttons ...fyne.CanvasObject) *dialog.CustomDialog {
	d := dialog.NewCustomWithoutButtons(title, content, c.win)
	if len(buttons) > 0 {
		d.SetButtons(buttons)
	}
	return d
}

// dialogMargin is the least room left around a dialog in the window.
const dialogMargin = 16

// scrollingDialog is newDialog width wide whose content scrolls when the
// window is too short for it: the dialog is as tall as its content, but
// no taller than the window (at 1024×600, Settings used to put Cancel and
// Save over its last fields).
func (c *Console) scrollingDialog(title string, content fyne.CanvasObject, width float32, buttons ...fyne.CanvasObject) *dialog.CustomDialog {
	scroll := container.NewVScroll(content)
	d := c.newDialog(title, scroll, buttons...)
	// The dialog's own height around the scroll, plus the content's.
	natural := d.MinSize().Height - scroll.MinSize().Height + content.MinSize().Height
	room := c.win.Canvas().Size().Height - 2*dialogMargin
	d.Resize(fyne.NewSize(width, max(min(natural, room), d.MinSize().Height)))
	return d
}

// confirm asks before something that cannot be undone: action names the
// red button (with icon, such as the trash can of a deletion), Cancel the
// other; msg says what will happen. It calls do on the red one, or on
// Enter unless the focus is on Cancel, and shows an error do returns.
func (c *Console) confirm(title, msg, action string, icon fyne.Resource, do func() error) {
	var d *dialog.CustomDialog
	confirmed := func() {
		c.hide(d)
		if err := do(); err != nil {
			c.showError(err)
		}
	}
	cancel := c.button("Cancel", theme.CancelIcon(), widget.MediumImportance, func() { c.hide(d) })
	ok := c.button(action, icon, widget.DangerImportance, confirmed)
	text := &widget.Label{Text: msg, Wrapping: fyne.TextWrapWord}
	d = c.newDialog(title, minWidth(text, 400), cancel, ok)
	c.show(d, true).enter = confirmed
}

// showError reports err in a dialog.
func (c *Console) showError(err error) {
	c.inform("Could not do that", data.ErrorMessage(err))
}

// inform shows msg in a dialog with a Close button.
func (c *Console) inform(title, msg string) {
	c.showInfo(title, minWidth(&widget.Label{Text: msg, Wrapping: fyne.TextWrapWord}, 360), 0)
}

// showInfo shows content in a dialog width wide (0: as wide as content)
// with a Close button, which Escape and Enter press too.
func (c *Console) showInfo(title string, content fyne.CanvasObject, width float32) {
	var d *dialog.CustomDialog
	closeButton := c.button("Close", nil, widget.HighImportance, func() { c.hide(d) })
	d = c.newDialog(title, content, closeButton)
	if width > 0 {
		d.Resize(fyne.NewSize(width, 0))
	}
	c.show(d, true).enter = closeButton.OnTapped
}
