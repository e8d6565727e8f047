package data

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
)

// A backup is a consistent snapshot of every record of an account, in a
// file of JSON lines that any backend can restore: a header, one line per
// record (its key, its value, and for a task the time it has left), and a
// last line with the number of records and the SHA-256 of every line
// before it, so that a cut or altered file is refused. The account key is
// in it sealed, as it is stored; the seal key never is: a leaked backup
// reveals no secret.

// BackupFormat names the file format in a backup's first line.
const BackupFormat = "keyward-backup"

// backupVersion is the version of the format this Keyward writes and reads.
const backupVersion = 1

// backupRecordPrefixes are the tables a backup holds, with the account and
// settings records before them.
var backupRecordPrefixes = [][]byte{prefixUser, prefixKey, prefixLastUsed, prefixSysLog, prefixSession, prefixTask}

// backupSequences are the sequences a backup carries on.
var backupSequences = []string{seqAccount, seqUser, seqLog}

type backupHeader struct {
	Format      string    `json:"format"`
	Version     int       `json:"version"`
	Created     time.Time `json:"created"`
	Account     string    `json:"account,omitempty"`
	AccountID   int64     `json:"accountId,omitempty"`
	SealKeyFile string    `json:"sealKeyFile,omitempty"` // where the seal key was, to remind whoever restores
	// Sequences holds, for each id sequence, a value above every id it had
	// handed out.
	Sequences map[string]uint64 `json:"sequences"`
}

// backupLine is a record line, or (with End) the last line.
type backupLine struct {
	Key   []byte          `json:"k,omitempty"`
	Value json.RawMessage `json:"v,omitempty"`
	TTL   int64           `json:"ttl,omitempty"` // seconds left, for records that expire
	End   bool            `json:"end,omitempty"`
	Count int             `json:"records,omitempty"`
	Sum   string          `json:"sha256,omitempty"`
}

// BackupInfo describes a backup written or restored.
type BackupInfo struct {
	Account     string    // the account's name; "" for a store without one
	Created     time.Time // when the backup was taken
	Records     int
	SealKeyFile string // where the seal key was when the backup was taken
	// AccountKeySealed tells whether the backup holds a sealed account key
	// (the API was enabled).
	AccountKeySealed bool
}

// SealKeyNote is what to tell whoever made the backup about its seal key;
// "" when the backup holds no account key.
func (i BackupInfo) SealKeyNote() string {
	if !i.AccountKeySealed {
		return ""
	}
	return fmt.Sprintf("The account key is in it sealed, and its seal key is not: keep a copy of the seal key file %s too, apart from the backup. "+
		"Restoring needs it to recover the account key; without it, a new account key can be issued.", i.SealKeyFile)
}

