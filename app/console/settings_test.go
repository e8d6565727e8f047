package console

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/widgets"
)

// settingsFields returns the dialog's entries: address, rate, proxies,
// clipboard delay.
func (e *env) openSettings() (fyne.CanvasObject, []*widgets.Entry) {
	e.t.Helper()
	test.Tap(e.c.access.settings)
	d := e.top()
	return d, all[*widgets.Entry](d)
}

func TestSettingsMoveTheAPI(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	if !e.api.running || e.api.cfg.Addr != data.DefaultAPIAddr {
		t.Fatal("the API does not run at first")
	}
	d, f := e.openSettings()
	f[0].SetText("0.0.0.0:9443")
	f[1].SetText("60")
	f[2].SetText("10.0.0.0/8, 192.168.1.10")
	test.Tap(button(t, d, "Save"))
	if len(e.c.dialogs) != 0 {
		t.Fatalf("Save did not close the dialog: %s", e.visibleErrors())
	}
	set := e.store.Settings()
	if set.APIAddr != "0.0.0.0:9443" || set.RateLimit != 60 || data.ProxiesText(set.TrustedProxies) != "10.0.0.0/8, 192.168.1.10/32" {
		t.Fatalf("settings = %+v", set)
	}
	if !e.api.running || e.api.cfg.Addr != "0.0.0.0:9443" || e.api.cfg.RateLimit != 60 {
		t.Fatal("the API did not move to the new address")
	}
	if got := e.c.access.keys.status.Text; got != "The REST API is listening on http://0.0.0.0:9443." {
		t.Fatalf("status: %q", got)
	}
	log, _ := e.store.SystemLog(data.LogQuery{Limit: 1})
	if log[0].Type != data.EventSettingsChanged || log[0].Originator != "Ada Owner" {
		t.Fatalf("log = %+v", log[0])
	}
}

func TestSettingsRefuseATakenAddress(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	e.taken["127.0.0.1:9000"] = true
	d, f := e.openSettings()
	f[0].SetText("127.0.0.1:9000")
	test.Tap(button(t, d, "Save"))
	if got := e.visibleErrors(); !strings.Contains(got, "The REST API cannot move to 127.0.0.1:9000: another program is already listening on 127.0.0.1:9000") ||
		!strings.Contains(got, "It stays on 127.0.0.1:8686, and nothing was changed.") {
		t.Fatalf("the dialog says %q", got)
	}
	if !e.api.running || e.api.cfg.Addr != data.DefaultAPIAddr || e.store.Settings().APIAddr != data.DefaultAPIAddr {
		t.Fatal("a refused address changed the server or the settings")
	}
	// On the same address (a new rate limit), a server that cannot start
	// brings the old one back.
	e.taken[data.DefaultAPIAddr] = true
	f[0].SetText(data.DefaultAPIAddr)
	f[1].SetText("10")
	test.Tap(button(t, d, "Save"))
	if !e.api.running || e.api.cfg.RateLimit != data.DefaultRateLimit || e.store.Settings().RateLimit != data.DefaultRateLimit {
		t.Fatal("the old server did not come back")
	}
}

// TestSettingsWhileTheAPIIsDisabled moves the API while it is disabled:
// the tab says where enabling it will serve, and Enable API serves there,
// not on the address of the settings it was disabled with.
func TestSettingsWhileTheAPIIsDisabled(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	k := e.c.access.keys
	test.Tap(k.disable)
	test.Tap(button(t, e.top(), "Disable API"))
	d, f := e.openSettings()
	f[0].SetText("127.0.0.1:9000")
	test.Tap(button(t, d, "Save"))
	if len(e.c.dialogs) != 0 {
		t.Fatalf("Save did not close the dialog: %s", e.visibleErrors())
	}
	if e.api.running || e.store.Settings().APIAddr != "127.0.0.1:9000" {
		t.Fatal("saving the settings of a disabled API started it, or did not save them")
	}
	if !strings.Contains(labelText(k.apiOff), "starts the REST API on 127.0.0.1:9000") {
		t.Fatalf("the disabled tab says %q", labelText(k.apiOff))
	}
	test.Tap(k.enable)
	if !e.api.running || e.api.cfg.Addr != "127.0.0.1:9000" || k.status.Text != "The REST API is listening on http://127.0.0.1:9000." {
		t.Fatalf("Enable API serves on %s: %q", e.api.cfg.Addr, k.status.Text)
	}
}

