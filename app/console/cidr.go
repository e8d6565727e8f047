package console

import (
	"fmt"
	"net/netip"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"keyward/data"
	"keyward/widgets"
)

// emptyAllowList is what the dialog says of an empty list.
const emptyAllowList = "All addresses are allowed: the allow list of this key is empty. Add a rule to accept requests from the listed addresses only."

// emptyAllowListReadOnly is what the dialog says of an empty list to the
// roles that cannot add a rule.
const emptyAllowListReadOnly = "All addresses are allowed: the allow list of this key is empty."

// cidrDialog is the Manage CIDR allow list dialog of one key: its rules
// with Edit and Delete, Add CIDR rule for a new editable row, Save per row
// with the error beside the row, and the address the key was last seen
// from offered as a rule.
type cidrDialog struct {
	c     *Console
	d     *dialog.CustomDialog
	keyID uuid.UUID

	intro   *widget.Label
	list    *widgets.RuleList
	ruleIDs []uuid.UUID // the rule of each row; uuid.Nil for rows not saved yet
	add     *widgets.Button
	suggest *widgets.Button
	seen    netip.Addr // the address offered by suggest
}

func (c *Console) showCIDRDialog(keyID uuid.UUID) {
	k, err := c.store.UserKey(keyID)
	if err != nil {
		c.showError(err)
		return
	}
	m := &cidrDialog{c: c, keyID: keyID,
		intro: &widget.Label{Wrapping: fyne.TextWrapWord},
		list:  widgets.NewRuleList(emptyAllowList, "203.0.113.0/24 or 2001:db8::/32"),
	}
	if !c.user.Role.CanAdminister() {
		m.list.EmptyText = emptyAllowListReadOnly // they cannot add one
	}
	owner := c.user.Role.CanAdminister()
	m.list.OnSave, m.list.OnDelete, m.list.OnEscape, m.list.ReadOnly = m.save, m.delete, c.escape, !owner
	m.add = c.button("Add CIDR rule", theme.ContentAddIcon(), widget.MediumImportance, m.addRow)
	m.suggest = c.button("", theme.ContentAddIcon(), widget.MediumImportance, m.addSeen)
	m.load(k)
	m.intro.SetText(fmt.Sprintf("Requests with the key “%s” of %s are accepted only from the addresses these rules cover. IPv4 and IPv6 prefixes, such as 203.0.113.0/24, or single addresses.", k.Name, k.UserName))
	closeButton := c.button("Close", nil, widget.MediumImportance, func() { m.c.hide(m.d) })
	var bottom fyne.CanvasObject
	title := "Manage CIDR allow list"
	if owner {
		bottom = container.NewVBox(widget.NewSeparator(), container.NewHBox(m.add, m.suggest))
	} else {
		// The rules, read-only: a Viewer sees which addresses the key is
		// accepted from, and why nothing here can be changed.
		title = "CIDR allow list"
		m.suggest.Hide()
		bottom = container.NewVBox(widget.NewSeparator(), hint("Read-only: only an Owner can change the allow list."))
	}
	content := borderLayout(m.intro, bottom, nil, nil, container.NewVScroll(m.list))
	m.d = c.newDialog(title, content, closeButton)
	m.d.Resize(fyne.NewSize(620, 460))
	c.show(m.d, true).enter = m.enter
}

// enter saves the row being edited, when there is one, or closes the
// dialog.
func (m *cidrDialog) enter() {
	if rows := m.list.Editing(); len(rows) > 0 {
		m.list.Save(rows[len(rows)-1])
		return
	}
	m.c.hide(m.d)
}

// load shows k's rules, keeping the rows still being typed.
func (m *cidrDialog) load(k data.UserKey) {
	rows := make([]widgets.RuleRow, 0, len(k.AllowList))
	ids := make([]uuid.UUID, 0, len(k.AllowList))
	for _, r := range k.AllowList {
		rows = append(rows, widgets.RuleRow{Text: r.Prefix.String()})
		ids = append(ids, r.ID)
	}
	for i, row := range m.list.Rows {
		if row.Editing && m.ruleIDs[i] == uuid.Nil {
			rows, ids = append(rows, row), append(ids, uuid.Nil)
		}
	}
	m.ruleIDs = ids
	m.list.SetRows(rows)
	m.seen = netip.Addr{}
	if addr, ok := k.LastSeenFrom(); ok && !k.AllowList.Allows(addr) {
		m.seen = addr
		m.suggest.SetText(fmt.Sprintf("Allow %s (this key's last request came from there)", addr))
		m.suggest.Show()
	} else {
		m.suggest.Hide()
	}
}

func (m *cidrDialog) addRow() {
	m.ruleIDs = append(m.ruleIDs, uuid.Nil)
	m.list.AddRow()
}

// save stores row i: a new rule, or an edit of an existing one.
func (m *cidrDialog) save(i int, text string) {
	var err error
	if m.ruleIDs[i] == uuid.Nil {
		_, err = m.c.store.AddCIDRRule(m.c.actor(), m.keyID, text)
	} else {
		_, err = m.c.store.EditCIDRRule(m.c.actor(), m.keyID, m.ruleIDs[i], text)
	}
	if err != nil {
		m.list.SetRowError(i, data.ErrorMessage(err))
		return
	}
	// The saved row leaves edit mode; other rows being typed stay.
	m.list.Rows[i].Editing = false
	m.reload()
}

// delete deletes a row's rule; the last saved rule only after a
// confirmation, since without rules the key is allowed from every address.
func (m *cidrDialog) delete(i int) {
	do := func() error {
		if err := m.c.store.DeleteCIDRRule(m.c.actor(), m.keyID, m.ruleIDs[i]); err != nil {
			return err
		}
		m.reload()
		return nil
	}
	saved := 0
	for _, id := range m.ruleIDs {
		if id != uuid.Nil {
			saved++
		}
	}
	if saved == 1 && m.ruleIDs[i] != uuid.Nil {
		m.c.confirm("Delete the last CIDR rule",
			"This is the key's last rule. Without it the allow list is empty, and the key is allowed from every address.",
			"Delete and allow every address", theme.DeleteIcon(), do)
		return
	}
	if err := do(); err != nil {
		m.c.showError(err)
	}
}

func (m *cidrDialog) addSeen() {
	if !m.seen.IsValid() {
		return
	}
	if _, err := m.c.store.AddCIDRRule(m.c.actor(), m.keyID, m.seen.String()); err != nil {
		m.c.showError(err)
		return
	}
	m.reload()
}

func (m *cidrDialog) reload() {
	k, err := m.c.store.UserKey(m.keyID)
	if err != nil {
		m.c.hide(m.d)
		m.c.showError(err)
		return
	}
	m.load(k)
}
