package cli

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"keyward/data"
)

// commands is the command table, in the order the help lists them.
var commands = []*command{
	{name: "init", args: "--account NAME --owner-name NAME --owner-email EMAIL", setup: setupInit, creates: true,
		required: []string{"account", "owner-name", "owner-email"},
		help:     "create the account and its first Owner; the owner's password is read from stdin"},
	{name: "users list", setup: setupUsersList},
	{name: "users add", args: "--name NAME --email EMAIL --role ROLE", setup: setupUsersAdd,
		required: []string{"name", "email", "role"}},
	{name: "users set-role", args: "EMAIL ROLE", nargs: 2, setup: setupUsersSetRole},
	{name: "users delete", args: "EMAIL", nargs: 1, setup: setupUsersDelete, help: "also deletes the user's API keys"},
	{name: "api enable", args: "[--new-seal-key]", setup: setupAPIEnable(true)},
	{name: "api disable", setup: setupAPIEnable(false)},
	{name: "api status", setup: setupAPIStatus},
	{name: "api account-key", setup: setupAPIAccountKey, help: "prints only the account key"},
	{name: "keys list", args: "[--status S] [--unused-for DAYS]", setup: setupKeysList,
		help: "S is active, disabled, expired or inactive; --unused-for lists the keys not used for DAYS days (a key never used counts from its creation)"},
	{name: "keys create", args: "--name NAME --user EMAIL [--expires 30d|DATE]", setup: setupKeysCreate,
		required: []string{"name", "user"},
		help:     "prints only the new key, this one time; --expires takes a duration (7d, 24h, 30m), a date (2027-01-31) or an RFC 3339 time"},
	{name: "keys delete", args: "NAME", nargs: 1, setup: setupKeysDelete},
	{name: "keys disable", args: "NAME", nargs: 1, setup: setupKeysDisable(true), help: "requests with the key are refused until it is enabled"},
	{name: "keys enable", args: "NAME", nargs: 1, setup: setupKeysDisable(false)},
	{name: "keys expire", args: "NAME never|30d|DATE", nargs: 2, setup: setupKeysExpire, help: "sets when the key stops working"},
	{name: "keys scan", args: "PATH… [--disable]", nargs: -1, setup: setupKeysScan,
		help: "finds Keyward keys in files (- for stdin) and says which are live; exit 1 if any is; --disable disables the live user keys found"},
	{name: "keys roll", args: "NAME [--grace none|1h|24h|7d]", nargs: 1, setup: setupKeysRoll,
		help: "gives the key a new value and prints only it; the old value works for the grace period (default none), up to 30d"},
	{name: "cidr list", args: "KEY", nargs: 1, setup: setupCIDRList},
	{name: "cidr add", args: "KEY CIDR", nargs: 2, setup: setupCIDRAdd},
	{name: "cidr edit", args: "KEY OLD NEW", nargs: 3, setup: setupCIDREdit},
	{name: "cidr delete", args: "KEY CIDR", nargs: 2, setup: setupCIDRDelete},
	{name: "logs", args: "[--limit N]", setup: setupLogs, help: "the system log, newest first"},
	{name: "backup", args: "FILE", nargs: 1, setup: setupBackup, opens: true,
		help: "write a backup of every record to FILE, also while the console or serve runs; the seal key is not in it: keep it apart"},
	{name: "restore", args: "FILE [--seal-key-file F]", nargs: 1, setup: setupRestore, opens: true,
		help: "restore a backup into a new, empty data directory; F, the seal.key of the backed-up directory, recovers the account key"},
	{name: "migrate", args: "--to URL | --from URL", setup: setupMigrate, opens: true,
		help: "copy the data directory (--data) into a new shared store, or a shared store into a new data directory"},
	{name: "serve", args: "[--listen ADDR] [--rate-limit N] [--shared-rate-limit] [--trusted-proxies CIDRS] [--tls-cert FILE --tls-key FILE] [--log-requests]",
		setup: setupServe,
		help: fmt.Sprintf("serve the REST API and the gate without the console; the flags override the account's settings "+
			"(at first %s, %d requests a minute per key; 0 turns the limit off)", data.DefaultAPIAddr, data.DefaultRateLimit)},
}

