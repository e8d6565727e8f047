package widgets

import (
	"fmt"
	"image/color"
	"runtime"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func TestSecretField(t *testing.T) {
	test.NewTempApp(t)
	f := NewSecretField("kwa_••••")
	w := test.NewWindow(f)
	defer w.Close()
	var shown, hidden, copied int
	f.OnShow = func() { shown++; f.SetSecret("kwa_value") }
	f.OnHide = func() { hidden++ }
	f.OnCopy = func() { copied++ }
	if f.text.Text != "kwa_••••" || f.Toggle.Text != "Show" || f.note.Visible() {
		t.Fatalf("hidden field shows %q / %q", f.text.Text, f.Toggle.Text)
	}
	test.Tap(f.Toggle)
	if shown != 1 || !f.Revealed || f.text.Text != "kwa_value" || f.Toggle.Text != "Hide" {
		t.Fatalf("after Show: %q / %q", f.text.Text, f.Toggle.Text)
	}
	test.Tap(f.Toggle)
	if hidden != 1 || f.Revealed || f.Secret != "" || f.text.Text != "kwa_••••" {
		t.Fatal("Hide did not drop the secret")
	}
	test.Tap(f.Copy)
	f.SetCopied(true)
	if copied != 1 || !f.note.Visible() || f.note.Text != "Copied" {
		t.Fatal("Copy gives no feedback")
	}
	f.SetCopied(false)
	if f.note.Visible() {
		t.Fatal("the note stays")
	}
}

func TestKeyRevealFinishNeedsCopy(t *testing.T) {
	test.NewTempApp(t)
	r := NewKeyReveal("kwu_value", "Save it now.")
	w := test.NewWindow(r)
	defer w.Close()
	finished := 0
	r.OnCopy = func() { r.SetCopied(true) }
	r.OnFinish = func() { finished++ }
	if !r.Finish.Disabled() || !r.hint.Visible() || r.warn.Text != "Save it now." || r.value.Text != "kwu_value" {
		t.Fatal("Finish is not disabled before Copy")
	}
	r.onFinish() // even if called directly, nothing happens before Copy
	if finished != 0 {
		t.Fatal("Finish worked before Copy")
	}
	test.Tap(r.Copy)
	if r.Finish.Disabled() || r.hint.Visible() || r.Copy.Text != "Copied" {
		t.Fatal("Copy did not enable Finish")
	}
	test.Tap(r.Finish)
	if finished != 1 {
		t.Fatal("Finish did not report")
	}
}

func TestRuleList(t *testing.T) {
	test.NewTempApp(t)
	l := NewRuleList("Nothing yet.", "a rule")
	w := test.NewWindow(l)
	defer w.Close()
	if len(l.box.Objects) != 1 || l.empty.Text != "Nothing yet." {
		t.Fatal("the empty text is not shown")
	}
	var saved []string
	var deleted []int
	l.OnSave = func(i int, text string) {
		if text == "bad" {
			l.SetRowError(i, "bad is bad")
			return
		}
		saved = append(saved, text)
		rows := append([]RuleRow(nil), l.Rows...)
		rows[i] = RuleRow{Text: text}
		l.SetRows(rows)
	}
	l.OnDelete = func(i int) { deleted = append(deleted, i) }
	l.AddRow()
	if len(l.Rows) != 1 || !l.Rows[0].Editing || w.Canvas().Focused() != l.Views[0].Entry {
		t.Fatal("AddRow did not add a focused editing row")
	}
	test.Type(l.Views[0].Entry, "bad")
	test.Tap(l.Views[0].Save)
	if !l.Views[0].Error.Visible() || l.Views[0].Error.Text != "bad is bad" || len(saved) != 0 {
		t.Fatal("a refused save shows no error")
	}
	l.Views[0].Entry.SetText("good")
	test.Tap(l.Views[0].Save)
	if len(saved) != 1 || l.Rows[0].Editing || l.Views[0].Label.Text != "good" {
		t.Fatalf("after Save: %+v", l.Rows)
	}
	// Edit, then Cancel restores the saved text.
	test.Tap(l.Views[0].Edit)
	l.Views[0].Entry.SetText("changed")
	test.Tap(l.Views[0].Cancel)
	if l.Rows[0].Editing || l.Views[0].Label.Text != "good" {
		t.Fatal("Cancel did not restore the row")
	}
	// A new row's Cancel removes it; typed text of other rows survives a rebuild.
	l.AddRow()
	test.Type(l.Views[1].Entry, "half typed")
	l.AddRow()
	if l.Views[1].Entry.Text != "half typed" {
		t.Fatal("typed text was lost")
	}
	test.Tap(l.Views[2].Cancel)
	if len(l.Rows) != 2 {
		t.Fatal("Cancel on a new row did not remove it")
	}
	// Escape in a new row removes it and takes the focus away from the
	// entry that is gone; a second Escape reaching that entry does nothing.
	l.AddRow()
	gone := l.Views[2].Entry
	gone.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(l.Rows) != 2 || w.Canvas().Focused() != nil {
		t.Fatal("Escape did not remove the row and drop the focus")
	}
	gone.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(l.Rows) != 2 {
		t.Fatal("a second Escape removed another row")
	}
	test.Tap(l.Views[0].Delete)
	if len(deleted) != 1 || deleted[0] != 0 {
		t.Fatal("Delete did not report")
	}
}

func TestCell(t *testing.T) {
	test.NewTempApp(t)
	c := NewCell()
	w := test.NewWindow(c)
	defer w.Close()
	tapped := 0
	c.Set(3, 1, CellButton, "Delete", widget.DangerImportance, func() { tapped++ })
	if !c.buttonBox.Visible() || c.Label.Visible() || c.Link.Visible() || c.Row != 3 || c.Col != 1 {
		t.Fatal("a button cell does not show only its button")
	}
	test.Tap(c.Button)
	c.Set(0, 2, CellText, "text", widget.WarningImportance, nil)
	if !c.Label.Visible() || c.buttonBox.Visible() || c.Button.Text != "" || c.Label.Importance != widget.WarningImportance || c.Label.Text != "text" {
		t.Fatal("a text cell is wrong")
	}
	c.Set(0, 2, CellLink, "Manage", widget.MediumImportance, func() { tapped++ })
	if !c.Link.Visible() || c.Label.Visible() || c.Link.Text != "Manage" {
		t.Fatal("a link cell is wrong")
	}
	if tapped != 1 {
		t.Fatal("the button did not report")
	}
	// As tall as a button, whatever it shows, so table rows fit buttons.
	if c.MinSize().Height < c.Button.MinSize().Height {
		t.Fatal("a text cell is shorter than a button")
	}
}

// TestCellFollowsItsRow: a table sets every visible cell again on each
// refresh and scroll, and a cell skips the redraw when nothing changed;
// what it shows must still follow every change, and a check box the
// program set back (a refused selection) must show it.
func TestCellFollowsItsRow(t *testing.T) {
	test.NewTempApp(t)
	c := NewCell()
	w := test.NewWindow(c)
	defer w.Close()
	c.Set(0, 0, CellText, "alpha", widget.MediumImportance, nil)
	c.Set(1, 0, CellText, "beta", widget.WarningImportance, nil)
	if c.Label.Text != "beta" || c.Label.Importance != widget.WarningImportance {
		t.Fatalf("the label shows %q (%v), want beta, in warning", c.Label.Text, c.Label.Importance)
	}
	c.Set(1, 0, CellLink, "beta", widget.MediumImportance, nil)
	c.Set(1, 0, CellText, "beta", widget.WarningImportance, nil)
	if !c.Label.Visible() || c.Link.Visible() || c.Label.Text != "beta" {
		t.Fatal("a cell that was a link and is text again does not show its label alone")
	}
	taps := 0
	c.SetCheck(2, 0, false, func() { taps++ })
	test.Tap(c.Check)
	if !c.Checked || taps != 1 {
		t.Fatalf("a tapped check box: checked %v, %d taps", c.Checked, taps)
	}
	c.SetCheck(2, 0, false, func() { taps++ }) // the program refused the selection
	if c.Check.Checked {
		t.Fatal("a check box the program set back still shows checked")
	}
	c.SetIconButton(3, 0, theme.DeleteIcon(), widget.LowImportance, func() { taps++ })
	if !c.buttonBox.Visible() || c.Check.Visible() || c.Button.Size().Width < c.Button.MinSize().Width {
		t.Fatalf("an icon button cell: shown %v, width %v for %v", c.buttonBox.Visible(), c.Button.Size().Width, c.Button.MinSize().Width)
	}
	test.Tap(c.Button)
	if taps != 2 {
		t.Fatal("the icon button did not report")
	}
}

// TestFeedbackMovesNothing: "Copied" appearing, and Show becoming Hide,
// leave the buttons where they were; Copy becoming Copied leaves the
// one-time dialog's value box its width (issue 13 item 10).
func TestFeedbackMovesNothing(t *testing.T) {
	test.NewTempApp(t)
	f := NewSecretField("kwa_••••")
	w := test.NewWindow(f)
	defer w.Close()
	w.Resize(fyne.NewSize(600, 80))
	pos := func(o fyne.CanvasObject) fyne.Position {
		return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	}
	show, copyAt := pos(f.Toggle), pos(f.Copy)
	f.SetCopied(true)
	f.SetSecret("kwa_0123456789")
	w.Canvas().Refresh(f)
	if pos(f.Toggle) != show || pos(f.Copy) != copyAt {
		t.Fatalf("the buttons moved: Show %v -> %v, Copy %v -> %v", show, pos(f.Toggle), copyAt, pos(f.Copy))
	}

	r := NewKeyReveal("kwu_0123456789", "once")
	w2 := test.NewWindow(r)
	defer w2.Close()
	w2.Resize(fyne.NewSize(600, 200))
	before := r.box.box.Size()
	r.SetCopied(true)
	w2.Canvas().Refresh(r)
	if after := r.box.box.Size(); after != before {
		t.Fatalf("the value's box went from %v to %v", before, after)
	}
}

// A cut-off cell shows its text in full once the pointer rests on it, a
// label or a link; a cell that fits shows none; moving away hides it. The
// pointer goes through the test driver, as the real one sends it: to the
// deepest object under it that takes hover events.
func TestTableTooltip(t *testing.T) {
	a := test.NewTempApp(t)
	var pending func()
	AfterFunc = func(_ time.Duration, f func()) func() {
		pending = f
		return func() { pending = nil }
	}
	defer func() { AfterFunc = defaultAfterFunc }()
	long := "a-very-long-key-name-that-the-column-cannot-hold-at-all"
	texts := []string{"short", long, long}
	table := NewTable(func() (int, int) { return len(texts), 1 }, func() fyne.CanvasObject { return NewCell() },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			kind := CellText
			if id.Row == 2 {
				kind = CellLink
			}
			o.(*Cell).Set(id.Row, id.Col, kind, texts[id.Row], widget.MediumImportance, func() {})
		})
	table.SetColumns([]float32{120}, []float32{0})
	w := a.NewWindow("")
	w.SetContent(table)
	w.Resize(fyne.NewSize(400, 300))
	at := func(row int) fyne.Position {
		for c := range table.allCells() {
			if c.Visible() && c.Row == row {
				return fyne.CurrentApp().Driver().AbsolutePositionForObject(c).AddXY(10, 10)
			}
		}
		t.Fatalf("no cell for row %d", row)
		return fyne.Position{}
	}
	test.MoveMouse(w.Canvas(), at(0))
	if pending != nil {
		t.Fatal("a cell that fits offers a tooltip")
	}
	for _, row := range []int{1, 2} {
		test.MoveMouse(w.Canvas(), at(row))
		if pending == nil {
			t.Fatalf("the cut-off cell of row %d offers no tooltip", row)
		}
		pending()
		if got := table.Tooltip(); got != long {
			t.Fatalf("row %d: the tooltip says %q", row, got)
		}
		test.MoveMouse(w.Canvas(), at(0))
		if table.Tooltip() != "" {
			t.Fatalf("row %d: the tooltip stayed after the pointer left", row)
		}
	}
	// It takes no focus: typing goes where it went.
	if w.Canvas().Focused() != nil || len(w.Canvas().Overlays().List()) != 0 {
		t.Fatal("the tooltip took the focus or put an overlay up")
	}
}

