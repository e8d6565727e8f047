package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"keyward/data"
)

// maxScanFile is the largest file keys scan reads: a source tree's files
// are far smaller; disk images and databases are not read whole.
const maxScanFile = 256 << 20

// foundKey is one key keys scan found.
type foundKey struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Hint    string `json:"hint"`
	Kind    string `json:"kind"` // "user key" or "account key"
	Known   bool   `json:"ofThisAccount"`
	Key     string `json:"key,omitempty"` // the user key's name
	User    string `json:"user,omitempty"`
	Status  string `json:"status,omitempty"`
	Live    bool   `json:"live"`
	Summary string `json:"summary"`

	id uuid.UUID
}

func setupKeysScan(flags *flag.FlagSet) func(*runner, []string) error {
	disable := flags.Bool("disable", false, "disable every live user key found, in one change")
	return func(r *runner, args []string) error {
		var found []foundKey
		var skipped, tooLarge []string
		scanOne := func(name string, b []byte) {
			line, last := 1, 0
			data.FindKeys(b, func(off int, key string) {
				line += bytes.Count(b[last:off], []byte("\n"))
				last = off
				f := r.store.IdentifyKey(key)
				fk := foundKey{File: name, Line: line, Hint: f.Hint, Kind: "user key", Known: f.Known, Key: f.KeyName, User: f.UserName,
					Status: string(f.Status), Live: f.Live, Summary: f.Describe(), id: f.KeyID}
				if f.Account {
					fk.Kind, fk.Status = "account key", ""
				}
				found = append(found, fk)
			})
		}
		for _, root := range args {
			if root == "-" {
				b, err := io.ReadAll(r.env.Stdin)
				if err != nil {
					return data.Errorf(data.EInvalid, "Cannot read stdin: %v.", err)
				}
				scanOne("-", b)
				continue
			}
			err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					if path == root {
						return err
					}
					skipped = append(skipped, path)
					return nil
				}
				if d.IsDir() {
					if d.Name() == ".git" && path != root {
						return filepath.SkipDir // objects are compressed: a leaked key is in the working files
					}
					return nil
				}
				if !d.Type().IsRegular() {
					return nil // symbolic links, sockets, devices
				}
				if info, err := d.Info(); err == nil && info.Size() > maxScanFile {
					tooLarge = append(tooLarge, path)
					return nil
				}
				b, err := os.ReadFile(path)
				if err != nil {
					skipped = append(skipped, path)
					return nil
				}
				scanOne(path, b)
				return nil
			})
			if err != nil {
				var pe *fs.PathError
				if errors.As(err, &pe) {
					err = pe.Err
				}
				return data.Errorf(data.EInvalid, "Cannot scan %s: %v.", data.Quote(root), err)
			}
		}
		var live []foundKey
		var toDisable []uuid.UUID
		for _, f := range found {
			if f.Live {
				live = append(live, f)
				if f.Kind == "user key" {
					toDisable = append(toDisable, f.id)
				}
			}
		}
		var disabled []data.UserKey
		if *disable && len(toDisable) > 0 {
			var err error
			if disabled, err = r.store.DisableUserKeys(actor, toDisable, "found by keys scan"); err != nil {
				return err
			}
		}
		var text strings.Builder
		for _, f := range found {
			fmt.Fprintf(&text, "%s:%d: %s is %s\n", f.File, f.Line, f.Hint, f.Summary)
		}
		for _, s := range skipped {
			fmt.Fprintf(&text, "%s: skipped: it cannot be read\n", s)
		}
		for _, s := range tooLarge {
			fmt.Fprintf(&text, "%s: skipped: larger than %d MB, not a file a key is pasted into\n", s, maxScanFile>>20)
		}
		fmt.Fprintf(&text, "%s found, %d live", data.Count(len(found), "key", "keys"), len(live))
		if len(disabled) > 0 {
			names := make([]string, len(disabled))
			for i, k := range disabled {
				names[i] = k.Name
			}
			fmt.Fprintf(&text, "; disabled %s", strings.Join(names, ", "))
		}
		text.WriteString(".\n")
		if found == nil {
			found = []foundKey{}
		}
		if err := r.print(found, text.String()); err != nil {
			return err
		}
		if len(live) > 0 {
			return errLiveKeysFound
		}
		return nil
	}
}

// errLiveKeysFound is keys scan's exit status 1 when it found a live key:
// what it found is on stdout already.
var errLiveKeysFound = &data.Error{Code: data.EConflict, Message: "Live keys were found: see above."}
