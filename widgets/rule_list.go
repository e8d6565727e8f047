package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// RuleRow is one row of a RuleList: a saved rule, or one being edited.
type RuleRow struct {
	Text    string // the saved rule; "" for a row not saved yet
	Editing bool
	Input   string // what is typed, while editing
	Error   string // why the last Save was refused, shown beside the row
}

// RuleList is an editable list of one-line rules. Saved rows show the rule
// with Edit and Delete; rows being edited show an entry with Save and
// Cancel, and the error of the last Save beside them. The owner validates
// and stores: OnSave reports the text typed, and the owner answers with
// SetRows (saved) or SetRowError (refused).
type RuleList struct {
	widget.BaseWidget

	Rows        []RuleRow
	EmptyText   string // shown when there are no rows
	Placeholder string // shown in empty entries

	OnSave   func(index int, text string) // Save on row index with the text typed
	OnDelete func(index int)              // Delete on row index
	// OnEscape is Escape on a row's button, which the dialog holding the
	// list takes as Cancel (Escape in a row's entry cancels its edit).
	OnEscape func()
	// ReadOnly shows the rules without Edit and Delete, for the roles that
	// may look but not change.
	ReadOnly bool

	// Views holds each row's widgets, in row order.
	Views []*RuleRowView

	box   *fyne.Container
	empty *widget.Label
}

// RuleRowView is the widgets of one row.
type RuleRowView struct {
	Label  *widget.Label
	Entry  *Entry
	Error  *widget.Label
	Edit   *Button
	Delete *Button
	Save   *Button
	Cancel *Button
}

// NewRuleList returns an empty list.
func NewRuleList(emptyText, placeholder string) *RuleList {
	l := &RuleList{EmptyText: emptyText, Placeholder: placeholder}
	l.empty = &widget.Label{Wrapping: fyne.TextWrapWord}
	l.box = container.NewVBox()
	l.ExtendBaseWidget(l)
	l.rebuild()
	return l
}

// SetRows replaces the rows.
func (l *RuleList) SetRows(rows []RuleRow) {
	l.Rows = rows
	l.rebuild()
	l.Refresh()
}

// SetRowError shows why row index was not saved; it stays in edit mode.
func (l *RuleList) SetRowError(index int, msg string) {
	if index < 0 || index >= len(l.Rows) {
		return
	}
	l.Rows[index].Error = msg
	v := l.Views[index]
	v.Error.SetText(msg)
	v.Error.Show()
	v.Entry.SetValidationError(nil)
	l.Refresh()
}

// AddRow appends an empty row in edit mode and focuses its entry.
func (l *RuleList) AddRow() {
	l.Rows = append(l.Rows, RuleRow{Editing: true})
	l.rebuild()
	l.Refresh()
	l.focus(l.Views[len(l.Views)-1].Entry)
}

func (l *RuleList) focus(e *Entry) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(l); c != nil {
		c.Focus(e)
	}
}

// rebuild makes the row views anew from Rows. If one of the old entries had
// the focus, the focus goes: the entry is no longer shown.
func (l *RuleList) rebuild() {
	if c := fyne.CurrentApp().Driver().CanvasForObject(l); c != nil {
		for _, v := range l.Views {
			if c.Focused() == v.Entry {
				c.Unfocus()
			}
		}
	}
	l.Views = nil
	objects := make([]fyne.CanvasObject, 0, len(l.Rows)+1)
	if len(l.Rows) == 0 {
		l.empty.SetText(l.EmptyText)
		objects = append(objects, l.empty)
	}
	for i := range l.Rows {
		v := l.newRowView(i)
		l.Views = append(l.Views, v)
		objects = append(objects, l.rowObject(i, v))
	}
	l.box.Objects = objects
	l.box.Refresh()
}

func (l *RuleList) newRowView(i int) *RuleRowView {
	row := l.Rows[i]
	v := &RuleRowView{
		Label: &widget.Label{Text: row.Text, TextStyle: fyne.TextStyle{Monospace: true}},
		Entry: NewEntry(),
		Error: &widget.Label{Text: row.Error, Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord},
	}
	v.Entry.PlaceHolder, v.Entry.TextStyle = l.Placeholder, fyne.TextStyle{Monospace: true}
	v.Entry.SetText(row.Input)
	v.Entry.OnEscape = func() { l.cancel(i) } // Escape in a row cancels its edit
	v.Entry.OnChanged = func(s string) { l.Rows[i].Input = s }
	v.Entry.OnSubmitted = func(string) { l.save(i) }
	v.Edit = NewButton("Edit", theme.DocumentCreateIcon(), widget.MediumImportance, func() { l.edit(i) })
	v.Delete = NewButton("Delete", theme.DeleteIcon(), widget.MediumImportance, func() { l.delete(i) })
	v.Save = NewButton("Save", theme.ConfirmIcon(), widget.HighImportance, func() { l.save(i) })
	v.Cancel = NewButton("Cancel", theme.CancelIcon(), widget.MediumImportance, func() { l.cancel(i) })
	for _, b := range []*Button{v.Edit, v.Delete, v.Save, v.Cancel} {
		b.OnEscape = l.escape
	}
	if row.Error == "" {
		v.Error.Hide()
	}
	return v
}

func (l *RuleList) rowObject(i int, v *RuleRowView) fyne.CanvasObject {
	if l.ReadOnly {
		return v.Label
	}
	if !l.Rows[i].Editing {
		return container.NewBorder(nil, nil, nil, container.NewHBox(v.Edit, v.Delete), v.Label)
	}
	line := container.NewBorder(nil, nil, nil, container.NewHBox(v.Save, v.Cancel), v.Entry)
	return container.NewVBox(line, v.Error)
}

func (l *RuleList) escape() {
	if l.OnEscape != nil {
		l.OnEscape()
	}
}

// Editing returns the rows in edit mode.
func (l *RuleList) Editing() []int {
	var rows []int
	for i, r := range l.Rows {
		if r.Editing {
			rows = append(rows, i)
		}
	}
	return rows
}

// Save saves row i as its Save button does.
func (l *RuleList) Save(i int) { l.save(i) }

func (l *RuleList) edit(i int) {
	if i >= len(l.Rows) {
		return // a control of a row that is gone
	}
	l.Rows[i].Editing, l.Rows[i].Input, l.Rows[i].Error = true, l.Rows[i].Text, ""
	l.rebuild()
	l.Refresh()
	l.focus(l.Views[i].Entry)
}

func (l *RuleList) save(i int) {
	if l.OnSave != nil && i < len(l.Rows) {
		l.OnSave(i, l.Rows[i].Input)
	}
}

func (l *RuleList) delete(i int) {
	if l.OnDelete != nil && i < len(l.Rows) {
		l.OnDelete(i)
	}
}

// cancel leaves edit mode: a new row goes away, an edited one is restored.
func (l *RuleList) cancel(i int) {
	if i >= len(l.Rows) {
		return // a control of a row that is gone
	}
	if l.Rows[i].Text == "" {
		l.Rows = append(l.Rows[:i], l.Rows[i+1:]...)
	} else {
		l.Rows[i].Editing, l.Rows[i].Error = false, ""
	}
	l.rebuild()
	l.Refresh()
}

// CreateRenderer shows the rows one under another.
func (l *RuleList) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(l.box)
}
