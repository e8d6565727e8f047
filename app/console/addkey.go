package console

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/widgets"
)

// addKeyDialog asks for a new key's name and user. Each rule the name
// breaks is listed under it as it is typed; Create is enabled only while
// the name is valid and a user is chosen; a refusal from the store (a
// duplicate name) is shown in the dialog, which stays open.
type addKeyDialog struct {
	c *Console
	d *dialog.CustomDialog

	name     *widgets.Entry
	problems *widget.Label
	user     *widgets.Select
	users    []data.User // the choices of user, in the selector's order
	expiry   *expiryChooser
	err      *widget.Label
	create   *widgets.Button
	cancel   *widgets.Button
}

func (c *Console) showAddKeyDialog() {
	a := &addKeyDialog{c: c,
		name:     c.dialogEntry("ci-deploy-key", false),
		problems: errorLabel(),
		err:      errorLabel(),
	}
	a.name.OnChanged = func(string) { a.validate() }
	var options []string
	for _, u := range c.store.Users() {
		if u.Role.CanOwnKeys() {
			a.users = append(a.users, u)
			options = append(options, userChoice(u))
		}
	}
	a.user = c.dialogSelect(options, func(string) { a.validate() })
	a.user.PlaceHolder = "Choose the key's user"
	a.expiry = c.newExpiryChooser(func() { setError(a.err, "") })
	a.create = c.button("Create", theme.ConfirmIcon(), widget.HighImportance, a.submit)
	a.cancel = c.button("Cancel", theme.CancelIcon(), widget.MediumImportance, func() { a.c.hide(a.d) })
	content := container.NewVBox(
		labelled("Key name", a.name),
		hint(fmt.Sprintf("%d to %d characters: ASCII letters, digits, '-' and '_'.", data.KeyNameMinLen, data.KeyNameMaxLen)),
		a.problems,
		labelled("User name", a.user),
		hint("Only Owner, Viewer and Logs Viewer users can own API keys."),
		labelled("Expires", a.expiry.content),
		a.err,
	)
	a.d = c.newDialog("Add API user key", content, a.cancel, a.create)
	a.d.Resize(fyne.NewSize(480, 0))
	a.validate()
	c.show(a.d, true).enter = a.submit
	c.win.Canvas().Focus(a.name)
}

// userChoice is how a user is offered in the selector: the name and the
// email, each cut to a width that keeps the selector's list inside the
// dialog (Fyne's list is as wide as its longest choice).
func userChoice(u data.User) string {
	return fmt.Sprintf("%s (%s)", shorten(u.Name, 190), shorten(u.Email, 190))
}

// shorten cuts s to at most width pixels of text, ending it with "…" when
// it cut.
func shorten(s string, width float32) string {
	size := theme.TextSize()
	if fyne.MeasureText(s, size, fyne.TextStyle{}).Width <= width {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r) // the longest prefix that fits, with "…", is r[:lo]
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fyne.MeasureText(string(r[:mid])+"…", size, fyne.TextStyle{}).Width <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(r[:lo]) + "…"
}

// validate lists the broken rules of the name, once something is typed,
// and enables Create when both fields are good.
func (a *addKeyDialog) validate() {
	problems := a.c.store.NewKeyNameProblems(a.name.Text)
	listed := ""
	if a.name.Text != "" && len(problems) > 0 {
		listed = "• " + strings.Join(problems, "\n• ")
	}
	setError(a.problems, listed)
	setError(a.err, "")
	if len(problems) == 0 && a.user.SelectedIndex() >= 0 {
		a.create.Enable()
	} else {
		a.create.Disable()
	}
}

func (a *addKeyDialog) submit() {
	if a.create.Disabled() {
		return
	}
	u := a.users[a.user.SelectedIndex()]
	at, err := a.expiry.value(a.c.clock.Now())
	if err != nil {
		setError(a.err, data.ErrorMessage(err))
		return
	}
	k, secret, err := a.c.store.CreateUserKeyWith(a.c.actor(), data.NewKey{Name: a.name.Text, UserID: u.ID, ExpiresAt: at})
	if err != nil {
		setError(a.err, data.ErrorMessage(err))
		return
	}
	a.c.hide(a.d)
	a.c.showRevealDialog(k.Name, createdAbout(k), secret)
}

// createdAbout is what the one-time dialog says of a new key.
func createdAbout(k data.UserKey) string {
	return fmt.Sprintf("The key “%s” of %s was created.", k.Name, k.UserName)
}
