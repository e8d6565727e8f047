// Package cli is the keyward command line: every administrator action of
// the console, for scripts and for machines without a display. It applies
// the same rules through package data and writes the same log entries.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"keyward/app/api"
	"keyward/data"
)

// Env is what the command line runs with; tests supply their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// DefaultDataDir is the data directory when neither --data nor
	// KEYWARD_DATA names one.
	DefaultDataDir string
	// Open opens the account's store in a data directory; main.go passes
	// the Badger backend's (data/badger.OpenStore).
	Open func(dataDir string, opts data.Options) (*data.Store, error)
	// OpenShared opens the account's store in a shared store given by its
	// URL (data/redis.OpenStore). Nil means there is none in this build.
	OpenShared func(url string, opts data.Options) (*data.Store, error)
	// IsDataDir tells whether a directory holds a data directory's store
	// (data/badger.IsDataDir): a restore that did not finish may be run
	// again into one. Nil means never.
	IsDataDir func(dir string) bool
	// RequestBackup asks the process that holds a data directory (the
	// console, serve) for a backup of it (data/badger.RequestBackup).
	RequestBackup func(dataDir string, w io.Writer) error
	// Console opens the window when no command is given, on the store
	// that open opens (where describes it), and returns the exit status.
	// Nil means there is no console.
	Console func(where Location, open func(data.Options) (*data.Store, error)) int
	// API returns the REST API's supervisor for a store: what `keyward
	// serve` serves with (main.go passes api.NewSupervisor). Nil means
	// there is no serve.
	API func(*data.Store) *api.Supervisor
	// SharedLimiter connects to a shared store for `serve
	// --shared-rate-limit` (data/redis.NewRateLimiter) and returns the
	// limiter and how to disconnect it. Nil means there is none.
	SharedLimiter func(url string) (api.KeyLimiter, func() error, error)
	// Context, when it ends, stops a running `keyward serve` as SIGINT and
	// SIGTERM do. Nil means context.Background().
	Context context.Context
	// Version names this build, for --version.
	Version string
}

// Exit statuses.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// The environment variables that stand for the global flags.
const (
	DataEnv    = "KEYWARD_DATA"          // --data
	StoreEnv   = "KEYWARD_STORE"         // --store
	SealKeyEnv = "KEYWARD_SEAL_KEY_FILE" // --seal-key-file
)

// Location is where the account's data lives, as the flags and the
// environment say: a data directory, or a shared store with the seal key
// file every machine that uses it has a copy of.
type Location struct {
	DataDir     string // the data directory, when Store is ""
	Store       string // the URL of a shared store (Redis)
	SealKeyFile string // the seal key's file; "" means the data directory's own
}

// String says where the data is, for messages.
func (l Location) String() string {
	if l.Store != "" {
		// The URL as given may hold a password (the store's Location
		// says more, once open).
		return "the shared store " + data.URLWithoutSecrets(l.Store)
	}
	return "the data directory " + l.DataDir
}

// usageError is a mistake in how keyward was called: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// runner holds one invocation's settings and store.
type runner struct {
	env                   Env
	dataDir               string // as --data gave it; then the data directory settled
	storeURL, sealKeyFile string
	json                  bool
	store                 *data.Store
	where                 Location // settled by resolveLocation
}

// command is one subcommand: its name and arguments, its help, how many
// positional arguments it takes, and a setup function that declares its
// flags and returns what runs once they are parsed.
type command struct {
	name string // "users add"
	args string // what follows the name in its usage: "--name NAME --email EMAIL --role ROLE"
	// help is what the help text says beside the usage; empty when the
	// usage says it all.
	help string
	// nargs is how many positional arguments it takes; -1 means one or
	// more.
	nargs int
	setup func(fs *flag.FlagSet) func(r *runner, args []string) error
	// required lists the flags that must be given a value.
	required []string
	// creates is true for init, the one command that runs before the
	// account exists.
	creates bool
	// opens is true for the commands that open the store themselves
	// (backup, restore), or not at all.
	opens bool
}

// usage is the command's usage line, without "keyward".
func (c *command) usage() string { return strings.TrimSpace(c.name + " " + c.args) }

