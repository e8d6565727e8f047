package console

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/google/uuid"

	"keyward/data"
	"keyward/widgets"
)

// copiedFor is how long a "Copied" note stays up.
const copiedFor = 2 * time.Second

// keysTab is the API Keys tab: the REST API's state with Enable API, the
// account key, and the table of user keys with Add, Manage and Delete.
type keysTab struct {
	c       *Console
	content fyne.CanvasObject

	// While the API is disabled.
	apiOff  *fyne.Container
	offText *widget.Label // what Enable API does, and where the API will listen
	enable  *widgets.Button
	// While it is enabled.
	apiOn      *fyne.Container
	accountKey *widgets.SecretField // nil for roles that may not see it
	status     *widget.Label        // where the API listens, or why it could not start
	retry      *widgets.Button
	disable    *widgets.Button

	add    *widgets.Button // nil for roles that may not add keys
	quick  *widgets.Select // the quick filters: All keys, Never used, …
	filter *widgets.Entry
	count  *widget.Label
	export *widgets.Button
	table  *widgets.Table

	expiring *widget.Label // how many keys expire soon, while some do
	empty    *widget.Label // what an empty table means, over it

	// The keys chosen for a bulk change, and its buttons in the toolbar,
	// enabled while some are (Owners only): always there, so that nothing
	// moves when a row is checked.
	selected    map[uuid.UUID]bool
	bulkDisable *widgets.Button
	bulkDelete  *widgets.Button

	columns []tableColumn[data.UserKey]
	// sorts orders the keys by each sortable column (nil for the others);
	// sortCol is the column the table is sorted by, -1 for the name,
	// ascending, which is the store's order.
	sorts    []func(a, b *data.UserKey) int
	sortCol  int
	nameCol  int // the Key name column, the order of the keys as they come
	sortDesc bool
	now      time.Time      // when keys was read: what statuses and expiries are shown at
	keys     data.KeyList   // every key, by name, read a row at a time
	search   []string       // each key's searchable text, lower case; built on first use
	all      []data.UserKey // every key of keys, read when a filter or a sort first needs them
	// rows are the positions in keys of the rows the table shows, in its
	// order; nil shows every key by name, without a position a key.
	rows     []int32
	spare    []int32 // the last rows, for the next filter to reuse
	filtered bool    // whether a filter is on
	// shown is the row the table drew last, read from keys once for all
	// its cells; row is -1 when there is none.
	shown struct {
		row int
		key data.UserKey
	}

	stopCopied func()
	stopReveal func() // hides the shown account key; nil while none is scheduled
}

