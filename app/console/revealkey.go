package console

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

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

// showRevealDialog shows secret once, below about, which says what the
// value is (a new key, a rolled key's new value).
func (c *Console) showRevealDialog(about string, secret string) {
	r := &revealKeyDialog{c: c, reveal: widgets.NewKeyReveal(secret, revealWarning)}
	r.reveal.OnCopy = func() {
		c.clip.copySecret(secret)
		r.reveal.SetCopied(true)
	}
	r.reveal.OnFinish = func() { r.c.hide(r.d) }
	copyAccount := &widget.Button{Text: "Copy account key", Icon: theme.ContentCopyIcon(), OnTapped: func() { c.copyAccountKey() }}
	r.reveal.Extra.Add(copyAccount)
	text := &widget.Label{Text: about + " Requests send it in the x-api-secret-key header.", Wrapping: fyne.TextWrapWord}
	r.d = dialog.NewCustomWithoutButtons("API user key", container.NewVBox(text, r.reveal), c.win)
	r.d.Resize(fyne.NewSize(560, 0))
	c.show(r.d, false)
}
