package console

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/widgets"
)

// The console's side of the key lifecycle (SPEC §2 item 8): the expiry
// choices of the Add dialog and of Change expiry, the row's Actions dialog
// (Disable or Enable, Roll, Change expiry), Roll's grace period. The rules
// are data's; the console offers fixed choices.

// expiringSoon is how near an expiry the console flags a key.
const expiringSoon = 7 * 24 * time.Hour

// The expiry choices, as the selector shows them.
const (
	expiryNever = "Never"
	expiryDate  = "On a date…"
)

var expiryDays = []int{7, 30, 90, 365}

// expiryChooser is the expiry selector, with a date entry for expiryDate.
type expiryChooser struct {
	sel     *widgets.Select
	date    *widgets.Entry
	content *fyne.Container
}

func (c *Console) newExpiryChooser(onChanged func()) *expiryChooser {
	e := &expiryChooser{date: c.dialogEntry("YYYY-MM-DD", false)}
	options := []string{expiryNever}
	for _, d := range expiryDays {
		options = append(options, fmt.Sprintf("In %d days", d))
	}
	options = append(options, expiryDate)
	e.sel = c.dialogSelect(options, func(choice string) {
		if choice == expiryDate {
			e.date.Show()
		} else {
			e.date.Hide()
		}
		onChanged()
	})
	e.sel.SetSelected(expiryNever)
	e.date.Hide()
	e.date.OnChanged = func(string) { onChanged() }
	e.content = container.NewVBox(e.sel, e.date)
	return e
}

// value returns the chosen expiry at now: the zero time for never.
func (e *expiryChooser) value(now time.Time) (time.Time, error) {
	switch e.sel.Selected {
	case expiryNever, "":
		return time.Time{}, nil
	case expiryDate:
		day := strings.TrimSpace(e.date.Text)
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			return time.Time{}, data.Errorf(data.EInvalid, "Write the date as YYYY-MM-DD, such as %s.", now.AddDate(0, 1, 0).Format(time.DateOnly))
		}
		return data.ParseExpiry(day, now)
	}
	for i, d := range expiryDays {
		if e.sel.SelectedIndex() == i+1 {
			return now.Add(time.Duration(d) * 24 * time.Hour), nil
		}
	}
	return time.Time{}, nil
}

// expiryText is how the table shows a key's expiry: "Never", "In 3 days",
// "2027-03-01", "Expired 2026-11-30"; warn is true for a key expired or
// expiring within expiringSoon.
func (c *Console) expiryText(k data.UserKey, now time.Time) (text string, warn bool) {
	switch {
	case k.ExpiresAt.IsZero():
		return "Never", false
	case !k.ExpiresAt.After(now):
		return "Expired " + c.formatDate(k.ExpiresAt), true
	}
	left := k.ExpiresAt.Sub(now)
	switch days := int((left + 12*time.Hour) / (24 * time.Hour)); {
	case left < time.Hour:
		return "In " + data.Count(max(1, int(left/time.Minute)), "minute", "minutes"), true
	case left < 24*time.Hour:
		return "In " + data.Count(int(left/time.Hour), "hour", "hours"), true
	case days < 60:
		return "In " + data.Count(days, "day", "days"), left <= expiringSoon
	}
	return c.formatDate(k.ExpiresAt), false
}

// expirySentence is expiryText as a sentence: "Expires in 3 days."
func (c *Console) expirySentence(k data.UserKey, now time.Time) string {
	text, _ := c.expiryText(k, now)
	switch {
	case text == "Never":
		return "Never expires."
	case strings.HasPrefix(text, "Expired"):
		return text + "."
	case strings.HasPrefix(text, "In "):
		return "Expires in " + strings.TrimPrefix(text, "In ") + "."
	}
	return "Expires " + text + "."
}

// statusText is what a key's row says beside its name: its status when
// it is not active, or that a roll's grace period runs; "" for neither.
func statusText(k data.UserKey) string {
	switch {
	case k.Status != data.KeyActive:
		return string(k.Status)
	case !k.GraceUntil.IsZero():
		return "rolling"
	}
	return ""
}

// quickFilters are the choices beside the text filter (SPEC §2 item 9);
// keep nil lets every key through.
var quickFilters = []struct {
	name string
	keep func(k data.UserKey, now time.Time) bool
}{
	{"All keys", nil},
	{"Never used", func(k data.UserKey, _ time.Time) bool { return k.LastUsedAt.IsZero() }},
	{"Not used in 90 days", func(k data.UserKey, now time.Time) bool { return k.UnusedFor(90*24*time.Hour, now) }},
	{"Expiring soon", expiresSoon},
	{"Expired", func(k data.UserKey, _ time.Time) bool { return k.Status == data.KeyExpired }},
	{"Disabled", func(k data.UserKey, _ time.Time) bool { return k.Status == data.KeyDisabled }},
	{"Inactive", func(k data.UserKey, _ time.Time) bool { return k.Status == data.KeyInactive }},
}