// WriteBackupFile writes the backup that write makes to the file at path
// (WriteFile: readable by its owner only, whole or not at all; with
// exclusive, an existing file is refused), then reads it back whole, so
// that a backup cut short says so now and not at a restore. It returns
// what the file holds.
func WriteBackupFile(path string, exclusive bool, write func(io.Writer) error) (BackupInfo, error) {
	if err := WriteFile(path, exclusive, write); err != nil {
		var e *Error
		switch {
		case errors.As(err, &e):
			return BackupInfo{}, err
		case errors.Is(err, fs.ErrExist):
			return BackupInfo{}, Errorf(EConflict, "%s already exists: choose another file name, or remove it first.", path)
		}
		return BackupInfo{}, Errorf(EInternal, "Could not write the backup %s: %v.", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return BackupInfo{}, Errorf(EInternal, "Could not read back the backup %s: %v.", path, err)
	}
	defer f.Close()
	b, err := readBackup(f, false)
	if err != nil {
		os.Remove(path)
		return BackupInfo{}, Errorf(EInternal, "The backup written to %s did not read back whole (%s); it was removed. Try again.", path, ErrorMessage(err))
	}
	return b.Info, nil
}

// Backup writes a consistent snapshot of every record to w: nothing this
// process changes comes in between, and a shared backend is read again
// until no other process committed while it was read. Pending last-used
// times are written first, so that the backup has them.
func (s *Store) Backup(w io.Writer) (BackupInfo, error) {
	head, records, info, err := s.consistentSnapshot()
	if err != nil {
		return BackupInfo{}, err
	}
	// Encoded and written without holding the store: a slow reader
	// delays no change.
	return info, writeBackup(w, head, records)
}

func (s *Store) consistentSnapshot() ([]byte, []backupLine, BackupInfo, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.closed {
		return nil, nil, BackupInfo{}, errClosed
	}
	if _, _, err := s.flushLastUsedLocked(); err != nil && !errors.Is(err, ErrConflict) {
		return nil, nil, BackupInfo{}, err
	}
	for attempt := 1; ; attempt++ {
		before, err := s.b.Rev()
		if err != nil {
			return nil, nil, BackupInfo{}, readError(err)
		}
		head, records, info, err := s.snapshot()
		if err != nil {
			return nil, nil, BackupInfo{}, err
		}
		after, err := s.b.Rev()
		if err != nil {
			return nil, nil, BackupInfo{}, readError(err)
		}
		if after == before {
			return head, records, info, nil
		}
		if attempt == maxAttempts {
			return nil, nil, BackupInfo{}, Errorf(EConflict, "Other processes kept changing the account while it was backed up: try again.")
		}
	}
}

// snapshot reads the backup's header line and every record. The caller
// holds writeMu.
func (s *Store) snapshot() ([]byte, []backupLine, BackupInfo, error) {
	now := s.opts.Now()
	info := BackupInfo{Created: now.UTC().Truncate(time.Second), SealKeyFile: s.opts.SealKeyFile}
	header := backupHeader{Format: BackupFormat, Version: backupVersion, Created: info.Created,
		SealKeyFile: s.opts.SealKeyFile, Sequences: map[string]uint64{}}
	var records []backupLine
	add := func(key, value []byte, ttl int64) {
		records = append(records, backupLine{Key: bytes.Clone(key), Value: bytes.Clone(value), TTL: ttl})
	}
	for _, key := range [][]byte{keyAccount, keySettings} {
		v, found, err := s.b.Get(key)
		if err != nil {
			return nil, nil, info, readError(err)
		}
		if !found {
			continue
		}
		if bytes.Equal(key, keyAccount) {
			var acct accountRecord
			if err := decode(v, &acct); err != nil {
				return nil, nil, info, err
			}
			header.Account, header.AccountID, info.Account = acct.Name, acct.ID, acct.Name
			info.AccountKeySealed = len(acct.SealedKey) > 0
		}
		add(key, v, 0)
	}
	for _, prefix := range backupRecordPrefixes {
		err := s.b.Scan(prefix, false, func(key, value []byte) (bool, error) {
			var ttl int64
			if bytes.Equal(prefix, prefixTask) {
				var rec taskRecord
				if err := decode(value, &rec); err != nil {
					return false, err
				}
				left := TaskRetention - now.Sub(rec.Timestamp)
				if left < time.Second {
					return true, nil // expires before it could be restored
				}
				ttl = int64(left / time.Second)
			}
			add(key, value, ttl)
			return true, nil
		})
		if err != nil {
			return nil, nil, info, readError(err)
		}
	}
	// The sequences are read after the records: every id a record has,
	// whichever process handed it out, is then below them.
	for _, seq := range backupSequences {
		v, err := s.b.Next(seq)
		if err != nil {
			return nil, nil, info, readError(err)
		}
		header.Sequences[seq] = v
	}
	head, err := json.Marshal(header)
	if err != nil {
		return nil, nil, info, storageError("encode the backup's header", err)
	}
	info.Records = len(records)
	return head, records, info, nil
}

// writeBackup writes the header line, a line for each record, and the
// last line that counts and sums them. The records are encoded a chunk a
// core at a time, and written in order.
func writeBackup(w io.Writer, head []byte, records []backupLine) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	sum := sha256.New()
	out := io.MultiWriter(bw, sum)
	out.Write(head)
	out.Write([]byte{'\n'})
	const chunk = 512
	err := WriteChunks(out, (len(records)+chunk-1)/chunk, func(c int, b *bytes.Buffer) error {
		enc := json.NewEncoder(b) // json.Marshal's bytes, and a newline
		for _, l := range records[c*chunk : min(len(records), (c+1)*chunk)] {
			if err := enc.Encode(l); err != nil {
				return storageError("encode a record of the backup", err)
			}
		}
		return nil
	})
	if err != nil {
		return storageError("write the backup", err)
	}
	end, _ := json.Marshal(backupLine{End: true, Count: len(records), Sum: hex.EncodeToString(sum.Sum(nil))})
	bw.Write(end)
	bw.WriteByte('\n')
	return storageError("write the backup", bw.Flush())
}

