package console

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/widgets"
)

// setupScreen creates the account and its first Owner on a new data
// directory. Each field has its line under it: a hint, or what is wrong
// with what was typed, in the same place, so that the form neither sends
// the reader to its bottom nor jumps when an error appears.
type setupScreen struct {
	c *Console

	account, name, email, password, confirm *formField
	create                                  *widgets.Button
	err                                     *widget.Label // a refusal no field explains
}

// formField is an entry with its line of hint or error under it, and the
// rule that checks it.
type formField struct {
	entry *widget.Entry
	note  *widget.Label
	hint  string
	check func(string) error
	shown bool // whether an error is up, which typing then re-checks

	relayout func() // lays the form out again, for an error's lines
}

func newFormField(placeholder, hintText string, password bool, check func(string) error) *formField {
	f := &formField{entry: &widget.Entry{PlaceHolder: placeholder, Password: password}, hint: hintText, check: check,
		note: &widget.Label{Text: hintText, SizeName: theme.SizeNameCaptionText}}
	f.entry.OnChanged = func(string) {
		if f.shown {
			f.validate()
		}
	}
	return f
}

// validate shows what is wrong with the field, or its hint; it reports
// whether the field is good.
func (f *formField) validate() bool {
	err := f.check(f.entry.Text)
	f.setError(err)
	return err == nil
}

// setError shows err under the field, or the hint. A hint is one line;
// an error wraps, however long, and the form is laid out again around it.
func (f *formField) setError(err error) {
	f.shown = err != nil
	if err == nil {
		f.note.Importance, f.note.Text, f.note.Wrapping = widget.MediumImportance, f.hint, fyne.TextWrapOff
	} else {
		f.note.Importance, f.note.Text, f.note.Wrapping = widget.DangerImportance, data.ErrorMessage(err), fyne.TextWrapWord
	}
	f.note.Refresh()
	if f.relayout != nil {
		f.relayout()
	}
}

// formRows lays fields out with their labels on the left, two columns
// that keep the form short enough for a 600-pixel window.
func formRows(labels []string, fields []*formField) fyne.CanvasObject {
	var objects []fyne.CanvasObject
	for i, f := range fields {
		label := widget.NewLabelWithStyle(labels[i], fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		objects = append(objects, container.NewVBox(label), container.NewVBox(f.entry, f.note))
	}
	return container.New(layout.NewFormLayout(), objects...)
}

// setupWidth is the setup form's width.
const setupWidth = 600

func (c *Console) showSetup() {
	s := &setupScreen{c: c, err: errorLabel()}
	s.account = newFormField("Acme Corp", "Your company or team, as the console shows it.", false,
		func(v string) error { return data.ValidateName("account name", v) })
	s.name = newFormField("Ada Lovelace", "The system log names you so.", false,
		func(v string) error { return data.ValidateName("name", v) })
	s.email = newFormField("ada@example.com", "You sign in with it.", false, data.ValidateEmail)
	s.password = newFormField("", fmt.Sprintf("At least %d characters; a few words are easy to remember.", data.PasswordMinLen), true, data.ValidatePassword)
	s.confirm = newFormField("", "Type the same password again.", true, func(v string) error { return data.ConfirmPassword(s.password.entry.Text, v) })
	// A password changed to match the repeat clears the repeat's error.
	s.password.entry.OnChanged = func(string) {
		if s.password.shown {
			s.password.validate()
		}
		if s.confirm.shown {
			s.confirm.validate()
		}
	}
	s.create = c.button("Create account", nil, widget.HighImportance, s.submit)
	fields := s.fields()
	for _, f := range fields {
		f.entry.OnSubmitted = func(string) { s.submit() }
	}
	note := hint("Keyward keeps this account's data in " + c.store.Location() + ".")
	// Wider than the sign-in form: each field's hint, or its error, fits
	// on one line, and the form in a 600-pixel window.
	c.setContent(centeredCardOf(setupWidth, "Set up Keyward", "Create the account and its first Owner.",
		formRows([]string{"Account name", "Your name", "Email", "Password", "Repeat it"}, fields),
		s.err, s.create, note,
	))
	for _, f := range fields {
		f.relayout = func() { c.win.Content().Refresh() }
	}
	c.win.Canvas().Focus(s.account.entry)
	// A restore that stopped midway is said at once, and the account
	// cannot be created: Init would refuse. The message names where the
	// data is, in the place of the note, so that the form still fits a
	// 600-pixel window.
	if err := c.store.UnfinishedRestore(); err != nil {
		setError(s.err, data.ErrorMessage(err))
		s.create.Disable()
		note.Hide()
	}
}

func (s *setupScreen) fields() []*formField {
	return []*formField{s.account, s.name, s.email, s.password, s.confirm}
}

func (s *setupScreen) submit() {
	good := true
	for _, f := range s.fields() {
		good = f.validate() && good
	}
	setError(s.err, "")
	if !good {
		return
	}
	_, owner, err := s.c.store.Init(data.NewAccount{AccountName: s.account.entry.Text, OwnerName: s.name.entry.Text,
		OwnerEmail: s.email.entry.Text, OwnerPassword: s.password.entry.Text})
	if err != nil {
		setError(s.err, data.ErrorMessage(err))
		return
	}
	// Signing in writes the session log's first entry.
	u, err := s.c.store.SignIn(owner.Email, s.password.entry.Text, s.c.sessionClient())
	if err != nil {
		setError(s.err, data.ErrorMessage(err))
		return
	}
	s.c.signedIn(u)
}