func TestButtonKeys(t *testing.T) {
	test.NewTempApp(t)
	var tapped, escaped int
	b := NewButton("Create", nil, widget.HighImportance, func() { tapped++ })
	b.OnEscape = func() { escaped++ }
	w := test.NewWindow(b)
	defer w.Close()
	for _, k := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace} {
		b.TypedKey(&fyne.KeyEvent{Name: k})
	}
	b.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if tapped != 3 || escaped != 1 {
		t.Fatalf("Enter, Return and Space pressed it %d times; Escape reported %d", tapped, escaped)
	}
	b.Disable()
	b.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if tapped != 3 {
		t.Fatal("Enter pressed a disabled button")
	}
	s := NewSelect([]string{"a", "b"}, nil)
	var entered int
	s.OnEnter, s.OnEscape = func() { entered++ }, func() { escaped++ }
	s.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	s.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if entered != 1 || escaped != 2 {
		t.Fatal("the selector did not report Enter and Escape")
	}
}

func TestEntryPassesWindowShortcuts(t *testing.T) {
	for _, c := range []struct {
		s    desktop.CustomShortcut
		want bool
	}{
		{desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierControl}, true},
		{desktop.CustomShortcut{KeyName: fyne.Key2, Modifier: fyne.KeyModifierControl}, true},
		{desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: fyne.KeyModifierControl}, true},
		{desktop.CustomShortcut{KeyName: fyne.KeyPageDown, Modifier: fyne.KeyModifierControl}, true},
		{desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierControl}, false},
		{desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: fyne.KeyModifierAlt}, false},
	} {
		if got := IsWindowShortcut(&c.s); got != c.want {
			t.Errorf("%s: %v", c.s.ShortcutName(), got)
		}
	}
}

