package console

import (
	"fyne.io/fyne/v2/widget"

	"keyward/data"
)

// setupScreen creates the account and its first Owner on a new data
// directory.
type setupScreen struct {
	c *Console

	account, name, email *widget.Entry
	password, confirm    *widget.Entry
	create               *widget.Button
	err                  *widget.Label
}

func (c *Console) showSetup() {
	s := &setupScreen{c: c,
		account:  &widget.Entry{PlaceHolder: "Acme Corp"},
		name:     &widget.Entry{PlaceHolder: "Ada Lovelace"},
		email:    &widget.Entry{PlaceHolder: "ada@example.com"},
		password: &widget.Entry{Password: true, PlaceHolder: "at least 12 characters"},
		confirm:  &widget.Entry{Password: true},
		err:      errorLabel(),
	}
	s.create = &widget.Button{Text: "Create account", Importance: widget.HighImportance, OnTapped: s.submit}
	for _, e := range []*widget.Entry{s.account, s.name, s.email, s.password, s.confirm} {
		e.OnSubmitted = func(string) { s.submit() }
	}
	note := hint("Keyward keeps this account's data in " + c.store.Location() + ".")
	c.setContent(centeredCard("Set up Keyward", "Create the account and its first Owner.",
		labelled("Account name", s.account),
		labelled("Your name", s.name),
		labelled("Email", s.email),
		labelled("Password", s.password),
		labelled("Repeat the password", s.confirm),
		s.err, s.create, note,
	))
	c.win.Canvas().Focus(s.account)
}

func (s *setupScreen) submit() {
	if err := data.ConfirmPassword(s.password.Text, s.confirm.Text); err != nil {
		setError(s.err, data.ErrorMessage(err))
		return
	}
	_, owner, err := s.c.store.Init(data.NewAccount{AccountName: s.account.Text, OwnerName: s.name.Text,
		OwnerEmail: s.email.Text, OwnerPassword: s.password.Text})
	if err != nil {
		setError(s.err, data.ErrorMessage(err))
		return
	}
	// Signing in writes the session log's first entry.
	u, err := s.c.store.SignIn(owner.Email, s.password.Text, s.c.sessionClient())
	if err != nil {
		setError(s.err, data.ErrorMessage(err))
		return
	}
	s.c.signedIn(u)
}