func TestSettingsRefuseBadValues(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	d, f := e.openSettings()
	tests := []struct {
		field int
		value string
		msg   string
	}{
		{0, "localhost", `"localhost" is not an address to listen on: write it as HOST:PORT`},
		{0, "127.0.0.1:99999", "must be a number from 1 to 65535"},
		{1, "many", "The rate limit must be a whole number of requests a minute"},
		{1, "-5", "from 0 (no limit)"},
		{2, "10.0.0.1/8", "Trusted proxies: \"10.0.0.1/8\" has host bits set"},
		{3, "-1", "The clipboard delay must be a whole number of seconds from 0 (never clear) to 86400."},
		{3, "soon", "The clipboard delay must be"},
	}
	good := []string{f[0].Text, f[1].Text, f[2].Text, f[3].Text}
	for _, tt := range tests {
		for i, g := range good {
			f[i].SetText(g)
		}
		f[tt.field].SetText(tt.value)
		test.Tap(button(t, d, "Save"))
		if got := e.visibleErrors(); !strings.Contains(got, tt.msg) {
			t.Errorf("%q: the dialog says %q, want %q", tt.value, got, tt.msg)
		}
	}
	if set := e.store.Settings(); set.APIAddr != data.DefaultAPIAddr || set.RateLimit != data.DefaultRateLimit {
		t.Fatal("refused values were saved")
	}
}

func TestSettingsOfTheConsole(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("vic@example.com") // a Viewer: the console's own settings only
	d, f := e.openSettings()
	for _, api := range f[:3] {
		if !api.Disabled() {
			t.Fatal("a Viewer may edit the REST API settings")
		}
	}
	if !strings.Contains(labelText(d), "Only an Owner can change the REST API settings.") {
		t.Fatal("the dialog does not say why")
	}
	// Read-only values stay readable: their text is the normal colour,
	// not the disabled grey (issue 13 item 9).
	overrides := all[*container.ThemeOverride](d)
	if len(overrides) != 3 {
		t.Fatalf("%d read-only fields are drawn readable, want 3", len(overrides))
	}
	for _, o := range overrides {
		v := e.a.Settings().ThemeVariant()
		if o.Theme.Color(theme.ColorNameDisabled, v) != o.Theme.Color(theme.ColorNameForeground, v) {
			t.Fatal("a Viewer's settings are drawn in the disabled grey")
		}
	}
	f[3].SetText("10")
	all[*widgets.Select](d)[0].SetSelected("Dark")
	test.Tap(button(t, d, "Save"))
	if got := e.a.Preferences().Int(prefClipboardSeconds); got != 10 || e.c.clip.delay != 10*time.Second {
		t.Fatalf("clipboard delay = %d s, guard %v", got, e.c.clip.delay)
	}
	th, ok := e.a.Settings().Theme().(variantTheme)
	if !ok || th.variant != theme.VariantDark {
		t.Fatalf("the theme is %T", e.a.Settings().Theme())
	}
	// A copied secret goes after the new delay.
	e.c.clip.copySecret("kwu_not_a_real_key")
	e.clock.Advance(10 * time.Second)
	if e.a.Clipboard().Content() != "" {
		t.Fatal("the clipboard was not cleared after the new delay")
	}
	// Back to the system's theme.
	d, _ = e.openSettings()
	all[*widgets.Select](d)[0].SetSelected("As the system")
	test.Tap(button(t, d, "Save"))
	if _, forced := e.a.Settings().Theme().(variantTheme); forced {
		t.Fatal("the theme stayed forced")
	}
}

func TestAbout(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	test.Tap(e.c.access.about)
	d := e.top()
	text := labelText(d)
	for _, want := range []string{"Keyward test", e.store.Location(), "http://127.0.0.1:8686", "http://127.0.0.1:8686/gate, for nginx, Caddy or Traefik"} {
		if !strings.Contains(text, want) {
			t.Errorf("About lacks %q:\n%s", want, text)
		}
	}
	links := all[*widget.Hyperlink](d)
	if len(links) != len(guideSections) || links[2].URL.String() != "https://keyward.example/guide#the-rest-api" ||
		links[3].URL.String() != "https://keyward.example/guide#the-gate-keyward-keys-for-your-own-services" {
		t.Fatalf("About links: %d, %v", len(links), links[2].URL)
	}
	e.escape()
	if len(e.c.dialogs) != 0 {
		t.Fatal("Escape did not close About")
	}
}
