package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"keyward/app/api"
	"keyward/data"
)

// shutdownGrace is how long requests in flight may take to finish when
// serve is stopped.
const shutdownGrace = 10 * time.Second

func setupServe(fs *flag.FlagSet) func(*runner, []string) error {
	listen := fs.String("listen", "", "address to listen on (default: the account's setting, first "+data.DefaultAPIAddr+")")
	rateLimit := fs.Int("rate-limit", 0, "requests a minute per user key; 0 turns the limit off (default: the account's setting)")
	proxies := fs.String("trusted-proxies", "", "comma-separated CIDRs of proxies whose X-Forwarded-For is believed (default: the account's setting)")
	cert := fs.String("tls-cert", "", "PEM certificate, to serve HTTPS")
	key := fs.String("tls-key", "", "PEM private key of the certificate")
	logRequests := fs.Bool("log-requests", false, "write a line to stderr for each decision of the gate (/gate): status, original method and URI, key name")
	sharedLimit := fs.Bool("shared-rate-limit", false, "with --store: keep the per-key rate limit in the shared store, one budget for every server (a round trip per request)")
	return func(r *runner, _ []string) error {
		// Catch SIGINT and SIGTERM from the start: one that arrives while
		// the server starts must stop it gracefully too, not kill it. On
		// Windows, Go delivers os.Interrupt for Ctrl+C and Ctrl+Break in
		// the console serve runs in, and SIGTERM when that console is
		// closed, the user logs off or the system shuts down
		// (CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT): the
		// same clean stop, though Windows ends the process a few seconds
		// after those three whatever it is doing. A Windows service's
		// stop request reaches no program through os/signal; a service
		// wrapper that turns it into Ctrl+C stops serve cleanly.
		parent := r.env.Context
		if parent == nil {
			parent = context.Background()
		}
		ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
		defer stop()

		// The account's settings (the console's Settings dialog) apply,
		// but for what the flags given say.
		set := r.store.Settings()
		var err error
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "listen":
				set.APIAddr = *listen
			case "rate-limit":
				set.RateLimit = *rateLimit
			case "trusted-proxies":
				if set.TrustedProxies, err = data.ParseProxies(*proxies); err != nil {
					err = data.Errorf(data.EInvalid, "--trusted-proxies: %s", data.ErrorMessage(err))
				}
			}
		})
		if err != nil {
			return err
		}
		if err := set.Validate(); err != nil {
			return err
		}
		acct, err := r.store.Account()
		if err != nil {
			return err
		}
		if !acct.APIEnabled {
			return data.Errorf(data.EConflict, "The REST API of %s is disabled: enable it with 'keyward api enable' (or in the console) first.", acct.Name)
		}
		if r.env.API == nil {
			return data.Errorf(data.EInternal, "This build of keyward cannot serve the REST API.")
		}
		cfg := api.ConfigFrom(set)
		cfg.TLSCert, cfg.TLSKey = *cert, *key
		if *logRequests {
			var mu sync.Mutex
			cfg.RequestLog = func(line string) {
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintln(r.env.Stderr, time.Now().UTC().Format(time.RFC3339)+" "+line)
			}
		}
		if *sharedLimit {
			switch {
			case r.storeURL == "":
				return usagef("--shared-rate-limit needs a shared store (--store URL): with a data directory there is one server")
			case r.env.SharedLimiter == nil:
				return data.Errorf(data.EInternal, "This build of keyward cannot keep a shared rate limit.")
			case set.RateLimit > 0:
				limiter, closeLimiter, err := r.env.SharedLimiter(r.storeURL)
				if err != nil {
					return err
				}
				defer closeLimiter()
				cfg.SharedLimiter = limiter
			}
		}
		sup := r.env.API(r.store)
		// Applied while stopped, cfg is only remembered: Start serves it.
		if err := sup.Apply(cfg); err != nil {
			return data.Errorf(data.EConflict, "Cannot serve the REST API: %v.", err)
		}
		if err := sup.Start(); err != nil {
			return data.Errorf(data.EConflict, "Cannot serve the REST API: %v.", err)
		}
		limit := "no rate limit"
		if set.RateLimit > 0 {
			limit = fmt.Sprintf("at most %d requests a minute per key", set.RateLimit)
			if cfg.SharedLimiter != nil {
				limit += " across every server"
			}
		}
		fmt.Fprintf(r.env.Stdout, "Store: %s\n", r.store.Describe())
		fmt.Fprintf(r.env.Stdout, "Serving the REST API of %s on %s (%s), and the gate on %s/gate. Stop with Ctrl+C.\n", acct.Name, sup.Status().URL, limit, sup.Status().URL)
		select {
		case <-ctx.Done():
		case <-sup.Done():
			return data.Errorf(data.EInternal, "The REST API stopped: %v.", sup.Status().Err)
		}
		fmt.Fprintln(r.env.Stdout, "Stopping: letting requests in flight finish…")
		shutdown, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := sup.Stop(shutdown); err != nil {
			return data.Errorf(data.EInternal, "The REST API did not stop cleanly: %v.", err)
		}
		fmt.Fprintln(r.env.Stdout, "Stopped.")
		return nil // the caller closes the store, which writes last-used times
	}
}
