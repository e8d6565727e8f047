package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"keyward/data"
)

func setupBackup(*flag.FlagSet) func(*runner, []string) error {
	return func(r *runner, args []string) error {
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

func readBackupFile(file string) (*data.Backup, error) {
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

func setupRestore(flags *flag.FlagSet) func(*runner, []string) error {
	sealFile := flags.String("seal-key-file", "", "the seal.key file of the data directory the backup was taken from")
	return func(r *runner, args []string) error {
		if err := checkEmptyDir(r.dataDir); err != nil {
			return err
		}
		backup, err := readBackupFile(args[0])
		if err != nil {
			return err
		}
		var sealKey []byte
		if *sealFile != "" {
			if sealKey, err = os.ReadFile(*sealFile); err != nil {
				return data.Errorf(data.EInvalid, "Cannot read the seal key file %s: %v.", data.Quote(*sealFile), err)
			}
		}
		_, statErr := os.Stat(r.dataDir)
		created := errors.Is(statErr, fs.ErrNotExist)
		if err := r.open(true); err != nil {
			return err
		}
		readable, err := r.store.Restore(backup, sealKey)
		if err == nil && backup.Info.AccountKeySealed && sealKey != nil && !readable {
			err = data.Errorf(data.EInvalid, "The seal key %s does not match the account key in this backup: give the seal.key of the data directory the backup was taken from (it was %s).", *sealFile, backup.Info.SealKeyFile)
		}
		if err != nil {
			// Leave the directory as it was found: empty, or not there.
			location := r.store.Location()
			r.store.Close()
			r.store = nil
			clearDir(location, created)
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