// Backup is a backup read and checked, ready to restore.
type Backup struct {
	Info    BackupInfo
	header  backupHeader
	records []backupLine
}

// maxBackupLine bounds one line of a backup: a record is a few hundred
// bytes, and none may be more than Badger's 64 KiB value threshold.
const maxBackupLine = 1 << 20

// ReadBackup reads a backup and checks it whole, its format, version,
// record count and checksum, before anything is restored from it.
func ReadBackup(r io.Reader) (*Backup, error) { return readBackup(r, true) }

// The start of a record line as writeBackup writes it, and of the account
// record's.
var (
	recordLine  = []byte(`{"k":"`)
	accountLine = []byte(`{"k":"` + base64.StdEncoding.EncodeToString(keyAccount) + `"`)
)

// readBackup is ReadBackup; without decodeAll, the records but the account's
// are checked by the count and the checksum alone, not decoded, and not
// kept: how a backup just written is read back (a third of the time of
// backing up 100,000 keys went to decoding them again).
func readBackup(r io.Reader, decodeAll bool) (*Backup, error) {
	errNot := Errorf(EInvalid, "This file is not a Keyward backup (one made by 'keyward backup' or the console's Back up now).")
	errCut := Errorf(EInvalid, "The backup is incomplete: it ends before its last line (it was cut short while being written or copied). Restore an intact copy.")
	br := bufio.NewReader(r)
	sum := sha256.New()
	var b Backup
	lineNo, records := 0, 0
	ended := false
	for {
		line, err := readLine(br)
		if err == io.EOF {
			break
		}
		if errors.Is(err, errLineTooLong) {
			if lineNo == 0 {
				return nil, errNot
			}
			return nil, Errorf(EInvalid, "Line %d of the backup is damaged; restore an intact copy.", lineNo+1)
		}
		if err != nil {
			return nil, storageError("read the backup", err)
		}
		lineNo++
		if line[len(line)-1] != '\n' {
			if lineNo == 1 {
				return nil, errNot
			}
			return nil, errCut // the last line was cut
		}
		line = line[:len(line)-1]
		if ended {
			return nil, Errorf(EInvalid, "The backup goes on after its last line (line %d): it was altered.", lineNo)
		}
		if lineNo == 1 {
			if err := json.Unmarshal(line, &b.header); err != nil || b.header.Format != BackupFormat {
				return nil, errNot
			}
			if b.header.Version > backupVersion {
				return nil, Errorf(EInvalid, "The backup was made by a newer version of Keyward (format %d): upgrade Keyward to restore it.", b.header.Version)
			}
			sum.Write(line)
			sum.Write([]byte{'\n'})
			continue
		}
		// Without decodeAll, a record line is checked by the count and the
		// sum alone.
		if decodeAll || !bytes.HasPrefix(line, recordLine) || bytes.HasPrefix(line, accountLine) {
			var l backupLine
			if err := json.Unmarshal(line, &l); err != nil {
				return nil, Errorf(EInvalid, "Line %d of the backup is damaged; restore an intact copy.", lineNo)
			}
			if l.End {
				if l.Count != records || l.Sum != hex.EncodeToString(sum.Sum(nil)) {
					return nil, Errorf(EInvalid, "The backup is damaged: its checksum does not match what it holds. Restore an intact copy.")
				}
				ended = true
				continue
			}
			if len(l.Key) == 0 || len(l.Value) == 0 {
				return nil, Errorf(EInvalid, "Line %d of the backup is damaged; restore an intact copy.", lineNo)
			}
			b.records = append(b.records, l)
		}
		records++
		sum.Write(line)
		sum.Write([]byte{'\n'})
	}
	if lineNo == 0 {
		return nil, errNot
	}
	if !ended {
		return nil, errCut
	}
	if decodeAll {
		if err := b.checkSequences(); err != nil {
			return nil, err
		}
	}
	b.Info = BackupInfo{Account: b.header.Account, Created: b.header.Created, Records: records, SealKeyFile: b.header.SealKeyFile}
	for _, l := range b.records {
		if bytes.Equal(l.Key, keyAccount) {
			var acct accountRecord
			if err := decode(l.Value, &acct); err == nil {
				b.Info.AccountKeySealed = len(acct.SealedKey) > 0
			}
		}
	}
	return &b, nil
}