// expiresSoon tells the keys the console flags: not yet expired, and
// expiring within expiringSoon.
func expiresSoon(k data.UserKey, now time.Time) bool {
	return k.Status != data.KeyExpired && k.ExpiresWithin(expiringSoon, now)
}

func quickFilterNames() []string {
	names := make([]string, len(quickFilters))
	for i, q := range quickFilters {
		names[i] = q.name
	}
	return names
}

// showKeyActions shows a key's status, expiry and description, and to
// Owners what they can do to it besides its allow list and deleting it.
func (t *keysTab) showKeyActions(k data.UserKey) {
	c := t.c
	now := c.clock.Now()
	var d *dialog.CustomDialog
	lines := []string{fmt.Sprintf("Status: %s. %s", k.Status, c.expirySentence(k, now))}
	if !k.DisabledAt.IsZero() {
		lines = append(lines, fmt.Sprintf("Disabled by %s on %s.", k.DisabledBy, c.formatTime(k.DisabledAt)))
	}
	if !k.GraceUntil.IsZero() {
		lines = append(lines, fmt.Sprintf("Its previous value works until %s.", c.formatTime(k.GraceUntil)))
	}
	about := &widget.Label{Text: strings.Join(lines, "\n"), Wrapping: fyne.TextWrapWord}
	if !c.user.Role.CanAdminister() {
		// The same facts, read-only, for the roles that may only look.
		desc := k.Description
		if desc == "" {
			desc = "No description."
		}
		c.showInfo("API user key “"+k.Name+"”",
			container.NewVBox(about, labelled("Description", &widget.Label{Text: desc, Wrapping: fyne.TextWrapWord})), 520)
		return
	}
	act := func(f func()) func() { return func() { c.hide(d); f() } }
	var toggle *widgets.Button
	if k.DisabledAt.IsZero() {
		toggle = c.button("Disable", theme.CancelIcon(), widget.MediumImportance, act(func() { t.confirmDisable(k) }))
	} else {
		toggle = c.button("Enable", theme.ConfirmIcon(), widget.MediumImportance, act(func() { t.enableKey(k) }))
	}
	roll := c.button("Roll…", theme.ViewRefreshIcon(), widget.MediumImportance, act(func() { t.showRollDialog(k) }))
	description := c.dialogEntry("What uses this key (optional)", false)
	description.SetText(k.Description)
	descErr := errorLabel()
	saveDescription := c.button("Save", nil, widget.MediumImportance, nil)
	saveDescription.Disable()
	description.OnChanged = func(text string) {
		setError(descErr, "")
		if strings.TrimSpace(text) == k.Description {
			saveDescription.Disable()
		} else {
			saveDescription.Enable()
		}
	}
	saveDescription.OnTapped = func() {
		if _, err := c.store.SetKeyDescription(c.actor(), k.ID, description.Text); err != nil {
			setError(descErr, data.ErrorMessage(err))
			return
		}
		c.hide(d)
	}
	expiry := c.button("Change expiry…", theme.HistoryIcon(), widget.MediumImportance, act(func() { t.showExpiryDialog(k) }))
	closeButton := c.button("Close", nil, widget.MediumImportance, func() { c.hide(d) })
	// Enter in the description saves it; Enter elsewhere does nothing, so
	// that it never takes one of the actions by surprise.
	description.OnSubmitted = func(string) {
		if !saveDescription.Disabled() {
			saveDescription.OnTapped()
		}
	}
	content := container.NewVBox(about,
		labelled("Description", container.NewBorder(nil, nil, nil, saveDescription, description)), descErr,
		container.NewBorder(nil, nil, nil, toggle, hint("A disabled key is refused until it is enabled; it keeps its name, allow list and history.")),
		container.NewBorder(nil, nil, nil, roll, hint("A new value for the same key; the old one can keep working for a while.")),
		container.NewBorder(nil, nil, nil, expiry, hint("When the key stops working by itself.")),
	)
	d = c.newDialog("API user key “"+k.Name+"”", content, closeButton)
	d.Resize(fyne.NewSize(520, 0))
	c.show(d, true)
}

