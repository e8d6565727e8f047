package badger

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"keyward/data"
)

// The directory lock keeps every other process out of a data directory
// while the console or `keyward serve` holds it. So that `keyward backup`
// still works then, the holder answers backup requests on a Unix socket in
// the data directory: the directory is its owner's alone, and so is the
// socket in it.

// controlName is the socket's name in the data directory.
const controlName = "control.sock"

// requestBackup is what a client sends to ask for a backup.
const requestBackup = "backup\n"

// controlError is the one line the holder answers instead of a backup
// when it cannot make one.
type controlError struct {
	Error string `json:"error"`
}

// control is the holder's side of the socket.
type control struct {
	ln      net.Listener
	path    string
	serving sync.WaitGroup
}

// listenControl answers backup requests with backup until the backend is
// closed. A data directory whose path is too long for a socket, or a
// system without them, goes without: logf hears why.
func (b *Backend) listenControl(backup func(io.Writer) error, logf func(string, ...any)) {
	path := filepath.Join(b.dir, controlName)
	os.Remove(path) // left by a process that held the directory and crashed; the lock is ours now
	ln, err := net.Listen("unix", path)
	if err != nil {
		if logf != nil {
			logf("'keyward backup' cannot reach this process while it holds %s (%v): use the console's Back up now, or stop it first.", b.dir, err)
		}
		return
	}
	c := &control{ln: ln, path: path}
	go c.accept(backup)
	b.mu.Lock()
	b.control = c
	b.mu.Unlock()
}

func (c *control) accept(backup func(io.Writer) error) {
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return // closed
		}
		c.serving.Go(func() {
			defer conn.Close()
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			line, err := bufio.NewReader(io.LimitReader(conn, 64)).ReadString('\n')
			if err != nil || line != requestBackup {
				return
			}
			// A reader that stalls must not keep the backend from closing.
			conn.SetDeadline(time.Now().Add(2 * time.Minute))
			if err := backup(conn); err != nil {
				json.NewEncoder(conn).Encode(controlError{data.ErrorMessage(err)})
			}
		})
	}
}

// close stops answering and waits for the requests being answered.
func (c *control) close() {
	c.ln.Close()
	c.serving.Wait()
	os.Remove(c.path)
}

// RequestBackup asks the process that holds the data directory dir (the
// console, `keyward serve`) for a backup and writes it to w. The caller
// checks what it wrote (data.ReadBackup): a holder that stops halfway
// leaves it cut short.
func RequestBackup(dir string, w io.Writer) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return failed("find the data directory "+dir, err)
	}
	conn, err := net.Dial("unix", filepath.Join(abs, controlName))
	if err != nil {
		return &data.Error{Code: data.EConflict, Err: errors.Join(data.ErrInUse, err), Message: fmt.Sprintf(
			"The data directory %s is in use by another Keyward, which does not answer backup requests: "+
				"back up from the console (About → Back up now), or stop it and try again.", abs)}
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, requestBackup); err != nil {
		return failed("ask the Keyward that holds "+abs+" for a backup", err)
	}
	r := bufio.NewReader(conn)
	first, err := r.ReadBytes('\n')
	if err != nil && len(first) == 0 {
		return failed("receive the backup from the Keyward that holds "+abs, err)
	}
	var refused controlError
	if json.Unmarshal(first, &refused) == nil && refused.Error != "" {
		return data.Errorf(data.EInternal, "The Keyward that holds %s could not make the backup: %s", abs, refused.Error)
	}
	if _, err := w.Write(first); err != nil {
		return failed("write the backup", err)
	}
	if _, err := io.Copy(w, r); err != nil {
		return failed("receive the backup from the Keyward that holds "+abs, err)
	}
	return nil
}