// checkSequences refuses a backup whose sequences would hand out an id
// one of its records has: a backup taken by Keyward records each one
// above every id, so this one was edited, and restored it would give a
// new user another's id and keys, or a new log entry an old one's place.
func (b *Backup) checkSequences() error {
	for _, l := range b.records {
		var id int64
		var seq, what string
		switch {
		case bytes.HasPrefix(l.Key, prefixUser):
			id, _ = keyID(prefixUser, l.Key)
			seq, what = seqUser, "a user"
		case bytes.HasPrefix(l.Key, prefixSysLog):
			id, _ = keyID(prefixSysLog, l.Key)
			seq, what = seqLog, "a system log entry"
		case bytes.HasPrefix(l.Key, prefixSession):
			id, _ = keyID(prefixSession, l.Key)
			seq, what = seqLog, "a session log entry"
		case bytes.Equal(l.Key, keyAccount):
			var acct accountRecord
			if decode(l.Value, &acct) != nil {
				continue
			}
			id, seq, what = acct.ID, seqAccount, "the account"
		default:
			continue
		}
		if next := b.header.Sequences[seq]; id < 0 || uint64(id) >= next {
			return Errorf(EInvalid, "The backup does not hold together: %s has the id %d, which its header would hand out again (%s is at %d). A backup Keyward wrote is never so: this one was edited. Restore an intact copy.", what, id, seq, next)
		}
	}
	return nil
}

var errLineTooLong = errors.New("line too long")

// readLine reads one line, with its newline if it has one, up to
// maxBackupLine bytes; io.EOF when there is none left.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxBackupLine {
			return nil, errLineTooLong
		}
		switch {
		case err == nil:
			return line, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(line) > 0:
			return line, nil
		default:
			return nil, err
		}
	}
}

// restoreBatch is how many records a restore commits at once, well inside
// what a backend commits in one batch.
var restoreBatch = 200

// Restore loads a backup into this store, which must be new: no account,
// no records. With a seal key (the contents of the seal key file of the
// store the backup was taken from), it installs that key first, so that
// the restored account key can be read; it refuses a seal key file that
// exists with another key. It returns whether the restored account key can
// be read.
func (s *Store) Restore(b *Backup, sealKey []byte) (accountKeyReadable bool, err error) {
	s.writeMu.Lock()
	kinds, readable, err := s.restoreLocked(b, sealKey)
	s.writeMu.Unlock()
	s.notify(kinds)
	return readable, err
}

