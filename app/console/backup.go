package console

import (
	"fmt"
	"io"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"keyward/data"
)

// showBackup asks where to save a backup of every record, with the name
// data.BackupName suggests, and writes it there (Owners, from the About
// dialog). Like every other call into the store the console makes, it
// runs on the UI goroutine: the snapshot and its file take about 150 ms
// for 10,000 keys.
func (c *Console) showBackup() {
	acct, _ := c.store.Account()
	d := dialog.NewFileSave(c.onBackupFile, c.win)
	d.SetTitleText("Back up the account")
	d.SetFileName(data.BackupName(acct.Name, c.clock.Now()))
	if c.backupFolder != nil {
		d.SetLocation(c.backupFolder)
	}
	c.show(d, true)
}

// onBackupFile writes the backup to the file chosen in the save dialog,
// then says what it wrote; w is nil when the dialog was cancelled.
func (c *Console) onBackupFile(w fyne.URIWriteCloser, err error) {
	if err != nil {
		c.showError(data.Errorf(data.EInternal, "Could not create the backup file: %v. Choose another folder or name.", err))
		return
	}
	if w == nil {
		return
	}
	// Fyne has created the file, readable by others as the umask allows:
	// data.WriteFile puts the backup in its place, atomically, in a file
	// only its owner can read.
	uri := w.URI()
	w.Close()
	if uri.Scheme() != "file" {
		c.showError(data.Errorf(data.EInvalid, "A backup is written to a file on this computer; %s is not one. Choose another place.", uri))
		return
	}
	path := uri.Path()
	info, err := data.WriteBackupFile(path, false, func(f io.Writer) error {
		_, err := c.store.Backup(f)
		return err
	})
	if err != nil {
		removeIfEmpty(path)
		c.showError(err)
		return
	}
	c.showBackupDone(path, info)
}

// removeIfEmpty removes the empty file the save dialog created for a
// backup that could not be written, so that no empty backup is left.
func removeIfEmpty(path string) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		os.Remove(path)
	}
}

// showBackupDone says how many records went where and, when the account
// key is in the backup, that it is sealed with a key the backup does not
// hold.
func (c *Console) showBackupDone(path string, info data.BackupInfo) {
	content := container.NewVBox(
		&widget.Label{Text: fmt.Sprintf("Backed up %s of the account %s to", data.Count(info.Records, "record", "records"), info.Account), Wrapping: fyne.TextWrapWord},
		&widget.Label{Text: path, Selectable: true, Wrapping: fyne.TextWrapBreak},
	)
	if note := info.SealKeyNote(); note != "" {
		content.Add(&widget.Label{Wrapping: fyne.TextWrapWord, Text: note})
	}
	c.showInfo("Backup saved", content, 520)
}