func newKeysTab(c *Console) *keysTab {
	t := &keysTab{c: c}
	owner := c.user.Role.CanAdminister()

	t.enable = c.button("Enable API", theme.LoginIcon(), widget.HighImportance, t.onEnable)
	t.offText = &widget.Label{Wrapping: fyne.TextWrapWord}
	if !owner {
		t.offText.Text = "The REST API is disabled. An Owner can enable it."
		t.enable.Hide()
	}
	t.apiOff = container.NewVBox(
		&widget.Label{Text: "The REST API is disabled", TextStyle: fyne.TextStyle{Bold: true}},
		container.NewBorder(nil, nil, nil, t.enable, t.offText),
	)

	t.status = &widget.Label{Wrapping: fyne.TextWrapWord}
	t.retry = c.button("Retry", theme.ViewRefreshIcon(), widget.MediumImportance, t.onRetry)
	t.disable = c.button("Disable API", theme.CancelIcon(), widget.MediumImportance, t.onDisable)
	statusRow := container.NewBorder(nil, nil, nil, container.NewHBox(t.retry, t.disable), t.status)
	onParts := []fyne.CanvasObject{}
	if owner {
		t.accountKey = widgets.NewSecretField(data.AccountKeyPrefix + strings.Repeat("•", 24))
		t.accountKey.OnShow, t.accountKey.OnCopy = t.onShowAccountKey, t.onCopyAccountKey
		onParts = append(onParts,
			&widget.Label{Text: "API account key", TextStyle: fyne.TextStyle{Bold: true}},
			hint("Identifies this account: every request sends it in the x-api-key header."),
			t.accountKey)
	} else {
		t.disable.Hide()
	}
	t.apiOn = container.NewVBox(append(onParts, statusRow)...)

	t.quick = c.dialogSelect(quickFilterNames(), nil)
	t.quick.SetSelectedIndex(0)
	t.quick.OnChanged = func(string) { t.filterChanged() }
	t.filter = widgets.NewEntry()
	t.filter.PlaceHolder, t.filter.OnChanged = "Filter by name, user, CIDR…", func(string) { t.filterChanged() }
	t.count = countLabel()
	heading := &widget.Label{Text: "API user keys", TextStyle: fyne.TextStyle{Bold: true}}
	t.export = c.button("Export…", theme.DownloadIcon(), widget.MediumImportance, t.exportKeys)
	right := []fyne.CanvasObject{t.count, t.export}
	t.selected = map[uuid.UUID]bool{}
	if owner {
		// Short names, so that the filter keeps its room at 1024 px: they
		// act on the keys checked, which the count beside them says.
		t.bulkDisable = c.button("Disable", theme.CancelIcon(), widget.MediumImportance, t.confirmBulkDisable)
		t.bulkDelete = c.button("Delete", theme.DeleteIcon(), widget.MediumImportance, t.confirmBulkDelete)
		t.add = c.button("Add", theme.ContentAddIcon(), widget.HighImportance, c.showAddKeyDialog)
		right = append(right, t.bulkDisable, t.bulkDelete, t.add)
	}
	toolbar := borderLayout(nil, nil, heading, container.NewHBox(right...), borderLayout(nil, nil, t.quick, nil, t.filter))

	t.columns = t.keyColumns(owner)
	t.shown.row = -1
	t.table = newRowTable(t.columns, t.visibleLen, t.visibleAt)
	t.sortCol = -1
	byTitle := t.keySorts()
	t.sorts = make([]func(a, b *data.UserKey) int, len(t.columns))
	for i, c := range t.columns {
		t.sorts[i] = byTitle[c.title]
		if c.title == "Key name" {
			t.nameCol = i
		}
	}
	headers := make([]column, len(t.columns))
	sortable := make([]bool, len(t.columns))
	for i, c := range t.columns {
		headers[i], sortable[i] = c.column, i < len(t.sorts) && t.sorts[i] != nil
	}
	sortableHeaders(t.table, headers, sortable, func() (int, bool) {
		if t.sortCol < 0 {
			return t.nameCol, t.sortDesc
		}
		return t.sortCol, t.sortDesc
	}, t.sortBy)

	t.expiring = &widget.Label{Importance: widget.WarningImportance, Wrapping: fyne.TextWrapWord}
	t.expiring.Hide()
	top := container.NewVBox(t.apiOff, t.apiOn, widget.NewSeparator(), toolbar, t.expiring)
	if !owner {
		top.Add(readOnlyNote(c.user.Role, "add, change and delete keys"))
	}
	t.empty = &widget.Label{Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord}
	t.empty.Hide()
	// The controls above first, so that Tab goes down the screen.
	t.content = borderLayout(top, nil, nil, nil, container.NewStack(t.table, container.NewCenter(minWidth(t.empty, 480))))
	t.refreshAccount()
	t.refresh()
	t.showBulk()
	t.tick()
	return t
}

// statusTick is how often the tab looks again at keys that expire or
// whose grace period ends, so that their rows change when the clock says,
// not at the next change of the account.
const statusTick = time.Minute

// tick refreshes the keys every statusTick while some have an expiry or
// a grace period, for as long as the tab is the one on screen.
func (t *keysTab) tick() {
	t.c.clock.AfterFunc(statusTick, func() {
		if t.c.access == nil || t.c.access.keys != t {
			return // signed out, or another screen since
		}
		if len(t.keys.Timed()) > 0 {
			t.refresh()
		}
		t.tick()
	})
}

