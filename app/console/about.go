package console

import (
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/assets"
)

// guideSections are the README sections the About dialog links to.
var guideSections = []struct{ title, anchor string }{
	{"User guide", ""},
	{"Creating and restricting a key", "#creating-and-restricting-a-key"},
	{"The REST API", "#the-rest-api"},
	{"The gate: Keyward keys for your own services", "#the-gate-keyward-keys-for-your-own-services"},
	{"The command line", "#the-command-line"},
	{"Security", "#security"},
}

// showAbout shows the version, where the data is, where the REST API
// listens, and links to the user guide. Owners back the data up from here,
// beside where it is: an administrator who looks for a backup looks for
// the data first, and `keyward backup` sends them here when the console
// holds the data directory.
func (c *Console) showAbout() {
	api, gate := "disabled", "disabled with the REST API"
	if acct, err := c.store.Account(); err == nil && acct.APIEnabled {
		st := c.api.Status()
		api, gate = st.URL, st.URL+"/gate, for nginx, Caddy or Traefik in front of your own services"
		if st.Err != nil {
			api, gate = "enabled, but not running: "+st.Err.Error(), "not running"
		}
	}
	items := []*widget.FormItem{
		widget.NewFormItem("Version", &widget.Label{Text: c.opts.Version, Selectable: true}),
		widget.NewFormItem(storeLabel(c.opts.Shared), &widget.Label{Text: c.store.Location(), Selectable: true, Wrapping: fyne.TextWrapBreak}),
	}
	if c.user.Role.CanAdminister() {
		backup := c.button("Back up now…", theme.DocumentSaveIcon(), widget.MediumImportance, c.showBackup)
		items = append(items, widget.NewFormItem("Backup", container.NewVBox(container.NewHBox(backup),
			hint("A copy of every record, which 'keyward restore' loads into a new data directory. The seal key is never in it."))))
	}
	items = append(items, widget.NewFormItem("REST API", &widget.Label{Text: api, Selectable: true, Wrapping: fyne.TextWrapWord}),
		widget.NewFormItem("Gate", &widget.Label{Text: gate, Selectable: true, Wrapping: fyne.TextWrapWord}))
	form := widget.NewForm(items...)
	// Two columns of links: in one, the dialog was taller than a
	// 600-pixel window once the gate's row and link were added.
	links := container.NewGridWithColumns(2)
	for _, s := range guideSections {
		if u, err := url.Parse(c.opts.Website + s.anchor); err == nil && c.opts.Website != "" {
			links.Add(widget.NewHyperlink(s.title, u))
		}
	}
	icon := widget.NewIcon(assets.Icon)
	top := container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(64, 64), icon), nil,
		&widget.Label{Text: "Keyward manages the API keys of an account and serves its REST API.", Wrapping: fyne.TextWrapWord})
	c.showInfo("About Keyward", container.NewVBox(top, form, links), 520)
}

// storeLabel names where the data is kept.
func storeLabel(shared bool) string {
	if shared {
		return "Shared store"
	}
	return "Data directory"
}
