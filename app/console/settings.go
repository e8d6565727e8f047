package console

import (
	"fmt"
	"image/color"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/app/api"
	"keyward/data"
	"keyward/widgets"
)

// The console's own settings live in the user's Fyne preferences; the REST
// API's are the account's, in the store, shared with `keyward serve`.
const (
	prefClipboardSeconds = "clipboard.clearSeconds"
	prefTheme            = "theme"
	prefIdleMinutes      = "signout.idleMinutes"
	maxClipboardSeconds  = 24 * 60 * 60
	maxIdleMinutes       = 24 * 60
)

// DefaultIdleTimeout is how long the console waits without input before
// it signs out.
const DefaultIdleTimeout = 15 * time.Minute

// idleTimeout is the idle time of the settings; 0 never signs out.
func (c *Console) idleTimeout() time.Duration {
	mins := c.app.Preferences().IntWithFallback(prefIdleMinutes, int(DefaultIdleTimeout/time.Minute))
	return time.Duration(mins) * time.Minute
}

// The theme choices, as the preference stores them and the selector shows
// them.
var themeChoices = []struct{ pref, label string }{
	{"system", "As the system"},
	{"light", "Light"},
	{"dark", "Dark"},
}

// clipboardDelay is how long a copied secret may stay on the clipboard; 0
// never clears it.
func (c *Console) clipboardDelay() time.Duration {
	secs := c.app.Preferences().IntWithFallback(prefClipboardSeconds, int(DefaultClipboardDelay/time.Second))
	return time.Duration(secs) * time.Second
}

// applyTheme sets the light or dark theme the user chose. "As the system"
// leaves the app's theme alone, unless it replaces an earlier choice.
func (c *Console) applyTheme() {
	switch c.app.Preferences().String(prefTheme) {
	case "light":
		c.app.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	case "dark":
		c.app.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	default:
		if _, forced := c.app.Settings().Theme().(variantTheme); forced {
			c.app.Settings().SetTheme(theme.DefaultTheme())
		}
	}
}

// variantTheme is Fyne's theme held to one variant.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

// Color answers in the theme's own variant, whatever the system's is.
func (t variantTheme) Color(name fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(name, t.variant)
}

// readableTheme is a theme whose disabled text is the normal text's
// colour: for values a role may read but not change.
type readableTheme struct{ fyne.Theme }

func (t readableTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if name == theme.ColorNameDisabled {
		name = theme.ColorNameForeground
	}
	return t.Theme.Color(name, v)
}

// settingsDialog edits the REST API's settings (Owners only) and the
// console's own: how long secrets stay on the clipboard, and the theme.
type settingsDialog struct {
	c *Console
	d *dialog.CustomDialog

	addr, proxies, rate, clip, idle *widgets.Entry
	theme                           *widgets.Select
	err                             *widget.Label
}

func (c *Console) showSettings() {
	set := c.store.Settings()
	s := &settingsDialog{c: c,
		addr:    c.dialogEntry(data.DefaultAPIAddr, false),
		proxies: c.dialogEntry("none; such as 10.0.0.0/8, 192.168.1.10", false),
		rate:    c.dialogEntry(strconv.Itoa(data.DefaultRateLimit), false),
		clip:    c.dialogEntry("30", false),
		idle:    c.dialogEntry("15", false),
		err:     errorLabel(),
	}
	s.idle.SetText(strconv.Itoa(int(c.idleTimeout() / time.Minute)))
	s.addr.SetText(set.APIAddr)
	s.proxies.SetText(data.ProxiesText(set.TrustedProxies))
	s.rate.SetText(strconv.Itoa(set.RateLimit))
	s.clip.SetText(strconv.Itoa(int(c.clipboardDelay() / time.Second)))
	labels := make([]string, len(themeChoices))
	for i, t := range themeChoices {
		labels[i] = t.label
	}
	s.theme = c.dialogSelect(labels, nil)
	s.theme.SetSelectedIndex(max(0, slices.IndexFunc(themeChoices, func(t struct{ pref, label string }) bool {
		return t.pref == c.app.Preferences().String(prefTheme)
	})))
	apiHint := "The console serves the REST API here while the API is enabled; “keyward serve” uses these too, unless its flags say otherwise."
	// A read-only value stays readable: the disabled entries draw their
	// text in the normal colour, not the disabled grey (about 1.4:1).
	field := func(e *widgets.Entry) fyne.CanvasObject { return e }
	if !c.user.Role.CanAdminister() {
		for _, e := range []*widgets.Entry{s.addr, s.proxies, s.rate} {
			e.Disable()
		}
		apiHint = "Only an Owner can change the REST API settings."
		field = func(e *widgets.Entry) fyne.CanvasObject {
			return container.NewThemeOverride(e, readableTheme{c.app.Settings().Theme()})
		}
	}
	content := container.NewVBox(
		&widget.Label{Text: "REST API", TextStyle: fyne.TextStyle{Bold: true}},
		labelled("Listen address", field(s.addr)),
		labelled("Requests a minute per key (0: no limit)", field(s.rate)),
		labelled("Trusted proxies (their X-Forwarded-For is believed)", field(s.proxies)),
		hint(apiHint),
		widget.NewSeparator(),
		&widget.Label{Text: "This console", TextStyle: fyne.TextStyle{Bold: true}},
		labelled("Clear copied keys from the clipboard after (seconds; 0: never)", s.clip),
		labelled("Sign out after this many minutes without input (0: never)", s.idle),
		labelled("Theme", s.theme),
		s.err,
	)
	save := c.button("Save", theme.ConfirmIcon(), widget.HighImportance, s.submit)
	cancel := c.button("Cancel", theme.CancelIcon(), widget.MediumImportance, func() { s.c.hide(s.d) })
	s.d = c.scrollingDialog("Settings", content, 520, cancel, save)
	c.show(s.d, true).enter = s.submit
}