// keyColumns are the table's columns; Owners also get the Manage link and
// the Delete button.
func (t *keysTab) keyColumns(owner bool) []tableColumn[data.UserKey] {
	cols := []tableColumn[data.UserKey]{
		{column{"Key name", 165}, func(k data.UserKey, row, col int, cell *widgets.Cell) {
			// The name opens the key's details: for Owners with its actions
			// (Disable, Roll, Change expiry), one link rather than three
			// buttons a row; read-only for the others.
			kind, open := widgets.CellLink, func() { t.showKeyActions(k) }
			text, importance := k.Name, widget.MediumImportance
			if st := statusText(k); st != "" {
				text, importance = k.Name+" ("+st+")", widget.WarningImportance
			}
			cell.Set(row, col, kind, text, importance, open)
		}},
		{column{"User name", 130}, func(k data.UserKey, row, col int, cell *widgets.Cell) {
			cell.Set(row, col, widgets.CellText, k.UserName, widget.MediumImportance, nil)
		}},
		{column{"CIDR allow list", 165}, func(k data.UserKey, row, col int, cell *widgets.Cell) {
			// Owners manage the rules; the others open them read-only, to
			// see which addresses the key is accepted from.
			summary, id := k.AllowList.Summary(), k.ID
			if owner {
				summary = "Manage · " + summary
			}
			cell.Set(row, col, widgets.CellLink, summary, widget.MediumImportance, func() { t.c.showCIDRDialog(id) })
		}},
		{column{"Created", 95}, func(k data.UserKey, row, col int, cell *widgets.Cell) {
			cell.Set(row, col, widgets.CellText, t.c.formatDate(k.CreatedAt), widget.MediumImportance, nil)
		}},
		{column{"Last used", 150}, func(k data.UserKey, row, col int, cell *widgets.Cell) {
			text := "Never"
			if !k.LastUsedAt.IsZero() {
				text = t.c.formatTime(k.LastUsedAt) + " from " + k.LastUsedFrom.String()
			}
			cell.Set(row, col, widgets.CellText, text, widget.MediumImportance, nil)
		}},
		{column{"Expires", 150}, func(k data.UserKey, row, col int, cell *widgets.Cell) {
			text, warn := t.c.expiryText(k, t.now)
			importance := widget.MediumImportance
			if warn {
				importance = widget.WarningImportance
			}
			cell.Set(row, col, widgets.CellText, text, importance, nil)
		}},
	}
	if owner {
		// A quiet trash can: red is for the confirmation, which names what
		// the deletion does.
		cols = append(cols, tableColumn[data.UserKey]{column{"", 44}, func(k data.UserKey, row, col int, cell *widgets.Cell) {
			cell.SetIconButton(row, col, theme.DeleteIcon(), widget.LowImportance, func() { t.confirmDelete(k) })
		}})
		// The selection, for Disable and Delete on several keys at once.
		selectCol := tableColumn[data.UserKey]{column{"", 36}, func(k data.UserKey, row, col int, cell *widgets.Cell) {
			id := k.ID
			cell.SetCheck(row, col, t.selected[id], func() { t.setSelected(id, cell.Checked) })
		}}
		cols = append([]tableColumn[data.UserKey]{selectCol}, cols...)
	}
	return cols
}

// refresh reloads the keys and applies the filter.
func (t *keysTab) refresh() {
	t.keys, t.search, t.all, t.now = t.c.store.KeyList(), nil, nil, t.c.clock.Now()
	if len(t.selected) > 0 { // keys deleted meanwhile are no longer chosen
		for id := range t.selected {
			if _, err := t.c.store.UserKey(id); err != nil {
				delete(t.selected, id)
			}
		}
		t.showBulk()
	}
	soon := 0
	for _, i := range t.keys.Timed() {
		if expiresSoon(t.keys.At(i), t.now) {
			soon++
		}
	}
	if soon > 0 {
		them := "them"
		if soon == 1 {
			them = "it"
		}
		t.expiring.SetText(fmt.Sprintf("%s within 7 days: extend %s or replace %s in time (a key's Change expiry).", data.Count(soon, "key expires", "keys expire"), them, them))
		t.expiring.Show()
	} else {
		t.expiring.Hide()
	}
	t.applyFilter()
}

// searchText returns each key's searchable text, lower case, building it
// when the filter is first used after a refresh.
func (t *keysTab) searchText() []string {
	if t.search == nil {
		// From the list a key at a time, unless the keys were read for a
		// sort already: a text filter alone does not keep every key.
		t.search = make([]string, t.keys.Len())
		for i := range t.search {
			var k data.UserKey
			if t.all != nil {
				k = t.all[i]
			} else {
				k = t.keys.At(i)
			}
			t.search[i] = strings.ToLower(k.Name + "\x00" + k.UserName + "\x00" + k.UserEmail + "\x00" + k.Description + "\x00" + strings.Join(k.AllowList.Strings(), "\x00"))
		}
	}
	return t.search
}