// A notch of the wheel over the rows scrolls three rows, not 25 pixels.
func TestTableWheelScrollsByRows(t *testing.T) {
	a := test.NewTempApp(t)
	table := NewTable(func() (int, int) { return 100, 1 }, func() fyne.CanvasObject { return NewCell() },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*Cell).Set(id.Row, id.Col, CellText, "row", widget.MediumImportance, nil)
		})
	table.SetColumns([]float32{120}, []float32{0})
	w := a.NewWindow("")
	w.SetContent(table)
	w.Resize(fyne.NewSize(300, 400))
	first := func() int {
		f, _, _, ok := table.shownRows()
		if !ok {
			t.Fatal("no row is shown")
		}
		return f
	}
	var over *Cell
	for c := range table.allCells() {
		if c.Visible() && c.Row == 0 {
			over = c
		}
	}
	if over == nil || first() != 0 {
		t.Fatal("the table does not start at its first row")
	}
	down := &fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -25)}
	over.Scrolled(down)
	if f := first(); f < 2 || f > 4 {
		t.Fatalf("a notch down shows row %d first, want about 3", f)
	}
	over.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, 25)})
	if f := first(); f != 0 {
		t.Fatalf("a notch back up shows row %d first", f)
	}
}

// TestTableLetsDroppedCellsGo: Fyne's table keeps the cells out of view
// in a sync.Pool, which drops them at a collection, and makes new ones;
// the table's own list of its cells (for the tooltip and the wheel) must
// not keep the dropped ones alive, or a console open all day would hold
// thousands.
func TestTableLetsDroppedCellsGo(t *testing.T) {
	test.NewTempApp(t)
	table := NewTable(func() (int, int) { return 0, 1 }, func() fyne.CanvasObject { return NewCell() },
		func(widget.TableCellID, fyne.CanvasObject) {})
	kept := NewCell()
	table.addCell(kept)
	for range 1000 {
		table.addCell(NewCell()) // placed, then dropped by Fyne's pool
	}
	runtime.GC()
	held := 0
	for c := range table.allCells() {
		held++
		if c != kept {
			t.Fatal("a dropped cell is still held")
		}
	}
	if held != 1 {
		t.Fatalf("%d cells held after 1,001 placed and 1,000 dropped", held)
	}
	// The list itself sheds the dropped cells' entries as it grows.
	for range 3000 {
		table.addCell(NewCell())
		if len(table.cells)%500 == 0 {
			runtime.GC()
		}
	}
	if len(table.cells) > 2200 {
		t.Fatalf("%d entries for the cells after 4,001 placed, most dropped", len(table.cells))
	}
	runtime.KeepAlive(kept)
}

