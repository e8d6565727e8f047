package console

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/widgets"
)

// revealWarning is the one-time key dialog's warning.
const revealWarning = "This is the only time the value of this key is available. Copy it and save it in a secure location: Keyward keeps only a hash of it and cannot show it again."

// revealKeyDialog shows a new key's value once. Finish stays disabled until
// the value is copied, and nothing else closes the dialog: it has no close
// box and Escape does nothing.
type revealKeyDialog struct {
	c      *Console
	d      *dialog.CustomDialog
	reveal *widgets.KeyReveal
}

// showRevealDialog shows secret, the value of the key named name, once,
// below about, which says what the value is (a new key, a rolled key's
// new value).
func (c *Console) showRevealDialog(name, about, secret string) {
	r := &revealKeyDialog{c: c, reveal: widgets.NewKeyReveal(secret, revealWarning)}
	c.unseenKey = name
	r.reveal.OnCopy = func() {
		c.clip.copySecret(secret)
		r.reveal.SetCopied(true)
		c.unseenKey = ""
	}
	r.reveal.OnFinish = func() { r.c.hide(r.d) }
	// The account key, alone or in a curl command with the new value, is
	// offered only while the API is enabled: there is none otherwise.
	if acct, err := c.store.Account(); err == nil && acct.APIEnabled {
		copyAccount := widgets.NewButton("Copy account key", theme.ContentCopyIcon(), widget.MediumImportance, func() { c.copyAccountKey() })
		copyCurl := widgets.NewButton("Copy as curl", theme.ContentCopyIcon(), widget.MediumImportance, func() {
			if c.copyCurl(secret) {
				r.reveal.SetCopied(true)
				c.unseenKey = ""
			}
		})
		r.reveal.Extra.Add(copyAccount)
		r.reveal.Extra.Add(copyCurl)
	}
	text := &widget.Label{Text: about + " Requests send it in the x-api-secret-key header.", Wrapping: fyne.TextWrapWord}
	r.d = c.newDialog("API user key", container.NewVBox(text, r.reveal))
	r.d.Resize(fyne.NewSize(560, 0))
	// Enter finishes once the value is copied, as Finish does.
	c.show(r.d, false).enter = r.reveal.Finish.OnTapped
}

// copyCurl puts on the clipboard a curl command that calls the API with
// the account key and secret, logging the account key's copy, as Unkey's
// users asked for: a first request to try the key with.
func (c *Console) copyCurl(secret string) bool {
	key, err := c.store.AccountKey(c.actor(), data.CopyAccountKey)
	if err != nil {
		c.showError(err)
		return false
	}
	c.clip.copySecret(curlCommand(c.apiURL(), key, secret))
	return true
}

// curlCommand is a curl call of GET /v1/ with the two key headers.
func curlCommand(baseURL, accountKey, secret string) string {
	return fmt.Sprintf("curl -s %s/v1/ -H 'x-api-key: %s' -H 'x-api-secret-key: %s'", baseURL, accountKey, secret)
}

// apiURL is the REST API's base URL: where it listens, or where it will.
func (c *Console) apiURL() string {
	st := c.api.Status()
	if st.URL != "" {
		return st.URL
	}
	return "http://" + st.Addr
}