// filterChanged applies a changed filter or order and shows the first
// rows: the matches, rather than the position the table had in the
// whole list (which showed half a row under the header, or none).
func (t *keysTab) filterChanged() {
	t.applyFilter()
	t.table.ScrollToTop()
}

// applyFilter keeps the keys the quick filter lets through whose name,
// user or rules contain the filter text, case-insensitively, in the
// order the table is sorted by.
func (t *keysTab) applyFilter() {
	needle := strings.ToLower(strings.TrimSpace(t.filter.Text))
	keep := quickFilters[max(0, t.quick.SelectedIndex())].keep
	if t.rows != nil {
		t.spare = t.rows
	}
	t.rows, t.shown.row = nil, -1
	if needle != "" || keep != nil {
		if t.spare == nil {
			t.spare = make([]int32, 0, t.keys.Len())
		}
		t.rows = t.spare[:0] // not nil, which would show every key
		var search []string
		var all []data.UserKey
		if needle != "" {
			search = t.searchText()
		}
		if keep != nil {
			all = t.allKeys()
		}
		for i := range t.keys.Len() {
			if (needle == "" || strings.Contains(search[i], needle)) && (keep == nil || keep(all[i], t.now)) {
				t.rows = append(t.rows, int32(i))
			}
		}
	}
	t.sortVisible()
	t.filtered = needle != "" || keep != nil
	t.applyCount()
	switch {
	case t.visibleLen() > 0:
		t.empty.Hide()
	case t.keys.Len() == 0 && t.c.user.Role.CanAdminister():
		t.empty.SetText("No API user keys yet. Add creates the first one.")
		t.empty.Show()
	case t.keys.Len() == 0:
		t.empty.SetText("No API user keys yet.")
		t.empty.Show()
	default:
		t.empty.SetText("No key matches the filter.")
		t.empty.Show()
	}
	t.table.Refresh()
}

// applyCount says how many keys there are, how many the filters show and
// how many are selected.
func (t *keysTab) applyCount() {
	var text string
	switch {
	case t.keys.Len() == 0:
		text = "No keys yet"
	case !t.filtered:
		text = data.Count(t.keys.Len(), "key", "keys")
	default:
		text = fmt.Sprintf("%d of %s", t.visibleLen(), data.Count(t.keys.Len(), "key", "keys"))
	}
	if len(t.selected) > 0 {
		text = fmt.Sprintf("%d selected · %s", len(t.selected), text)
	}
	t.count.SetText(text)
}

// keySorts are the orders of the sortable columns, by title: name, user,
// created, last used and expiry (a key that never expires last).
func (t *keysTab) keySorts() map[string]func(a, b *data.UserKey) int {
	byName := func(a, b *data.UserKey) int { return 0 } // the store's order, kept by a stable sort
	laterLast := func(a, b time.Time) int {
		switch {
		case a.IsZero() && b.IsZero():
			return 0
		case a.IsZero():
			return 1
		case b.IsZero():
			return -1
		}
		return a.Compare(b)
	}
	return map[string]func(a, b *data.UserKey) int{
		"Key name":  byName,
		"User name": func(a, b *data.UserKey) int { return compareFold(a.UserName, b.UserName) },
		"Created":   func(a, b *data.UserKey) int { return a.CreatedAt.Compare(b.CreatedAt) },
		"Last used": func(a, b *data.UserKey) int { return laterLast(a.LastUsedAt, b.LastUsedAt) },
		"Expires":   func(a, b *data.UserKey) int { return laterLast(a.ExpiresAt, b.ExpiresAt) },
	}
}

// compareFold orders a and b regardless of case, without allocating for
// ASCII.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if ca >= 0x80 || cb >= 0x80 {
			return strings.Compare(strings.ToLower(a[i:]), strings.ToLower(b[i:]))
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return int(ca) - int(cb)
		}
	}
	return len(a) - len(b)
}

