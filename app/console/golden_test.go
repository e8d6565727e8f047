package console

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"keyward/data"
)

// The main screens' markup is pinned in testdata. Secrets in them are fixed
// fakes: a golden file never holds a real key.

const fakeUserKey = "kwu_FAKExKEYxFORxGOLDENxFILESxONLY0000000"

func TestGoldenSignIn(t *testing.T) {
	e := newEnv(t).withAccount(false)
	e.c.Start()
	test.AssertRendersToMarkup(t, "signin.xml", e.w.Canvas())
}

func TestGoldenAPIKeysOff(t *testing.T) {
	e := newEnv(t).withAccount(false)
	e.signIn("ada@example.com")
	test.AssertRendersToMarkup(t, "apikeys_off.xml", e.w.Canvas())
}

// goldenKeys fills the store with keys of every kind the table shows.
func goldenKeys(e *env) {
	e.must(createKey(e, "ci-deploy-key", "vic@example.com"))
	e.must(createKey(e, "billing-export", "lou@example.com"))
	k, secret, err := e.store.CreateUserKey(data.CommandLine, "restricted-key", e.user("ada@example.com").ID)
	e.must(err)
	for _, r := range []string{"203.0.113.0/24", "2001:db8::/32"} {
		_, err := e.store.AddCIDRRule(data.CommandLine, k.ID, r)
		e.must(err)
	}
	acct, _ := e.store.AccountKey(data.CommandLine, data.ShowAccountKey)
	_, err = e.store.Authenticate(acct, secret, mustAddr("203.0.113.9"))
	e.must(err)
	// A key whose user has since become a Manager: shown inactive.
	_, err = e.store.AddUser(data.CommandLine, data.NewUser{Name: "Ivo Inactive", Email: "ivo@example.com", Role: data.RoleViewer})
	e.must(err)
	e.must(createKey(e, "old-viewer-key", "ivo@example.com"))
	e.setRole("ivo@example.com", data.RoleManager)
}

func TestGoldenAPIKeysOn(t *testing.T) {
	e := newEnv(t).withAccount(true)
	goldenKeys(e)
	e.signIn("ada@example.com")
	test.AssertRendersToMarkup(t, "apikeys_on.xml", e.w.Canvas())
}

func TestGoldenRevealDialog(t *testing.T) {
	e := newEnv(t).withAccount(true)
	e.signIn("ada@example.com")
	e.c.showRevealDialog("ci-deploy-key", createdAbout(data.UserKey{Name: "ci-deploy-key", UserName: "Vic Viewer"}), fakeUserKey)
	test.AssertRendersToMarkup(t, "reveal_dialog.xml", e.w.Canvas())
}

func TestGoldenCIDRDialog(t *testing.T) {
	e := newEnv(t).withAccount(true)
	goldenKeys(e)
	e.signIn("ada@example.com")
	tapLink(cell(t, e.c.access.keys.table, e.keyRow("restricted-key"), e.col("CIDR allow list")).Link)
	test.AssertRendersToMarkup(t, "cidr_dialog.xml", e.w.Canvas())
}

func TestGoldenTeam(t *testing.T) {
	e := newEnv(t).withAccount(true)
	goldenKeys(e)
	e.signIn("ada@example.com")
	e.showTab("Team")
	test.AssertRendersToMarkup(t, "team.xml", e.w.Canvas())
}

// TestGoldenAPIKeysLifecycle pins the table with a disabled, an expired
// and an expiring key, and the banner that counts the expiring ones.
func TestGoldenAPIKeysLifecycle(t *testing.T) {
	e, clock := newLifecycleEnv(t)
	now := clock.Now()
	for _, k := range []data.NewKey{
		{Name: "disabled-key-1", UserID: e.user("vic@example.com").ID},
		{Name: "expired-key-01", UserID: e.user("ada@example.com").ID, ExpiresAt: now.Add(time.Hour)},
		{Name: "expiring-key-1", UserID: e.user("ada@example.com").ID, ExpiresAt: now.Add(4 * 24 * time.Hour)},
		{Name: "yearly-key-001", UserID: e.user("lou@example.com").ID, ExpiresAt: now.Add(365 * 24 * time.Hour)},
	} {
		_, _, err := e.store.CreateUserKeyWith(data.CommandLine, k)
		e.must(err)
	}
	_, err := e.store.DisableUserKey(data.CommandLine, e.key("disabled-key-1").ID)
	e.must(err)
	clock.Advance(2 * time.Hour)
	e.signIn("ada@example.com")
	test.AssertRendersToMarkup(t, "apikeys_lifecycle.xml", e.w.Canvas())
}
