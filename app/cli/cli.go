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
	// Console opens the window on dataDir when no command is given, and
	// returns the exit status. Nil means there is no console.
	Console func(dataDir string) int
	// API returns the REST API's supervisor for a store: what `keyward
	// serve` serves with (main.go passes api.NewSupervisor). Nil means
	// there is no serve.
	API func(*data.Store) *api.Supervisor
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

// DataEnv is the environment variable that names the data directory.
const DataEnv = "KEYWARD_DATA"

// usageError is a mistake in how keyward was called: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// runner holds one invocation's settings and store.
type runner struct {
	env     Env
	dataDir string
	json    bool
	store   *data.Store
}

// command is one subcommand: its usage line, how many positional arguments
// it takes, and a setup function that declares its flags and returns what
// runs once they are parsed.
type command struct {
	usage string
	nargs int
	setup func(fs *flag.FlagSet) func(r *runner, args []string) error
	// required lists the flags that must be given a value.
	required []string
	// creates is true for init, the one command that runs before the
	// account exists.
	creates bool
}

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

func message(err error) string {
	var u usageError
	if errors.As(err, &u) {
		return u.msg
	}
	return data.ErrorMessage(err)
}

// globalFlags declares --data and --json on fs; every command accepts them,
// before or after its name.
func (r *runner) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&r.dataDir, "data", r.dataDir, "data directory")
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
		if err := r.resolveDataDir(); err != nil {
			return 0, err
		}
		return r.env.Console(r.dataDir), nil
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
	if len(pos) != cmd.nargs {
		return 0, usagef("%s takes %s; usage: keyward %s", name, plural(cmd.nargs, "argument"), cmd.usage)
	}
	for _, f := range cmd.required {
		if fs.Lookup(f).Value.String() == "" {
			return 0, usagef("%s needs --%s; usage: keyward %s", name, f, cmd.usage)
		}
	}
	if err := r.resolveDataDir(); err != nil {
		return 0, err
	}
	if err := r.open(cmd.creates); err != nil {
		return 0, err
	}
	err = do(r, pos)
	if cerr := r.store.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	return ExitOK, nil
}

// resolveDataDir settles the data directory: --data, else KEYWARD_DATA,
// else the default.
func (r *runner) resolveDataDir() error {
	if r.dataDir == "" && r.env.Getenv != nil {
		r.dataDir = r.env.Getenv(DataEnv)
	}
	if r.dataDir == "" {
		r.dataDir = r.env.DefaultDataDir
	}
	if r.dataDir == "" {
		return usagef("this system names no home directory, so there is no default data directory: choose one with --data DIR or %s", DataEnv)
	}
	return nil
}

func (r *runner) open(creates bool) error {
	s, err := data.Open(r.dataDir, data.Options{Logf: func(format string, args ...any) {
		fmt.Fprintf(r.env.Stderr, "keyward: "+format+"\n", args...)
	}})
	if err != nil {
		return err
	}
	if !creates && !s.Initialized() {
		s.Close()
		return data.Errorf(data.ENotFound, "The data directory %s has no account yet: create one with 'keyward init' or by opening the console.", r.dataDir)
	}
	r.store = s
	return nil
}

// lookup finds the command named by the first one or two arguments.
func lookup(args []string) (string, *command, []string, error) {
	if cmd, ok := commands[args[0]]; ok {
		return args[0], cmd, args[1:], nil
	}
	subs := subcommands(args[0])
	if len(subs) == 0 {
		return "", nil, nil, usagef("unknown command %q", args[0])
	}
	if len(args) < 2 {
		return "", nil, nil, usagef("%s needs a subcommand: %s", args[0], strings.Join(subs, ", "))
	}
	name := args[0] + " " + args[1]
	cmd, ok := commands[name]
	if !ok {
		return "", nil, nil, usagef("unknown command %q: %s takes %s", name, args[0], strings.Join(subs, ", "))
	}
	return name, cmd, args[2:], nil
}

func subcommands(group string) []string {
	var subs []string
	for name := range commands {
		if g, sub, ok := strings.Cut(name, " "); ok && g == group {
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

func (r *runner) usage() string {
	def := r.env.DefaultDataDir
	return `Keyward manages the API keys of a Redis-Cloud-style account and serves its REST API.

Usage:
  keyward [--data DIR]                       open the console
  keyward [--data DIR] [--json] COMMAND ...  run a command

Commands:
  init --account NAME --owner-name NAME --owner-email EMAIL
                                  create the account and its first Owner;
                                  the owner's password is read from stdin
  users list
  users add --name NAME --email EMAIL --role ROLE
  users set-role EMAIL ROLE
  users delete EMAIL              also deletes the user's API keys
  api enable | disable | status | account-key
                                  account-key prints only the account key
  keys list
  keys create --name NAME --user EMAIL
                                  prints only the new key, this one time
  keys delete NAME
  cidr list KEY
  cidr add KEY CIDR
  cidr edit KEY OLD NEW
  cidr delete KEY CIDR
  logs [--limit N]                the system log, newest first
  serve [--listen ADDR] [--rate-limit N] [--trusted-proxies CIDRS]
        [--tls-cert FILE --tls-key FILE]
                                  serve the REST API without the console;
                                  the flags override the account's settings
                                  (at first 127.0.0.1:8686, 400 requests a
                                  minute per key; 0 turns the limit off)

Flags, accepted before or after the command:
  --data DIR   the data directory (default: $` + DataEnv + `, else ` + def + `)
  --json       print JSON for scripts instead of text for people
  --version    print the version and exit

Roles: Owner, Manager, Member, Billing Admin, Viewer, "Logs Viewer (API use only)",
or in short owner, manager, member, billing-admin, viewer, logs-viewer.
Key names: 10 to 50 ASCII letters, digits, '-' and '_'. CIDR rules: an IPv4 or
IPv6 prefix such as 203.0.113.0/24, or a single address.
Exit status: 0 on success, 1 on an error, 2 on a usage mistake.
`
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

func plural(n int, word string) string {
	switch n {
	case 0:
		return "no " + word + "s"
	case 1:
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
