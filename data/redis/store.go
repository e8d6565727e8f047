package redis

import "keyward/data"

// OpenStore opens the Store of the account the store URL rawURL names. The
// seal key never lives in Redis: opts.SealKeyFile must name its file, the
// same file on every machine that shares the account. The backend's
// messages go to opts.Logf too.
func OpenStore(rawURL string, opts data.Options) (*data.Store, error) {
	if opts.SealKeyFile == "" {
		return nil, data.Errorf(data.EInvalid, "A shared store needs the seal key's file: pass --seal-key-file FILE or set KEYWARD_SEAL_KEY_FILE, the same file on every machine. The seal key is never kept in Redis.")
	}
	b, err := Open(rawURL, Options{Logf: opts.Logf})
	if err != nil {
		return nil, err
	}
	return data.Open(b, opts)
}