// sortBy sorts the table by col, or reverses it if it already is.
func (t *keysTab) sortBy(col int) {
	current := t.sortCol
	if current < 0 {
		current = t.nameCol
	}
	if col == current {
		t.sortDesc = !t.sortDesc
	} else {
		t.sortDesc = false
	}
	t.sortCol = col
	if col == t.nameCol && !t.sortDesc {
		t.sortCol = -1
	}
	t.filterChanged()
}

// sortVisible puts the visible keys in the table's order. The keys come
// by name, so that a stable sort keeps names in order within equal
// values. It sorts positions, not the keys themselves: moving 10,000
// UserKeys about took most of a sort's time.
func (t *keysTab) sortVisible() {
	if t.sortCol < 0 || t.visibleLen() < 2 {
		return
	}
	if t.rows == nil {
		t.rows = slices.Grow(t.spare[:0], t.keys.Len())[:t.keys.Len()]
		for i := range t.rows {
			t.rows[i] = int32(i)
		}
	}
	cmp, keys := t.sorts[t.sortCol], t.allKeys()
	if t.sortDesc {
		slices.Reverse(t.rows) // equal values, by name reversed as the rest
		slices.SortStableFunc(t.rows, func(a, b int32) int { return -cmp(&keys[a], &keys[b]) })
	} else {
		slices.SortStableFunc(t.rows, func(a, b int32) int { return cmp(&keys[a], &keys[b]) })
	}
}

// allKeys returns every key, reading them on the first call after a
// refresh: the table itself reads only the rows it draws.
func (t *keysTab) allKeys() []data.UserKey {
	if t.all == nil && t.keys.Len() > 0 {
		t.all = make([]data.UserKey, t.keys.Len())
		for i := range t.all {
			t.all[i] = t.keys.At(i)
		}
	}
	return t.all
}

// visibleLen is how many rows the table shows.
func (t *keysTab) visibleLen() int {
	if t.rows == nil {
		return t.keys.Len()
	}
	return len(t.rows)
}

// visibleAt returns the key of a row of the table, reading it once for
// all the row's cells.
func (t *keysTab) visibleAt(row int) data.UserKey {
	if t.shown.row != row {
		i := row
		if t.rows != nil {
			i = int(t.rows[row])
		}
		if t.all != nil {
			return t.all[i]
		}
		t.shown.row, t.shown.key = row, t.keys.At(i)
	}
	return t.shown.key
}

// visibleKeys returns the keys the table shows, in its order.
func (t *keysTab) visibleKeys() []data.UserKey {
	out := make([]data.UserKey, t.visibleLen())
	for i := range out {
		out[i] = t.visibleAt(i)
	}
	return out
}

// refreshAccount shows the API's state: the Enable API button, and where
// enabling it will serve, while it is disabled; the account key and where
// the API listens once it is enabled.
func (t *keysTab) refreshAccount() {
	st := t.c.api.Status()
	acct, err := t.c.store.Account()
	if err != nil || !acct.APIEnabled {
		if t.c.user.Role.CanAdminister() {
			t.offText.SetText(fmt.Sprintf("Enabling the API creates the account key and starts the REST API on %s, so that API user keys can be used.", st.Addr))
		}
		t.apiOff.Show()
		t.apiOn.Hide()
		return
	}
	t.apiOff.Hide()
	t.apiOn.Show()
	switch {
	case st.Err != nil:
		t.status.Importance = widget.DangerImportance
		t.status.SetText("The API is enabled, but the REST API could not start: " + st.Err.Error() + ".")
		t.retry.Show()
	default:
		t.status.Importance = widget.SuccessImportance
		t.status.SetText("The REST API is listening on " + st.URL + ".")
		t.retry.Hide()
	}
	if !t.c.user.Role.CanAdminister() {
		t.retry.Hide()
	}
}

func (t *keysTab) onEnable() {
	if _, err := t.c.store.SetAPIEnabled(t.c.actor(), true); err != nil {
		t.c.showError(err)
		return
	}
	t.c.startAPI()
	t.refreshAccount()
}

func (t *keysTab) onRetry() {
	t.c.startAPI()
	t.refreshAccount()
}

func (t *keysTab) onDisable() {
	t.c.confirm("Disable the REST API",
		"Every request will be refused and the account key revoked. Enabling the API again issues a new account key.",
		"Disable API", theme.CancelIcon(), func() error {
			if _, err := t.c.store.SetAPIEnabled(t.c.actor(), false); err != nil {
				return err
			}
			t.c.stopAPI()
			if t.accountKey != nil {
				t.accountKey.SetSecret("")
			}
			t.refreshAccount()
			return nil
		})
}

