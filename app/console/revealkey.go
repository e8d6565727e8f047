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

func (c *Console) showRevealDialog(k data.UserKey, secret string) {
	r := &revealKeyDialog{c: c, reveal: widgets.NewKeyReveal(secret, revealWarning)}
	r.reveal.OnCopy = func() {
		c.clip.copySecret(secret)
		r.reveal.SetCopied(true)
	}
	r.reveal.OnFinish = func() { r.c.hide(r.d) }
	copyAccount := &widget.Button{Text: "Copy account key", Icon: theme.ContentCopyIcon(), OnTapped: func() { c.copyAccountKey() }}
	r.reveal.Extra.Add(copyAccount)
	about := &widget.Label{Text: fmt.Sprintf("The key “%s” of %s was created. Requests send it in the x-api-secret-key header.", k.Name, k.UserName), Wrapping: fyne.TextWrapWord}
	r.d = dialog.NewCustomWithoutButtons("API user key", container.NewVBox(about, r.reveal), c.win)
	r.d.Resize(fyne.NewSize(560, 0))
	c.show(r.d, false)
}
