package cli

import (
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

// skippedPath is a path keys scan did not read, and why. Unread is true
// when it was to be read and could not be: the scan then cannot say the
// tree is clean. Files larger than maxScanFile and links to directories
// met in a walk are passed over on purpose.
type skippedPath struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
	Unread bool   `json:"unread"`
}

// scanReport is keys scan's answer with --json.
type scanReport struct {
	Found   []foundKey    `json:"found"`
	Skipped []skippedPath `json:"skipped"`
	Live    int           `json:"live"`
}

// keyScan is one run of keys scan: what it found and what it could not
// read, in the order met.
type keyScan struct {
	store   *data.Store
	found   []foundKey
	skipped []skippedPath
	seen    map[string]bool // the files read, by their real path
}

// text scans the contents of the file called name.
func (ks *keyScan) text(name string, b []byte) {
	name = data.Redact(name) // a key can be a file's name too
	data.FindKeysInText(b, func(line int, key string) {
		f := ks.store.IdentifyKey(key)
		fk := foundKey{File: name, Line: line, Hint: f.Hint, Kind: "user key", Known: f.Known, Key: f.KeyName, User: f.UserName,
			Status: string(f.Status), Live: f.Live, Summary: f.Describe(), id: f.KeyID}
		if f.Account {
			fk.Kind, fk.Status = "account key", ""
		}
		ks.found = append(ks.found, fk)
	})
}

func (ks *keyScan) skip(path, reason string, unread bool) {
	ks.skipped = append(ks.skipped, skippedPath{Path: data.Redact(path), Reason: reason, Unread: unread})
}

// unreadable is why a path could not be read, for people.
func unreadable(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "it does not exist"
	case errors.Is(err, fs.ErrPermission):
		return "it cannot be read: permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return "it cannot be read: " + data.Redact(err.Error())
}

// realPath is path with every link resolved, absolute.
func realPath(path string) (string, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", err
	}
	return filepath.Abs(real)
}

// file scans the file read at path and shown as shown, whose information
// is info (a link's target's) and whose real path is real ("" when it
// cannot be told: it is read then, seen or not): one too large to hold a
// pasted key is passed over, and one already read (through another link,
// or named and walked) is not read again.
func (ks *keyScan) file(path, shown, real string, info fs.FileInfo) {
	if real != "" {
		if ks.seen[real] {
			return
		}
		ks.seen[real] = true
	}
	if info.Size() > maxScanFile {
		ks.skip(shown, fmt.Sprintf("larger than %d MB, not a file a key is pasted into", maxScanFile>>20), false)
		return
	}
	b, err := readAtMost(path, maxScanFile)
	if err != nil {
		ks.skip(shown, unreadable(err), true)
		return
	}
	ks.text(shown, b)
}