func (t *keysTab) onShowAccountKey() {
	key, err := t.c.store.AccountKey(t.c.actor(), data.ShowAccountKey)
	if err != nil {
		t.c.showError(err)
		return
	}
	t.accountKey.SetSecret(key)
	// A revealed account key hides itself again after a while, so that it
	// is not left on screen for whoever passes by.
	if t.stopReveal != nil {
		t.stopReveal()
	}
	t.stopReveal = t.c.clock.AfterFunc(revealFor, func() { t.accountKey.SetSecret("") })
}

// revealFor is how long a shown account key stays shown.
const revealFor = 30 * time.Second

func (t *keysTab) onCopyAccountKey() {
	if !t.c.copyAccountKey() {
		return
	}
	t.accountKey.SetCopied(true)
	if t.stopCopied != nil {
		t.stopCopied()
	}
	t.stopCopied = t.c.clock.AfterFunc(copiedFor, func() { t.accountKey.SetCopied(false) })
}

// copyAccountKey puts the account key on the clipboard, logging it.
func (c *Console) copyAccountKey() bool {
	key, err := c.store.AccountKey(c.actor(), data.CopyAccountKey)
	if err != nil {
		c.showError(err)
		return false
	}
	c.clip.copySecret(key)
	return true
}

// setSelected chooses a key for a bulk change, or not.
func (t *keysTab) setSelected(id uuid.UUID, on bool) {
	if on {
		t.selected[id] = true
	} else {
		delete(t.selected, id)
	}
	t.showBulk()
}

// showBulk enables the bulk buttons while keys are chosen, and counts
// them beside the keys'.
func (t *keysTab) showBulk() {
	if t.bulkDisable == nil {
		return
	}
	if len(t.selected) == 0 {
		t.bulkDisable.Disable()
		t.bulkDelete.Disable()
	} else {
		t.bulkDisable.Enable()
		t.bulkDelete.Enable()
	}
	t.applyCount()
}

func (t *keysTab) clearSelection() {
	clear(t.selected)
	t.showBulk()
	t.table.Refresh()
}

// selectedIDs returns the chosen keys, in the table's order of names.
func (t *keysTab) selectedIDs() []uuid.UUID {
	var ids []uuid.UUID
	for i := range t.keys.Len() {
		if id := t.keys.ID(i); t.selected[id] {
			ids = append(ids, id)
		}
	}
	return ids
}

func (t *keysTab) confirmBulkDisable() {
	ids := t.selectedIDs()
	msg := fmt.Sprintf("Disable %s?\n\nRequests made with them will be refused from the moment they are disabled, until an Owner enables them again. Keys already disabled stay as they are.",
		data.Count(len(ids), "API user key", "API user keys"))
	t.c.confirm("Disable API user keys", msg, "Disable "+data.Count(len(ids), "key", "keys"), theme.CancelIcon(), func() error {
		if _, err := t.c.store.DisableUserKeys(t.c.actor(), ids, ""); err != nil {
			return err
		}
		t.clearSelection()
		return nil
	})
}

func (t *keysTab) confirmBulkDelete() {
	ids := t.selectedIDs()
	msg := fmt.Sprintf("Delete %s?\n\nRequests made with them will fail from the moment they are deleted. This cannot be undone.",
		data.Count(len(ids), "API user key", "API user keys"))
	t.c.confirm("Delete API secret keys", msg, "Delete "+data.Count(len(ids), "key", "keys"), theme.DeleteIcon(), func() error {
		if err := t.c.store.DeleteUserKeys(t.c.actor(), ids); err != nil {
			return err
		}
		t.clearSelection()
		return nil
	})
}

// confirmDelete asks before deleting a key.
func (t *keysTab) confirmDelete(k data.UserKey) {
	msg := fmt.Sprintf("Delete the API user key “%s” of %s?\n\nRequests with %s will fail from now on. This cannot be undone.", k.Name, k.UserName, k.Name)
	t.c.confirm("Delete API secret key", msg, "Delete", theme.DeleteIcon(), func() error {
		return t.c.store.DeleteUserKey(t.c.actor(), k.ID)
	})
}