// actor is who the command line acts as in the system log.
var actor = data.CommandLine

func setupInit(fs *flag.FlagSet) func(*runner, []string) error {
	fs.String("account", "", "account name")
	fs.String("owner-name", "", "owner's name")
	fs.String("owner-email", "", "owner's email")
	return func(r *runner, _ []string) error {
		if r.store.Initialized() {
			a, _ := r.store.Account()
			where := "data directory"
			if r.where.Store != "" {
				where = "shared store"
			}
			return data.Errorf(data.EConflict, "The %s %s already has the account %s.", where, r.store.Location(), a.Name)
		}
		pw, err := readPassword(r.env)
		if err != nil {
			return err
		}
		// On a shared store, the seal key is made first, on this machine
		// (every other one needs a copy), so that the account names it.
		created := false
		if r.where.Store != "" {
			if created, err = r.store.CreateSealKey(); err != nil {
				return err
			}
		}
		acct, owner, err := r.store.Init(data.NewAccount{
			AccountName:   fs.Lookup("account").Value.String(),
			OwnerName:     fs.Lookup("owner-name").Value.String(),
			OwnerEmail:    fs.Lookup("owner-email").Value.String(),
			OwnerPassword: pw,
		})
		if err != nil {
			if created {
				os.Remove(r.store.SealKeyFile()) // it seals nothing
			}
			return err
		}
		if r.where.Store == "" {
			return r.print(map[string]any{"account": accountJSON(acct), "owner": userJSON(owner), "dataDir": r.store.Location()},
				fmt.Sprintf("Created the account %s with its Owner %s (%s).\nData directory: %s\n", acct.Name, owner.Name, owner.Email, r.store.Location()))
		}
		seal := fmt.Sprintf("Created the seal key file %s.", r.store.SealKeyFile())
		if !created {
			seal = fmt.Sprintf("The seal key file %s was there already and is used.", r.store.SealKeyFile())
		}
		return r.print(map[string]any{"account": accountJSON(acct), "owner": userJSON(owner), "store": r.store.Location(), "sealKeyFile": r.store.SealKeyFile()},
			fmt.Sprintf("Created the account %s with its Owner %s (%s).\nShared store: %s\n%s Every machine that uses this account needs a copy of it "+
				"(--seal-key-file or %s); it never goes into the shared store. Keep it as safe as the keys it protects.\n",
				acct.Name, owner.Name, owner.Email, r.store.Location(), seal, SealKeyEnv))
	}
}

// readPassword reads the owner's password: from a terminal without echo,
// asked twice; otherwise the first line of stdin.
func readPassword(env Env) (string, error) {
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(env.Stderr, "Owner's console password (at least %d characters): ", data.PasswordMinLen)
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", err
		}
		if err := data.ValidatePassword(string(first)); err != nil {
			return "", err
		}
		fmt.Fprint(env.Stderr, "Repeat the password: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", err
		}
		if err := data.ConfirmPassword(string(first), string(second)); err != nil {
			return "", err
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", data.Errorf(data.EInvalid, "Could not read the password from standard input: %v.", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", data.Errorf(data.EInvalid, "No password on standard input: pipe the owner's console password (at least %d characters) into keyward init.", data.PasswordMinLen)
	}
	return line, nil
}

type userOut struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Role      data.Role `json:"role"`
	APIKeys   int       `json:"apiKeys"`
	CanSignIn bool      `json:"canSignIn"`
	CreatedAt time.Time `json:"createdAt"`
}

func userJSON(u data.User) userOut {
	return userOut{u.ID, u.Name, u.Email, u.Role, u.KeyCount, u.HasPassword && u.Role.CanSignIn(), u.CreatedAt}
}

type accountOut struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	APIEnabled bool      `json:"apiEnabled"`
	CreatedAt  time.Time `json:"createdAt"`
}

