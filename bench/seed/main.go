// Command seed fills a new data directory for bench/api.sh: an account with
// the API enabled, 1,000 user keys, and the measured key, whose allow list
// has 20 rules of which only the last allows loopback. It writes the
// account key and the measured key, one per line, to the file -keys names.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"keyward/data"
)

func main() {
	dir := flag.String("data", "", "the new data directory")
	keysFile := flag.String("keys", "", "where to write the account key and the measured user key")
	flag.Parse()
	if *dir == "" || *keysFile == "" {
		log.Fatal("usage: seed -data DIR -keys FILE")
	}
	s, err := data.Open(*dir, data.Options{})
	check(err)
	defer s.Close()
	_, owner, err := s.Init(data.NewAccount{AccountName: "Bench", OwnerName: "Bench Owner", OwnerEmail: "owner@example.com", OwnerPassword: "benchmark password"})
	check(err)
	viewer, err := s.AddUser(data.CommandLine, data.NewUser{Name: "Bench Viewer", Email: "viewer@example.com", Role: data.RoleViewer})
	check(err)
	_, err = s.SetAPIEnabled(data.CommandLine, true)
	check(err)
	for i := range 999 {
		u := owner
		if i%2 == 1 {
			u = viewer
		}
		_, _, err := s.CreateUserKey(data.CommandLine, fmt.Sprintf("filler-key-%04d", i), u.ID)
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
