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

// teamTab lists the users; Owners add, edit and delete them.
type teamTab struct {
	c       *Console
	content fyne.CanvasObject
	table   *widgets.Table
	add     *widgets.Button // nil for roles that may not change the team
	count   *widget.Label
	columns []tableColumn[data.User]
	users   []data.User
}

func newTeamTab(c *Console) *teamTab {
	t := &teamTab{c: c, count: countLabel()}
	owner := c.user.Role.CanAdminister()
	t.columns = t.userColumns(owner)
	t.table = newColumnTable(t.columns, func() []data.User { return t.users })
	right := []fyne.CanvasObject{t.count}
	if owner {
		t.add = c.button("Add user", theme.ContentAddIcon(), widget.HighImportance, func() { c.showUserDialog(nil) })
		right = append(right, t.add)
	}
	heading := &widget.Label{Text: "Team", TextStyle: fyne.TextStyle{Bold: true}}
	top := container.NewVBox(container.NewBorder(nil, nil, heading, container.NewHBox(right...)))
	if !owner {
		top.Add(readOnlyNote(c.user.Role, "add, edit and delete users"))
	}
	t.content = borderLayout(top, nil, nil, nil, t.table)
	t.refresh()
	return t
}

func (t *teamTab) userColumns(owner bool) []tableColumn[data.User] {
	text := func(f func(data.User) string) func(data.User, int, int, *widgets.Cell) {
		return func(u data.User, row, col int, cell *widgets.Cell) {
			cell.Set(row, col, widgets.CellText, f(u), widget.MediumImportance, nil)
		}
	}
	cols := []tableColumn[data.User]{
		{column{"Name", 170}, text(func(u data.User) string { return u.Name })},
		{column{"Email", 210}, text(func(u data.User) string { return u.Email })},
		{column{"Role", 190}, text(func(u data.User) string { return string(u.Role) })},
		{column{"API keys", 76}, text(func(u data.User) string {
			if u.KeyCount == 0 {
				return "No"
			}
			return fmt.Sprintf("Yes (%d)", u.KeyCount)
		})},
		{column{"Console", 110}, text(func(u data.User) string {
			switch {
			case !u.Role.CanSignIn():
				return "API only"
			case !u.HasPassword:
				return "No password"
			}
			return "Can sign in"
		})},
	}
	if owner {
		cols = append(cols,
			tableColumn[data.User]{column{"", 66}, func(u data.User, row, col int, cell *widgets.Cell) {
				cell.Set(row, col, widgets.CellButton, "Edit", widget.MediumImportance, func() { t.c.showUserDialog(&u) })
			}},
			tableColumn[data.User]{column{"", 44}, func(u data.User, row, col int, cell *widgets.Cell) {
				if u.ID == t.c.user.ID {
					cell.Set(row, col, widgets.CellText, "", widget.MediumImportance, nil)
					return
				}
				cell.SetIconButton(row, col, theme.DeleteIcon(), widget.LowImportance, func() { t.confirmDelete(u) })
			}})
	}
	return cols
}

func (t *teamTab) refresh() {
	t.users = t.c.store.Users()
	t.count.SetText(data.Count(len(t.users), "user", "users"))
	t.table.Refresh()
}

// confirmDelete asks before deleting a user, saying how many keys go too.
func (t *teamTab) confirmDelete(u data.User) {
	msg := fmt.Sprintf("Delete %s (%s) from the team?", u.Name, u.Email)
	if u.KeyCount > 0 {
		msg += fmt.Sprintf("\n\nTheir %s will be deleted too: requests made with them will fail at once.", data.Count(u.KeyCount, "API user key", "API user keys"))
	}
	t.c.confirm("Delete user", msg, "Delete", theme.DeleteIcon(), func() error {
		_, err := t.c.store.DeleteUser(t.c.actor(), u.ID)
		return err
	})
}

