package data

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"keyward/data/clocktest"
)

const crashChildEnv = "KEYWARD_CRASH_CHILD_DIR"

// TestMain turns the test binary into TestCrashSafety's child when that
// test starts it.
func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	os.Exit(m.Run())
}

// crashChild makes changes as fast as it can and prints each one once the
// store has acknowledged it, until it is killed. Keys go to a new user every
// 300 keys, so that no user reaches MaxKeysPerUser.
func crashChild(dir string) {
	out := bufio.NewWriter(os.Stdout)
	say := func(args ...any) {
		fmt.Fprintln(out, args...)
		out.Flush()
	}
	fail := func(err error) {
		say("error", err)
		os.Exit(3)
	}
	b, _ := diskBackend()
	s, err := (&storage{backend: b, dir: dir}).open(Options{FlushInterval: 10 * time.Millisecond})
	if err != nil {
		fail(err)
	}
	say("ready")
	round := os.Getenv("KEYWARD_CRASH_ROUND")
	var owner User
	for i := 0; ; i++ {
		if i%300 == 0 {
			email := fmt.Sprintf("crash-%s-%d@example.com", round, i)
			if owner, err = s.AddUser(CommandLine, NewUser{Name: "Crash " + round, Email: email, Role: RoleViewer}); err != nil {
				fail(err)
			}
			say("user", owner.ID, email)
		}
		name := fmt.Sprintf("crash-%s-%05d", round, i)
		k, secret, err := s.CreateUserKey(CommandLine, name, owner.ID)
		if err != nil {
			fail(err)
		}
		say("key", k.ID, name, secret)
		rule, err := s.AddCIDRRule(CommandLine, k.ID, fmt.Sprintf("10.%d.%d.0/24", i/256%256, i%256))
		if err != nil {
			fail(err)
		}
		say("rule", k.ID, rule.ID, rule.Prefix)
		if i%3 == 2 {
			say("deleting", k.ID) // from here the key may be gone
			if err := s.DeleteUserKey(CommandLine, k.ID); err != nil {
				fail(err)
			}
			say("deleted", k.ID)
		}
	}
}

// crashRounds is how many times TestCrashSafety kills its child; a longer
// run takes KEYWARD_CRASH_ROUNDS (bench/crash.sh).
const crashRounds = 200

// TestCrashSafety kills a child process that is making changes at random
// moments, over many rounds, some of them while it is still opening the
// store. After each kill the store must open at once (Badger's empty-file
// failure after a kill is recovered from) and hold every change the child
// saw acknowledged.
func TestCrashSafety(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL")
	}
	if raceEnabled {
		// Kills find nothing for the race detector, which would make the
		// rounds several times slower: make test runs this test apart.
		t.Skip("run without -race: go test -run '^TestCrashSafety$' ./data/")
	}
	st := diskStorage(t, "")
	dir := st.dir
	s, _ := MustOpen(t, st)
	setUpFixture(t, st, s, clocktest.New())
	accountKey, err := s.AccountKey(CommandLine, ShowAccountKey)
	must(t, err)
	must(t, s.Close())

	type ackedKey struct {
		name, secret string
		rule         string
		deleting     bool // the deletion started: the key may or may not be there
		deleted      bool
	}
	acked := map[string]*ackedKey{}
	users := map[string]string{} // email by id
	record := func(line string) {
		fields := strings.Fields(line)
		switch fields[0] {
		case "user":
			users[fields[1]] = fields[2]
		case "key":
			acked[fields[1]] = &ackedKey{name: fields[2], secret: fields[3]}
		case "rule":
			acked[fields[1]].rule = fields[3]
		case "deleting":
			acked[fields[1]].deleting = true
		case "deleted":
			acked[fields[1]].deleted = true
		default:
			t.Fatalf("the child said %q", line)
		}
	}
	rounds := crashRounds
	if n, err := strconv.Atoi(os.Getenv("KEYWARD_CRASH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	var recovered atomic.Int32 // empty files a kill left, removed at the next opening
	logf := func(format string, args ...any) {
		if strings.Contains(fmt.Sprintf(format, args...), "an empty file left by an interrupted write") {
			recovered.Add(1)
		}
	}
	killedOpening, total := 0, 0
	for round := range rounds {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, fmt.Sprintf("KEYWARD_CRASH_ROUND=%d", round))
		stdout, err := cmd.StdoutPipe()
		must(t, err)
		must(t, cmd.Start())
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// One round in five kills the child while it opens the store, when
		// Badger creates its files; the others after 5 to 100 ms of changes.
		var deadline <-chan time.Time
		if round%5 == 0 {
			deadline = time.After(time.Duration(rand.IntN(40)) * time.Millisecond)
			killedOpening++
		} else {
			if first := <-lines; first != "ready" {
				cmd.Process.Kill()
				t.Fatalf("round %d: child said %q", round, first)
			}
			deadline = time.After(time.Duration(5+rand.IntN(95)) * time.Millisecond)
		}
		changes := 0
	read:
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					break read
				}
				if line != "ready" {
					changes++
					record(line)
				}
			case <-deadline:
				must(t, cmd.Process.Kill())
				// Whatever the child printed before it died was acknowledged.
				for line := range lines {
					if line != "ready" {
						changes++
						record(line)
					}
				}
				break read
			}
		}
		cmd.Wait()

		s, err := st.open(Options{Logf: logf})
		if err != nil {
			t.Fatalf("round %d: the store does not open after a kill: %v", round, err)
		}
		for id, email := range users {
			if u, err := s.UserByEmail(email); err != nil || fmt.Sprint(u.ID) != id {
				t.Fatalf("round %d: acknowledged user %s is missing: %v", round, email, err)
			}
		}
		for id, a := range acked {
			k, err := s.UserKeyByName(a.name)
			if a.deleting && !a.deleted {
				continue
			}
			if a.deleted {
				if err == nil {
					t.Errorf("round %d: deleted key %s is back", round, a.name)
				}
				continue
			}
			if err != nil || k.ID.String() != id {
				t.Fatalf("round %d: acknowledged key %s is missing: %v", round, a.name, err)
			}
			if a.rule != "" && (len(k.AllowList) != 1 || k.AllowList[0].Prefix.String() != a.rule) {
				t.Fatalf("round %d: key %s has allow list %v, want [%s]", round, a.name, k.AllowList.Strings(), a.rule)
			}
			if a.rule != "" {
				client := netip.MustParsePrefix(a.rule).Addr().Next()
				if _, err := s.Authenticate(accountKey, a.secret, client); err != nil {
					t.Fatalf("round %d: key %s does not authenticate: %v", round, a.name, err)
				}
			}
		}
		must(t, s.Close())
		total += changes
	}
	if len(acked) == 0 {
		t.Fatal("the child made no changes")
	}
	t.Logf("%d kills (%d while the store opened): %d acknowledged changes kept, every reopening succeeded, %d empty files a kill left removed",
		rounds, killedOpening, total, recovered.Load())
}
