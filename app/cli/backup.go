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

	"keyward/data"
)

func setupBackup(*flag.FlagSet) func(*runner, []string) error {
	return func(r *runner, args []string) error {
		if err := checkBackupName(args[0], true); err != nil {
			return err
		}
		file, err := filepath.Abs(args[0])
		if err != nil {
			return data.Errorf(data.EInvalid, "The backup file %s cannot be named: %v.", data.Quote(args[0]), err)
		}
		err = r.open(false)
		held := errors.Is(err, data.ErrInUse)
		if err != nil && !held {
			return err
		}
		info, err := data.WriteBackupFile(file, true, func(w io.Writer) error {
			if held { // the console or serve makes it
				if r.env.RequestBackup == nil {
					return data.Errorf(data.EConflict, "The data directory %s is in use, and this build cannot ask its holder for a backup.", r.dataDir)
				}
				return r.env.RequestBackup(r.dataDir, w)
			}
			_, err := r.store.Backup(w)
			return err
		})
		if err != nil {
			return err
		}
		text := fmt.Sprintf("Backed up the account %s to %s (%s).\n", info.Account, file, data.Count(info.Records, "record", "records"))
		if note := info.SealKeyNote(); note != "" {
			text += note + " ('keyward restore --seal-key-file' installs it.)\n"
		}
		return r.print(map[string]any{"file": file, "account": info.Account, "records": info.Records,
			"accountKeySealed": info.AccountKeySealed, "sealKeyFile": info.SealKeyFile}, text)
	}
}

// checkBackupName refuses a backup file name that names no file: empty,
// or - (a backup is written to a file and read back to check it, which
// standard output cannot be; a restore reads one file, as it was written).
func checkBackupName(name string, writing bool) error {
	switch strings.TrimSpace(name) {
	case "":
		return data.Errorf(data.EInvalid, "The backup file name is empty: give one, such as /safe/place/acme-2026-12-01.backup.")
	case "-":
		if writing {
			return data.Errorf(data.EInvalid, "A backup goes into a file, which Keyward reads back to check, not to standard output: give a file name, such as /safe/place/acme-2026-12-01.backup.")
		}
		return data.Errorf(data.EInvalid, "A backup is restored from its file, not from standard input: give the file's name, such as /safe/place/acme-2026-12-01.backup.")
	}
	return nil
}

func readBackupFile(file string) (*data.Backup, error) {
	if err := checkBackupName(file, false); err != nil {
		return nil, err
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, data.Errorf(data.EInvalid, "Cannot read the backup %s: %v.", file, err)
	}
	defer f.Close()
	b, err := data.ReadBackup(f)
	if err != nil {
		return nil, data.Errorf(data.EInvalid, "%s: %s", file, data.ErrorMessage(err))
	}
	return b, nil
}

// setupRestore: the global --seal-key-file is the seal key of the account
// in the backup. A data directory gets a copy of it as its own seal.key; a
// shared store uses the file itself, as every machine does.
func setupRestore(*flag.FlagSet) func(*runner, []string) error {
	return func(r *runner, args []string) error {
		sealFile := r.where.SealKeyFile
		var err error
		again := false
		if r.where.Store == "" {
			if again, err = r.restoresAgain(); err != nil {
				return err
			}
		}
		backup, err := readBackupFile(args[0])
		if err != nil {
			return err
		}
		var sealKey []byte
		if sealFile != "" {
			if sealKey, err = os.ReadFile(sealFile); err != nil {
				return data.Errorf(data.EInvalid, "Cannot read the seal key file %s: %v.", data.Quote(sealFile), err)
			}
		}
		_, statErr := os.Stat(r.where.DataDir)
		created := errors.Is(statErr, fs.ErrNotExist)
		if r.where.Store == "" {
			r.where.SealKeyFile = "" // the new directory keeps its own copy
		}
		if err := r.open(true); err != nil {
			return err
		}
		if again && r.store.Initialized() {
			r.store.Close()
			r.store = nil
			return checkEmptyDir(r.where.DataDir)
		}
		readable, err := r.store.Restore(backup, sealKey)
		if err == nil && backup.Info.AccountKeySealed && sealKey != nil && !readable {
			err = data.Errorf(data.EInvalid, "The seal key %s does not match the account key in this backup: give the seal.key of the data directory the backup was taken from (it was %s).", sealFile, backup.Info.SealKeyFile)
		}
		if err != nil {
			r.store.Close()
			r.store = nil
			if r.where.Store == "" && !again {
				// Leave the directory as it was found: empty, or not there.
				clearDir(r.where.DataDir, created)
			}
			return err
		}
		info := backup.Info
		text := fmt.Sprintf("Restored the account %s (%s, backed up %s) into %s.\n",
			info.Account, data.Count(info.Records, "record", "records"), timeText(info.Created), r.store.Location())
		switch {
		case !info.AccountKeySealed:
		case readable:
			text += "The account key was recovered with the seal key.\n"
		default:
			text += fmt.Sprintf("The account key cannot be recovered without the seal key of the data directory the backup came from (it was %s): "+
				"run the restore again into a new directory with --seal-key-file, or issue a new account key with 'keyward api disable' and 'keyward api enable'.\n", info.SealKeyFile)
		}
		return r.print(map[string]any{"dataDir": r.store.Location(), "account": info.Account, "records": info.Records,
			"accountKeyRecovered": info.AccountKeySealed && readable}, text)
	}
}

