package console

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
	"keyward/widgets"
)

// accessScreen is the Access Management window: a header with the
// signed-in user and Sign out, and the Team, API Keys and System Log tabs
// (System Log only for roles that may read it).
type accessScreen struct {
	c       *Console
	content fyne.CanvasObject
	tabs    *container.AppTabs

	team     *teamTab
	keys     *keysTab
	log      *logTab // nil when the role may not read the system log
	logItem  *container.TabItem
	signOut  *widgets.Button
	settings *widgets.Button
	about    *widgets.Button
	who      *widget.Label
}

func newAccessScreen(c *Console) *accessScreen {
	s := &accessScreen{c: c}
	s.team = newTeamTab(c)
	s.keys = newKeysTab(c)
	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Team", theme.AccountIcon(), s.team.content),
		container.NewTabItemWithIcon("API Keys", theme.LoginIcon(), s.keys.content),
	)
	if c.user.Role.CanReadLogs() {
		s.log = newLogTab(c)
		s.logItem = container.NewTabItemWithIcon("System Log", theme.ListIcon(), s.log.content)
		s.tabs.Append(s.logItem)
	}
	s.tabs.SelectIndex(1)
	// The log loads when it is first shown, so that a long log does not
	// slow the window's opening.
	s.tabs.OnSelected = func(item *container.TabItem) {
		// A field on the tab left behind loses the keyboard (Ctrl+N
		// switches tabs): hidden, it would go on blinking, see setContent.
		c.win.Canvas().Unfocus()
		if item == s.logItem && s.log.stale {
			s.log.refresh()
		}
	}
	title := &widget.Label{Text: "Access Management", TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameHeadingText}
	s.who = &widget.Label{Text: c.user.Name + " · " + string(c.user.Role)}
	s.signOut = c.button("Sign out", theme.LogoutIcon(), widget.MediumImportance, c.signOut)
	s.settings = c.button("", theme.SettingsIcon(), widget.MediumImportance, c.showSettings)
	s.about = c.button("", theme.InfoIcon(), widget.MediumImportance, c.showAbout)
	// The title is centred on the buttons' line: a heading label at the
	// top of the header sat 7 px above the name beside the buttons.
	header := container.NewBorder(nil, nil, container.NewCenter(title), container.NewHBox(widget.NewIcon(theme.AccountIcon()), container.NewCenter(s.who), s.settings, s.about, s.signOut))
	// The header first, so that Tab goes from it down into the tab.
	s.content = borderLayout(container.NewVBox(header, widget.NewSeparator()), nil, nil, nil, s.tabs)
	return s
}

// selectTab shows the tab at index i, wrapping around, as Ctrl+Tab,
// Ctrl+Page Down and Ctrl+1…3 do.
func (s *accessScreen) selectTab(i int) {
	n := len(s.tabs.Items)
	s.tabs.SelectIndex(((i % n) + n) % n)
}

// changed refreshes the tabs a change affects.
func (s *accessScreen) changed(ch data.Change) {
	s.who.SetText(s.c.user.Name + " · " + string(s.c.user.Role))
	switch ch.Kind {
	case data.ChangeAccount:
		s.keys.refreshAccount()
	case data.ChangeKeys, data.ChangeLastUsed:
		s.keys.refresh()
	case data.ChangeUsers:
		s.keys.refresh()
		s.team.refresh()
	case data.ChangeSystemLog:
		switch {
		case s.log == nil:
		case s.tabs.Selected() == s.logItem:
			s.log.refresh()
		default:
			s.log.stale = true
		}
	}
}

// The window's shortcuts: Ctrl+N (Cmd+N on macOS) adds a key, Ctrl+F
// finds, in the filter of the tab in front.
var (
	shortcutAdd    = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutFilter = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
)

// addShortcuts registers the window's shortcuts once; they act only while
// the Access Management window is up and no dialog is.
func (c *Console) addShortcuts() {
	// Ctrl+Tab and Ctrl+Page Down to the next tab, Ctrl+Shift+Tab and
	// Ctrl+Page Up to the previous one, Ctrl+1…3 (Alt+1…3 too) to each.
	step := func(by int) func(fyne.Shortcut) {
		return func(fyne.Shortcut) {
			c.touch()
			if c.access != nil && len(c.dialogs) == 0 {
				c.access.selectTab(c.access.tabs.SelectedIndex() + by)
			}
		}
	}
	ctrl := fyne.KeyModifierControl
	c.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: ctrl}, step(1))
	c.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyPageDown, Modifier: ctrl}, step(1))
	c.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: ctrl | fyne.KeyModifierShift}, step(-1))
	c.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyPageUp, Modifier: ctrl}, step(-1))
	for i, key := range []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3} {
		to := func(fyne.Shortcut) {
			c.touch()
			if c.access != nil && len(c.dialogs) == 0 && i < len(c.access.tabs.Items) {
				c.access.tabs.SelectIndex(i)
			}
		}
		c.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}, to)
		c.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierAlt}, to)
	}
	c.win.Canvas().AddShortcut(shortcutAdd, func(fyne.Shortcut) {
		c.touch()
		if c.access == nil || len(c.dialogs) > 0 || c.access.keys.add == nil {
			return
		}
		c.access.tabs.SelectIndex(1)
		c.showAddKeyDialog()
	})
	c.win.Canvas().AddShortcut(shortcutFilter, func(fyne.Shortcut) {
		c.touch()
		if c.access == nil || len(c.dialogs) > 0 {
			return
		}
		switch c.access.tabs.Selected() {
		case c.access.tabs.Items[1]:
			c.win.Canvas().Focus(c.access.keys.filter)
		case c.access.logItem:
			c.win.Canvas().Focus(c.access.log.filter)
		}
	})
}
