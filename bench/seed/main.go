// Command seed fills a new data directory for the benchmarks: an account
// with the API enabled, -n user keys (1,000 by default) spread over Viewer
// users, the last of them the measured key, whose allow list has 20 rules of
// which only the last allows loopback. It writes the account key and the
// measured key, one per line, to the file -keys names. The Owner signs in
// as owner@example.com with the password "benchmark password".
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"keyward/data"
	"keyward/data/badger"
)

func main() {
	dir := flag.String("data", "", "the new data directory")
	keysFile := flag.String("keys", "", "where to write the account key and the measured user key")
	n := flag.Int("n", 1000, "how many user keys, the measured one included")
	flag.Parse()
	if *dir == "" || *keysFile == "" {
		log.Fatal("usage: seed -data DIR -keys FILE")
	}
	s, err := badger.OpenStore(*dir, data.Options{})
	check(err)
	defer s.Close()
	_, owner, err := s.Init(data.NewAccount{AccountName: "Bench", OwnerName: "Bench Owner", OwnerEmail: "owner@example.com", OwnerPassword: "benchmark password"})
	check(err)
	_, err = s.SetAPIEnabled(data.CommandLine, true)
	check(err)
	var viewer data.User
	for i := range *n - 1 {
		if i%(data.MaxKeysPerUser-1) == 0 { // the Owner keeps room for the measured key
			viewer, err = s.AddUser(data.CommandLine, data.NewUser{Name: fmt.Sprintf("Bench Viewer %d", i/(data.MaxKeysPerUser-1)),
				Email: fmt.Sprintf("viewer%d@example.com", i/(data.MaxKeysPerUser-1)), Role: data.RoleViewer})
			check(err)
		}
		_, _, err := s.CreateUserKey(data.CommandLine, fmt.Sprintf("filler-key-%05d", i), viewer.ID)
		check(err)
	}
	k, userKey, err := s.CreateUserKey(data.CommandLine, "measured-key", owner.ID)
	check(err)
	for i := range 19 {
		_, err := s.AddCIDRRule(data.CommandLine, k.ID, fmt.Sprintf("10.%d.0.0/16", i))
		check(err)
	}
	_, err = s.AddCIDRRule(data.CommandLine, k.ID, "127.0.0.0/8")
	check(err)
	accountKey, err := s.AccountKey(data.CommandLine, data.ShowAccountKey)
	check(err)
	check(os.WriteFile(*keysFile, []byte(accountKey+"\n"+userKey+"\n"), 0o600))
}

func check(err error) {
	if err != nil {
		log.Fatal(data.ErrorMessage(err))
	}
}
