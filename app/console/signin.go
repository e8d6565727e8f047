package console

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/widgets"
)

// maxSignInDelay caps the wait after repeated failed sign-ins.
const maxSignInDelay = 30 * time.Second

// signInScreen asks for an email and password.
type signInScreen struct {
	c *Console

	email, password *widget.Entry
	signIn          *widgets.Button
	err             *widget.Label
	failures        int // in a row
}

func (c *Console) showSignIn() {
	acct, _ := c.store.Account()
	s := &signInScreen{c: c,
		email:    &widget.Entry{PlaceHolder: "you@example.com"},
		password: &widget.Entry{Password: true},
		err:      errorLabel(),
	}
	s.signIn = c.button("Sign in", nil, widget.HighImportance, s.submit)
	s.email.OnSubmitted = func(string) { s.submit() }
	s.password.OnSubmitted = func(string) { s.submit() }
	parts := []fyne.CanvasObject{labelled("Email", s.email), labelled("Password", s.password), s.err, s.signIn}
	if c.signInNote != "" {
		// Why the form is back (the idle sign-out), until the next sign-in.
		parts = append([]fyne.CanvasObject{&widget.Label{Text: c.signInNote, Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}}, parts...)
		c.signInNote = ""
	}
	if c.opts.Shared {
		parts = append(parts, hint("Shared store: "+c.store.Location()))
	}
	c.setContent(centeredCard("Sign in to Keyward", acct.Name, parts...))
	c.win.Canvas().Focus(s.email)
}

func (c *Console) sessionClient() data.SessionClient {
	return data.SessionClient{UserAgent: c.userAgent(), IPAddress: "local console"}
}

func (s *signInScreen) submit() {
	if s.signIn.Disabled() {
		return
	}
	u, err := s.c.store.SignIn(s.email.Text, s.password.Text, s.c.sessionClient())
	if err == nil {
		s.c.signedIn(u)
		return
	}
	msg := data.ErrorMessage(err)
	if data.ErrorCode(err) == data.EUnauthenticated {
		// Each failure in a row doubles the wait before the next try.
		s.failures++
		wait := min(time.Second<<(s.failures-1), maxSignInDelay)
		msg += fmt.Sprintf(" Try again in %d s.", int(wait.Seconds()))
		s.signIn.Disable()
		s.c.clock.AfterFunc(wait, s.signIn.Enable)
		s.password.SetText("")
	}
	setError(s.err, msg)
}
