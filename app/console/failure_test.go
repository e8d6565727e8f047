package console

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/data/backendtest"
)

// errDiskGone is the storage failure the tests provoke.
var errDiskGone = fmt.Errorf("disk gone: %w", data.ErrFailed)

// uiQueue plays the UI goroutine for a test: the console hands it the work
// that fyne.Do would run there, and the test runs it on its own goroutine,
// where it drives the window. Fyne's test driver would run that work at
// once on the goroutine that sent it, beside the test's.
type uiQueue struct {
	mu    sync.Mutex
	fns   []func()
	ready chan struct{} // has a value while fns may be non-empty
}

// queueUI makes the console hand its UI work to a queue the test runs.
// It must be called before anything sends the console a notification
// from another goroutine.
func (e *env) queueUI() *uiQueue {
	q := &uiQueue{ready: make(chan struct{}, 1)}
	e.c.do = q.do
	return q
}

func (q *uiQueue) do(f func()) {
	q.mu.Lock()
	q.fns = append(q.fns, f)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// runUntil runs the queued work, waiting for more, until done reports true.
func (q *uiQueue) runUntil(t *testing.T, what string, done func() bool) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for !done() {
		select {
		case <-q.ready:
		case <-timeout:
			t.Fatalf("still waiting, after 5 s, for %s", what)
		}
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		for _, f := range fns {
			f()
		}
	}
}

// failStore makes the storage under store fail, as a disk that goes away
// does, and waits until the store has told its subscribers.
func failStore(t *testing.T, m *backendtest.Memory, store *data.Store) {
	t.Helper()
	told := make(chan struct{}, 1)
	defer store.Subscribe(func(ch data.Change) {
		if ch.Kind == data.ChangeStorage {
			told <- struct{}{}
		}
	})()
	m.FailCommits(errDiskGone)
	if _, err := store.AddUser(data.CommandLine, data.NewUser{Name: "Nia New", Email: "nia@example.com", Role: data.RoleViewer}); !errors.Is(err, data.ErrFailed) {
		t.Fatalf("a change on the failed storage: %v", err)
	}
	select {
	case <-told:
	case <-time.After(5 * time.Second):
		t.Fatal("the store did not announce its failure")
	}
}

// bannerText returns the failure banner's text, "" while there is none.
// It fails the test if the banner is not at the top of the window.
func (e *env) bannerText() string {
	e.t.Helper()
	if e.c.banner == nil {
		return ""
	}
	content, ok := e.w.Canvas().Content().(*fyne.Container)
	if !ok || len(content.Objects) != 2 || content.Objects[1] != e.c.banner.content || content.Objects[0] != e.c.screen {
		e.t.Fatal("the failure banner is not at the top of the window, above the screen")
	}
	return e.c.banner.text.String()
}

// assertBanner fails unless the banner says that changes are refused and
// why.
func (e *env) assertBanner() {
	e.t.Helper()
	text := e.bannerText()
	failure := data.ErrorMessage(e.store.Failure())
	if !strings.HasPrefix(text, refusedUntilRestart) || !strings.Contains(text, failure) || !strings.Contains(failure, "disk gone") {
		e.t.Fatalf("the banner says %q; the failure is %q", text, failure)
	}
}

// TestStorageFailureBanner: when the storage fails under the open window,
// the change that met it says so, and a red banner then says so above
// every screen, sign-in included, until Keyward is restarted.
func TestStorageFailureBanner(t *testing.T) {
	m, store := openMemoryStore(t)
	e := newEnvOn(t, store).withAccount(false)
	e.signIn("ada@example.com")
	if e.bannerText() != "" || e.w.Canvas().Content() != e.c.access.content {
		t.Fatal("a banner is shown while the storage works")
	}
	ui := e.queueUI()
	m.FailCommits(errDiskGone)
	test.Tap(button(t, e.c.access.keys.content, "Enable API"))
	if msg := labelText(e.top()); store.Failure() == nil || !strings.Contains(msg, data.ErrorMessage(store.Failure())) {
		t.Fatalf("the failed change says %q", msg)
	}
	ui.runUntil(t, "the failure banner", func() bool { return e.c.banner != nil })
	e.assertBanner()
	if len(e.c.dialogs) != 1 {
		t.Fatal("the banner closed the dialog of the failed change")
	}
	e.escape()
	// It stays: after sign-out, over the sign-in form, where signing in
	// is refused too (it would log the session).
	test.Tap(e.c.access.signOut)
	e.assertBanner()
	e.typeSignIn("ada@example.com", ownerPassword)
	if got := e.visibleErrors(); e.c.access != nil || !strings.Contains(got, "disk gone") {
		t.Fatalf("signing in on the failed storage: %q", got)
	}
	e.assertBanner()
}

// TestStorageFailedBeforeTheWindowOpened: a store that failed before the
// window opened shows the banner on the first screen.
func TestStorageFailedBeforeTheWindowOpened(t *testing.T) {
	m, store := openMemoryStore(t)
	seedAccount(t, store, false)
	failStore(t, m, store)
	e := newEnvOn(t, store)
	e.c.Start()
	e.assertBanner()
	if len(all[*widget.Entry](e.c.screen)) != 2 {
		t.Fatal("the sign-in form is not under the banner")
	}
}

// TestCloseBoundsTheAPIStop: the console gives the REST API a few seconds
// to stop, so that it is gone within 10 s with the store's close, whose
// engine may take 5 s, even when the storage has failed.
func TestCloseBoundsTheAPIStop(t *testing.T) {
	m, store := openMemoryStore(t)
	seedAccount(t, store, true)
	e := newEnvOn(t, store)
	e.signIn("ada@example.com")
	e.queueUI()
	failStore(t, m, store)
	start := time.Now()
	e.c.Close()
	if took := time.Since(start); took > time.Second {
		t.Fatalf("Close took %v", took)
	}
	// The store's Close may take 5 s for its engine after this.
	if e.api.stopGrace <= 0 || e.api.stopGrace > apiStopGrace || apiStopGrace > 4*time.Second {
		t.Fatalf("the REST API may take %v to stop (apiStopGrace %v)", e.api.stopGrace, apiStopGrace)
	}
}