func (s *Store) restoreLocked(b *Backup, sealKey []byte) (changes, bool, error) {
	fail := func(err error) (changes, bool, error) { return changes{}, false, err }
	if s.closed {
		return fail(errClosed)
	}
	rev, err := s.b.Rev()
	if err != nil {
		return fail(readError(err))
	}
	// A store is restored into when it is new, or when it holds what a
	// restore that did not finish wrote (its marker tells): that is
	// cleared first, and the restore starts over.
	_, unfinished, err := s.b.Get(keyRestoring)
	if err != nil {
		return fail(readError(err))
	}
	var left []Op
	hasAccount := false
	for _, prefix := range append([][]byte{keyAccount, keySettings}, backupRecordPrefixes...) {
		err := s.b.Scan(prefix, false, func(key, _ []byte) (bool, error) {
			left = append(left, Op{Key: bytes.Clone(key)})
			hasAccount = hasAccount || bytes.Equal(key, keyAccount)
			return unfinished, nil // to know that a store is not empty, one record is enough
		})
		if err != nil {
			return fail(readError(err))
		}
	}
	switch {
	case unfinished && hasAccount:
		// Only a Keyward that knows no marker would have made an
		// account beside one: what is there is in use, not a restore's.
		return fail(Errorf(EConflict, "%s holds an account beside the marker of a restore that did not finish: restore into a new, empty data directory (or shared store) instead, so that nothing is overwritten.", s.b.Location()))
	case !unfinished && (rev != 0 || len(left) > 0):
		return fail(Errorf(EConflict, "%s already holds data: restore into a new, empty data directory (or shared store) instead, so that nothing is overwritten.", s.b.Location()))
	}
	if sealKey != nil {
		if err := b.checkSealKey(sealKey); err != nil {
			return fail(err)
		}
		if err := s.installSealKey(sealKey); err != nil {
			return fail(err)
		}
	}
	// What a restore commits in batches it commits behind the marker, put
	// first, and the account record comes last, in the batch that removes
	// the marker: until then the store has no account, and a restore that
	// stops midway (a full disk, a shared store out of reach) leaves
	// nothing that passes for an account. Each batch expects the revision
	// the one before made, so that another process writing meanwhile (a
	// second restore, an init, on a shared store) stops this one rather
	// than mixing with it.
	interrupted := func(op string, err error) (changes, bool, error) {
		cause := s.commitError(op, err)
		msg := ErrorMessage(cause)
		switch {
		case errors.Is(err, ErrUnreachable):
			msg = ErrorMessage(err) // without unreachable's "nothing was changed"
		case errors.Is(err, ErrConflict):
			msg = fmt.Sprintf("Another process wrote to %s while it was restored into", s.b.Location())
		}
		return fail(&Error{Code: ErrorCode(cause), Err: cause, Message: strings.TrimSuffix(msg, ".") +
			". The copy of the account did not finish, and it is not in use: make sure nothing else writes to it, then run the same command again; it starts over."})
	}
	expect := rev
	commit := func(ops []Op) error {
		r, err := s.b.Commit(expect, ops)
		expect = r
		return err
	}
	marker, err := json.Marshal(restoringRecord{V: recordVersion, Account: b.header.Account, Created: b.header.Created, Started: s.opts.Now().UTC()})
	if err != nil {
		return fail(storageError("encode the restore's marker", err))
	}
	// A batch belongs to the backend once committed (its watches may
	// still read it): each is a slice of its own.
	clearing := append([]Op{{Key: keyRestoring, Value: marker}}, left...)
	for len(clearing) > 0 {
		n := min(len(clearing), restoreBatch)
		if err := commit(clearing[:n:n]); err != nil {
			return interrupted("clear what a restore left", err)
		}
		clearing = clearing[n:]
	}
	var account *Op
	var ops []Op
	for _, l := range b.records {
		op := Op{Key: l.Key, Value: l.Value, TTL: time.Duration(l.TTL) * time.Second}
		if bytes.Equal(l.Key, keyAccount) {
			if sealKey == nil {
				// Restored without its seal key, and unless this store's
				// seal key file is that key (migrate --to), the account key
				// is lost, and so is the seal key it names: the API may be
				// enabled again with a new one.
				var acct accountRecord
				if err := decode(l.Value, &acct); err == nil && acct.SealKeyID != "" && !s.sealKeyMatches(acct) {
					acct.SealKeyID = ""
					if op.Value, err = json.Marshal(acct); err != nil {
						return fail(storageError("encode the account", err))
					}
				}
			}
			account = &op
			continue
		}
		ops = append(ops, op)
		if len(ops) == restoreBatch {
			if err := commit(ops); err != nil {
				return interrupted("restore the backup", err)
			}
			ops = nil
		}
	}
	for seq, past := range b.header.Sequences {
		if err := s.b.Advance(seq, past); err != nil {
			return interrupted("restore the id sequences", err)
		}
	}
	if account != nil {
		ops = append(ops, *account)
	}
	if err := commit(append(ops, Op{Key: keyRestoring})); err != nil {
		return interrupted("restore the backup", err)
	}
	// The index is read from what was restored, as when a store opens.
	var fresh index
	rev, err = s.load(&fresh)
	if err != nil {
		return fail(err)
	}
	s.mu.Lock()
	s.ix = fresh
	s.generation.Add(1)
	s.advance(rev)
	readable := s.ix.account != nil && s.ix.accountKeyErr == nil
	s.mu.Unlock()
	return changes{main: kindAll}, readable, nil
}

