// Command failover measures a Redis Sentinel failover under Keyward, for
// bench/failover.sh: on a new account in the store -store names, a writer
// creates keys one after another for -duration (retrying what fails),
// while a second handle on the same account, as a `keyward serve` on
// another machine, authenticates the first key every 10 ms. The script
// fails the primary over meanwhile. At the end it reports how long
// changes failed, whether authentication ever did, how long the second
// handle took to follow the writer again, and checks, on a new handle,
// that every key whose creation was acknowledged is there.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"keyward/data"
	"keyward/data/redis"
)

func main() {
	url := flag.String("store", "", "the store URL (Sentinel)")
	seal := flag.String("seal-key-file", "", "the seal key file to create")
	duration := flag.Duration("duration", 20*time.Second, "how long to write")
	flag.Parse()
	if *url == "" || *seal == "" {
		log.Fatal("usage: failover -store URL -seal-key-file FILE [-duration D]")
	}
	opts := data.Options{SealKeyFile: *seal, FlushInterval: time.Hour}
	open := func() *data.Store {
		s, err := redis.OpenStore(*url, opts)
		check(err)
		return s
	}
	writer, follower := open(), open()
	_, owner, err := writer.Init(data.NewAccount{AccountName: "Failover", OwnerName: "Fail Owner", OwnerEmail: "owner@example.com", OwnerPassword: "failover password"})
	check(err)
	_, err = writer.SetAPIEnabled(data.CommandLine, true)
	check(err)
	accountKey, err := writer.AccountKey(data.CommandLine, data.ShowAccountKey)
	check(err)
	_, firstSecret, err := writer.CreateUserKey(data.CommandLine, "failover-first", owner.ID)
	check(err)
	client := netip.MustParseAddr("127.0.0.1")
	for {
		if _, err := follower.Authenticate(accountKey, firstSecret, client); err == nil {
			break
		}
		time.Sleep(time.Millisecond)
	}

	// The reader: authentication on the follower all along.
	var authOK, authFailed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			if _, err := follower.Authenticate(accountKey, firstSecret, client); err != nil {
				authFailed.Add(1)
			} else {
				authOK.Add(1)
			}
		}
	}()

	type acked struct{ name, secret string }
	var done []acked
	failed := 0
	var firstFailure, lastFailure time.Time
	var lastErr error
	end := time.Now().Add(*duration)
	userID := owner.ID
	for i := 0; time.Now().Before(end); i++ {
		if i > 0 && i%(data.MaxKeysPerUser-1) == 0 {
			for {
				u, err := writer.AddUser(data.CommandLine, data.NewUser{Name: fmt.Sprintf("Fail Viewer %d", i), Email: fmt.Sprintf("viewer%d@example.com", i), Role: data.RoleViewer})
				if err == nil {
					userID = u.ID
					break
				}
				if u, err := writer.UserByEmail(fmt.Sprintf("viewer%d@example.com", i)); err == nil {
					userID = u.ID // added, but the answer was lost
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		name := fmt.Sprintf("failover-%06d", i)
		for {
			_, secret, err := writer.CreateUserKey(data.CommandLine, name, userID)
			if err == nil {
				done = append(done, acked{name, secret})
				break
			}
			if _, err := writer.UserKeyByName(name); err == nil {
				done = append(done, acked{name, ""}) // created, but the answer was lost
				break
			}
			failed++
			now := time.Now()
			if firstFailure.IsZero() {
				firstFailure = now
			}
			lastFailure, lastErr = now, err
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	// The follower follows again: it accepts the last key acknowledged.
	last := done[len(done)-1]
	followStart := time.Now()
	for last.secret != "" {
		if _, err := follower.Authenticate(accountKey, last.secret, client); err == nil {
			break
		}
		if time.Since(followStart) > 30*time.Second {
			log.Fatal("the follower did not follow the writer again within 30 s")
		}
		time.Sleep(time.Millisecond)
	}
	follow := time.Since(followStart)

	verify := open()
	lost := 0
	for _, a := range done {
		if _, err := verify.UserKeyByName(a.name); err != nil {
			lost++
			fmt.Printf("LOST: %s (%s)\n", a.name, data.ErrorMessage(err))
		}
	}
	fmt.Printf("acknowledged creations: %d; lost after the failover: %d\n", len(done), lost)
	if failed > 0 {
		fmt.Printf("failed creations: %d, from %s to %s: changes failed for %.2f s (last error: %s)\n", failed,
			firstFailure.Format("15:04:05.000"), lastFailure.Format("15:04:05.000"), lastFailure.Sub(firstFailure).Seconds(), data.ErrorMessage(lastErr))
	} else {
		fmt.Println("failed creations: 0")
	}
	fmt.Printf("authentications on the follower: %d answered, %d failed\n", authOK.Load(), authFailed.Load())
	fmt.Printf("the follower accepted the last acknowledged key %v after the writing ended\n", follow.Round(time.Microsecond))
	for _, s := range []*data.Store{writer, follower, verify} {
		s.Close()
	}
	if lost > 0 || authFailed.Load() > 0 {
		os.Exit(1)
	}
}

func check(err error) {
	if err != nil {
		log.Fatal(data.ErrorMessage(err))
	}
}