// Run runs the keyward command line with args (without the program name)
// and returns the exit status.
func Run(args []string, env Env) int {
	r := &runner{env: env}
	status, err := r.run(args)
	if err != nil {
		fmt.Fprintf(env.Stderr, "keyward: %s\n", message(err))
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(env.Stderr, "Run 'keyward help' for usage.")
			return ExitUsage
		}
		return ExitError
	}
	return status
}

// message is what keyward says of err: never a key (data.Redact), and
// never more than maxMessage characters, however long an argument was.
func message(err error) string {
	msg := data.ErrorMessage(err)
	var u usageError
	if errors.As(err, &u) {
		msg = data.Redact(u.msg)
	}
	if r := []rune(msg); len(r) > maxMessage {
		msg = string(r[:maxMessage]) + "… (cut)"
	}
	return msg
}

// maxMessage bounds an error message; the arguments it repeats are cut
// shorter still (data.Quote).
const maxMessage = 500

// globalFlags declares --data, --store, --seal-key-file and --json on fs;
// every command accepts them, before or after its name.
func (r *runner) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&r.dataDir, "data", r.dataDir, "data directory")
	fs.StringVar(&r.storeURL, "store", r.storeURL, "shared store URL")
	fs.StringVar(&r.sealKeyFile, "seal-key-file", r.sealKeyFile, "seal key file")
	fs.BoolVar(&r.json, "json", r.json, "print JSON")
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by Run
	return fs
}

func (r *runner) run(args []string) (int, error) {
	fs := newFlagSet("keyward")
	r.globalFlags(fs)
	help := fs.Bool("help", false, "")
	fs.BoolVar(help, "h", false, "")
	showVersion := fs.Bool("version", false, "")
	if err := fs.Parse(args); err != nil {
		return 0, usagef("%v", err)
	}
	rest := fs.Args()
	if *help || len(rest) > 0 && rest[0] == "help" {
		fmt.Fprint(r.env.Stdout, r.usage())
		return ExitOK, nil
	}
	if *showVersion {
		fmt.Fprintln(r.env.Stdout, r.env.Version)
		return ExitOK, nil
	}
	if len(rest) == 0 {
		if r.env.Console == nil {
			return 0, usagef("no command given")
		}
		if err := r.resolveLocation(); err != nil {
			return 0, err
		}
		return r.env.Console(r.where, r.openWith), nil
	}
	name, cmd, rest, err := lookup(rest)
	if err != nil {
		return 0, err
	}
	fs = newFlagSet(name)
	r.globalFlags(fs)
	do := cmd.setup(fs)
	pos, err := parseInterleaved(fs, rest)
	if err != nil {
		return 0, usagef("%s: %v", name, err)
	}
	if cmd.nargs < 0 && len(pos) == 0 {
		return 0, usagef("%s needs at least one argument; usage: keyward %s", name, cmd.usage())
	}
	if cmd.nargs >= 0 && len(pos) != cmd.nargs {
		return 0, usagef("%s takes %s; usage: keyward %s", name, data.Count(cmd.nargs, "argument", "arguments"), cmd.usage())
	}
	for _, f := range cmd.required {
		if fs.Lookup(f).Value.String() == "" {
			return 0, usagef("%s needs --%s; usage: keyward %s", name, f, cmd.usage())
		}
	}
	if err := r.resolveLocation(); err != nil {
		return 0, err
	}
	if !cmd.opens {
		if err := r.open(cmd.creates); err != nil {
			return 0, err
		}
	}
	err = do(r, pos)
	if r.store != nil {
		if cerr := r.store.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return 0, err
	}
	return ExitOK, nil
}