// TestCellRedrawsAfterAThemeChange: a cell the table kept aside while the
// theme changed redraws when it is used again, even to show the same.
func TestCellRedrawsAfterAThemeChange(t *testing.T) {
	a := test.NewTempApp(t)
	c := NewCell()
	w := test.NewWindow(c)
	defer w.Close()
	c.Set(0, 0, CellText, "same", widget.MediumImportance, nil)
	before := c.shown.theme
	a.Settings().SetTheme(lightTheme{theme.DefaultTheme()})
	deadline := time.Now().Add(2 * time.Second)
	for themeChanges.Load() == before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	c.Set(0, 0, CellText, "same", widget.MediumImportance, nil)
	if c.shown.theme == before {
		t.Fatal("the cell did not redraw after the theme changed")
	}
}

// lightTheme is the default theme in its light variant.
type lightTheme struct{ fyne.Theme }

func (t lightTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, theme.VariantLight)
}

// TestTableFindsTheCellUnderThePointer: the table hears the pointer where
// no cell takes it (a divider, padding); after scrolling away and back
// (cells put aside and reused) it finds the cell drawn there.
func TestTableFindsTheCellUnderThePointer(t *testing.T) {
	a := test.NewTempApp(t)
	table := NewTable(func() (int, int) { return 100, 1 }, func() fyne.CanvasObject { return NewCell() },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*Cell).Set(id.Row, id.Col, CellText, fmt.Sprintf("row %d", id.Row), widget.MediumImportance, nil)
		})
	table.SetColumns([]float32{120}, []float32{0})
	w := a.NewWindow("")
	defer w.Close()
	w.SetContent(table)
	w.Resize(fyne.NewSize(300, 400))
	w.Canvas().Capture()
	table.ScrollTo(widget.TableCellID{Row: 60, Col: 0})
	w.Canvas().Capture()
	table.ScrollToTop()
	w.Canvas().Capture()
	d := fyne.CurrentApp().Driver()
	for c := range table.allCells() {
		p := d.AbsolutePositionForObject(c)
		if !c.Visible() || c.Row != 2 || !near(p.Subtract(c.Position()), mustOrigin(t, table)) {
			continue
		}
		got := table.cellAt(p.AddXY(5, 5))
		if got == nil || got.Row != 2 || got.Text != "row 2" || !near(d.AbsolutePositionForObject(got), p) {
			t.Fatalf("under row 2 the table finds %+v", got)
		}
		return
	}
	t.Fatal("row 2 is not on screen")
}

func mustOrigin(t *testing.T, table *Table) fyne.Position {
	t.Helper()
	o, ok := table.cellOrigin()
	if !ok {
		t.Fatal("no cell on the canvas")
	}
	return o
}
