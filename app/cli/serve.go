package cli

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"keyward/api"
	"keyward/data"
)

// shutdownGrace is how long requests in flight may take to finish when
// serve is stopped.
const shutdownGrace = 10 * time.Second

func setupServe(fs *flag.FlagSet) func(*runner, []string) error {
	listen := fs.String("listen", api.DefaultAddr, "address to listen on")
	rateLimit := fs.Int("rate-limit", api.DefaultRateLimit, "requests a minute per user key; 0 turns the limit off")
	proxies := fs.String("trusted-proxies", "", "comma-separated CIDRs of proxies whose X-Forwarded-For is believed")
	cert := fs.String("tls-cert", "", "PEM certificate, to serve HTTPS")
	key := fs.String("tls-key", "", "PEM private key of the certificate")
	return func(r *runner, _ []string) error {
		if *rateLimit < 0 {
			return usagef("--rate-limit must be 0 (no limit) or more, not %d", *rateLimit)
		}
		trusted, err := parseProxies(*proxies)
		if err != nil {
			return err
		}
		acct, err := r.store.Account()
		if err != nil {
			return err
		}
		if !acct.APIEnabled {
			return data.Errorf(data.EConflict, "The REST API of %s is disabled: enable it with 'keyward api enable' (or in the console) first.", acct.Name)
		}
		srv := api.NewServer(r.store, api.Config{Addr: *listen, RateLimit: *rateLimit, TrustedProxies: trusted, TLSCert: *cert, TLSKey: *key})
		if err := srv.Start(); err != nil {
			return data.Errorf(data.EConflict, "Cannot serve the REST API: %v.", err)
		}
		limit := "no rate limit"
		if *rateLimit > 0 {
			limit = fmt.Sprintf("at most %d requests a minute per key", *rateLimit)
		}
		fmt.Fprintf(r.env.Stdout, "Serving the REST API of %s on %s (%s). Stop with Ctrl+C.\n", acct.Name, srv.URL(), limit)

		parent := r.env.Context
		if parent == nil {
			parent = context.Background()
		}
		ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
		defer stop()
		<-ctx.Done()
		fmt.Fprintln(r.env.Stdout, "Stopping: letting requests in flight finish…")
		shutdown, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := srv.Stop(shutdown); err != nil {
			return data.Errorf(data.EInternal, "The REST API did not stop cleanly: %v.", err)
		}
		fmt.Fprintln(r.env.Stdout, "Stopped.")
		return nil // the caller closes the store, which writes last-used times
	}
}

// parseProxies reads --trusted-proxies: CIDR rules separated by commas.
func parseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		p, err := data.ParseCIDR(part)
		if err != nil {
			return nil, usagef("--trusted-proxies: %s", data.ErrorMessage(err))
		}
		out = append(out, p)
	}
	return out, nil
}