// resolveLocation settles where the data is: --store, else KEYWARD_STORE,
// for a shared store; else --data, else KEYWARD_DATA, else the default
// data directory. The seal key file is --seal-key-file, else
// KEYWARD_SEAL_KEY_FILE.
func (r *runner) resolveLocation() error {
	getenv := func(k string) string {
		if r.env.Getenv == nil {
			return ""
		}
		return r.env.Getenv(k)
	}
	if r.storeURL != "" && r.dataDir != "" {
		return usagef("--data and --store name two places for the data: give one")
	}
	if r.storeURL == "" && r.dataDir == "" {
		r.storeURL = getenv(StoreEnv)
	}
	if r.sealKeyFile == "" {
		r.sealKeyFile = getenv(SealKeyEnv)
	}
	r.where = Location{Store: r.storeURL, SealKeyFile: r.sealKeyFile}
	if r.storeURL != "" {
		if r.sealKeyFile == "" {
			return usagef("a shared store needs the seal key file of its account: give --seal-key-file FILE or %s "+
				"(the same file on every machine; 'keyward init' creates it)", SealKeyEnv)
		}
		return nil
	}
	if r.dataDir == "" {
		r.dataDir = getenv(DataEnv)
	}
	if r.dataDir == "" {
		r.dataDir = r.env.DefaultDataDir
	}
	if r.dataDir == "" {
		return usagef("this system names no home directory, so there is no default data directory: choose one with --data DIR or %s", DataEnv)
	}
	r.where.DataDir = r.dataDir
	return nil
}

// openWith opens the store that resolveLocation settled on.
func (r *runner) openWith(opts data.Options) (*data.Store, error) {
	opts.SealKeyFile = r.where.SealKeyFile
	if r.where.Store != "" {
		if r.env.OpenShared == nil {
			return nil, data.Errorf(data.EInvalid, "This build of keyward cannot use a shared store.")
		}
		return r.env.OpenShared(r.where.Store, opts)
	}
	if r.env.Open == nil {
		return nil, data.Errorf(data.EInternal, "This build of keyward cannot open a data directory.")
	}
	return r.env.Open(r.where.DataDir, opts)
}

func (r *runner) open(creates bool) error {
	// A command that creates nothing leaves a missing or empty directory
	// as it is: a mistyped --data makes no store of its own. (One that
	// cannot be read is opened, and opening says why.)
	if !creates && r.where.Store == "" && r.env.IsDataDir != nil && !r.env.IsDataDir(r.where.DataDir) && isMissingOrEmpty(r.where.DataDir) {
		return data.Errorf(data.ENotFound, "%s has no account yet: create one with 'keyward init' or by opening the console "+
			"(or, if the account is elsewhere, give its directory with --data or %s).", capitalize(r.where.String()), DataEnv)
	}
	s, err := r.openWith(data.Options{Logf: func(format string, args ...any) {
		fmt.Fprintf(r.env.Stderr, "keyward: "+format+"\n", args...)
	}})
	if err != nil {
		return err
	}
	if !creates && !s.Initialized() {
		err := s.UnfinishedRestore()
		s.Close()
		if err != nil {
			return err
		}
		if r.where.Store != "" {
			return data.Errorf(data.ENotFound, "The shared store %s has no account yet: check the account= of the store URL (names are case-sensitive), or create the account with 'keyward init' or by opening the console.", s.Location())
		}
		return data.Errorf(data.ENotFound, "%s has no account yet: create one with 'keyward init' or by opening the console.", capitalize(r.where.String()))
	}
	r.store = s
	return nil
}

// isMissingOrEmpty reports whether dir does not exist or holds nothing.
func isMissingOrEmpty(dir string) bool {
	entries, err := os.ReadDir(dir)
	return errors.Is(err, fs.ErrNotExist) || err == nil && len(entries) == 0
}

// capitalize starts s with a capital letter, for a sentence.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// lookup finds the command named by the first one or two arguments.
func lookup(args []string) (string, *command, []string, error) {
	if cmd := find(args[0]); cmd != nil {
		return args[0], cmd, args[1:], nil
	}
	subs := subcommands(args[0])
	if len(subs) == 0 {
		return "", nil, nil, usagef("unknown command %s", data.Quote(args[0]))
	}
	if len(args) < 2 {
		return "", nil, nil, usagef("%s needs a subcommand: %s", args[0], strings.Join(subs, ", "))
	}
	name := args[0] + " " + args[1]
	cmd := find(name)
	if cmd == nil {
		return "", nil, nil, usagef("unknown command %s: %s takes %s", data.Quote(name), args[0], strings.Join(subs, ", "))
	}
	return name, cmd, args[2:], nil
}