// sealKeyMatches tells whether the store's seal key file is acct's seal
// key (accountRecord.sealedWith).
func (s *Store) sealKeyMatches(acct accountRecord) bool {
	key, err := s.sealKey(false)
	return err == nil && acct.sealedWith(key)
}

// checkSealKey refuses a seal key that cannot read the backup's account
// key, before anything is restored.
func (b *Backup) checkSealKey(key []byte) error {
	if len(key) != 32 {
		return Errorf(EInvalid, "A seal key is 32 bytes; this file has %d: give the seal.key file of the data directory the backup was taken from.", len(key))
	}
	for _, l := range b.records {
		if !bytes.Equal(l.Key, keyAccount) {
			continue
		}
		var acct accountRecord
		if err := decode(l.Value, &acct); err != nil {
			return err
		}
		if !acct.sealedWith(key) {
			was := ""
			if b.header.SealKeyFile != "" {
				was = fmt.Sprintf(" (it was %s)", b.header.SealKeyFile)
			}
			return Errorf(EInvalid, "This seal key does not match the account key in this backup: give the seal.key of the data directory the backup was taken from%s.", was)
		}
	}
	return nil
}

// installSealKey writes key as the store's seal key file, unless that file
// already holds it; another key there is refused.
func (s *Store) installSealKey(key []byte) error {
	path := s.opts.SealKeyFile
	if path == "" {
		return Errorf(EInvalid, "This store has no seal key file to install the seal key in.")
	}
	existing, err := os.ReadFile(path)
	if err == nil {
		if bytes.Equal(existing, key) {
			return nil
		}
		return Errorf(EConflict, "A different seal key is already at %s: move it aside first, or restore into a new data directory.", path)
	}
	return writeSealKey(path, key)
}

// SealKeyFile returns the file the store's seal key lives in.
func (s *Store) SealKeyFile() string { return s.opts.SealKeyFile }

// BackupName suggests a file name for a backup of the account taken at t.
func BackupName(account string, t time.Time) string {
	return fmt.Sprintf("keyward-%s-%s.backup", FileNamePart(account), t.UTC().Format("20060102-150405"))
}

// FileNamePart is an account's name as a part of a file name that every
// system takes: ASCII letters, digits, '-' and '_', each other character
// a '-'; "account" for a name with none of them.
func FileNamePart(account string) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, account)
	if strings.Trim(name, "-") == "" {
		name = "account"
	}
	return name
}