// userDialog adds a user, or edits one's name, role and console password.
type userDialog struct {
	c        *Console
	d        *dialog.CustomDialog
	editing  *data.User // nil when adding
	name     *widgets.Entry
	email    *widgets.Entry
	role     *widgets.Select
	password *widgets.Entry
	confirm  *widgets.Entry
	remove   *widgets.Check // take the password away; nil when there is none
	err      *widget.Label
	save     *widgets.Button
}

func (c *Console) showUserDialog(editing *data.User) {
	u := &userDialog{c: c, editing: editing,
		name:     c.dialogEntry("", false),
		email:    c.dialogEntry("name@example.com", false),
		password: c.dialogEntry("", true),
		confirm:  c.dialogEntry("", true),
		err:      errorLabel(),
	}
	roles := make([]string, len(data.Roles))
	for i, r := range data.Roles {
		roles[i] = string(r)
	}
	u.role = c.dialogSelect(roles, nil)
	u.save = c.button("Save", theme.ConfirmIcon(), widget.HighImportance, u.submit)
	cancel := c.button("Cancel", theme.CancelIcon(), widget.MediumImportance, func() { u.c.hide(u.d) })
	title := "Add user"
	passwordHint := fmt.Sprintf("Optional: without one the user can hold API keys but cannot sign in. At least %d characters.", data.PasswordMinLen)
	fields := []fyne.CanvasObject{labelled("Name", u.name)}
	if editing == nil {
		u.role.SetSelected(string(data.RoleViewer))
		fields = append(fields, labelled("Email", u.email))
	} else {
		title = "Edit user"
		u.name.SetText(editing.Name)
		u.role.SetSelected(string(editing.Role))
		fields = append(fields, labelled("Email", &widget.Label{Text: editing.Email}))
		if editing.HasPassword {
			passwordHint = "Leave empty to keep the current password."
		} else {
			passwordHint = fmt.Sprintf("This user has no console password and cannot sign in: set one of at least %d characters to let them.", data.PasswordMinLen)
		}
		if editing.ID == c.user.ID {
			u.role.Disable()
			passwordHint += " You cannot change your own role."
		} else if editing.HasPassword {
			u.remove = c.dialogCheck("Remove the console password (the user can no longer sign in)", func(on bool) {
				for _, e := range []*widgets.Entry{u.password, u.confirm} {
					if on {
						e.SetText("")
						e.Disable()
					} else {
						e.Enable()
					}
				}
			})
		}
	}
	fields = append(fields,
		labelled("Role", u.role),
		labelled("Console password", u.password),
		labelled("Repeat the password", u.confirm),
		hint(passwordHint))
	if u.remove != nil {
		fields = append(fields, u.remove)
	}
	fields = append(fields, u.err)
	u.d = c.newDialog(title, container.NewVBox(fields...), cancel, u.save)
	u.d.Resize(fyne.NewSize(460, 0))
	c.show(u.d, true).enter = u.submit
	c.win.Canvas().Focus(u.name)
}

func (u *userDialog) submit() {
	if err := data.ConfirmPassword(u.password.Text, u.confirm.Text); err != nil {
		setError(u.err, data.ErrorMessage(err))
		return
	}
	role := data.Role(u.role.Selected)
	var err error
	if u.editing == nil {
		_, err = u.c.store.AddUser(u.c.actor(), data.NewUser{Name: u.name.Text, Email: u.email.Text, Role: role, Password: u.password.Text})
	} else {
		ch := data.UserChange{Name: &u.name.Text, Role: &role, RemovePassword: u.remove != nil && u.remove.Checked}
		if u.password.Text != "" && !ch.RemovePassword {
			ch.Password = &u.password.Text
		}
		_, err = u.c.store.UpdateUser(u.c.actor(), u.editing.ID, ch)
	}
	if err != nil {
		setError(u.err, data.ErrorMessage(err))
		return
	}
	u.c.hide(u.d)
}