// find returns the command called name, or nil.
func find(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func subcommands(group string) []string {
	var subs []string
	for _, c := range commands {
		if g, sub, ok := strings.Cut(c.name, " "); ok && g == group {
			subs = append(subs, sub)
		}
	}
	sort.Strings(subs)
	return subs
}

// parseInterleaved parses flags that come before, between or after the
// positional arguments, which it returns; everything after "--" is
// positional (a key name may start with '-').
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		before := args
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if used := len(before) - len(args); used > 0 && before[used-1] == "--" {
			return append(pos, args...), nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// usage is the help text: how to call keyward, every command of the
// table, and what their arguments may be.
func (r *runner) usage() string {
	def := r.env.DefaultDataDir
	return `Keyward manages the API keys of a Redis-Cloud-style account and serves its REST API.

Usage:
  keyward [--data DIR | --store URL]                       open the console
  keyward [--data DIR | --store URL] [--json] COMMAND ...  run a command

Commands:
` + commandList() + `
Flags, accepted before or after the command:
  --data DIR   the data directory (default: $` + DataEnv + `, else ` + def + `)
  --store URL  a shared store instead, for a team on several machines
               (default: $` + StoreEnv + `): redis://[user:password@]host:port/DB?account=NAME,
               rediss:// for TLS; Sentinel and Cluster add addr=host:port
               parameters, Sentinel master=NAME
  --seal-key-file FILE
               the seal key of the account key (default: $` + SealKeyEnv + `;
               a data directory's own seal.key): a shared store needs it,
               the same file on every machine
  --json       print JSON for scripts instead of text for people
  --version    print the version and exit

Roles: Owner, Manager, Member, Billing Admin, Viewer, "Logs Viewer (API use only)",
or in short owner, manager, member, billing-admin, viewer, logs-viewer.
Key names: 10 to 50 ASCII letters, digits, '-' and '_'. CIDR rules: an IPv4 or
IPv6 prefix such as 203.0.113.0/24, or a single address.
Exit status: 0 on success, 1 on an error, 2 on a usage mistake.
`
}

// The command list's layout: each command's help starts at helpColumn,
// beside its usage if that leaves room, under it otherwise; no line is
// longer than lineWidth.
const (
	helpColumn = 34
	lineWidth  = 76
)

// commandList lists the commands of the table, each usage wrapped under
// its first argument, with its help beside or under it.
func commandList() string {
	var b strings.Builder
	for _, c := range commands {
		lines := wrap(phrases(c.args), lineWidth-2-len(c.name)-1)
		if len(lines) == 0 {
			lines = []string{""}
		}
		lines[0] = strings.TrimSpace(c.name + " " + lines[0])
		for i := 1; i < len(lines); i++ {
			lines[i] = strings.Repeat(" ", len(c.name)+1) + lines[i]
		}
		help := wrap(strings.Fields(c.help), lineWidth-helpColumn)
		for i, l := range lines {
			b.WriteString("  " + l)
			if i == len(lines)-1 && len(help) > 0 && 2+len(l)+2 <= helpColumn {
				b.WriteString(strings.Repeat(" ", helpColumn-2-len(l)) + help[0])
				help = help[1:]
			}
			b.WriteString("\n")
		}
		for _, h := range help {
			b.WriteString(strings.Repeat(" ", helpColumn) + h + "\n")
		}
	}
	return b.String()
}

// phrases splits a usage's arguments into what a line may not break:
// words, and bracketed groups such as "[--tls-cert FILE --tls-key FILE]".
func phrases(args string) []string {
	var out []string
	depth := 0
	for _, w := range strings.Fields(args) {
		if depth > 0 {
			out[len(out)-1] += " " + w
		} else {
			out = append(out, w)
		}
		depth += strings.Count(w, "[") - strings.Count(w, "]")
	}
	return out
}

// wrap joins words into lines of at most width characters; a longer word
// gets a line of its own.
func wrap(words []string, width int) []string {
	var lines []string
	for _, w := range words {
		if n := len(lines); n > 0 && len(lines[n-1])+1+len(w) <= width {
			lines[n-1] += " " + w
		} else {
			lines = append(lines, w)
		}
	}
	return lines
}

// print writes text for people, or v as JSON with --json.
func (r *runner) print(v any, text string) error {
	if r.json {
		enc := json.NewEncoder(r.env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	_, err := io.WriteString(r.env.Stdout, text)
	return err
}