// restoresAgain checks that the data directory a restore or a migrate
// --from writes into is new, or holds a store with no account, such as
// one a restore stopped in the middle of: again tells the latter, which
// Restore starts over (or refuses if the store holds other data), and
// which a failure leaves as it is.
func (r *runner) restoresAgain() (again bool, err error) {
	if err := checkEmptyDir(r.where.DataDir); err != nil {
		if r.env.IsDataDir == nil || !r.env.IsDataDir(r.where.DataDir) {
			return false, err
		}
		return true, nil
	}
	return false, nil
}

// checkEmptyDir refuses a data directory that exists and holds anything:
// a restore never writes over data.
func checkEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return data.Errorf(data.EInvalid, "Cannot read the data directory %s: %v.", dir, err)
	case len(entries) > 0:
		return data.Errorf(data.EConflict, "The data directory %s is not empty: restore into a new directory (--data NEW_DIR), so that nothing is overwritten.", dir)
	}
	return nil
}

// clearDir removes what a failed restore wrote into dir, which was empty
// or, if created, not there.
func clearDir(dir string, created bool) {
	if created {
		os.RemoveAll(dir)
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

func setupMigrate(flags *flag.FlagSet) func(*runner, []string) error {
	to := flags.String("to", "", "the shared store to copy the data directory into")
	from := flags.String("from", "", "the shared store to copy into a new data directory")
	return func(r *runner, _ []string) error {
		if (*to == "") == (*from == "") {
			return usagef("migrate needs --to URL (the data directory into a shared store) or --from URL (a shared store into a new data directory)")
		}
		if r.where.Store != "" {
			return usagef("migrate copies between --data DIR and the shared store of --to or --from; leave out --store")
		}
		logf := func(format string, args ...any) { fmt.Fprintf(r.env.Stderr, "keyward: "+format+"\n", args...) }
		if r.env.OpenShared == nil {
			return data.Errorf(data.EInvalid, "This build of keyward cannot use a shared store.")
		}
		var src, dst *data.Store
		var sealKey []byte
		var err error
		created, again := false, false
		if *to != "" {
			if src, err = r.env.Open(r.where.DataDir, data.Options{Logf: logf, SealKeyFile: r.where.SealKeyFile}); err != nil {
				return err
			}
			defer src.Close()
			if !src.Initialized() {
				return data.Errorf(data.ENotFound, "The data directory %s has no account to copy.", r.where.DataDir)
			}
			// The account key is copied sealed: the shared store is read
			// with this directory's seal key file.
			if dst, err = r.env.OpenShared(*to, data.Options{Logf: logf, SealKeyFile: src.SealKeyFile()}); err != nil {
				return err
			}
		} else {
			if r.where.SealKeyFile == "" {
				return usagef("migrate --from needs the shared store's seal key file: give --seal-key-file FILE or %s", SealKeyEnv)
			}
			if again, err = r.restoresAgain(); err != nil {
				return err
			}
			if sealKey, err = os.ReadFile(r.where.SealKeyFile); err != nil {
				return data.Errorf(data.EInvalid, "Cannot read the seal key file %s: %v.", data.Quote(r.where.SealKeyFile), err)
			}
			if src, err = r.env.OpenShared(*from, data.Options{Logf: logf, SealKeyFile: r.where.SealKeyFile}); err != nil {
				return err
			}
			defer src.Close()
			if !src.Initialized() {
				return data.Errorf(data.ENotFound, "The shared store %s has no account to copy.", src.Location())
			}
			if !src.AccountKeyReadable() {
				return data.Errorf(data.EInvalid, "The seal key file %s does not open the account key of %s: give --seal-key-file the seal key file this account uses (the one init or migrate --to named; every machine that uses the store has a copy).", data.Quote(r.where.SealKeyFile), src.Location())
			}
			_, statErr := os.Stat(r.where.DataDir)
			created = errors.Is(statErr, fs.ErrNotExist)
			if dst, err = r.env.Open(r.where.DataDir, data.Options{Logf: logf}); err != nil {
				return err
			}
			if again && dst.Initialized() {
				dst.Close()
				return checkEmptyDir(r.where.DataDir)
			}
		}
		var buf bytes.Buffer
		if _, err := src.Backup(&buf); err != nil {
			dst.Close()
			return err
		}
		b, err := data.ReadBackup(&buf)
		if err == nil {
			var readable bool
			readable, err = dst.Restore(b, sealKey)
			if err == nil && b.Info.AccountKeySealed && !readable {
				err = data.Errorf(data.EInvalid, "The account key cannot be read on %s with the seal key file %s.", dst.Location(), dst.SealKeyFile())
			}
		}
		location, sealFile := dst.Location(), dst.SealKeyFile()
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			if *from != "" && !again {
				clearDir(r.where.DataDir, created)
			}
			return err
		}
		text := fmt.Sprintf("Copied the account %s (%s) from %s to %s.\n", b.Info.Account, data.Count(b.Info.Records, "record", "records"), src.Location(), location)
		if *to != "" {
			text += fmt.Sprintf("The shared store uses this directory's seal key file %s: give it as --seal-key-file (or %s) on every machine that uses the store, "+
				"with a copy of the file. The data directory is left as it was: stop using it, or the two will drift apart.\n", sealFile, SealKeyEnv)
		} else {
			text += fmt.Sprintf("The data directory has its own copy of the seal key, %s.\n", sealFile)
		}
		return r.print(map[string]any{"from": src.Location(), "to": location, "account": b.Info.Account, "records": b.Info.Records, "sealKeyFile": sealFile}, text)
	}
}