func accountJSON(a data.Account) accountOut {
	return accountOut{a.ID, a.Name, a.APIEnabled, a.CreatedAt}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func setupUsersList(*flag.FlagSet) func(*runner, []string) error {
	return func(r *runner, _ []string) error {
		users := r.store.Users()
		out := make([]userOut, len(users))
		rows := make([][]string, len(users))
		for i, u := range users {
			out[i] = userJSON(u)
			rows[i] = []string{strconv.FormatInt(u.ID, 10), u.Name, u.Email, string(u.Role), strconv.Itoa(u.KeyCount), yesNo(out[i].CanSignIn)}
		}
		return r.print(out, table([]string{"ID", "NAME", "EMAIL", "ROLE", "API KEYS", "CONSOLE"}, rows))
	}
}

func setupUsersAdd(fs *flag.FlagSet) func(*runner, []string) error {
	name := fs.String("name", "", "name")
	email := fs.String("email", "", "email")
	role := fs.String("role", "", "role")
	return func(r *runner, _ []string) error {
		ro, err := data.ParseRole(*role)
		if err != nil {
			return err
		}
		u, err := r.store.AddUser(actor, data.NewUser{Name: *name, Email: *email, Role: ro})
		if err != nil {
			return err
		}
		return r.print(userJSON(u), fmt.Sprintf("Added %s (%s) to the team as %s (id %d).\n", u.Name, u.Email, u.Role, u.ID))
	}
}

func setupUsersSetRole(*flag.FlagSet) func(*runner, []string) error {
	return func(r *runner, args []string) error {
		u, err := r.store.UserByEmail(args[0])
		if err != nil {
			return err
		}
		role, err := data.ParseRole(args[1])
		if err != nil {
			return err
		}
		u, err = r.store.UpdateUser(actor, u.ID, data.UserChange{Role: &role})
		if err != nil {
			return err
		}
		text := fmt.Sprintf("%s (%s) is now %s.\n", u.Name, u.Email, u.Role)
		if u.KeyCount > 0 && !u.Role.CanOwnKeys() {
			text += fmt.Sprintf("Their %s will not authenticate while they have this role.\n", data.Count(u.KeyCount, "API user key", "API user keys"))
		}
		return r.print(userJSON(u), text)
	}
}

func setupUsersDelete(*flag.FlagSet) func(*runner, []string) error {
	return func(r *runner, args []string) error {
		u, err := r.store.UserByEmail(args[0])
		if err != nil {
			return err
		}
		n, err := r.store.DeleteUser(actor, u.ID)
		if err != nil {
			return err
		}
		return r.print(map[string]any{"deleted": userJSON(u), "deletedKeys": n},
			fmt.Sprintf("Removed %s (%s) from the team, with %s.\n", u.Name, u.Email, data.Count(n, "API user key", "API user keys")))
	}
}

func setupAPIEnable(enable bool) func(*flag.FlagSet) func(*runner, []string) error {
	return func(fs *flag.FlagSet) func(*runner, []string) error {
		newSealKey := new(bool)
		if enable {
			newSealKey = fs.Bool("new-seal-key", false, "make a new seal key file, where there is none, when the account's seal key is lost (every machine then needs a copy)")
		}
		return func(r *runner, _ []string) error {
			before, err := r.store.Account()
			if err != nil {
				return err
			}
			var a data.Account
			if *newSealKey {
				a, err = r.store.EnableAPIWithNewSealKey(actor)
			} else {
				a, err = r.store.SetAPIEnabled(actor, enable)
			}
			if err != nil {
				return err
			}
			var text string
			switch {
			case before.APIEnabled == enable && enable:
				text = "The REST API is already enabled.\n"
			case before.APIEnabled == enable:
				text = "The REST API is already disabled.\n"
			case enable && *newSealKey:
				text = fmt.Sprintf("The REST API is enabled and a new account key was issued, sealed with a new seal key in %s: copy that file to every machine that uses the account. Print the key with 'keyward api account-key'.\n", r.store.SealKeyFile())
			case enable:
				text = "The REST API is enabled and a new account key was issued; print it with 'keyward api account-key'.\n"
			default:
				text = "The REST API is disabled: the account key is revoked and every request will be refused.\n"
			}
			return r.print(accountJSON(a), text)
		}
	}
}

func setupAPIStatus(*flag.FlagSet) func(*runner, []string) error {
	return func(r *runner, _ []string) error {
		a, err := r.store.Account()
		if err != nil {
			return err
		}
		keys := r.store.UserKeyCount()
		state := "disabled"
		if a.APIEnabled {
			state = "enabled"
		}
		return r.print(map[string]any{"account": accountJSON(a), "apiEnabled": a.APIEnabled, "userKeys": keys},
			fmt.Sprintf("Account:       %s (id %d)\nREST API:      %s\nAPI user keys: %d\n", a.Name, a.ID, state, keys))
	}
}

func setupAPIAccountKey(*flag.FlagSet) func(*runner, []string) error {
	return func(r *runner, _ []string) error {
		key, err := r.store.AccountKey(actor, data.ShowAccountKey)
		if err != nil {
			return err
		}
		return r.print(map[string]string{"accountKey": key}, key+"\n")
	}
}

// timeText is how times are shown to people: UTC, to the minute.
func timeText(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func setupKeysList(fs *flag.FlagSet) func(*runner, []string) error {
	status := fs.String("status", "", "list only the keys of this status: active, disabled, expired or inactive")
	unused := fs.String("unused-for", "", "list only the keys not used for this many days")
	return func(r *runner, _ []string) error {
		// A flag given empty is a mistake, not the flag left out.
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		var want data.KeyStatus
		if given["status"] {
			var err error
			if want, err = data.ParseKeyStatus(*status); err != nil {
				return err
			}
		}
		var unusedFor time.Duration
		if given["unused-for"] {
			days, err := strconv.Atoi(*unused)
			switch {
			case err == nil && days > data.MaxDurationDays, errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(*unused, "-"):
				return data.Errorf(data.EInvalid, "--unused-for is at most 36,500 days (100 years); %s is more.", data.Quote(*unused))
			case errors.Is(err, strconv.ErrSyntax):
				// Not of the flag's type, as --limit x: a usage mistake.
				return usagef("--unused-for takes a whole number of days, such as 90; %s is not one", data.Quote(*unused))
			case err != nil || days < 0:
				return data.Errorf(data.EInvalid, "--unused-for takes a whole number of days, such as 90; %s is not one.", data.Quote(*unused))
			}
			unusedFor = time.Duration(days) * 24 * time.Hour
		}
		// The keys are read one at a time from the store's list, not
		// copied out all at once: 100,000 of them are 28 MB.
		list, now := r.store.KeyList(), r.store.Now()
		n, at := list.Len(), list.At
		filtered := given["status"] || given["unused-for"]
		if filtered {
			var kept []int
			for i := range list.Len() {
				if k := list.At(i); (want == "" || k.Status == want) && (!given["unused-for"] || k.UnusedFor(unusedFor, now)) {
					kept = append(kept, i)
				}
			}
			n, at = len(kept), func(i int) data.UserKey { return list.At(kept[i]) }
		}
		appendKey := func(b []byte, i int) ([]byte, error) { return data.AppendKeyJSON(b, at(i), "  ", "  ") }
		return r.printList(n, appendKey, func(w io.Writer) error {
			switch {
			case n == 0 && filtered:
				_, err := io.WriteString(w, "No API user key matches.\n")
				return err
			case n == 0:
				_, err := io.WriteString(w, "There are no API user keys yet; create one with 'keyward keys create --name NAME --user EMAIL'.\n")
				return err
			}
			return writeTable(w, []string{"NAME", "USER", "CIDR ALLOW LIST", "CREATED", "LAST USED", "EXPIRES", "STATE"}, n, func(i int, cells []string) {
				k := at(i)
				used := "Never"
				if !k.LastUsedAt.IsZero() {
					used = timeText(k.LastUsedAt) + " from " + k.LastUsedFrom.String()
				}
				cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6] =
					k.Name, k.UserName, k.AllowList.Summary(), timeText(k.CreatedAt), used, expiresText(k), stateText(k)
			})
		})
	}
}

// expiresText is a key's expiry for people: "never", or when.
func expiresText(k data.UserKey) string {
	if k.ExpiresAt.IsZero() {
		return "never"
	}
	return timeText(k.ExpiresAt)
}

// stateText is a key's status, with the end of a rolled key's grace
// period while it runs.
func stateText(k data.UserKey) string {
	s := string(k.Status)
	if !k.GraceUntil.IsZero() {
		s += " (old value until " + timeText(k.GraceUntil) + ")"
	}
	return s
}

func setupKeysCreate(fs *flag.FlagSet) func(*runner, []string) error {
	name := fs.String("name", "", "key name")
	user := fs.String("user", "", "the email of the user who owns the key")
	expires := fs.String("expires", "never", "when the key stops working: a duration (7d, 24h, 30m), a date (2027-01-31) or an RFC 3339 time")
	return func(r *runner, _ []string) error {
		at, err := data.ParseExpiry(*expires, r.store.Now())
		if err != nil {
			return err
		}
		u, err := r.store.UserByEmail(*user)
		if err != nil {
			return err
		}
		k, secret, err := r.store.CreateUserKeyWith(actor, data.NewKey{Name: *name, UserID: u.ID, ExpiresAt: at})
		if err != nil {
			return err
		}
		return r.printNewKey(k, secret)
	}
}

// printNewKey prints a key's value, which the store gives this once
// (keys create, keys roll): alone for people, with the key's export for
// scripts.
func (r *runner) printNewKey(k data.UserKey, secret string) error {
	out := struct {
		data.KeyExport
		Key string `json:"key"`
	}{data.ExportKey(k), secret}
	return r.print(out, secret+"\n")
}

func setupKeysDelete(*flag.FlagSet) func(*runner, []string) error {
	return func(r *runner, args []string) error {
		k, err := r.store.UserKeyByName(args[0])
		if err != nil {
			return err
		}
		if err := r.store.DeleteUserKey(actor, k.ID); err != nil {
			return err
		}
		return r.print(data.ExportKey(k), fmt.Sprintf("Deleted the API user key %s of %s; requests with it are refused from now on.\n", k.Name, k.UserName))
	}
}

func setupKeysDisable(disable bool) func(*flag.FlagSet) func(*runner, []string) error {
	return func(*flag.FlagSet) func(*runner, []string) error {
		return func(r *runner, args []string) error {
			k, err := r.store.UserKeyByName(args[0])
			if err != nil {
				return err
			}
			if disable {
				if k, err = r.store.DisableUserKey(actor, k.ID); err != nil {
					return err
				}
				return r.print(data.ExportKey(k), fmt.Sprintf("Disabled the API user key %s of %s; requests with it are refused until it is enabled ('keyward keys enable %s').\n", k.Name, k.UserName, k.Name))
			}
			if k, err = r.store.EnableUserKey(actor, k.ID); err != nil {
				return err
			}
			text := fmt.Sprintf("Enabled the API user key %s of %s.\n", k.Name, k.UserName)
			if k.Status != data.KeyActive {
				text = fmt.Sprintf("Enabled the API user key %s of %s; it is still refused: it is %s.\n", k.Name, k.UserName, k.Status)
			}
			return r.print(data.ExportKey(k), text)
		}
	}
}

func setupKeysExpire(*flag.FlagSet) func(*runner, []string) error {
	return func(r *runner, args []string) error {
		k, err := r.store.UserKeyByName(args[0])
		if err != nil {
			return err
		}
		at, err := data.ParseExpiry(args[1], r.store.Now())
		if err != nil {
			return err
		}
		if k, err = r.store.SetKeyExpiry(actor, k.ID, at); err != nil {
			return err
		}
		text := fmt.Sprintf("The API user key %s now never expires.\n", k.Name)
		if !at.IsZero() {
			text = fmt.Sprintf("The API user key %s now expires %s.\n", k.Name, timeText(at))
		}
		return r.print(data.ExportKey(k), text)
	}
}

func setupKeysRoll(fs *flag.FlagSet) func(*runner, []string) error {
	grace := fs.String("grace", "none", "how long the old value keeps working: none, or a duration up to 30d (1h, 24h, 7d)")
	return func(r *runner, args []string) error {
		d, err := data.ParseDuration(*grace)
		if err != nil {
			return err
		}
		k, err := r.store.UserKeyByName(args[0])
		if err != nil {
			return err
		}
		warnings := k.RollWarnings(r.store.Now())
		k, secret, err := r.store.RollUserKey(actor, k.ID, d)
		if err != nil {
			return err
		}
		// stdout has only the new value; what else the roll did is said
		// on stderr.
		for _, w := range warnings {
			fmt.Fprintf(r.env.Stderr, "keyward: %s\n", w)
		}
		return r.printNewKey(k, secret)
	}
}

func setupCIDRList(*flag.FlagSet) func(*runner, []string) error {
	return func(r *runner, args []string) error {
		k, err := r.store.UserKeyByName(args[0])
		if err != nil {
			return err
		}
		if len(k.AllowList) == 0 {
			return r.print([]data.RuleExport{}, fmt.Sprintf("The allow list of %s is empty: all addresses are allowed.\n", k.Name))
		}
		return r.print(data.ExportRules(k.AllowList), strings.Join(k.AllowList.Strings(), "\n")+"\n")
	}
}

func setupCIDRAdd(*flag.FlagSet) func(*runner, []string) error {
	return func(r *runner, args []string) error {
		k, err := r.store.UserKeyByName(args[0])
		if err != nil {
			return err
		}
		rule, err := r.store.AddCIDRRule(actor, k.ID, args[1])
		if err != nil {
			return err
		}
		return r.print(data.ExportRule(rule), fmt.Sprintf("Added %s to the allow list of %s.\n", rule.Prefix, k.Name))
	}
}

// findRule returns the user key named name and the rule of its allow list
// that input names.
func findRule(r *runner, name, input string) (data.UserKey, data.CIDRRule, error) {
	k, err := r.store.UserKeyByName(name)
	if err != nil {
		return k, data.CIDRRule{}, err
	}
	p, err := data.ParseCIDR(input)
	if err != nil {
		return k, data.CIDRRule{}, err
	}
	i := k.AllowList.Find(p)
	if i < 0 {
		return k, data.CIDRRule{}, data.Errorf(data.ENotFound, "%s is not in the allow list of %s; see 'keyward cidr list %s'.", p, k.Name, k.Name)
	}
	return k, k.AllowList[i], nil
}

func setupCIDREdit(*flag.FlagSet) func(*runner, []string) error {
	return func(r *runner, args []string) error {
		k, old, err := findRule(r, args[0], args[1])
		if err != nil {
			return err
		}
		rule, err := r.store.EditCIDRRule(actor, k.ID, old.ID, args[2])
		if err != nil {
			return err
		}
		return r.print(data.ExportRule(rule), fmt.Sprintf("Changed %s to %s in the allow list of %s.\n", old.Prefix, rule.Prefix, k.Name))
	}
}

func setupCIDRDelete(*flag.FlagSet) func(*runner, []string) error {
	return func(r *runner, args []string) error {
		k, rule, err := findRule(r, args[0], args[1])
		if err != nil {
			return err
		}
		if err := r.store.DeleteCIDRRule(actor, k.ID, rule.ID); err != nil {
			return err
		}
		text := fmt.Sprintf("Deleted %s from the allow list of %s.\n", rule.Prefix, k.Name)
		if len(k.AllowList) == 1 {
			text += "The list is now empty: all addresses are allowed.\n"
		}
		return r.print(data.ExportRule(rule), text)
	}
}

func setupLogs(fs *flag.FlagSet) func(*runner, []string) error {
	limit := fs.Int("limit", data.DefaultLogLimit, "entries to print")
	return func(r *runner, _ []string) error {
		if *limit < 1 || *limit > 100000 {
			return data.Errorf(data.EInvalid, "--limit must be between 1 and 100000, not %d.", *limit)
		}
		entries, err := r.store.SystemLog(data.LogQuery{Limit: *limit})
		if err != nil {
			return err
		}
		rows := make([][]string, len(entries))
		for i, e := range entries {
			by := e.Originator
			if e.APIKeyName != "" {
				by += " (API key " + e.APIKeyName + ")"
			}
			rows[i] = []string{timeText(e.Time), by, e.Type, e.Description}
		}
		return r.print(entries, table([]string{"TIME", "BY", "EVENT", "DESCRIPTION"}, rows))
	}
}