// submit checks every field, then applies what changed. A REST API that
// cannot listen on the new address keeps running on the old one, and
// nothing is saved.
func (s *settingsDialog) submit() {
	secs, err := strconv.Atoi(strings.TrimSpace(s.clip.Text))
	if err != nil || secs < 0 || secs > maxClipboardSeconds {
		setError(s.err, fmt.Sprintf("The clipboard delay must be a whole number of seconds from 0 (never clear) to %d.", maxClipboardSeconds))
		return
	}
	idle, err := strconv.Atoi(strings.TrimSpace(s.idle.Text))
	if err != nil || idle < 0 || idle > maxIdleMinutes {
		setError(s.err, fmt.Sprintf("The idle sign-out must be a whole number of minutes from 0 (never) to %d.", maxIdleMinutes))
		return
	}
	if s.c.user.Role.CanAdminister() {
		next, err := s.apiSettings()
		if err == nil {
			err = s.c.changeAPISettings(next)
		}
		if err != nil {
			setError(s.err, data.ErrorMessage(err))
			return
		}
	}
	prefs := s.c.app.Preferences()
	prefs.SetInt(prefClipboardSeconds, secs)
	prefs.SetInt(prefIdleMinutes, idle)
	s.c.watchIdle()
	s.c.clip.delay = time.Duration(secs) * time.Second
	prefs.SetString(prefTheme, themeChoices[max(0, s.theme.SelectedIndex())].pref)
	s.c.applyTheme()
	s.c.hide(s.d)
}

// apiSettings reads the REST API fields.
func (s *settingsDialog) apiSettings() (data.Settings, error) {
	rate, err := strconv.Atoi(strings.TrimSpace(s.rate.Text))
	if err != nil {
		return data.Settings{}, data.Errorf(data.EInvalid, "The rate limit must be a whole number of requests a minute (0: no limit).")
	}
	proxies, err := data.ParseProxies(s.proxies.Text)
	if err != nil {
		return data.Settings{}, data.Errorf(data.EInvalid, "Trusted proxies: %s", data.ErrorMessage(err))
	}
	next := data.Settings{APIAddr: strings.TrimSpace(s.addr.Text), RateLimit: rate, TrustedProxies: proxies}
	return next, next.Validate()
}

// changeAPISettings applies the REST API's settings and saves them. A
// running API moves to them, and one that cannot leaves the API where it
// was (see api.Supervisor.Apply); a stopped one serves with them when it
// is next enabled.
func (c *Console) changeAPISettings(next data.Settings) error {
	prev := c.store.Settings()
	if err := c.api.Apply(api.ConfigFrom(next)); err != nil {
		return data.Errorf(data.EConflict, "The REST API cannot move to %s: %v. It stays on %s, and nothing was changed.", next.APIAddr, err, prev.APIAddr)
	}
	if _, err := c.store.SetSettings(c.actor(), next); err != nil {
		return err
	}
	if c.access != nil {
		c.access.keys.refreshAccount()
	}
	return nil
}
