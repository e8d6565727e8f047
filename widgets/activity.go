package widgets

// OnActivity, when set, is called on the UI goroutine whenever a person
// uses one of this package's widgets: a key typed or a tap on it, the
// pointer moving over a table cell. The console's idle sign-out counts
// time from the last call. Fyne offers no hook for every input event of a
// window, so the widgets a person works with report it themselves.
var OnActivity func()

func active() {
	if OnActivity != nil {
		OnActivity()
	}
}
