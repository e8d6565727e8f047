package console

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"keyward/app/api"
	"keyward/data"
	"keyward/data/clocktest"
	"keyward/data/redis"
	"keyward/data/redis/redistest"
)

// TestSharedStoreConsoleAndServer: a console and a server, as on two
// machines, share an account through a real Redis. A key created on the
// server's side appears in the console by itself; deleted in the
// console, it is refused by the server within a second.
func TestSharedStoreConsoleAndServer(t *testing.T) {
	url := redistest.Shared(t).URL(redistest.Account())
	seal := filepath.Join(t.TempDir(), "acme.seal")
	open := func() *data.Store {
		s, err := redis.OpenStore(url, data.Options{Now: clocktest.New().Now, FlushInterval: time.Hour, SealKeyFile: seal})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	consoleStore := open()
	seedAccount(t, consoleStore, true)
	serverStore := open()
	t.Cleanup(func() { serverStore.Close() })
	srv := httptest.NewServer(api.NewHandler(serverStore, api.Config{}))
	defer srv.Close()

	e := newEnvOn(t, consoleStore)
	ui := e.queueUI()
	e.signIn("ada@example.com")
	acct, err := serverStore.AccountKey(data.CommandLine, data.ShowAccountKey)
	e.must(err)
	ada, err := serverStore.UserByEmail("ada@example.com")
	e.must(err)
	_, secret, err := serverStore.CreateUserKey(data.CommandLine, "made-on-server", ada.ID)
	e.must(err)
	ui.runUntil(t, "the key made on the server to appear in the console", func() bool { return e.keyRow("made-on-server") >= 0 })

	status := func() int {
		req, _ := http.NewRequest("GET", srv.URL+"/v1/", nil)
		req.Header.Set("X-Api-Key", acct)
		req.Header.Set("X-Api-Secret-Key", secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status(); got != 200 {
		t.Fatalf("the new key on the server: %d", got)
	}
	test.Tap(cell(t, e.c.access.keys.table, e.keyRow("made-on-server"), e.deleteCol()).Button)
	test.Tap(button(t, e.top(), "Delete"))
	deleted := time.Now()
	for status() != 401 {
		if time.Since(deleted) > time.Second {
			t.Fatal("a second after the console deleted the key, the server still accepts it")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("the server refused the key %v after the console deleted it", time.Since(deleted))
}