// readAtMost reads the file at path, up to limit bytes: a named pipe
// (keys scan <(git diff)) has no size to check first.
func readAtMost(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

// root scans a path named on the command line: a file or a named pipe, or
// a directory walked through, links followed (a link named is what its
// target is). In a walk, a link to a file is read as the file; a link to
// a directory is passed over, as a loop of links would never end, and a
// link that leads nowhere (to nothing, or round in a loop) holds no key;
// .git directories are passed over (their objects are compressed: a
// leaked key is in the working files).
func (ks *keyScan) root(root string) {
	info, err := os.Stat(root)
	if err != nil {
		ks.skip(root, unreadable(err), true)
		return
	}
	if !info.IsDir() {
		if info.Mode().IsRegular() || info.Mode()&fs.ModeNamedPipe != 0 {
			real, _ := realPath(root)
			ks.file(root, root, real, info)
		} else {
			ks.skip(root, "not a file, a pipe nor a directory", true)
		}
		return
	}
	// WalkDir does not go into a link: it walks the target, and the
	// paths shown start with the name given. The paths it walks are then
	// real already: only links met need resolving.
	real, err := realPath(root)
	if err != nil {
		ks.skip(root, unreadable(err), true)
		return
	}
	filepath.WalkDir(real, func(path string, d fs.DirEntry, err error) error {
		shown := path
		rel, e := filepath.Rel(real, path)
		if e == nil {
			shown = filepath.Join(root, rel)
		}
		switch {
		case err != nil:
			ks.skip(shown, unreadable(err), true)
			return nil // its contents, or the entry, are passed over
		case d.IsDir():
			if d.Name() == ".git" && rel != "." {
				return filepath.SkipDir
			}
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			info, err := os.Stat(path)
			switch {
			case err != nil && errors.Is(err, fs.ErrPermission):
				ks.skip(shown, unreadable(err), true)
			case err != nil:
				// A link to nothing, or round in a loop, holds no key.
			case info.IsDir():
				ks.skip(shown, "a link to a directory, not followed: name it to scan there", false)
			case info.Mode().IsRegular():
				target, _ := realPath(path)
				ks.file(path, shown, target, info)
			}
			return nil
		case !d.Type().IsRegular():
			return nil // sockets, devices, pipes
		}
		info, err := d.Info()
		if err != nil {
			ks.skip(shown, unreadable(err), true)
			return nil
		}
		ks.file(path, shown, path, info)
		return nil
	})
}

func setupKeysScan(flags *flag.FlagSet) func(*runner, []string) error {
	disable := flags.Bool("disable", false, "disable every live user key found, in one change")
	return func(r *runner, args []string) error {
		ks := &keyScan{store: r.store, seen: map[string]bool{}}
		for _, root := range args {
			if root == "-" {
				b, err := io.ReadAll(r.env.Stdin)
				if err != nil {
					ks.skip("-", "stdin cannot be read: "+data.Redact(err.Error()), true)
					continue
				}
				ks.text("-", b)
				continue
			}
			ks.root(root)
		}
		report := scanReport{Found: ks.found, Skipped: ks.skipped}
		var toDisable []uuid.UUID
		for _, f := range ks.found {
			if f.Live {
				report.Live++
				if f.Kind == "user key" {
					toDisable = append(toDisable, f.id)
				}
			}
		}
		unread := 0
		for _, s := range ks.skipped {
			if s.Unread {
				unread++
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
		for _, f := range ks.found {
			fmt.Fprintf(&text, "%s:%d: %s is %s\n", f.File, f.Line, f.Hint, f.Summary)
		}
		for _, s := range ks.skipped {
			fmt.Fprintf(&text, "%s: skipped: %s\n", s.Path, s.Reason)
		}
		fmt.Fprintf(&text, "%s found, %d live", data.Count(len(ks.found), "key", "keys"), report.Live)
		if len(disabled) > 0 {
			names := make([]string, len(disabled))
			for i, k := range disabled {
				names[i] = k.Name
			}
			fmt.Fprintf(&text, "; disabled %s", strings.Join(names, ", "))
		}
		if unread > 0 {
			fmt.Fprintf(&text, "; %s could not be read", data.Count(unread, "path", "paths"))
		}
		text.WriteString(".\n")
		if report.Found == nil {
			report.Found = []foundKey{}
		}
		if report.Skipped == nil {
			report.Skipped = []skippedPath{}
		}
		if err := r.print(report, text.String()); err != nil {
			return err
		}
		switch {
		case report.Live > 0 && unread > 0:
			return &data.Error{Code: data.EConflict, Message: fmt.Sprintf("Live keys were found, and %s could not be read: see above.", data.Count(unread, "path", "paths"))}
		case report.Live > 0:
			return errLiveKeysFound
		case unread > 0:
			return &data.Error{Code: data.EInvalid, Message: fmt.Sprintf("No live key was found, but %s could not be read, so the scan is not complete: see above.", data.Count(unread, "path", "paths"))}
		}
		return nil
	}
}

// errLiveKeysFound is keys scan's exit status 1 when it found a live key:
// what it found is on stdout already.
var errLiveKeysFound = &data.Error{Code: data.EConflict, Message: "Live keys were found: see above."}