// confirmDisable asks before disabling: the key's clients start failing.
func (t *keysTab) confirmDisable(k data.UserKey) {
	msg := fmt.Sprintf("Disable the API user key “%s” of %s?\n\nRequests made with it will be refused from the moment it is disabled, until an Owner enables it again.", k.Name, k.UserName)
	t.c.confirm("Disable API user key", msg, "Disable", theme.CancelIcon(), func() error {
		_, err := t.c.store.DisableUserKey(t.c.actor(), k.ID)
		return err
	})
}

func (t *keysTab) enableKey(k data.UserKey) {
	if _, err := t.c.store.EnableUserKey(t.c.actor(), k.ID); err != nil {
		t.c.showError(err)
	}
}

// The grace periods Roll offers, as the selector shows them.
var graceChoices = []string{"None: the current value stops working at once", "1 hour", "24 hours", "7 days"}

// showRollDialog asks for the grace period, then rolls and shows the new
// value in the one-time dialog.
func (t *keysTab) showRollDialog(k data.UserKey) {
	c := t.c
	var d *dialog.CustomDialog
	consequence := &widget.Label{Wrapping: fyne.TextWrapWord}
	errLabel := errorLabel()
	roll := c.button("Roll", theme.ViewRefreshIcon(), widget.HighImportance, nil)
	grace := c.dialogSelect(graceChoices, nil)
	warnings := strings.Join(k.RollWarnings(c.clock.Now()), " ")
	grace.OnChanged = func(string) {
		text := fmt.Sprintf("The current value keeps working for %s, time to give every program the new value; then it is refused.", grace.Selected)
		roll.Importance = widget.HighImportance
		if grace.SelectedIndex() == 0 {
			text = "Every program that uses the current value fails from the moment the key is rolled, until it is given the new value."
			roll.Importance = widget.DangerImportance
		}
		if warnings != "" {
			text += " " + warnings
			roll.Importance = widget.DangerImportance
		}
		consequence.SetText(text)
		roll.Refresh()
	}
	grace.SetSelectedIndex(2) // 24 hours: a rotation without downtime
	roll.OnTapped = func() {
		_, secret, err := c.store.RollUserKey(c.actor(), k.ID, data.GraceChoices[grace.SelectedIndex()])
		if err != nil {
			setError(errLabel, data.ErrorMessage(err))
			return
		}
		c.hide(d)
		about := fmt.Sprintf("The key “%s” of %s has a new value.", k.Name, k.UserName)
		if g := data.GraceChoices[grace.SelectedIndex()]; g > 0 {
			about += fmt.Sprintf(" The previous one works for %s more.", data.FormatDuration(g))
		}
		c.showRevealDialog(k.Name, about, secret)
	}
	cancel := c.button("Cancel", theme.CancelIcon(), widget.MediumImportance, func() { c.hide(d) })
	content := container.NewVBox(
		&widget.Label{Text: fmt.Sprintf("Issue a new value for “%s”: its name, user, allow list and history stay.", k.Name), Wrapping: fyne.TextWrapWord},
		labelled("The current value keeps working", grace),
		consequence, errLabel)
	d = c.newDialog("Roll API user key", content, cancel, roll)
	d.Resize(fyne.NewSize(520, 0))
	c.show(d, true).enter = roll.OnTapped
}

// showExpiryDialog changes when a key expires.
func (t *keysTab) showExpiryDialog(k data.UserKey) {
	c := t.c
	var d *dialog.CustomDialog
	errLabel := errorLabel()
	save := c.button("Save", theme.ConfirmIcon(), widget.HighImportance, nil)
	chooser := c.newExpiryChooser(func() { setError(errLabel, "") })
	current := c.expirySentence(k, c.clock.Now())
	submit := func() {
		at, err := chooser.value(c.clock.Now())
		if err == nil {
			_, err = c.store.SetKeyExpiry(c.actor(), k.ID, at)
		}
		if err != nil {
			setError(errLabel, data.ErrorMessage(err))
			return
		}
		c.hide(d)
	}
	save.OnTapped = submit
	cancel := c.button("Cancel", theme.CancelIcon(), widget.MediumImportance, func() { c.hide(d) })
	content := container.NewVBox(
		&widget.Label{Text: fmt.Sprintf("“%s”: %s", k.Name, current), Wrapping: fyne.TextWrapWord},
		labelled("Expires", chooser.content), errLabel)
	d = c.newDialog("Change expiry", content, cancel, save)
	d.Resize(fyne.NewSize(480, 0))
	c.show(d, true).enter = submit
}
